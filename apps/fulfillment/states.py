"""The drop-ship dispatch workflow: sent, answered (in full, in part, no), changed, cancelled.

The partner answers each line (accept, backorder with a date, substitute, reject) and commits
a ship date; whether the answer is "accepted" or "accepted in part" follows from the lines,
and the guards refuse the wrong button with words that say which one is right. A change or a
cancellation asked by the retailer waits on the partner, who accepts or refuses it.
"""

from apps.workspace.choices import CaseKind, Side
from apps.workspace.states import PARTNER, RETAILER, State, Transition, Workflow

from . import forms, services

ANSWERED = frozenset({"accepted", "partially_accepted"})

DROPSHIP = Workflow(
    kind=CaseKind.DROPSHIP.value,
    initial="new",
    states=(
        State("new", "Not sent yet", Side.RETAILER, "muted"),
        State("dispatched", "Waiting for the partner's answer", Side.PARTNER, "info"),
        State("exception", "Exception flagged", Side.RETAILER, "accent"),
        State("accepted", "Accepted", Side.NONE, "success", resolved=True),
        State("partially_accepted", "Accepted in part", Side.NONE, "warn", resolved=True),
        State("change_requested", "Change requested", Side.PARTNER, "warn"),
        State("change_refused", "Change refused", Side.RETAILER, "accent"),
        State("rejected", "Rejected by the partner", Side.NONE, "danger", open=False),
        State("cancelled", "Cancelled", Side.NONE, "muted", open=False),
        State("closed", "Closed", Side.NONE, "muted", open=False, resolved=True),
    ),
    transitions=(
        Transition(
            "dispatch",
            "Send to the partner",
            frozenset({"new"}),
            "dispatched",
            RETAILER,
            style="primary",
        ),
        Transition(
            "accept",
            "Accept the order",
            frozenset({"dispatched"}),
            "accepted",
            PARTNER,
            style="primary",
            resolves=True,
            payload_form=forms.AnswerForm,
            guard=services.guard_all_accepted,
            effect=services.answer_recorded,
        ),
        Transition(
            "accept_in_part",
            "Accept in part",
            frozenset({"dispatched"}),
            "partially_accepted",
            PARTNER,
            resolves=True,
            payload_form=forms.AnswerForm,
            guard=services.guard_in_part,
            effect=services.answer_recorded,
        ),
        Transition(
            "reject",
            "Reject the order",
            frozenset({"dispatched"}),
            "rejected",
            PARTNER,
            style="danger",
            payload_form=forms.RejectForm,
            effect=services.rejection_recorded,
        ),
        Transition(
            "flag_exception",
            "Flag an exception",
            frozenset({"dispatched"}),
            "exception",
            PARTNER,
            payload_form=forms.ExceptionForm,
            effect=services.exception_recorded,
        ),
        Transition(
            "answer_partner",
            "Answer the partner",
            frozenset({"exception"}),
            "dispatched",
            RETAILER,
            needs_comment=True,
            on_reply_from=Side.RETAILER,
            style="primary",
        ),
        Transition(
            "request_change",
            "Ask for a change or cancellation",
            frozenset({"dispatched", "exception", "change_refused"}) | ANSWERED,
            "change_requested",
            RETAILER,
            payload_form=forms.ChangeRequestForm,
            effect=services.change_requested,
        ),
        Transition(
            "accept_cancellation",
            "Accept the cancellation",
            frozenset({"change_requested"}),
            "cancelled",
            PARTNER,
            style="primary",
            payload_form=forms.ChangeAnswerForm,
            guard=services.guard_cancellation,
            effect=services.change_accepted,
        ),
        Transition(
            "accept_change",
            "Accept the change",
            frozenset({"change_requested"}),
            "accepted",
            PARTNER,
            style="primary",
            resolves=True,
            payload_form=forms.AnswerForm,
            guard=services.guard_change_all_accepted,
            effect=services.change_accepted,
        ),
        Transition(
            "accept_change_in_part",
            "Accept the change, lines in part",
            frozenset({"change_requested"}),
            "partially_accepted",
            PARTNER,
            resolves=True,
            payload_form=forms.AnswerForm,
            guard=services.guard_change_in_part,
            effect=services.change_accepted,
        ),
        Transition(
            "refuse_change",
            "Refuse the change",
            frozenset({"change_requested"}),
            "change_refused",
            PARTNER,
            style="danger",
            payload_form=forms.ChangeRefusalForm,
            effect=services.change_refused,
        ),
        Transition(
            "close",
            "Close",
            ANSWERED | {"change_refused"},
            "closed",
            RETAILER,
            style="primary",
        ),
    ),
)
