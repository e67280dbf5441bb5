"""The review of one requested document: requested → submitted → under review → accepted, or
rejected (a correction is asked for) and submitted again. Certificates expire and are renewed.

States are named for the review, so Trading Grid's `to_status` reads the same words as the
page. Guards refuse what the table alone cannot: a submission without a new file, accepting
an expired certificate, expiring one that is still valid.
"""

from apps.workspace.choices import CaseKind, Side
from apps.workspace.states import PARTNER, RETAILER, State, Transition, Workflow

from . import forms, services


def _states(*names: str) -> frozenset[str]:
    return frozenset(names)


# Where the partner owes a (new) document.
OWED = _states("requested", "rejected", "expired", "renewal_requested")
IN_REVIEW = _states("submitted", "under_review")

TRADE_DOCUMENT = Workflow(
    kind=CaseKind.TRADE_DOCUMENT.value,
    initial="requested",
    # A partner that offers a document unasked starts it in the retailer's hands.
    partner_initial="submitted",
    states=(
        State("requested", "Requested", Side.PARTNER, "info"),
        State("submitted", "Submitted", Side.RETAILER, "accent"),
        State("under_review", "Under review", Side.RETAILER, "accent"),
        State("rejected", "Rejected: correction requested", Side.PARTNER, "danger"),
        State("accepted", "Accepted", Side.NONE, "success", resolved=True),
        State("renewal_requested", "Renewal requested", Side.PARTNER, "warn"),
        State("expired", "Expired", Side.PARTNER, "danger"),
        State("waived", "Waived", Side.NONE, "muted", open=False),
    ),
    transitions=(
        Transition(
            "submit",
            "Submit the document",
            OWED,
            "submitted",
            PARTNER,
            style="primary",
            payload_form=forms.DocumentSubmitForm,
            guard=services.guard_submit,
            effect=services.submission_recorded,
        ),
        Transition(
            "start_review",
            "Start review",
            _states("submitted"),
            "under_review",
            RETAILER,
            effect=services.review_started,
        ),
        Transition(
            "accept",
            "Accept",
            IN_REVIEW,
            "accepted",
            RETAILER,
            style="primary",
            resolves=True,
            payload_form=forms.DocumentAcceptForm,
            guard=services.guard_accept,
            effect=services.submission_accepted,
        ),
        Transition(
            "reject",
            "Reject and ask for a correction",
            IN_REVIEW,
            "rejected",
            RETAILER,
            needs_comment=True,
            style="danger",
            payload_form=forms.DocumentRejectForm,
            effect=services.submission_rejected,
        ),
        Transition(
            "request_renewal",
            "Request renewal",
            _states("accepted"),
            "renewal_requested",
            RETAILER,
            effect=services.renewal_requested,
        ),
        Transition(
            "expire",
            "Mark expired",
            _states("accepted", "renewal_requested"),
            "expired",
            RETAILER,
            guard=services.guard_expire,
            effect=services.reopened_for_a_new_document,
        ),
        Transition(
            "request_again",
            "Request again",
            _states("accepted", "waived"),
            "requested",
            RETAILER,
            needs_comment=True,
            reopens=True,
            effect=services.request_reset,
        ),
        Transition(
            "waive",
            "Waive",
            OWED | IN_REVIEW,
            "waived",
            RETAILER,
            needs_comment=True,
            style="danger",
            effect=services.markers_refresh,
        ),
    ),
)

# Used by the demo test: every state has a seeded request.
WORKFLOWS = (TRADE_DOCUMENT,)
