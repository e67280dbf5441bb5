"""A new SFCC order with drop-ship or marketplace lines is dispatched to each partner, once."""

from decimal import Decimal

import pytest

from apps.fulfillment.models import Dispatch, PartnerAgreement
from apps.sync.models import OutboxMessage
from apps.workspace.models import Case, CaseLine, Message
from tests.orders.helpers import mirror_order

from .conftest import dispatch_case, dropship_order, line

pytestmark = pytest.mark.django_db


def test_dropship_lines_go_to_their_supplier_with_address_method_and_requirements(supplier):
    dropship_order("DS-1001", line("SKU-1", 2), line("SKU-2", 1), line("SKU-3", 1, kind=""))
    case = dispatch_case("DS-1001")
    dispatch = Dispatch.objects.get(case=case)

    assert case.partner == supplier and case.status == "dispatched"
    assert [(li.sku, li.quantity) for li in CaseLine.objects.filter(case=case)] == [
        ("SKU-1", Decimal(2)),
        ("SKU-2", Decimal(1)),
    ]  # SKU-3 is not marked: the retailer ships it from stock
    assert dispatch.po_number == f"DS{case.pk:08d}"
    assert dispatch.ship_to == {
        "name": "Ada Lovelace",
        "address1": "12 Main St.",
        "address2": "Apt 4",
        "city": "Austin",
        "state_code": "TX",
        "postal_code": "78701",
        "country_code": "US",
    }  # reduced as the mirror reduces it: no phone
    assert (dispatch.shipping_method, dispatch.service_level) == ("Express", "NEXT_DAY")
    assert dispatch.delivery_requirements == {
        "Delivery instructions": "Leave with the concierge",
        "Signature required": "yes",
    }
    opening = Message.objects.get(case=case).body
    assert "Leave with the concierge" in opening and "5125550100" not in opening
    assert dispatch.ack_due_at > dispatch.dispatched_at and dispatch.ship_by is not None


def test_each_partner_gets_its_own_lines_and_a_marketplace_order_its_seller(supplier, seller):
    dropship_order(
        "DS-1002",
        line("SKU-1"),
        line("MKT-9", supplier="", kind="marketplace", c_marketplaceSellerId="MKT-DS1"),
    )
    cases = Case.objects.filter(order_number="DS-1002", kind="dropship").order_by("id")
    assert [(c.partner, c.lines.get().sku) for c in cases] == [
        (supplier, "SKU-1"),
        (seller, "MKT-9"),
    ]
    assert Dispatch.objects.get(partner=seller).fulfillment_type == "marketplace"


def test_a_replayed_or_updated_order_dispatches_nothing_new(supplier):
    dropship_order("DS-1003", line("SKU-1"))
    dropship_order("DS-1003", line("SKU-1"), modified="2026-03-02T10:00:00.000Z")
    assert Case.objects.filter(order_number="DS-1003").count() == 1


def test_unmarked_lines_dispatch_only_for_a_partner_whose_agreement_says_so(supplier):
    mirror_order("DS-1004", lines=[line("SKU-1", kind="")])
    assert not Case.objects.filter(order_number="DS-1004").exists()
    PartnerAgreement.objects.create(
        partner=supplier, dispatch_all_lines=True, ack_hours=8, reminder_hours=2
    )
    mirror_order("DS-1005", lines=[line("SKU-1", kind="")])
    dispatch = Dispatch.objects.get(order_number="DS-1005")
    assert dispatch.fulfillment_type == "dropship"
    assert (dispatch.ack_due_at - dispatch.dispatched_at).total_seconds() == 8 * 3600


def test_dispatch_is_announced_to_sfcc_with_the_po_and_the_deadline(supplier):
    dropship_order("DS-1006", line("SKU-1"))
    case = dispatch_case("DS-1006")
    rows = OutboxMessage.objects.filter(
        target="sfcc", topic="order.attributes", case=case
    ).order_by("id")
    attributes = rows.last().payload["attributes"]
    assert attributes["c_crossdockDispatchPO"] == f"DS{case.pk:08d}"
    assert attributes["c_crossdockCaseStatus"] == "Waiting for the partner's answer"
    assert attributes["c_crossdockShipBy"] and attributes["c_crossdockAckDue"]
