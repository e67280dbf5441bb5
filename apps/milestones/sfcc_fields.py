"""What SFCC hears of an order's milestones: its shipping status and the tracking `c_` attributes.

Both read every milestone case of the order (each partner has its own), so the order says
"part_shipped" while one partner's shipment waits, and lists every tracking number.
"""

from apps.orders.models import Order
from apps.workspace.choices import CaseKind

from .models import STEP_ORDER, Step, TrackedShipment

TEXT_MAX = 2000


def _order_shipments(order_number: str) -> list[TrackedShipment]:
    return list(
        TrackedShipment.objects.filter(case__kind=CaseKind.MILESTONE, order_number=order_number)
        .exclude(case__status="cancelled")
        .order_by("reference", "id")
    )


def _left(shipment: TrackedShipment) -> bool:
    return shipment.rank >= STEP_ORDER[Step.SHIPPED]


def milestone_attributes(*, case, event_payload: dict) -> dict:
    shipments = _order_shipments(case.order_number)
    tracked = [s for s in shipments if s.tracking_number]
    latest = max(
        tracked, key=lambda s: (s.shipped_at is not None, s.shipped_at, s.updated_at), default=None
    )
    delivered = [s.delivered_at for s in shipments if s.delivered_at]
    all_delivered = bool(shipments) and len(delivered) == len(shipments)
    return {
        "c_crossdockShipmentStatus": "; ".join(
            f"{s.reference} {s.get_status_display().lower() if s.status else 'waiting'}"
            + (" (exception)" if s.exception_open else "")
            + (" (late)" if s.is_late else "")
            for s in shipments
        )[:TEXT_MAX]
        or None,
        "c_crossdockCarrier": latest.carrier if latest else None,
        "c_crossdockTrackingNumber": latest.tracking_number if latest else None,
        "c_crossdockTrackingNumbers": ", ".join(
            f"{s.reference}: {s.carrier + ' ' if s.carrier else ''}{s.tracking_number}"
            for s in tracked
        )[:TEXT_MAX]
        or None,
        "c_crossdockDeliveredAt": max(delivered).isoformat() if all_delivered else None,
    }


def shipping_status(*, case, event_payload: dict) -> str | None:
    """SFCC's order-level shipping status from the milestones (None: nothing to say)."""
    shipments = _order_shipments(case.order_number)
    if not shipments:
        return None
    mirrored = set(
        Order.objects.filter(order_no=case.order_number).values_list(
            "shipments__shipment_id", flat=True
        )
    ) - {None}
    references = {s.reference for s in shipments}
    left = sum(1 for s in shipments if _left(s))
    # The mirror's shipments no partner tracks count as not yet shipped.
    waiting_elsewhere = bool(mirrored - references)
    if left == 0:
        return "not_shipped"
    if left == len(shipments) and not waiting_elsewhere:
        return "shipped"
    return "part_shipped"
