"""Orders for page tests, mirrored the way SFCC's are: an SCAPI document through the connector."""

from typing import Any

from apps.orders.models import Order
from apps.sfcc import conf
from apps.sfcc.documents import reduce_order
from apps.sfcc.services import order_apply
from simulators.sfcc.orders import build_order, parse_iso_ms


def mirror_order(
    order_no: str,
    *,
    lines: list[dict[str, Any]],
    shipments: list[dict[str, Any]] | None = None,
    customer: dict[str, Any] | None = None,
    modified: str = "2026-03-01T10:00:00.000Z",
    **spec: Any,
) -> Order:
    """Apply a complete SCAPI order (payment, billing and e-mail included) as the poll would.

    `lines` are spec lines: productId, productName, quantity, itemId, c_supplierId;
    `shipments` may name c_carrierId, c_fulfillmentLocation, trackingNumber, shippingAddress.
    """
    spec = {
        "lines": lines,
        "shipments": shipments or [{}],
        "customer": customer or {"email": "ada@example.com", "name": "Ada Lovelace"},
        "shippingAddress": {
            "firstName": "Ada", "lastName": "Lovelace", "address1": "12 Main St.",
            "city": "Austin", "stateCode": "TX", "postalCode": "78701", "countryCode": "US",
            "phone": "5125550100",
        },
        "payment": {"method": "CREDIT_CARD", "c_cardLast4": "4242"},
        **spec,
    }
    document = build_order(spec, order_no=order_no, site_id=conf.site_id(), now_ms=parse_iso_ms(modified))
    result = order_apply(document=reduce_order(document))
    assert result.order is not None, result
    return Order.objects.get(site_id=conf.site_id(), order_no=order_no)
