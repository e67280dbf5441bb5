"""Celery entry point of flow 6: reminders as go-live nears, and the at-risk flag (beat)."""

from celery import shared_task

from . import services


@shared_task(
    name="apps.launches.tasks.send_launch_reminders",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=240,
    time_limit=300,
)
def send_launch_reminders() -> int:
    """Idempotent: a rerun sends nothing twice (one reminder per share and window)."""
    run = services.reminders_send()
    return len(run.reminded)
