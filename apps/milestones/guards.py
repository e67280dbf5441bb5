"""Refusals that depend on the case's shipments, checked by the workflow on every channel."""

from .models import STEP_ORDER, Step, TrackedShipment


def milestone_guard(case, data: dict) -> str | None:
    """A shipment moves forward only: the same step again adds news, an earlier one is refused."""
    shipment = TrackedShipment.objects.filter(case=case, reference=data.get("shipment", "")).first()
    if shipment is None or not shipment.status:
        return None
    if STEP_ORDER[data["step"]] < shipment.rank:
        return (
            f"Shipment {shipment.reference} is already {shipment.get_status_display().lower()}: "
            f"it cannot go back to {Step(data['step']).label.lower()}."
        )
    return None


def all_delivered(case, data: dict) -> str | None:
    statuses = list(TrackedShipment.objects.filter(case=case).values_list("status", flat=True))
    if not statuses:
        return "The case has no shipments yet."
    waiting = sum(1 for status in statuses if status != Step.DELIVERED)
    if waiting:
        return f"{waiting} of {len(statuses)} shipments are not delivered yet."
    return None
