"""The claim workflow: the supplier decides (replace, credit, ask for evidence, deny), the
retailer may dispute a denial once, and the supplier answers the dispute.

Every decision is a step with a payload form, so the page, the API and Trading Grid send the
same data and the same checks refuse it; the guards hold the credit cap and the once-only,
evidence-backed dispute.
"""

from apps.workspace.choices import CaseKind, Side
from apps.workspace.states import PARTNER, RETAILER, State, Transition, Workflow

from . import forms, services

DECIDING = frozenset({"submitted", "disputed"})
DECIDED = frozenset({"replacement_approved", "credit_approved", "denied", "denial_upheld"})

CLAIM = Workflow(
    kind=CaseKind.CLAIM.value,
    initial="submitted",
    # A supplier does not open claims against itself; a case it raises waits on the retailer.
    partner_initial="evidence_requested",
    states=(
        State("submitted", "Awaiting supplier decision", Side.PARTNER, "info"),
        State("evidence_requested", "More evidence requested", Side.RETAILER, "accent"),
        State(
            "replacement_approved", "Replacement approved", Side.RETAILER, "success", resolved=True
        ),
        State("credit_approved", "Credit approved", Side.RETAILER, "success", resolved=True),
        State("denied", "Denied", Side.RETAILER, "danger", resolved=True),
        State("disputed", "Denial disputed", Side.PARTNER, "warn"),
        State("denial_upheld", "Denial upheld", Side.RETAILER, "muted", resolved=True),
        State("closed", "Closed", Side.NONE, "muted", open=False, resolved=True),
        State("withdrawn", "Withdrawn", Side.NONE, "muted", open=False),
    ),
    transitions=(
        Transition(
            "approve_replacement",
            "Approve a replacement",
            DECIDING,
            "replacement_approved",
            PARTNER,
            style="primary",
            resolves=True,
            payload_form=forms.ReplacementForm,
            effect=services.replacement_recorded,
        ),
        Transition(
            "approve_credit",
            "Approve a credit",
            DECIDING,
            "credit_approved",
            PARTNER,
            style="primary",
            resolves=True,
            payload_form=forms.CreditForm,
            guard=services.credit_refusal,
            effect=services.credit_recorded,
        ),
        Transition(
            "request_evidence",
            "Ask for more evidence",
            DECIDING,
            "evidence_requested",
            PARTNER,
            needs_comment=True,
        ),
        # The retailer's reply (with the evidence attached) hands the claim back to the supplier.
        Transition(
            "provide_evidence",
            "Send the evidence",
            frozenset({"evidence_requested"}),
            "submitted",
            RETAILER,
            on_reply_from=Side.RETAILER,
            style="primary",
        ),
        Transition(
            "deny",
            "Deny the claim",
            frozenset({"submitted"}),
            "denied",
            PARTNER,
            style="danger",
            resolves=True,
            payload_form=forms.DenialForm,
            effect=services.denial_recorded,
        ),
        Transition(
            "dispute",
            "Dispute the denial",
            frozenset({"denied"}),
            "disputed",
            RETAILER,
            style="primary",
            reopens=True,
            payload_form=forms.DisputeForm,
            guard=services.dispute_refusal,
            effect=services.dispute_recorded,
        ),
        Transition(
            "uphold_denial",
            "Uphold the denial",
            frozenset({"disputed"}),
            "denial_upheld",
            PARTNER,
            style="danger",
            resolves=True,
            payload_form=forms.DenialForm,
            effect=services.denial_recorded,
        ),
        Transition("close", "Close", DECIDED, "closed", RETAILER, style="primary"),
        Transition(
            "withdraw",
            "Withdraw the claim",
            frozenset({"submitted", "evidence_requested", "disputed"}),
            "withdrawn",
            RETAILER,
            needs_comment=True,
            style="danger",
        ),
    ),
)
