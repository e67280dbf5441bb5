"""What the milestones tests share: a mirrored B2B order routed to a partner, and its tracking."""

from apps.milestones import services
from apps.workspace.choices import Channel
from tests.orders.helpers import mirror_order


def b2b_order(partner, order_no: str = "00088001", shipments=("SHP-88001-1",), **spec):
    """An order whose lines are the partner's, one line per shipment."""
    return mirror_order(
        order_no,
        lines=[
            {
                "productId": f"SKU-{n}",
                "productName": f"Item {n}",
                "quantity": 2,
                "c_supplierId": partner.code,
                "shipmentId": ref,
            }
            for n, ref in enumerate(shipments, start=1)
        ],
        shipments=[{"shipmentId": ref} for ref in shipments],
        **spec,
    )


def tracked(agent, partner, order_no: str = "00088001", shipments=("SHP-88001-1",), **spec):
    b2b_order(partner, order_no, shipments, **spec)
    return services.tracking_open(
        actor=agent, channel=Channel.WEB, order_number=order_no, partner=partner
    )


def shipped(reference: str = "SHP-88001-1", **extra) -> dict:
    return {
        "shipment": reference,
        "step": "shipped",
        "carrier": "UPSN",
        "tracking_number": "1Z999AA10123456784",
        **extra,
    }
