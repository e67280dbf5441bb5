"""SFCC order documents reduced to what Crossdock may keep, before anything is stored.

Inbound orders carry the shopper's billing address, e-mail, phone and payment instruments.
None of it is needed by a partner flow, so it is dropped here, before the inbox row is
written: the inbox, the mirror, the logs and the operations page never hold it. What stays
is the order's statuses and totals (internal), its lines, its shipments with the ship-to
name and address (partners ship), and an allow-list of `c_` attributes.
"""

import threading
import time
from typing import Any

# c_ attributes the connector itself reads or writes; rules add the fields they test.
BASE_ATTRIBUTES = frozenset(
    {
        "c_supplierId",
        "c_fulfillmentLocation",
        "c_carrierId",
        "c_carrierCode",
        "c_marketplaceSellerId",
        "c_fulfillmentExceptionCode",
        "c_fulfillmentExceptionDetail",
        "c_carrierExceptionDetail",
        "c_crossdockCaseId",
        "c_crossdockCaseStatus",
        "c_crossdockCaseUrl",
        "c_crossdockResolution",
    }
)
ORDER_FIELDS = (
    "orderNo",
    "siteId",
    "status",
    "paymentStatus",
    "shippingStatus",
    "confirmationStatus",
    "exportStatus",
    "externalOrderStatus",
    "channelType",
    "currency",
    "creationDate",
    "lastModified",
    "orderTotal",
)
ITEM_FIELDS = ("itemId", "productId", "productName", "quantity", "shipmentId", "position")
SHIPMENT_FIELDS = ("shipmentId", "shipmentNo", "shippingStatus", "trackingNumber")
# The ship-to a partner needs to deliver; phone, e-mail and the rest stay behind.
ADDRESS_FIELDS = (
    "firstName",
    "lastName",
    "fullName",
    "companyName",
    "address1",
    "address2",
    "city",
    "stateCode",
    "postalCode",
    "countryCode",
)
RULE_FIELDS_TTL_SECONDS = 30.0


class _RuleFields:
    """The c_ attributes active exception rules look at, re-read at most every 30 s.

    The push endpoint reduces every event; a query per request for a list that changes when
    an administrator edits a rule would cost more than the rest of the request.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fields: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    def get(self) -> frozenset[str]:
        now = time.monotonic()
        if now - self._read_at < RULE_FIELDS_TTL_SECONDS:
            return self._fields
        from .models import ExceptionRule

        names: set[str] = set()
        for field, details in ExceptionRule.objects.filter(is_active=True).values_list(
            "field", "detail_fields"
        ):
            names.add(field)
            names.update(d.strip() for d in details.split(",") if d.strip())
        with self._lock:
            self._fields = frozenset(n for n in names if n.startswith("c_"))
            self._read_at = now
        return self._fields

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


rule_fields = _RuleFields()


def allowed_attributes() -> frozenset[str]:
    return BASE_ATTRIBUTES | rule_fields.get()


def _pick(source: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: source[k] for k in fields if k in source}


def _attributes(source: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in source.items() if k in allowed}


def reduce_address(address: Any) -> dict[str, Any]:
    return _pick(address, ADDRESS_FIELDS) if isinstance(address, dict) else {}


def reduce_order(order: dict[str, Any], *, allowed: frozenset[str] | None = None) -> dict[str, Any]:
    """The order without personal data partners do not need and without any payment field."""
    allowed = allowed if allowed is not None else allowed_attributes()
    reduced = _pick(order, ORDER_FIELDS)
    reduced.update(_attributes(order, allowed))
    reduced["productItems"] = [
        {**_pick(item, ITEM_FIELDS), **_attributes(item, allowed)}
        for item in order.get("productItems") or []
        if isinstance(item, dict)
    ]
    shipments = []
    for shipment in order.get("shipments") or []:
        if not isinstance(shipment, dict):
            continue
        kept = {**_pick(shipment, SHIPMENT_FIELDS), **_attributes(shipment, allowed)}
        method = shipment.get("shippingMethod")
        if isinstance(method, dict) and method.get("id"):
            kept["shippingMethod"] = {"id": method["id"]}
        kept["shippingAddress"] = reduce_address(shipment.get("shippingAddress"))
        shipments.append(kept)
    reduced["shipments"] = shipments
    return reduced
