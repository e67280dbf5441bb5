"""The two workflows of flow 6: each partner's share (a case), and the retailer's launch itself.

A share moves with the partner's answers: ticking an item or flagging a constraint is a
step that carries data, so the page, the API and Trading Grid send it alike. "Ready" is the
partner's word and "confirmed" the retailer's; both are refused while items or constraints
are open. The launch's own table is the retailer's: "go" is refused with open blockers
unless an override with a reason is recorded.
"""

from apps.workspace.choices import CaseKind, Side
from apps.workspace.states import BOTH, PARTNER, RETAILER, State, Transition, Workflow

from . import forms, services


def _states(*names: str) -> frozenset[str]:
    return frozenset(names)


WORKING = _states("invited", "preparing", "constrained", "ready", "confirmed")

SHARE = Workflow(
    kind=CaseKind.LAUNCH.value,
    initial="invited",
    partner_initial="preparing",
    states=(
        State("invited", "Invited", Side.PARTNER, "info"),
        State("preparing", "Preparing", Side.PARTNER, "info"),
        # A flagged constraint waits on the retailer's answer.
        State("constrained", "Constraint flagged", Side.RETAILER, "danger"),
        State("ready", "Partner ready", Side.RETAILER, "accent"),
        State("confirmed", "Confirmed ready", Side.NONE, "success", resolved=True),
        State("launched", "Launched", Side.NONE, "muted", open=False, resolved=True),
        State("withdrawn", "Withdrawn", Side.NONE, "muted", open=False),
    ),
    transitions=(
        # An answer after "ready" or "confirmed" reopens the question until it is confirmed again.
        Transition(
            "update_checklist",
            "Update checklist",
            WORKING,
            "preparing",
            PARTNER,
            style="primary",
            payload_form=forms.ChecklistUpdateForm,
            effect=services.item_answered,
        ),
        Transition(
            "flag_constraint",
            "Flag a supply constraint",
            WORKING,
            "constrained",
            PARTNER,
            style="danger",
            payload_form=forms.ConstraintForm,
            effect=services.constraint_flagged,
        ),
        Transition(
            "mark_ready",
            "Confirm we are ready",
            _states("invited", "preparing"),
            "ready",
            PARTNER,
            guard=services.nothing_open,
        ),
        Transition(
            "answer_partner",
            "Answer the partner",
            _states("constrained"),
            "preparing",
            RETAILER,
            on_reply_from=Side.RETAILER,
        ),
        # Taken by the constraint service once the last open constraint is resolved.
        Transition(
            "constraints_cleared", "Constraints cleared", _states("constrained"), "preparing", BOTH
        ),
        Transition(
            "confirm",
            "Confirm readiness",
            _states("ready"),
            "confirmed",
            RETAILER,
            style="primary",
            resolves=True,
            guard=services.nothing_open,
        ),
        Transition(
            "send_back",
            "Send back to partner",
            _states("ready", "confirmed"),
            "preparing",
            RETAILER,
            needs_comment=True,
            reopens=True,
        ),
        Transition("close", "Launched", WORKING, "launched", RETAILER),
        Transition(
            "withdraw",
            "Withdraw from launch",
            WORKING,
            "withdrawn",
            RETAILER,
            needs_comment=True,
            style="danger",
        ),
    ),
)

# The retailer's launch: not a case (it has no partner), so the registry never sees it; the
# launch services enforce it the same way.
LAUNCH = Workflow(
    kind="launch.parent",
    initial="planning",
    states=(
        State("planning", "Planning", Side.RETAILER, "info"),
        State("go", "Go", Side.RETAILER, "success"),
        State("no_go", "No-go", Side.RETAILER, "danger"),
        State("live", "Live", Side.NONE, "muted", open=False, resolved=True),
        State("cancelled", "Cancelled", Side.NONE, "muted", open=False),
    ),
    transitions=(
        Transition(
            "mark_go", "Mark go", _states("planning", "no_go"), "go", RETAILER, style="primary"
        ),
        Transition(
            "mark_no_go",
            "Mark no-go",
            _states("planning", "go"),
            "no_go",
            RETAILER,
            needs_comment=True,
        ),
        Transition("reopen", "Back to planning", _states("go", "no_go"), "planning", RETAILER),
        Transition("go_live", "Go live", _states("go"), "live", RETAILER, style="primary"),
        Transition(
            "cancel",
            "Cancel launch",
            _states("planning", "go", "no_go"),
            "cancelled",
            RETAILER,
            needs_comment=True,
            style="danger",
        ),
    ),
)
