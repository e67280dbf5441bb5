"""order_upsert: one version in, stale versions ignored, each applied version announced."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from apps.orders import events
from apps.orders.models import Order, OrderLine, Shipment
from apps.orders.services import LineFields, OrderFields, ShipmentFields, order_upsert
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def upsert(stamp: datetime, *, status: str = "new", lines=None, shipments=None):
    attributes = {"orderNo": "00004711", "c_supplierId": "SUP-9", "status": status}
    return order_upsert(
        site_id="RefArch",
        order_no="00004711",
        last_modified=stamp,
        fields=OrderFields(status=status, customer_name="Ada Lovelace", custom={"c_supplierId": "SUP-9"}),
        lines=lines if lines is not None else [
            LineFields(position=1, product_id="A", quantity=Decimal(2), item_id="i1", attributes={}),
            LineFields(position=2, product_id="B", quantity=Decimal(1), attributes={"c_supplierId": "NOBODY"}),
        ],
        shipments=shipments if shipments is not None else [
            ShipmentFields(shipment_id="me", carrier_code="CAR-1"),
            ShipmentFields(shipment_id="me", carrier_code="twice"),
        ],
        attributes=attributes,
        channel="sfcc",
        actor_label="SFCC",
    )


@pytest.fixture
def heard(monkeypatch) -> list[events.OrderApplied]:
    """What a subscriber hears, instead of the flows that subscribe in the running portal."""
    received: list[events.OrderApplied] = []
    monkeypatch.setattr(events, "_handlers", [received.append])
    return received


def test_a_new_order_is_mirrored_routed_and_announced(heard):
    supplier = OrganizationFactory(code="SUP-9")
    applied = upsert(datetime(2026, 3, 1, 10, tzinfo=UTC))
    order = Order.objects.get()
    assert applied.created and applied.order == order and order.customer_name == "Ada Lovelace"
    lines = {line.product_id: line.partner for line in OrderLine.objects.all()}
    # A line without its own supplier goes to the order's; one naming an unknown id to nobody.
    assert lines == {"A": supplier, "B": None}
    assert list(Shipment.objects.values_list("carrier_code", flat=True)) == ["CAR-1"]
    assert heard == [applied]
    assert (applied.channel, applied.actor_label) == ("sfcc", "SFCC")
    assert applied.attributes["c_supplierId"] == "SUP-9"
    assert applied.router.partner_for(match_type="supplier", value="sup-9") == supplier


def test_versions_not_newer_than_the_mirror_change_and_announce_nothing(heard):
    upsert(datetime(2026, 3, 1, 10, 5, tzinfo=UTC), status="shipped")
    assert upsert(datetime(2026, 3, 1, 10, 5, tzinfo=UTC), status="new") is None
    assert upsert(datetime(2026, 3, 1, 10, 0, tzinfo=UTC), status="new") is None
    assert Order.objects.get().status == "shipped" and len(heard) == 1
    applied = upsert(datetime(2026, 3, 1, 10, 6, tzinfo=UTC), status="completed", lines=[], shipments=[])
    assert not applied.created and Order.objects.get().status == "completed"
    assert not OrderLine.objects.exists() and not Shipment.objects.exists()
    assert len(heard) == 2


def test_a_subscriber_that_fails_rolls_the_mirror_back(monkeypatch):
    def refuse(applied):
        raise RuntimeError("the flow could not open its case")

    monkeypatch.setattr(events, "_handlers", [refuse])
    with pytest.raises(RuntimeError), transaction.atomic():
        upsert(datetime(2026, 3, 1, 10, tzinfo=UTC))
    assert not Order.objects.exists()


def test_the_flows_name_the_attributes_a_connector_must_keep():
    # apps.exceptions subscribes with the fields its rules read and the line facts it uses.
    wanted = events.wanted_attributes()
    assert {"c_fulfillmentExceptionCode", "c_quantityShort", "c_earliestAvailable"} <= wanted
