"""Celery's door to flow 3: the hourly renewal and expiry sweep (idempotent, see services)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sweep_renewals() -> dict:
    result = services.renewals_sweep()
    return {"renewals": result.renewals, "expired": result.expired}
