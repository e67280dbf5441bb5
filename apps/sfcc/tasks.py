"""Celery entry points of the SFCC connector: thin, idempotent, acknowledged late."""

from celery import shared_task

from . import campaigns, inbound

POLL_SOFT_TIME_LIMIT = 240
POLL_TIME_LIMIT = 300
TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(
    name="apps.sfcc.tasks.poll_orders",
    soft_time_limit=POLL_SOFT_TIME_LIMIT,
    time_limit=POLL_TIME_LIMIT,
    **TASK_OPTIONS,
)
def poll_orders() -> int:
    """The reconciliation poll (beat, every SFCC_POLL_SECONDS); a rerun re-reads, never doubles."""
    return inbound.poll_changed_orders().seen


@shared_task(
    name="apps.sfcc.tasks.apply_pushed_events",
    soft_time_limit=POLL_SOFT_TIME_LIMIT,
    time_limit=POLL_TIME_LIMIT,
    **TASK_OPTIONS,
)
def apply_pushed_events(kicked_at: float | None = None) -> int:
    """Apply every recorded push in arrival order; queued on commit by the push endpoint."""
    return inbound.drain_pushed_events(kicked_at=kicked_at)


@shared_task(
    name="apps.sfcc.tasks.sync_campaigns",
    soft_time_limit=POLL_SOFT_TIME_LIMIT,
    time_limit=POLL_TIME_LIMIT,
    **TASK_OPTIONS,
)
def sync_campaigns() -> int:
    """Beat: read the campaigns the flows follow; a changed date moves what follows it."""
    return campaigns.sync_followed_campaigns()
