"""Writes of the order mirror: one order version in, announced to the flows.

`order_upsert` is source-neutral: a connector parses and validates its own document, maps it
to the fields below and calls it. It locks the order, ignores versions not newer than the
mirror, replaces the shipments and lines, and announces the applied order (events.py), all
in the caller's transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import events
from .events import OrderApplied
from .models import Order, OrderLine, Shipment
from .routing import Router, line_partner


@dataclass(frozen=True)
class OrderFields:
    """The order's mirrored values, already cut to the model's lengths by the connector."""

    status: str = ""
    payment_status: str = ""
    shipping_status: str = ""
    confirmation_status: str = ""
    export_status: str = ""
    external_status: str = ""
    channel_type: str = ""
    currency: str = ""
    total: Decimal | None = None
    creation_date: datetime | None = None
    customer_name: str = ""
    customer_email_hash: str = ""
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShipmentFields:
    shipment_id: str
    shipment_no: str = ""
    status: str = ""
    method: str = ""
    carrier_code: str = ""
    fulfillment_location: str = ""
    tracking_number: str = ""
    ship_to_name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state_code: str = ""
    postal_code: str = ""
    country_code: str = ""


@dataclass(frozen=True)
class LineFields:
    position: int
    product_id: str
    quantity: Decimal
    item_id: str = ""
    product_name: str = ""
    shipment_id: str = ""
    supplier_code: str = ""
    # The line as the source gives it: routing reads its ids (c_supplierId, c_marketplaceSellerId).
    attributes: dict[str, Any] = field(default_factory=dict)


def _lock_order(*, site_id: str, order_no: str) -> Order | None:
    return Order.objects.select_for_update().filter(site_id=site_id, order_no=order_no).first()


def order_upsert(
    *,
    site_id: str,
    order_no: str,
    last_modified: datetime,
    fields: OrderFields,
    lines: list[LineFields],
    shipments: list[ShipmentFields],
    attributes: dict[str, Any],
    channel: str,
    actor_label: str,
) -> OrderApplied | None:
    """Mirror one order version and announce it; None when the mirror holds it or a newer one.

    A None changed nothing and announced nothing: a replay, or a version overtaken by a later one.
    """
    # No savepoint of our own: inside the inbox's apply an error rolls back the applier's
    # savepoint anyway, and outside it this is the transaction.
    with transaction.atomic(savepoint=False):
        order = _lock_order(site_id=site_id, order_no=order_no)
        created = order is None
        if created:
            try:
                with transaction.atomic():
                    order = _fill(Order(site_id=site_id, order_no=order_no), fields, last_modified)
            except IntegrityError:
                # A concurrent apply created it first (PostgreSQL made us wait for its
                # commit); take its row and judge our version against it.
                created = False
                order = _lock_order(site_id=site_id, order_no=order_no)
                assert order is not None
        if not created:
            if order.last_modified >= last_modified:
                return None
            _fill(order, fields, last_modified)
        router = Router()
        _replace_shipments(order, shipments, created=created)
        _replace_lines(order, lines, attributes, router, created=created)
        applied = OrderApplied(
            order=order,
            created=created,
            attributes=attributes,
            router=router,
            channel=channel,
            actor_label=actor_label,
        )
        events.publish(applied)
    return applied


def _fill(order: Order, fields: OrderFields, stamp: datetime) -> Order:
    order.status = fields.status
    order.payment_status = fields.payment_status
    order.shipping_status = fields.shipping_status
    order.confirmation_status = fields.confirmation_status
    order.export_status = fields.export_status
    order.external_status = fields.external_status
    order.channel_type = fields.channel_type
    order.currency = fields.currency
    order.total = fields.total
    order.creation_date = fields.creation_date
    order.customer_name = fields.customer_name
    order.customer_email_hash = fields.customer_email_hash
    order.custom = dict(fields.custom)
    order.last_modified = stamp
    order.updated_at = timezone.now()
    order.save()
    return order


def _replace_shipments(order: Order, shipments: list[ShipmentFields], *, created: bool) -> None:
    if not created:
        Shipment.objects.filter(order=order).delete()
    # A malformed document naming one shipment twice keeps the first.
    unique: dict[str, ShipmentFields] = {}
    for shipment in shipments:
        unique.setdefault(shipment.shipment_id, shipment)
    Shipment.objects.bulk_create(
        Shipment(order=order, **_values(shipment)) for shipment in unique.values()
    )


def _replace_lines(
    order: Order,
    lines: list[LineFields],
    attributes: dict[str, Any],
    router: Router,
    *,
    created: bool,
) -> None:
    if not created:
        OrderLine.objects.filter(order=order).delete()
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=line.position,
            item_id=line.item_id,
            product_id=line.product_id,
            product_name=line.product_name,
            quantity=line.quantity,
            shipment_id=line.shipment_id,
            supplier_code=line.supplier_code,
            partner=line_partner(router=router, order=attributes, item=line.attributes),
        )
        for line in lines
    )


def _values(shipment: ShipmentFields) -> dict[str, Any]:
    return {name: getattr(shipment, name) for name in ShipmentFields.__dataclass_fields__}
