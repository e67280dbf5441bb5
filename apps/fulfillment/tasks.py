"""Celery: the acknowledgement deadlines of the partner agreements, swept by beat."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=150)
def check_dispatch_deadlines() -> str:
    reminded, escalated = services.deadlines_check()
    return f"{reminded} reminded, {escalated} escalated"
