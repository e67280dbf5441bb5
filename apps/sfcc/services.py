"""Writes of the SFCC connector: an SFCC order document into the order mirror.

`order_apply` is the one way an SFCC order enters Crossdock, whether it was pushed or polled.
It reads the SCAPI document, maps it to the mirror's fields and hands it to
`apps.orders.services.order_upsert`, which announces the applied order to the flows (order
exceptions open, update and clear their cases there). It runs inside the inbox's apply
transaction: the mirror, the cases and the outbox rows they announce commit together with
"applied", or not at all.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from apps.orders.models import Order
from apps.orders.privacy import email_hash
from apps.orders.services import LineFields, OrderFields, ShipmentFields, order_upsert
from apps.sfcc.client import parse_sfcc_datetime
from apps.workspace.choices import Channel
from apps.workspace.models import Case

from . import conf
from .documents import CUSTOMER_EMAIL_HASH

logger = logging.getLogger("apps.sfcc")

# Who the flows see acting when SFCC reports something: SFCC, on the retailer's side.
ACTOR_LABEL = "SFCC"


class ApplyOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    STALE = "stale"  # not newer than the mirror: a replay, or overtaken by a later version
    OTHER_SITE = "other_site"


class OrderDocumentError(ValueError):
    """The document cannot be mirrored (no order number or no lastModified)."""


@dataclass
class ApplyResult:
    outcome: ApplyOutcome
    order: Order | None = None
    opened: list[Case] = field(default_factory=list)
    updated: list[Case] = field(default_factory=list)
    cleared: list[Case] = field(default_factory=list)


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _datetime(value: Any):
    try:
        return parse_sfcc_datetime(str(value)) if value else None
    except ValueError:
        return None


def order_apply(*, document: dict[str, Any]) -> ApplyResult:
    """Mirror one SFCC order version; older versions change nothing."""
    order_no = _text(document.get("orderNo"), 50)
    if not order_no:
        raise OrderDocumentError("The order has no orderNo.")
    stamp = _datetime(document.get("lastModified"))
    if stamp is None:
        # Without a version stamp a replay could overwrite a newer state.
        raise OrderDocumentError(f"Order {order_no} has no readable lastModified.")
    site_id = _text(document.get("siteId"), 64) or conf.site_id()
    if site_id != conf.site_id():
        return ApplyResult(ApplyOutcome.OTHER_SITE)
    applied = order_upsert(
        site_id=site_id,
        order_no=order_no,
        last_modified=stamp,
        fields=order_fields(document),
        lines=line_fields(document),
        shipments=shipment_fields(document),
        attributes=document,
        channel=Channel.SFCC,
        actor_label=ACTOR_LABEL,
    )
    if applied is None:
        return ApplyResult(ApplyOutcome.STALE)
    return ApplyResult(
        ApplyOutcome.CREATED if applied.created else ApplyOutcome.UPDATED,
        applied.order,
        opened=applied.opened,
        updated=applied.updated,
        cleared=applied.cleared,
    )


# --- SCAPI document → mirror fields ---------------------------------------------------------


def order_fields(document: dict[str, Any]) -> OrderFields:
    info = document.get("customerInfo")
    info = info if isinstance(info, dict) else {}
    # A reduced document carries the hash only; a full one (tests, tools) the e-mail itself.
    hashed = document.get(CUSTOMER_EMAIL_HASH) or email_hash(
        str(info.get("email") or document.get("customerEmail") or "")
    )
    return OrderFields(
        status=_text(document.get("status"), 32),
        payment_status=_text(document.get("paymentStatus"), 32),
        shipping_status=_text(document.get("shippingStatus"), 32),
        confirmation_status=_text(document.get("confirmationStatus"), 32),
        export_status=_text(document.get("exportStatus"), 32),
        external_status=_text(document.get("externalOrderStatus"), 256),
        channel_type=_text(document.get("channelType"), 40),
        currency=_text(document.get("currency"), 3),
        total=_decimal(document.get("orderTotal")),
        creation_date=_datetime(document.get("creationDate")),
        customer_name=_text(info.get("customerName") or document.get("customerName"), 200),
        customer_email_hash=_text(hashed, 64),
        custom={k: v for k, v in document.items() if k.startswith("c_")},
    )


def shipment_fields(document: dict[str, Any]) -> list[ShipmentFields]:
    rows = []
    for raw in document.get("shipments") or []:
        address = raw.get("shippingAddress") or {}
        name = address.get("fullName") or " ".join(
            p for p in (address.get("firstName"), address.get("lastName")) if p
        )
        rows.append(
            ShipmentFields(
                shipment_id=_text(raw.get("shipmentId"), 64) or "me",
                shipment_no=_text(raw.get("shipmentNo"), 64),
                status=_text(raw.get("shippingStatus"), 32),
                method=_text((raw.get("shippingMethod") or {}).get("id"), 100),
                carrier_code=_text(raw.get("c_carrierId") or raw.get("c_carrierCode"), 64),
                fulfillment_location=_text(raw.get("c_fulfillmentLocation"), 64),
                tracking_number=_text(raw.get("trackingNumber"), 100),
                ship_to_name=_text(name, 200),
                address1=_text(address.get("address1"), 200),
                address2=_text(address.get("address2"), 200),
                city=_text(address.get("city"), 100),
                state_code=_text(address.get("stateCode"), 20),
                postal_code=_text(address.get("postalCode"), 20),
                country_code=_text(address.get("countryCode"), 2),
            )
        )
    return rows


def line_fields(document: dict[str, Any]) -> list[LineFields]:
    return [
        LineFields(
            position=int(item.get("position") or position),
            item_id=_text(item.get("itemId"), 64),
            product_id=_text(item.get("productId"), 100),
            product_name=_text(item.get("productName"), 200),
            quantity=_decimal(item.get("quantity")) or Decimal(1),
            shipment_id=_text(item.get("shipmentId"), 64),
            supplier_code=_text(item.get("c_supplierId") or document.get("c_supplierId"), 64),
            attributes=item,
        )
        for position, item in enumerate(document.get("productItems") or [], start=1)
    ]
