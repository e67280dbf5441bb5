"""Cross-cutting records: the answers to API writes sent with an Idempotency-Key."""

from datetime import timedelta

from django.db import models
from django.utils import timezone

# How long a key is remembered: a client may retry with the same key for this long.
IDEMPOTENCY_TTL = timedelta(hours=24)


class IdempotencyRecordQuerySet(models.QuerySet):
    def expired(self, *, now=None):
        return self.filter(created_at__lt=(now or timezone.now()) - IDEMPOTENCY_TTL)


class IdempotencyRecord(models.Model):
    """One write request per (caller, key): claimed before the work, answered after it.

    The unique constraint is the lock: the first request inserts the row and does the work;
    a concurrent duplicate fails the insert and never starts. No foreign key to the caller,
    so the row carries no tenant data and outlives a revoked key until it expires.
    """

    # "apikey:<id>" or "user:<id>": keys of two callers never collide.
    caller = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # SHA-256 of method, path and the canonical request body: a reused key with another body is refused.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the request currently doing the work started; a stale claim may be taken over.
    locked_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)

    objects = IdempotencyRecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="unique_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None
