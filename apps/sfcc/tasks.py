"""Celery entry points of the SFCC connector: thin, idempotent, acknowledged late."""

from celery import shared_task

from . import inbound

POLL_SOFT_TIME_LIMIT = 240
POLL_TIME_LIMIT = 300


@shared_task(
    name="apps.sfcc.tasks.poll_orders",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=POLL_SOFT_TIME_LIMIT,
    time_limit=POLL_TIME_LIMIT,
)
def poll_orders() -> int:
    """The reconciliation poll (beat, every SFCC_POLL_SECONDS); a rerun re-reads, never doubles."""
    return inbound.poll_changed_orders().seen
