"""The claim workflow through its services: every step allowed and refused, the credit cap,
and the once-only dispute that needs new evidence."""

from decimal import Decimal

import pytest

from apps.claims.models import Claim
from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.workspace import services as workspace
from apps.workspace.choices import Channel, Visibility
from apps.workspace.models import Attachment, CaseLine, TimelineEvent

from .helpers import DENIAL, open_claim, photo, step

pytestmark = pytest.mark.django_db


def _claim(case) -> Claim:
    return Claim.objects.get(case=case)


def test_a_claim_carries_its_priced_lines_type_reason_words_and_evidence(agent, partner_a):
    case = open_claim(agent, partner_a, photos=2)
    claim = _claim(case)
    assert (case.status, case.turn) == ("submitted", "partner")
    assert (claim.claim_type, claim.reason_code, claim.currency) == (
        "damage",
        "damaged_in_transit",
        "USD",
    )
    assert claim.claimed_value == Decimal("557.00")  # 2 × 249 + 1 × 59
    prices = [(line.sku, line.data["unit_price"]) for line in CaseLine.objects.filter(case=case)]
    assert prices == [("TENT-2P", "249.00"), ("MAT-1", "59.00")]
    assert Attachment.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"claim_type": "refund"}, "claim_type"),
        ({"reason_code": "because"}, "reason_code"),
        ({"description": "  "}, "description"),
        ({"currency": "dollars"}, "currency"),
        ({"lines": ()}, "lines"),
    ],
)
def test_an_incomplete_claim_is_refused_beside_the_field(agent, partner_a, change, field):
    from apps.claims import services

    draft = dict(
        partner=partner_a,
        order_number="1",
        claim_type="damage",
        reason_code="defective",
        description="Broken",
        currency="USD",
        lines=(services.ClaimLineDraft(sku="A", quantity=Decimal(1), unit_price=Decimal(5)),),
    )
    with pytest.raises(DomainError) as refused:
        services.claim_open(
            actor=agent, channel=Channel.WEB, draft=services.ClaimDraft(**{**draft, **change})
        )
    assert field in refused.value.fields
    assert not Claim.objects.exists()


def test_a_supplier_does_not_open_claims_it_decides(user_a, partner_a):
    with pytest.raises(NotAllowed):
        open_claim(user_a, partner_a)


def test_the_supplier_approves_a_partial_credit_within_the_claimed_value(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    step(
        user_a,
        case,
        "approve_credit",
        payload={"credit": "partial", "amount": "120.50", "currency": "USD"},
    )
    claim = _claim(case)
    case.refresh_from_db()
    assert case.status == "credit_approved" and case.resolved_at is not None
    assert (claim.decision, claim.credit_amount, claim.credit_currency) == (
        "credit",
        Decimal("120.50"),
        "USD",
    )


def test_a_full_credit_is_the_claimed_value(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    step(user_a, case, "approve_credit", payload={"credit": "full"})
    assert _claim(case).credit_amount == Decimal("557.00")


@pytest.mark.parametrize(
    "payload, refusal",
    [
        (
            {"credit": "partial", "amount": "557.01", "currency": "USD"},
            "more than the claimed lines' value",
        ),
        ({"credit": "partial", "amount": "10.00", "currency": "EUR"}, "in EUR is refused"),
    ],
)
def test_a_credit_above_the_claimed_value_or_in_another_currency_is_refused(
    agent, user_a, partner_a, payload, refusal
):
    case = open_claim(agent, partner_a)
    with pytest.raises(Conflict, match=refusal):
        step(user_a, case, "approve_credit", payload=payload)
    case.refresh_from_db()
    assert case.status == "submitted" and _claim(case).decision == ""


def test_a_partial_credit_needs_its_amount(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    with pytest.raises(DomainError) as refused:
        step(user_a, case, "approve_credit", payload={"credit": "partial"})
    assert "amount" in refused.value.fields


def test_a_replacement_names_lines_and_quantities(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    step(
        user_a,
        case,
        "approve_replacement",
        payload={
            "lines": [
                {"line": 1, "status": "accepted", "quantity": "1"},
                {"line": 2, "status": "rejected", "reason_code": "ok"},
            ],
        },
    )
    claim = _claim(case)
    assert claim.decision == "replacement"
    assert claim.replacement == [{"line": 1, "sku": "TENT-2P", "quantity": "1"}]


def test_a_replacement_without_lines_replaces_everything_claimed(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    step(user_a, case, "approve_replacement", payload={})
    assert [(r["sku"], r["quantity"]) for r in _claim(case).replacement] == [
        ("TENT-2P", "2"),
        ("MAT-1", "1"),
    ]


def test_a_replacement_of_more_than_claimed_is_refused(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    with pytest.raises(DomainError, match="More than the 2"):
        step(
            user_a,
            case,
            "approve_replacement",
            payload={"lines": [{"line": 1, "status": "accepted", "quantity": "3"}]},
        )


def test_the_supplier_asks_for_evidence_and_the_retailers_reply_hands_it_back(
    agent, user_a, partner_a
):
    case = open_claim(agent, partner_a)
    with pytest.raises(DomainError):
        step(user_a, case, "request_evidence")  # needs to say what it needs
    step(user_a, case, "request_evidence", comment="A photo of the label, please.")
    case.refresh_from_db()
    assert (case.status, case.turn) == ("evidence_requested", "retailer")
    workspace.message_post(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        body="Here it is.",
        files=[("label.png", photo())],
    )
    case.refresh_from_db()
    assert (case.status, case.turn) == ("submitted", "partner")


def test_a_denial_needs_a_reason(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    with pytest.raises(DomainError) as refused:
        step(user_a, case, "deny", payload={"denial_reason_code": "misuse"})
    assert "denial_reason" in refused.value.fields
    step(user_a, case, "deny", payload=DENIAL)
    assert _claim(case).decision == "denied"


def test_a_denial_is_disputed_once_with_new_evidence_and_the_supplier_answers(
    agent, user_a, partner_a
):
    case = open_claim(agent, partner_a)
    step(user_a, case, "deny", payload=DENIAL)
    dispute = {"dispute_statement": "The new photo shows the pole snapped in its sleeve."}
    with pytest.raises(Conflict, match="Add new evidence"):
        step(agent, case, "dispute", payload=dispute)
    # An internal file is not evidence the supplier can weigh.
    workspace.file_upload(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        name="note.png",
        content=photo(),
        visibility=Visibility.INTERNAL,
    )
    with pytest.raises(Conflict, match="Add new evidence"):
        step(agent, case, "dispute", payload=dispute)
    workspace.file_upload(
        actor=agent, channel=Channel.WEB, case=case, name="sleeve.png", content=photo()
    )
    step(agent, case, "dispute", payload=dispute)
    case.refresh_from_db()
    assert (case.status, case.turn, case.resolved_at) == ("disputed", "partner", None)
    assert _claim(case).disputed_at is not None
    # The supplier answers the dispute: here with the denial upheld, which cannot be disputed again.
    step(user_a, case, "uphold_denial", payload=DENIAL)
    case.refresh_from_db()
    assert case.status == "denial_upheld"
    with pytest.raises(Conflict):
        step(agent, case, "dispute", payload=dispute)


def test_a_second_dispute_is_refused_even_after_a_second_denial(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    step(user_a, case, "deny", payload=DENIAL)
    workspace.file_upload(
        actor=agent, channel=Channel.WEB, case=case, name="a.png", content=photo()
    )
    step(agent, case, "dispute", payload={"dispute_statement": "See the photo."})
    step(user_a, case, "request_evidence", comment="Send the receipt.")
    workspace.message_post(
        actor=agent, channel=Channel.WEB, case=case, body="Receipt", files=[("r.png", photo())]
    )
    step(user_a, case, "deny", payload=DENIAL)
    workspace.file_upload(
        actor=agent, channel=Channel.WEB, case=case, name="b.png", content=photo()
    )
    with pytest.raises(Conflict, match="disputed only once"):
        step(agent, case, "dispute", payload={"dispute_statement": "Again."})


def test_the_supplier_may_answer_a_dispute_with_a_credit(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    step(user_a, case, "deny", payload=DENIAL)
    workspace.file_upload(
        actor=agent, channel=Channel.WEB, case=case, name="a.png", content=photo()
    )
    step(agent, case, "dispute", payload={"dispute_statement": "See the photo."})
    step(
        user_a,
        case,
        "approve_credit",
        payload={"credit": "partial", "amount": "100", "currency": "USD"},
    )
    claim = _claim(case)
    assert (claim.decision, claim.credit_amount, claim.denial_reason) == (
        "credit",
        Decimal("100.00"),
        "",
    )


@pytest.mark.parametrize(
    "actor_name, transition, status",
    [
        ("agent", "approve_credit", "submitted"),  # the supplier decides, not the retailer
        ("agent", "deny", "submitted"),
        ("user_a", "dispute", "denied"),  # the retailer disputes, not the supplier
        ("user_a", "close", "credit_approved"),
        ("user_a", "withdraw", "submitted"),
    ],
)
def test_each_side_takes_only_its_own_steps(
    agent, user_a, partner_a, actor_name, transition, status, request
):
    case = open_claim(agent, partner_a)
    type(case).objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    with pytest.raises(NotAllowed):
        step(request.getfixturevalue(actor_name), case, transition, comment="x", payload=None)


def test_another_partner_cannot_decide_the_claim(agent, user_b, partner_a):
    case = open_claim(agent, partner_a)
    with pytest.raises(type(case).DoesNotExist):
        step(user_b, case, "approve_credit", payload={"credit": "full"})


def test_close_and_withdraw(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    with pytest.raises(Conflict):
        step(agent, case, "close")  # nothing decided yet
    step(user_a, case, "approve_replacement", payload={})
    step(agent, case, "close")
    case.refresh_from_db()
    assert (case.status, case.is_open) == ("closed", False)
    other = open_claim(agent, partner_a, order_number="2")
    step(agent, other, "withdraw", comment="Customer kept it.")
    other.refresh_from_db()
    assert (other.status, other.is_open, other.resolved_at) == ("withdrawn", False, None)


def test_every_decision_is_on_the_timeline_with_its_data(agent, user_a, partner_a):
    case = open_claim(agent, partner_a)
    step(
        user_a,
        case,
        "approve_credit",
        payload={"credit": "partial", "amount": "50", "currency": "USD"},
    )
    event = TimelineEvent.objects.filter(case=case, verb="transitioned").get()
    assert event.data["amount"] == "50" and event.actor == user_a
