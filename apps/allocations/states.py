"""The workflow of a partner's share of a demand plan (kind allocation).

The partner answers every line; the merchandiser confirms the share (its confirmed
quantities go to SFCC where configured) or asks for a revision. A share cannot be submitted
with unanswered lines (`every_line` on the answer form, and the guard for closed plans).
"""

from apps.workspace.choices import CaseKind, Side
from apps.workspace.states import BOTH, PARTNER, RETAILER, State, Transition, Workflow

from . import forms, services

ACTIVE = frozenset({"requested", "question", "answered", "revision_requested"})
ANSWERABLE = frozenset({"requested", "question", "revision_requested", "answered"})

ALLOCATION = Workflow(
    kind=CaseKind.ALLOCATION.value,
    initial="requested",
    partner_initial="question",
    states=(
        State("requested", "Waiting on partner's answer", Side.PARTNER, "info"),
        State("question", "Question for retailer", Side.RETAILER, "accent"),
        State("answered", "Answered: to review", Side.RETAILER, "accent"),
        State("revision_requested", "Revision requested", Side.PARTNER, "warn"),
        State("on_hold", "On hold", Side.NONE, "muted"),
        State("confirmed", "Allocation confirmed", Side.NONE, "success", resolved=True),
        State("closed", "Closed", Side.NONE, "muted", open=False, resolved=True),
        State("withdrawn", "Withdrawn", Side.NONE, "muted", open=False),
    ),
    transitions=(
        Transition(
            "answer",
            "Answer the lines",
            ANSWERABLE,
            "answered",
            PARTNER,
            style="primary",
            payload_form=forms.AllocationAnswerForm,
            guard=services.answer_guard,
            effect=services.answers_recorded,
        ),
        Transition(
            "ask_retailer",
            "Ask the retailer",
            frozenset({"requested", "revision_requested"}),
            "question",
            PARTNER,
            on_reply_from=Side.PARTNER,
        ),
        Transition(
            "answer_partner",
            "Answer the partner",
            frozenset({"question"}),
            "requested",
            RETAILER,
            on_reply_from=Side.RETAILER,
        ),
        Transition(
            "confirm",
            "Confirm the allocation",
            frozenset({"answered"}),
            "confirmed",
            RETAILER,
            style="primary",
            resolves=True,
            effect=services.share_confirmed,
        ),
        Transition(
            "request_revision",
            "Ask for a revision",
            frozenset({"answered"}),
            "revision_requested",
            RETAILER,
            needs_comment=True,
        ),
        Transition("hold", "Put on hold", ACTIVE, "on_hold", RETAILER),
        Transition("resume", "Resume", frozenset({"on_hold"}), "requested", RETAILER),
        Transition(
            "reopen",
            "Reopen",
            frozenset({"confirmed", "closed"}),
            "revision_requested",
            BOTH,
            needs_comment=True,
            reopens=True,
        ),
        Transition("close", "Close", frozenset({"confirmed"}), "closed", RETAILER, style="primary"),
        Transition(
            "withdraw",
            "Withdraw the request",
            ACTIVE | {"on_hold"},
            "withdrawn",
            RETAILER,
            needs_comment=True,
            style="danger",
        ),
    ),
)
