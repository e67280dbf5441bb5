"""Ship notices and carrier statuses over Trading Grid land as the same milestones as the page's.

The files are the hand-made samples in tests/data (one per 856 hierarchy, and a 214) and the
public node-x12 856; they arrive in the retailer's mailbox and go through the real connector.
"""

from datetime import datetime
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from apps.milestones import edi
from apps.milestones.models import Milestone, ShipmentItem, TrackedShipment
from apps.partners.actors import PartnerSystemActor
from apps.partners.roles import Role
from apps.sync.models import OutboxMessage
from apps.tradinggrid.edi import get_mapping
from apps.tradinggrid.edi.x12_envelopes import parse_interchange
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace.choices import Channel
from apps.workspace.models import Case
from tests.factories import member
from tests.tradinggrid.test_inbound import our_ack
from tests.tradinggrid.test_ledger import folder_mailbox, tg_partner

from .helpers import b2b_order, tracked

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "edi-samples" / "x12"


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()  # Trading Grid id SUP001, the sender of the samples


def arrive(mailbox, name: str) -> Interchange:
    mailbox.arrive(name, (SAMPLES / name).read_bytes())
    poll_mailbox()
    return Interchange.objects.filter(direction=Direction.INBOUND).order_by("-id").first()


def stored_state(case: Case) -> dict:
    """What a person or system reading the portal would see of the order's progress."""
    case.refresh_from_db()
    shipments = TrackedShipment.objects.filter(case=case).order_by("reference")
    sfcc = OutboxMessage.objects.filter(target="sfcc", case=case).order_by("id")
    return {
        "case": (case.status, case.turn),
        "shipments": [
            (
                s.reference,
                s.status,
                s.carrier,
                s.tracking_number,
                s.bill_of_lading,
                s.shipped_at,
                s.exception_open,
            )
            for s in shipments
        ],
        "milestones": [
            (
                m.shipment.reference,
                m.step,
                m.occurred_at,
                m.carrier,
                m.tracking_number,
                m.bill_of_lading,
                m.exception_code,
            )
            for m in Milestone.objects.filter(shipment__case=case)
            .select_related("shipment")
            .order_by("id")
        ],
        "sfcc_shipping": [r.payload["status"] for r in sfcc if r.topic == "order.shipping_status"],
        "sfcc_tracking": [
            {
                k: v
                for k, v in r.payload["attributes"].items()
                if k.startswith("c_crossdock") and "Case" not in k
            }
            for r in sfcc
            if r.topic == "order.attributes"
        ][-1:],
    }


def test_an_856_over_trading_grid_reaches_the_state_the_browser_reaches(
    agent, partner, mailbox, client
):
    case = tracked(agent, partner)
    warehouse = member(partner, Role.PARTNER_MEMBER)

    # In the browser: the warehouse marks the shipment shipped, as the 856 will say.
    with transaction.atomic():
        client.force_login(warehouse)
        response = client.post(
            f"/milestones/cases/{case.pk}/report/",
            {
                "shipment": "SHP-88001-1",
                "step": "shipped",
                "occurred_at": "2026-11-24T15:30",
                "carrier": "UPSN",
                "tracking_number": "1Z999AA10123456784",
                "bill_of_lading": "BOL-4471",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        by_browser = stored_state(case)
        transaction.set_rollback(True)

    assert TrackedShipment.objects.get(case=case).status == ""  # rolled back: as before
    inbound = arrive(mailbox, "crossdock-856-sopi.edi")
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    by_856 = stored_state(case)

    assert by_856 == by_browser
    assert by_856["case"] == ("in_progress", "partner")
    assert by_856["milestones"][0][2] == timezone.make_aware(datetime(2026, 11, 24, 15, 30))
    assert by_856["sfcc_shipping"] == ["shipped"]
    # What only the ship notice knows: the packs and their contents, and where it came from.
    milestone = Milestone.objects.get(shipment__case=case)
    assert (milestone.channel, milestone.document_ref) == (Channel.TRADING_GRID, "856 ASN-88001")
    items = list(
        ShipmentItem.objects.filter(shipment__case=case).values_list("pack", "sku", "quantity")
    )
    assert [(p[-2:], s, int(q)) for p, s, q in items] == [
        ("17", "SKU-TENT-2P", 2),
        ("24", "SKU-POLE-SET", 4),
        ("24", "SKU-STAKES", 12),
    ]
    status, data = our_ack(inbound, mailbox)
    assert status == "A" and b"AK2*856*" in data


def test_a_standard_pack_856_opens_tracking_for_each_of_its_orders(partner, mailbox):
    b2b_order(partner, "00088002", shipments=("SHP-2",))
    b2b_order(partner, "00088003", shipments=("SHP-3",))
    inbound = arrive(mailbox, "crossdock-856-soi.edi")
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    shipments = TrackedShipment.objects.order_by("order_number")
    # No REF*SI: each order's one mirrored shipment is the one that left.
    assert [
        (s.order_number, s.reference, s.status, s.carrier, s.bill_of_lading) for s in shipments
    ] == [
        ("00088002", "SHP-2", "shipped", "RDWY", "BOL-5520"),
        ("00088003", "SHP-3", "shipped", "RDWY", "BOL-5520"),
    ]
    assert shipments[0].case.partner == partner and shipments[0].case.status == "in_progress"
    assert list(
        ShipmentItem.objects.filter(shipment=shipments[1]).values_list("pack", "quantity")
    ) == [
        ("00061414100000000031", 3),
    ]


def test_an_856_for_an_order_that_is_not_the_partners_is_refused_with_a_997_e(partner, mailbox):
    inbound = arrive(mailbox, "crossdock-856-sopi.edi")  # order 00088001 is not mirrored
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "Order 00088001 is not one of yours" in inbound.status_detail
    assert not TrackedShipment.objects.exists()
    status, _ = our_ack(inbound, mailbox)
    assert status == "E"


def test_a_214_delivers_the_shipment_and_the_case(agent, partner, mailbox):
    tracked(agent, partner)
    arrive(mailbox, "crossdock-856-sopi.edi")
    inbound = arrive(mailbox, "crossdock-214.edi")
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    assert "X6 (still shipped); D1 → delivered" in inbound.status_detail
    shipment = TrackedShipment.objects.get()
    assert shipment.status == "delivered"
    assert shipment.delivered_at == timezone.make_aware(datetime(2026, 11, 26, 14, 12))
    assert shipment.case.status == "delivered"


def test_a_214_refusal_is_an_exception_for_the_retailer(agent, partner, user_a):
    case = tracked(agent, partner)
    actor = PartnerSystemActor(partner, "Northwind via Trading Grid")
    edi.apply_856(
        actor=actor,
        partner=partner,
        channel=Channel.TRADING_GRID,
        payload=_read("crossdock-856-sopi.edi", "856"),
    )
    message = _read("crossdock-214.edi", "214")
    message["statuses"] = [{**message["statuses"][1], "code": "A7", "status": "refused"}]
    edi.apply_214(actor=actor, partner=partner, channel=Channel.TRADING_GRID, payload=message)
    case.refresh_from_db()
    milestone = Milestone.objects.order_by("-id").first()
    assert (case.status, milestone.step, milestone.exception_code) == (
        "exception",
        "shipped",
        "refused",
    )
    assert TrackedShipment.objects.get().exception_open


def _read(name: str, set_id: str) -> dict:
    return get_mapping(standard="x12", set_id=set_id).to_domain(
        next(parse_interchange(SAMPLES / name).transactions)
    )


def test_the_public_node_x12_856_maps_into_crossdocks_records(partner):
    from tests.orders.helpers import mirror_order

    mirror_order(
        "99999817", lines=[{"productId": "87787D", "quantity": 24, "c_supplierId": partner.code}]
    )
    actor = PartnerSystemActor(partner, "1 EDI Source via Trading Grid")
    case, summary = edi.apply_856(
        actor=actor,
        partner=partner,
        channel=Channel.TRADING_GRID,
        payload=_read("node-x12-856.edi", "856"),
    )
    shipment = TrackedShipment.objects.get(case=case)
    assert (shipment.order_number, shipment.reference, shipment.status) == (
        "99999817",
        "me",
        "shipped",
    )
    assert (shipment.carrier, shipment.tracking_number, shipment.bill_of_lading) == (
        "XXXX",
        "5787970539",
        "999999-001",
    )
    assert shipment.shipped_at == timezone.make_aware(datetime(2011, 12, 6, 14, 24))
    items = list(shipment.items.values_list("sku", "description", "quantity"))
    assert [(s, d, int(q)) for s, d, q in items] == [
        ("87787D", "BLUE WIDGET", 24),
        ("99887D", "RED WIDGET", 6),
    ]
    assert summary == "856 829716: order 99999817 shipment me shipped (2 items)"
