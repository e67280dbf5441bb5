"""Claims and SFCC, against the simulator: a storefront's claim attributes open a claim with the
supplier, and the supplier's decision reaches the order (status, c_ attributes, note)."""

from decimal import Decimal

import pytest

from apps.claims.models import Claim
from apps.partners.roles import Role
from apps.sfcc import services
from apps.sfcc.documents import reduce_order
from apps.sync.delivery import Outcome, deliver
from apps.sync.models import OutboxMessage, OutboxStatus
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from tests.factories import member
from tests.sfcc.test_mirror import default_rules, partners  # noqa: F401  (fixtures)
from tests.sfcc.test_push import sfcc_settings  # noqa: F401  (fixture)

from .helpers import DENIAL, photo, step

pytestmark = pytest.mark.django_db

STOREFRONT_CLAIM = {
    "c_returnClaimId": "RC-1001",
    "c_returnClaimType": "damage",
    "c_returnClaimReason": "damaged_in_transit",
    "c_returnClaimDescription": "The jacket arrived torn.",
}


def deliver_all() -> list[Outcome]:
    rows = (
        OutboxMessage.objects.filter(target="sfcc").exclude(status=OutboxStatus.SENT).order_by("id")
    )
    return [deliver(row.pk) for row in rows]


@pytest.fixture
def claimed(sim, sfcc_settings, partners):  # noqa: F811
    """A storefront order whose SUP-001 line is claimed (2 of 3 at 80.00); SUP-002's line is not."""
    order = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [
                {
                    "productId": "JKT-1",
                    "productName": "Rain jacket",
                    "quantity": 3,
                    "price": 80,
                    "c_supplierId": "SUP-001",
                    "c_returnClaimQuantity": 2,
                    "c_returnClaimUnitPrice": 80,
                },
                {"productId": "HAT-1", "quantity": 1, "price": 20, "c_supplierId": "SUP-002"},
            ],
            **STOREFRONT_CLAIM,
        },
    )
    services.order_apply(document=reduce_order(order))
    return order


def test_a_storefront_claim_opens_one_claim_with_the_supplier_of_the_claimed_line(
    claimed,
    partners,  # noqa: F811
):
    claim = Claim.objects.select_related("case").get()
    assert (
        claim.partner == partners["SUP-001"]
        and claim.source == "sfcc"
        and claim.external_ref == "RC-1001"
    )
    assert (claim.claim_type, claim.reason_code, claim.claimed_value) == (
        "damage",
        "damaged_in_transit",
        Decimal("160.00"),
    )
    assert claim.description == "The jacket arrived torn."
    assert [
        (line.sku, line.quantity, line.data["unit_price"]) for line in claim.case.lines.all()
    ] == [("JKT-1", Decimal("2.000"), "80.00")]
    # SFCC hears of the claim as it opens, with its type.
    opened = OutboxMessage.objects.filter(
        target="sfcc", case=claim.case, topic__endswith="attributes"
    ).first()
    assert opened.payload["attributes"]["c_crossdockClaimType"] == "damage"
    # The order polled again opens nothing twice.
    services.order_apply(
        document=reduce_order({**claimed, "lastModified": "2030-01-01T00:00:00.000Z"})
    )
    assert Claim.objects.count() == 1


def test_the_supplier_credit_reaches_the_sfcc_order(sim, claimed, partners):  # noqa: F811
    case = Claim.objects.get().case
    supplier = member(partners["SUP-001"], Role.PARTNER_MEMBER)
    step(
        supplier,
        case,
        "approve_credit",
        payload={"credit": "partial", "amount": "95.50", "currency": "USD"},
        comment="Credit for the torn jacket; no return needed.",
    )
    assert set(deliver_all()) == {Outcome.SENT}
    seen = sim.ctl("GET", f"/orders/{claimed['orderNo']}")
    order = seen["order"]
    assert order["externalOrderStatus"] == f"Credit approved · Crossdock {case.reference}"
    assert (
        order["c_crossdockClaimDecision"],
        order["c_crossdockClaimCreditAmount"],
        order["c_crossdockClaimCreditCurrency"],
    ) == ("credit", 95.5, "USD")
    assert (
        order["c_crossdockClaimType"] == "damage"
        and order["c_crossdockCaseStatus"] == "Credit approved"
    )
    assert order["c_crossdockResolution"] == "Credit for the torn jacket; no return needed."
    assert seen["notes"][-1]["subject"] == f"Crossdock case {case.reference}: Credit approved"


def test_a_denial_its_dispute_and_a_replacement_reach_the_sfcc_order(sim, claimed, partners, agent):  # noqa: F811
    case = Claim.objects.get().case
    supplier = member(partners["SUP-001"], Role.PARTNER_MEMBER)
    step(supplier, case, "deny", payload=DENIAL)
    deliver_all()
    order = sim.ctl("GET", f"/orders/{claimed['orderNo']}")["order"]
    assert order["c_crossdockClaimDecision"] == "denied"
    assert (
        order["c_crossdockClaimDenialReason"] == "Damage from misuse: The pole was bent by force."
    )
    workspace.file_upload(
        actor=agent, channel=Channel.WEB, case=case, name="box.png", content=photo()
    )
    step(
        agent, case, "dispute", payload={"dispute_statement": "The box photo shows carrier damage."}
    )
    step(supplier, case, "approve_replacement", payload={})
    deliver_all()
    order = sim.ctl("GET", f"/orders/{claimed['orderNo']}")["order"]
    assert (order["c_crossdockClaimDecision"], order["c_crossdockClaimReplacement"]) == (
        "replacement",
        "JKT-1 × 2",
    )
    assert (
        order.get("c_crossdockClaimDenialReason") is None
        and order.get("c_crossdockClaimCreditAmount") is None
    )
    assert order["c_crossdockClaimDisputed"] is True
