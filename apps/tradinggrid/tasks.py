"""Celery entry points of the connector: thin, idempotent, acknowledged late, taking nothing but ids.

Delivery of documents goes through the sync app's `deliver_outbox` (target "tradinggrid");
what is left here are the two periodic jobs.
"""

from celery import shared_task

from . import inbound, services

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(
    name="apps.tradinggrid.tasks.poll_inbound", soft_time_limit=90, time_limit=110, **TASK_OPTIONS
)
def poll_inbound() -> int:
    """Take what waits in the retailer's inbound folder (beat, every TRADINGGRID_POLL_SECONDS)."""
    return len(inbound.poll_mailbox().applied)


@shared_task(
    name="apps.tradinggrid.tasks.check_ack_deadlines",
    soft_time_limit=60,
    time_limit=90,
    **TASK_OPTIONS,
)
def check_ack_deadlines() -> int:
    """Raise an alert for every acknowledgement past its deadline (beat, every minute)."""
    return services.ack_deadlines_check()
