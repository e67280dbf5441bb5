"""Outbox rows, their delivery attempts, and inbox events: the tables sync is made of."""

import uuid

from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_FLIGHT = "in_flight", "In flight"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    DEAD = "dead", "Dead letter"
    DISCARDED = "discarded", "Discarded"


# Rows that hold back later rows of their key. A dead letter is one of them: delivering a
# later change before an earlier one would reorder what the remote sees, so the key waits
# for an operator to retry or discard it (the operations page shows who is waiting).
BLOCKING_STATUSES = (
    OutboxStatus.PENDING,
    OutboxStatus.IN_FLIGHT,
    OutboxStatus.RETRYING,
    OutboxStatus.DEAD,
)
UNDELIVERED_STATUSES = BLOCKING_STATUSES


class OutboxMessage(models.Model):
    target = models.CharField(
        max_length=40, help_text='The system it goes to: "sfcc", "tradinggrid".'
    )
    topic = models.CharField(max_length=80, help_text='What it says: "order.status", "case.note".')
    key = models.CharField(
        max_length=200,
        help_text='Rows with one key are delivered in order, e.g. "sfcc:order:00001234".',
    )
    case = models.ForeignKey(
        "workspace.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    payload = models.JSONField(default=dict)
    idempotency_key = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Sent with every attempt of this row, so the remote applies it once.",
    )
    status = models.CharField(
        max_length=12, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    attempt_limit = models.PositiveIntegerField(
        default=12,
        help_text="Attempts allowed before it becomes a dead letter; a manual retry adds a fresh budget.",
    )
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="The lease of the worker delivering it."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    discard_reason = models.TextField(blank=True)

    class Meta:
        # The id, not created_at, is the order within a key: ids never tie, and the service
        # that writes a row holds the lock on the record its key names, so for one key the
        # id order is the commit order.
        ordering = ["id"]
        indexes = [
            models.Index(fields=["key", "id"], name="outbox_key_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["target", "status", "id"], name="outbox_target_status_idx"),
            models.Index(fields=["status", "sent_at"], name="outbox_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.target} {self.topic} ({self.status})"

    @property
    def is_undelivered(self) -> bool:
        return self.status in UNDELIVERED_STATUSES

    @property
    def can_retry(self) -> bool:
        return self.status in (OutboxStatus.DEAD, OutboxStatus.RETRYING)

    @property
    def can_discard(self) -> bool:
        # An in-flight row is being sent right now: let the attempt finish before deciding.
        return self.status in (OutboxStatus.PENDING, OutboxStatus.RETRYING, OutboxStatus.DEAD)


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox row; written when it starts, completed when it ends.

    An attempt without `finished_at` whose lease has run out is a worker that died mid-call:
    whether the remote got it is unknown, which is why every attempt carries the same key.
    """

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=12, blank=True, help_text="sent, retryable or permanent")
    request_summary = models.JSONField(default=dict, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="unique_delivery_attempt")
        ]

    def __str__(self) -> str:
        return f"#{self.message_id} attempt {self.number}"


class InboxStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"


class InboxEvent(models.Model):
    source = models.CharField(
        max_length=40,
        help_text='Where it came from: "sfcc.push", "sfcc.poll", "tradinggrid", "api".',
    )
    source_id = models.CharField(max_length=200, help_text="The id the source gave it.")
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(
        max_length=10, choices=InboxStatus.choices, default=InboxStatus.RECEIVED
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When the sweep should (re)apply it: a retry after a failure, or a safety net after a
    # dispatch that was lost. Null once there is nothing more to do on its own.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # The whole dedupe: a replay of (source, source_id) cannot make a second row.
            models.UniqueConstraint(fields=["source", "source_id"], name="unique_inbox_source_id")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="inbox_due_idx"),
            models.Index(fields=["source", "status"], name="inbox_source_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} ({self.status})"
