"""Flow 8's declared workflow: one case per order and partner, moved by its shipments' milestones.

The case's state is the order's progress with that partner: awaiting the first milestone,
in progress, an exception for the retailer to look at, all delivered. Each milestone is a
step carrying a `MilestoneForm`, guarded so that a shipment never goes backwards; the
milestone service picks which of the reporting steps fits, so the page, the API and Trading
Grid land in the same state for the same news.
"""

from apps.workspace.choices import CaseKind, Side
from apps.workspace.states import BOTH, PARTNER, RETAILER, State, Transition, Workflow

from . import forms, guards, services

ACTIVE = frozenset({"awaiting", "in_progress", "exception", "question"})

MILESTONE = Workflow(
    kind=CaseKind.MILESTONE.value,
    initial="awaiting",
    partner_initial="question",
    states=(
        State("awaiting", "Awaiting first milestone", Side.PARTNER, "info"),
        State("in_progress", "In progress", Side.PARTNER, "accent"),
        State("exception", "Exception reported", Side.RETAILER, "warn"),
        State("question", "Question for retailer", Side.RETAILER, "accent"),
        State("delivered", "Delivered", Side.NONE, "success", resolved=True),
        State("closed", "Closed", Side.NONE, "muted", open=False, resolved=True),
        State("cancelled", "Cancelled", Side.NONE, "muted", open=False),
    ),
    transitions=(
        Transition(
            "report",
            "Report a milestone",
            ACTIVE,
            "in_progress",
            BOTH,
            style="primary",
            payload_form=forms.MilestoneForm,
            guard=guards.milestone_guard,
            effect=services.milestone_recorded,
        ),
        Transition(
            "report_exception",
            "Report an exception",
            ACTIVE,
            "exception",
            BOTH,
            payload_form=forms.MilestoneExceptionForm,
            guard=guards.milestone_guard,
            effect=services.milestone_recorded,
        ),
        Transition(
            "handle_exception",
            "Exception handled",
            frozenset({"exception"}),
            "in_progress",
            RETAILER,
            needs_comment=True,
            effect=services.exceptions_handled,
        ),
        Transition(
            "mark_delivered",
            "All shipments delivered",
            frozenset({"in_progress", "exception"}),
            "delivered",
            BOTH,
            resolves=True,
            guard=guards.all_delivered,
        ),
        Transition(
            "ask_retailer",
            "Ask the retailer",
            frozenset({"awaiting", "in_progress"}),
            "question",
            PARTNER,
            on_reply_from=Side.PARTNER,
        ),
        Transition(
            "answer_partner",
            "Answer the partner",
            frozenset({"question"}),
            "in_progress",
            RETAILER,
            on_reply_from=Side.RETAILER,
        ),
        Transition("close", "Close", frozenset({"delivered"}), "closed", RETAILER, style="primary"),
        Transition(
            "reopen",
            "Reopen",
            frozenset({"delivered", "closed"}),
            "in_progress",
            BOTH,
            needs_comment=True,
            reopens=True,
        ),
        Transition(
            "cancel",
            "Cancel tracking",
            ACTIVE,
            "cancelled",
            RETAILER,
            needs_comment=True,
            style="danger",
        ),
    ),
)
