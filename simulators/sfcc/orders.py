"""Order documents in the SCAPI Orders Admin shape, their status rules and their OCAPI form."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

SCAPI_ERRORS = "https://api.commercecloud.salesforce.com/documentation/error/v1/errors"

# The order-status changes the spec allows; NEW, COMPLETED and CANCELLED never return to
# CREATED or FAILED (updateOrderStatus description).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    "created": frozenset(
        {"created", "new", "completed", "cancelled", "failed", "failed_with_reopen"}
    ),
    "failed": frozenset({"failed", "created"}),
    "new": frozenset({"new", "completed", "cancelled"}),
    "completed": frozenset({"completed", "new", "cancelled"}),
    "cancelled": frozenset({"cancelled", "new", "completed"}),
}
FIELD_VALUES: dict[str, frozenset[str] | None] = {
    "status": frozenset(STATUS_TRANSITIONS) | {"failed_with_reopen"},
    "shipping-status": frozenset({"not_shipped", "part_shipped", "shipped"}),
    "payment-status": frozenset({"not_paid", "part_paid", "paid"}),
    "export-status": frozenset({"not_exported", "ready", "exported", "failed"}),
    "confirmation-status": frozenset({"confirmed", "not_confirmed"}),
    "external-status": None,  # free text, 1-256 characters
}
ORDER_FIELD = {
    "status": "status",
    "shipping-status": "shippingStatus",
    "payment-status": "paymentStatus",
    "export-status": "exportStatus",
    "confirmation-status": "confirmationStatus",
    "external-status": "externalOrderStatus",
}


class OrderSpecError(ValueError):
    """A control-API order description that cannot become an order."""


def iso_ms(ms: int) -> str:
    """``2020-11-05T13:08:05.588Z`` for an epoch in milliseconds."""
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_iso_ms(value: str) -> int:
    """Epoch milliseconds from an ISO 8601 timestamp; raises ValueError when unreadable."""
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def _custom(source: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in source.items() if k.startswith("c_")}


def _address(value: Any, fallback: dict[str, Any]) -> dict[str, Any]:
    if value is None:
        return dict(fallback)
    if not isinstance(value, dict):
        raise OrderSpecError("addresses must be objects")
    return dict(value)


DEFAULT_ADDRESS = {
    "firstName": "Max",
    "lastName": "Mustermann",
    "fullName": "Max Mustermann",
    "address1": "45 Main Rd.",
    "city": "Burlington",
    "postalCode": "05408",
    "stateCode": "MA",
    "countryCode": "US",
    "phone": "6175555555",
}


def _product_item(line: dict[str, Any], position: int, shipment_id: str) -> dict[str, Any]:
    if not isinstance(line, dict) or not line.get("productId"):
        raise OrderSpecError("every line needs a productId")
    quantity = float(line.get("quantity", 1))
    price = float(line.get("price", line.get("basePrice", 10.0)))
    tax_rate = float(line.get("taxRate", 0.05))
    net = _money(price * quantity)
    tax = _money(net * tax_rate)
    item = {
        "itemId": line.get("itemId") or secrets.token_hex(13),
        "productId": str(line["productId"]),
        "productName": line.get("productName", str(line["productId"])),
        "itemText": line.get("productName", str(line["productId"])),
        "quantity": quantity,
        "basePrice": price,
        "netPrice": net,
        "tax": tax,
        "adjustedTax": tax,
        "grossPrice": _money(net + tax),
        "taxBasis": net,
        "taxRate": tax_rate,
        "priceAfterItemDiscount": net,
        "priceAfterOrderDiscount": net,
        "position": float(position),
        "bonusProductLineItem": False,
        "gift": False,
        "shipmentId": str(line.get("shipmentId", shipment_id)),
    }
    item.update(_custom(line))
    return item


def build_order(
    spec: dict[str, Any], *, order_no: str, site_id: str, now_ms: int
) -> dict[str, Any]:
    """A complete, spec-valid order from a short description (see docs/sfcc-simulator.md)."""
    if not isinstance(spec, dict):
        raise OrderSpecError("order spec must be an object")
    shipping_address = _address(spec.get("shippingAddress"), DEFAULT_ADDRESS)
    billing_address = _address(spec.get("billingAddress"), shipping_address)
    raw_shipments = spec.get("shipments") or [{}]
    if not isinstance(raw_shipments, list):
        raise OrderSpecError("shipments must be a list")
    shipments = []
    for index, raw in enumerate(raw_shipments, start=1):
        if not isinstance(raw, dict):
            raise OrderSpecError("shipments must be objects")
        shipment = {
            "shipmentId": str(raw.get("shipmentId", "me" if index == 1 else f"s{index}")),
            "shipmentNo": str(raw.get("shipmentNo", f"{order_no}-{index}")),
            "shippingMethod": {"id": str(raw.get("shippingMethod", "DefaultShippingMethod"))},
            "shippingAddress": _address(raw.get("shippingAddress"), shipping_address),
            "shippingStatus": "not_shipped",
            "gift": False,
        }
        if raw.get("trackingNumber"):
            shipment["trackingNumber"] = str(raw["trackingNumber"])
        shipment.update(_custom(raw))
        shipments.append(shipment)
    lines = spec.get("productItems") or spec.get("lines") or [{"productId": "SKU-0001"}]
    if not isinstance(lines, list):
        raise OrderSpecError("lines must be a list")
    items = [
        _product_item(line, pos, shipments[0]["shipmentId"])
        for pos, line in enumerate(lines, start=1)
    ]
    known = {s["shipmentId"] for s in shipments}
    if any(item["shipmentId"] not in known for item in items):
        raise OrderSpecError("a line refers to a shipment the order does not have")
    shipping_total = _money(float(spec.get("shippingTotal", 5.99)))
    shipping_tax = _money(shipping_total * 0.05)
    product_total = _money(sum(i["netPrice"] for i in items))
    product_tax = _money(sum(i["tax"] for i in items))
    for shipment in shipments:
        mine = [i for i in items if i["shipmentId"] == shipment["shipmentId"]]
        first = shipment is shipments[0]
        ship_cost = shipping_total if first else 0.0
        ship_tax = shipping_tax if first else 0.0
        merch = _money(sum(i["netPrice"] for i in mine))
        merch_tax = _money(sum(i["tax"] for i in mine))
        shipment.update(
            productSubTotal=merch,
            productTotal=merch,
            merchandizeTotalTax=merch_tax,
            adjustedMerchandizeTotalTax=merch_tax,
            shippingTotal=ship_cost,
            shippingTotalTax=ship_tax,
            adjustedShippingTotalTax=ship_tax,
            taxTotal=_money(merch_tax + ship_tax),
            shipmentTotal=_money(merch + merch_tax + ship_cost + ship_tax),
        )
    order_total = _money(product_total + product_tax + shipping_total + shipping_tax)
    payment = spec.get("payment") or {}
    if not isinstance(payment, dict):
        raise OrderSpecError("payment must be an object")
    now = iso_ms(now_ms)
    customer = spec.get("customer") or {}
    name = f"{billing_address.get('firstName', '')} {billing_address.get('lastName', '')}".strip()
    order: dict[str, Any] = {
        "orderNo": order_no,
        "siteId": site_id,
        "status": spec.get("status", "new"),
        "confirmationStatus": spec.get("confirmationStatus", "confirmed"),
        "exportStatus": spec.get("exportStatus", "ready"),
        "paymentStatus": spec.get("paymentStatus", "paid"),
        "shippingStatus": spec.get("shippingStatus", "not_shipped"),
        "channelType": spec.get("channelType", "storefront"),
        "businessType": "b2c",
        "createdBy": "Customer",
        "creationDate": now,
        "placeDate": now,
        "lastModified": now,
        "currency": spec.get("currency", "USD"),
        "customerLocale": "en_US",
        "customerInfo": {
            "customerNo": str(customer.get("customerNo", "0002352")),
            "customerName": str(customer.get("name", name or "Guest")),
            "email": str(customer.get("email", "shopper@example.com")),
            "guest": bool(customer.get("guest", True)),
        },
        "invoiceNo": order_no,
        "billingAddress": billing_address,
        "productItems": items,
        "shipments": shipments,
        "shippingItems": [
            {
                "itemId": secrets.token_hex(13),
                "itemText": "Shipping",
                "shipmentId": shipments[0]["shipmentId"],
                "basePrice": shipping_total,
                "netPrice": shipping_total,
                "tax": shipping_tax,
                "adjustedTax": shipping_tax,
                "grossPrice": _money(shipping_total + shipping_tax),
                "priceAfterItemDiscount": shipping_total,
                "taxBasis": shipping_total,
                "taxRate": 0.05,
                "type": "fixed_price",
            }
        ],
        "paymentInstruments": [
            {
                "paymentInstrumentId": secrets.token_hex(13),
                "paymentMethodId": str(payment.get("method", "CREDIT_CARD")),
                "paymentTransaction": {
                    "amount": _money(float(payment.get("amount", order_total))),
                    "transactionId": secrets.token_hex(13),
                },
                **_custom(payment),
            }
        ],
        "productSubTotal": product_total,
        "productTotal": product_total,
        "merchandizeTotalTax": product_tax,
        "adjustedMerchandizeTotalTax": product_tax,
        "shippingTotal": shipping_total,
        "shippingTotalTax": shipping_tax,
        "adjustedShippingTotalTax": shipping_tax,
        "taxTotal": _money(product_tax + shipping_tax),
        "orderTotal": order_total,
        "taxation": "net",
    }
    if spec.get("externalOrderStatus"):
        order["externalOrderStatus"] = str(spec["externalOrderStatus"])
    if order["status"] not in STATUS_TRANSITIONS:
        raise OrderSpecError(f"unknown status {order['status']!r}")
    order.update(_custom(spec))
    set_shipping_status(order, order["shippingStatus"])
    return order


def set_shipping_status(order: dict[str, Any], value: str) -> None:
    """Order-level status plus its shipments (whose enum has no part_shipped)."""
    order["shippingStatus"] = value
    shipments = order.get("shipments") or []
    if value in ("shipped", "not_shipped"):
        for shipment in shipments:
            shipment["shippingStatus"] = value
    elif shipments:  # part_shipped: the first shipment left, the rest wait
        for index, shipment in enumerate(shipments):
            shipment["shippingStatus"] = "shipped" if index == 0 else "not_shipped"


def apply_field(order: dict[str, Any], segment: str, value: str) -> None:
    """Set one status field named by its URL segment (``shipping-status`` ...)."""
    if segment == "shipping-status":
        set_shipping_status(order, value)
    elif segment == "status":
        order["status"] = "failed" if value == "failed_with_reopen" else value
    else:
        order[ORDER_FIELD[segment]] = value


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def to_ocapi(value: Any) -> Any:
    """OCAPI's snake_case form of a SCAPI document; ``c_`` attributes keep their names."""
    if isinstance(value, dict):
        return {
            (k if k.startswith(("c_", "_")) else _CAMEL.sub("_", k).lower()): to_ocapi(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [to_ocapi(v) for v in value]
    return value
