"""Periodic housekeeping for organizations."""

from celery import shared_task
from django.utils import timezone

from .models import Invitation


@shared_task(acks_late=True, ignore_result=True)
def expire_invitations() -> int:
    """Mark lapsed invitations revoked, so admin lists show only live ones."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
    ).update(revoked_at=timezone.now())
