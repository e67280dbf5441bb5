"""Delivering outbox rows: claim under a lease, call the deliverer outside any transaction, record.

A row goes out only when it is the oldest undelivered row of its key, so one key's rows reach
the remote in the order they were written. The claim is a short transaction that takes the
row (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the IMMEDIATE transaction's write lock
serializes claims, and the status is re-read inside it), marks it in flight with a lease and
opens a `DeliveryAttempt`. The HTTP call happens after that commit, holding no lock. A second
short transaction records the outcome. A worker that dies between the two leaves the row in
flight until its lease runs out; the sweep then delivers it again with the same idempotency
key, so the remote applies it once.
"""

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from . import conf
from .backoff import next_attempt_at
from .errors import DeliveryError, PermanentError, RetryableError
from .models import BLOCKING_STATUSES, DeliveryAttempt, OutboxMessage, OutboxStatus
from .registry import deliverers, register_deliverer

__all__ = [
    "DeliveryResult",
    "Outcome",
    "PermanentError",
    "RetryableError",
    "deliver",
    "error_for_status",
    "outbox_sweep",
    "parse_retry_after",
    "queue_delivery",
    "register_deliverer",
]

logger = logging.getLogger("apps.sync")

EXCERPT_CHARS = 2000

# Client errors that say "not now" rather than "never": a timeout, a conflict with a request
# still in progress (the usual 409 of an idempotency-keyed API, and of optimistic locking),
# "too early" and throttling. Every other 4xx is the request's own fault and goes dead at
# once. A connector whose 409 means a business refusal raises PermanentError itself.
RETRYABLE_CLIENT_STATUSES = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class DeliveryResult:
    response_code: int | None = None
    response_excerpt: str = ""
    request_summary: dict[str, Any] = field(default_factory=dict)


class Outcome(StrEnum):
    SENT = "sent"
    RETRYING = "retrying"
    DEAD = "dead"
    SKIPPED = "skipped"  # not claimable now: sent, leased, not due, or waiting behind its key


def is_retryable_status(code: int) -> bool:
    return code >= 500 or code in RETRYABLE_CLIENT_STATUSES


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header, given as delta-seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or timezone.now())).total_seconds())


def error_for_status(
    code: int,
    *,
    reason: str = "",
    retry_after: str | float | None = None,
    response_excerpt: str = "",
    request_summary: dict[str, Any] | None = None,
) -> DeliveryError:
    """The error a deliverer raises for a non-2xx answer (returned, not raised)."""
    if isinstance(retry_after, str):
        retry_after = parse_retry_after(retry_after)
    reason = reason or f"HTTP {code}"
    common = {
        "response_excerpt": response_excerpt[:EXCERPT_CHARS],
        "request_summary": request_summary,
    }
    if is_retryable_status(code):
        return RetryableError(reason, retry_after, response_code=code, **common)
    return PermanentError(reason, code, **common)


def queue_delivery(message_id: int) -> None:
    """Queue the delivery task; called on commit, so the worker sees the row."""
    from .tasks import deliver_outbox

    deliver_outbox.delay(message_id)


def _claimable(now: datetime) -> Q:
    due = Q(status__in=(OutboxStatus.PENDING, OutboxStatus.RETRYING), next_attempt_at__lte=now)
    lease_expired = Q(status=OutboxStatus.IN_FLIGHT, claimed_until__lte=now)
    return due | lease_expired


def _earlier_blocking(message_key: Any, message_id: Any):
    return OutboxMessage.objects.filter(
        key=message_key, id__lt=message_id, status__in=BLOCKING_STATUSES
    )


def _claim(message_id: int, *, now: datetime) -> tuple[OutboxMessage, DeliveryAttempt] | None:
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now), pk=message_id)
            .first()
        )
        if message is None:
            return None
        if _earlier_blocking(message.key, message.pk).exists():
            return None  # an older row of the key goes first; its success kicks this one
        lost = message.status == OutboxStatus.IN_FLIGHT
        if lost:
            # The worker that held the lease died (or hung past it): close its attempt so
            # the page shows the outcome as unknown rather than still running.
            DeliveryAttempt.objects.filter(message=message, finished_at__isnull=True).update(
                outcome="lost",
                error="The worker was lost before recording the result; lease expired.",
            )
            if message.attempts >= message.attempt_limit:
                message.status = OutboxStatus.DEAD
                message.claimed_until = None
                message.last_error = "Gave up: the worker was lost on the last allowed attempt."
                message.save(update_fields=["status", "claimed_until", "last_error"])
                return None
        message.status = OutboxStatus.IN_FLIGHT
        message.attempts += 1
        message.claimed_until = now + timedelta(seconds=conf.lease_seconds())
        message.save(update_fields=["status", "attempts", "claimed_until"])
        attempt = DeliveryAttempt.objects.create(
            message=message, number=message.attempts, started_at=now
        )
    return message, attempt


def _call(deliverer: Callable[..., Any] | None, message: OutboxMessage) -> DeliveryResult:
    if deliverer is None:
        # Retryable: a worker started without the connector must not make dead letters.
        raise RetryableError(f"No deliverer is registered for target {message.target!r}.")
    try:
        result = deliverer(message)
    except DeliveryError:
        raise
    except Exception as exc:
        # A bug or an unexpected library error: retried (a deploy may fix it), bounded by the
        # attempt limit like any other failure. SoftTimeLimitExceeded lands here too.
        logger.exception("Deliverer for %s failed on outbox row %s", message.target, message.pk)
        raise RetryableError(f"{type(exc).__name__}: {exc}") from exc
    return result if isinstance(result, DeliveryResult) else DeliveryResult()


def deliver(message_id: int, *, now: datetime | None = None) -> Outcome:
    """Deliver one outbox row if it is due and first in its key; safe to call any number of times.

    `now` pins the clock (tests); the real clock is used otherwise.
    """
    claimed_at = now or timezone.now()
    claimed = _claim(message_id, now=claimed_at)
    if claimed is None:
        return Outcome.SKIPPED
    message, attempt = claimed
    started = time.monotonic()
    error: DeliveryError | None = None
    result = DeliveryResult()
    try:
        result = _call(deliverers.get(message.target), message)
    except DeliveryError as exc:
        error = exc
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(
        message_id=message.pk,
        attempt=attempt,
        result=result,
        error=error,
        duration_ms=duration_ms,
        now=now or timezone.now(),
    )


def _record(
    *,
    message_id: int,
    attempt: DeliveryAttempt,
    result: DeliveryResult,
    error: DeliveryError | None,
    duration_ms: int,
    now: datetime,
) -> Outcome:
    if error is None:
        outcome_label = "sent"
    elif isinstance(error, PermanentError):
        outcome_label = "permanent"
    else:
        outcome_label = "retryable"
    source = error or result
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now,
            duration_ms=duration_ms,
            outcome=outcome_label,
            request_summary=source.request_summary or {},
            response_code=source.response_code,
            response_excerpt=(source.response_excerpt or "")[:EXCERPT_CHARS],
            error=error.reason if error else "",
        )
        if error is None:
            if message.status in (OutboxStatus.SENT, OutboxStatus.DISCARDED):
                return Outcome.SENT
            # Even a worker whose lease ran out reports the truth: the remote has it.
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.claimed_until = None
            message.last_error = ""
            message.save(update_fields=["status", "sent_at", "claimed_until", "last_error"])
            _kick_next(message, now=now)
            return Outcome.SENT
        if message.status != OutboxStatus.IN_FLIGHT or message.attempts != attempt.number:
            # Our lease ran out and someone else owns the row now; it decides.
            return Outcome.SKIPPED
        message.claimed_until = None
        message.last_error = error.reason[:EXCERPT_CHARS]
        if isinstance(error, PermanentError) or message.attempts >= message.attempt_limit:
            message.status = OutboxStatus.DEAD
            logger.warning("Outbox row %s is a dead letter: %s", message.pk, error.reason)
        else:
            message.status = OutboxStatus.RETRYING
            message.next_attempt_at = next_attempt_at(
                attempt=message.attempts,
                now=now,
                retry_after=getattr(error, "retry_after", None),
            )
        message.save(update_fields=["status", "claimed_until", "last_error", "next_attempt_at"])
        return Outcome(message.status)


def _kick_next(message: OutboxMessage, *, now: datetime) -> None:
    """Queue the next row of the key now, rather than leave it for the sweep."""
    following = (
        OutboxMessage.objects.filter(
            key=message.key, id__gt=message.pk, status__in=BLOCKING_STATUSES
        )
        .order_by("id")
        .first()
    )
    if following is None or following.status not in (OutboxStatus.PENDING, OutboxStatus.RETRYING):
        return
    if following.next_attempt_at > now:
        return  # still backing off; the sweep picks it up when it is due
    following.dispatched_at = now
    following.save(update_fields=["dispatched_at"])
    transaction.on_commit(partial(queue_delivery, following.pk), robust=True)


def due_message_ids(*, now: datetime, limit: int) -> list[int]:
    """Rows to dispatch now: due or lease-expired, first of their key, not just dispatched."""
    redispatch_before = now - timedelta(seconds=conf.lease_seconds())
    due = Q(status__in=(OutboxStatus.PENDING, OutboxStatus.RETRYING), next_attempt_at__lte=now) & (
        Q(dispatched_at__isnull=True)
        | Q(dispatched_at__lt=F("next_attempt_at"))  # not dispatched since it became due
        | Q(dispatched_at__lte=redispatch_before)  # dispatched, but the task never came
    )
    lease_expired = Q(status=OutboxStatus.IN_FLIGHT, claimed_until__lte=now) & (
        Q(dispatched_at__isnull=True)
        | Q(dispatched_at__lt=F("claimed_until"))
        | Q(dispatched_at__lte=redispatch_before)
    )
    earlier = OutboxMessage.objects.filter(
        key=OuterRef("key"), id__lt=OuterRef("id"), status__in=BLOCKING_STATUSES
    )
    return list(
        OutboxMessage.objects.filter(due | lease_expired)
        .filter(~Exists(earlier))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def outbox_sweep(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    dispatch: Callable[[int], Any] | None = None,
) -> list[int]:
    """Dispatch a bounded batch of due rows, oldest first; the safety net behind on-commit kicks."""
    now = now or timezone.now()
    ids = due_message_ids(now=now, limit=limit or conf.sweep_batch())
    if not ids:
        return ids
    with transaction.atomic():
        OutboxMessage.objects.filter(pk__in=ids).update(dispatched_at=now)
    for message_id in ids:
        (dispatch or queue_delivery)(message_id)
    return ids
