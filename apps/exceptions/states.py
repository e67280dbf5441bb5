"""The two workflows of this app: an order exception resolved by proposal, and a service escalation.

Their states share no name with the default conversation on purpose: the core works from the
flags (`resolved`, `open`, `resolves`, `reopens`, `partner_initial`), never from names.
"""

from apps.workspace.choices import CaseKind, Side
from apps.workspace.states import BOTH, PARTNER, RETAILER, State, Transition, Workflow

from . import forms, services


def _states(*names: str) -> frozenset[str]:
    return frozenset(names)


EXCEPTION_ACTIVE = _states("reported", "question", "proposed", "countered")

ORDER_EXCEPTION = Workflow(
    kind=CaseKind.ORDER_EXCEPTION.value,
    initial="reported",
    partner_initial="question",
    states=(
        State("reported", "Reported to partner", Side.PARTNER, "info"),
        State("question", "Question for retailer", Side.RETAILER, "accent"),
        State("proposed", "Resolution proposed", Side.RETAILER, "accent"),
        State("countered", "Countered", Side.PARTNER, "warn"),
        State("on_hold", "On hold", Side.NONE, "muted"),
        State("agreed", "Resolution agreed", Side.RETAILER, "success", resolved=True),
        State("closed", "Closed", Side.NONE, "muted", open=False, resolved=True),
        State("withdrawn", "Withdrawn", Side.NONE, "muted", open=False),
    ),
    transitions=(
        Transition(
            "propose", "Propose a resolution", _states("reported", "question", "countered"),
            "proposed", PARTNER, style="primary", payload_form=forms.ProposalForm,
        ),
        Transition(
            "accept", "Accept the proposal", _states("proposed"), "agreed", RETAILER,
            style="primary", resolves=True, payload_form=forms.AcceptForm,
            effect=services.proposal_accepted,
        ),
        Transition(
            "counter", "Counter", _states("proposed"), "countered", RETAILER, needs_comment=True,
        ),
        # A reply hands the turn over without a decision: a question, or an answer to one.
        Transition(
            "ask_retailer", "Ask the retailer", _states("reported", "countered"), "question",
            PARTNER, on_reply_from=Side.PARTNER,
        ),
        Transition(
            "answer_partner", "Answer the partner", _states("question"), "reported", RETAILER,
            on_reply_from=Side.RETAILER,
        ),
        Transition(
            "resolve", "Mark resolved", EXCEPTION_ACTIVE, "agreed", RETAILER, needs_comment=True,
            resolves=True,
        ),
        Transition("hold", "Put on hold", EXCEPTION_ACTIVE, "on_hold", RETAILER),
        Transition("resume", "Resume", _states("on_hold"), "reported", RETAILER),
        Transition(
            "reopen", "Reopen", _states("agreed", "closed"), "reported", BOTH, needs_comment=True,
            reopens=True, effect=services.outcome_withdrawn,
        ),
        Transition("close", "Close", _states("agreed"), "closed", RETAILER, style="primary"),
        Transition(
            "withdraw", "Withdraw", EXCEPTION_ACTIVE | {"on_hold"}, "withdrawn", RETAILER,
            needs_comment=True, style="danger",
        ),
    ),
)

ESCALATION_ACTIVE = _states("escalated", "investigating", "info_needed", "plan_proposed")

ESCALATION = Workflow(
    kind=CaseKind.ESCALATION.value,
    initial="escalated",
    partner_initial="info_needed",
    states=(
        State("escalated", "Escalated", Side.PARTNER, "warn"),
        State("investigating", "Investigating", Side.PARTNER, "info"),
        State("info_needed", "Partner needs information", Side.RETAILER, "accent"),
        State("plan_proposed", "Plan proposed", Side.RETAILER, "accent"),
        State("on_hold", "On hold", Side.NONE, "muted"),
        State("plan_agreed", "Plan agreed", Side.NONE, "success", resolved=True),
        State("closed", "Closed", Side.NONE, "muted", open=False, resolved=True),
        State("cancelled", "Cancelled", Side.NONE, "muted", open=False),
    ),
    transitions=(
        Transition("acknowledge", "Start investigating", _states("escalated"), "investigating", PARTNER),
        Transition(
            "propose_plan", "Give root cause and plan",
            _states("escalated", "investigating", "info_needed"), "plan_proposed", PARTNER,
            style="primary", payload_form=forms.PlanForm, effect=services.plan_recorded,
        ),
        Transition(
            "accept_plan", "Accept the plan", _states("plan_proposed"), "plan_agreed", RETAILER,
            style="primary", resolves=True,
        ),
        Transition(
            "reject_plan", "Ask for another plan", _states("plan_proposed"), "investigating",
            RETAILER, needs_comment=True,
        ),
        Transition(
            "ask_agent", "Ask the agent", _states("escalated", "investigating"), "info_needed",
            PARTNER, on_reply_from=Side.PARTNER,
        ),
        Transition(
            "answer_partner", "Answer the partner", _states("info_needed"), "investigating",
            RETAILER, on_reply_from=Side.RETAILER,
        ),
        Transition(
            "resolve", "Mark resolved", ESCALATION_ACTIVE, "plan_agreed", RETAILER,
            needs_comment=True, resolves=True,
        ),
        Transition("hold", "Put on hold", ESCALATION_ACTIVE, "on_hold", RETAILER),
        Transition("resume", "Resume", _states("on_hold"), "investigating", RETAILER),
        Transition(
            "reopen", "Reopen", _states("plan_agreed", "closed"), "investigating", BOTH,
            needs_comment=True, reopens=True, effect=services.outcome_withdrawn,
        ),
        Transition("close", "Close", _states("plan_agreed"), "closed", RETAILER, style="primary"),
        Transition(
            "cancel", "Cancel escalation", ESCALATION_ACTIVE | {"on_hold"}, "cancelled", RETAILER,
            needs_comment=True, style="danger",
        ),
    ),
)
