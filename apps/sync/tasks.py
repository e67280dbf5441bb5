"""Celery entry points of sync: thin, idempotent, acknowledged late; each takes an id or nothing.

A task killed mid-way is redelivered by the broker (acks_late + reject_on_worker_lost) or
picked up by the next drain or sweep; both paths end in the same idempotent service call.
"""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import conf, services
from .delivery import deliver_due, queue_drain

# A drain starts no call after DRAIN_BUDGET_SECONDS; a call ends within the connector's own
# timeouts, well under the soft limit. The hard limit stays below SYNC_LEASE_SECONDS (checked
# at startup, see checks.py), so a row's lease outlives the task that holds it and no live
# worker is ever raced by another drain.
DRAIN_BUDGET_SECONDS = 20
DELIVERY_SOFT_TIME_LIMIT = 60
DELIVERY_TIME_LIMIT = 90
SWEEP_SOFT_TIME_LIMIT = 30
SWEEP_TIME_LIMIT = 60

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(
    name="apps.sync.tasks.deliver_outbox",
    soft_time_limit=DELIVERY_SOFT_TIME_LIMIT,
    time_limit=DELIVERY_TIME_LIMIT,
    **TASK_OPTIONS,
)
def deliver_outbox() -> int:
    """Drain the outbox; queued by every commit that wrote rows, and by beat every 10 s."""
    drain = deliver_due(budget_seconds=DRAIN_BUDGET_SECONDS)
    if not drain.finished:
        queue_drain()  # go on in a fresh task, letting queued work in between
    return len(drain.outcomes)


@shared_task(
    name="apps.sync.tasks.apply_inbox_event",
    soft_time_limit=DELIVERY_SOFT_TIME_LIMIT,
    time_limit=DELIVERY_TIME_LIMIT,
    **TASK_OPTIONS,
)
def apply_inbox_event(event_id: int) -> str:
    return str(services.inbox_apply(event_id).status)


@shared_task(
    name="apps.sync.tasks.sweep_inbox",
    soft_time_limit=SWEEP_SOFT_TIME_LIMIT,
    time_limit=SWEEP_TIME_LIMIT,
    **TASK_OPTIONS,
)
def sweep_inbox() -> int:
    return len(services.inbox_sweep())


@shared_task(
    name="apps.sync.tasks.purge_outbox",
    soft_time_limit=SWEEP_SOFT_TIME_LIMIT * 4,
    time_limit=SWEEP_TIME_LIMIT * 4,
    **TASK_OPTIONS,
)
def purge_outbox() -> int:
    older_than = timezone.now() - timedelta(days=conf.outbox_retention_days())
    return services.outbox_purge(older_than=older_than)
