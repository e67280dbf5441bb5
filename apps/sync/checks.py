"""Startup check: the outbox lease must outlive a delivery task and expire before the broker redelivers."""

from django.conf import settings
from django.core.checks import Error, register

from . import conf


@register()
def check_lease(app_configs, **kwargs):
    from .tasks import DELIVERY_TIME_LIMIT

    lease = conf.lease_seconds()
    errors = []
    if lease <= DELIVERY_TIME_LIMIT:
        errors.append(
            Error(
                f"SYNC_LEASE_SECONDS ({lease}) must exceed the delivery task's hard time limit "
                f"({DELIVERY_TIME_LIMIT} s), or another drain may redeliver a row a live worker is sending.",
                id="sync.E001",
            )
        )
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    visibility = options.get("visibility_timeout")
    if visibility is not None and lease >= visibility:
        errors.append(
            Error(
                f"SYNC_LEASE_SECONDS ({lease}) must be shorter than the broker's visibility "
                f"timeout ({visibility} s), so a drain recovers a lost delivery first.",
                id="sync.E002",
            )
        )
    return errors
