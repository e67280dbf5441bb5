"""Periodic housekeeping shared by every app."""

from celery import shared_task

from .models import IdempotencyRecord


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def purge_idempotency_records() -> int:
    """Forget Idempotency-Keys older than a day; a retry after that is a new request."""
    deleted, _ = IdempotencyRecord.objects.expired().delete()
    return deleted
