"""SFCC order documents reduced to what Crossdock may keep, before anything is stored.

Inbound orders carry the shopper's billing address, e-mail, phone and payment instruments.
None of it is needed by a partner flow, so it is dropped here, before the inbox row is
written: the inbox, the mirror, the logs and the operations page never hold it. What stays
is the order's statuses and totals (internal), its lines, its shipments with the ship-to
name and address (partners ship), an allow-list of `c_` attributes, and for the agents'
order search the customer's name and the keyed hash of the e-mail (`customerEmailHash`,
computed here, before the e-mail is dropped).
"""

from typing import Any

from apps.orders import events as orders_events
from apps.orders.privacy import email_hash

# Not an SFCC field: the reduced document's stand-in for the customer's e-mail.
CUSTOMER_EMAIL_HASH = "customerEmailHash"
# c_ attributes the connector itself reads or writes; the flows' rules add the fields they
# test (announced through apps.orders.events).
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


def allowed_attributes() -> frozenset[str]:
    """The connector's own c_ attributes and those the mirror's subscribers (the flows' rules) read."""
    return BASE_ATTRIBUTES | {n for n in orders_events.wanted_attributes() if n.startswith("c_")}


def _pick(source: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: source[k] for k in fields if k in source}


def _attributes(source: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in source.items() if k in allowed}


def reduce_address(address: Any) -> dict[str, Any]:
    return _pick(address, ADDRESS_FIELDS) if isinstance(address, dict) else {}


def reduce_customer(order: dict[str, Any]) -> dict[str, str]:
    """The customer's name and the hash of the e-mail: what an agent searches by, no more."""
    info = order.get("customerInfo")
    info = info if isinstance(info, dict) else {}
    name = info.get("customerName") or order.get("customerName")
    email = info.get("email") or order.get("customerEmail")
    kept = {}
    if isinstance(name, str) and name.strip():
        kept["customerName"] = name.strip()
    if isinstance(email, str) and (hashed := email_hash(email)):
        kept[CUSTOMER_EMAIL_HASH] = hashed
    return kept


def reduce_order(order: dict[str, Any], *, allowed: frozenset[str] | None = None) -> dict[str, Any]:
    """The order without personal data partners do not need and without any payment field."""
    allowed = allowed if allowed is not None else allowed_attributes()
    reduced = _pick(order, ORDER_FIELDS)
    reduced.update(_attributes(order, allowed))
    reduced.update(reduce_customer(order))
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
