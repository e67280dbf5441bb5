"""Delivering outbox rows: claim a batch under a lease, call outside any transaction, record.

A row goes out only when it heads its key (no older row of the key is undelivered), so one
key's rows reach the remote in the order they were written. The worker drains: it claims up
to a batch of due heads in one short transaction (PostgreSQL: FOR UPDATE SKIP LOCKED, so
concurrent workers take disjoint batches; SQLite: the IMMEDIATE transaction's write lock
serializes claims), marks them in flight with a lease and opens a `DeliveryAttempt` for each.
The HTTP calls happen after that commit, holding no lock. One more short transaction records
the batch's outcomes; the rows that became heads are taken by the next claim. A worker that
dies between the two leaves its rows in flight until their lease runs out; the next drain
then delivers them again with the same idempotency keys, so the remote applies each once.
"""

import email.utils
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from . import conf
from .backoff import next_attempt_at
from .errors import DeliveryError, PermanentError, RetryableError
from .models import BLOCKING_STATUSES, DeliveryAttempt, OutboxMessage, OutboxStatus
from .registry import deliverers, register_deliverer

__all__ = [
    "Drain",
    "DeliveryResult",
    "Outcome",
    "PermanentError",
    "RetryableError",
    "deliver",
    "deliver_due",
    "error_for_status",
    "parse_retry_after",
    "queue_drain",
    "queue_drain_on_commit",
    "register_deliverer",
]

logger = logging.getLogger("apps.sync")

EXCERPT_CHARS = 2000

# Client errors that say "not now" rather than "never": a timeout, a conflict with a request
# still in progress (the usual 409 of an idempotency-keyed API, and of optimistic locking),
# "too early" and throttling. Every other 4xx is the request's own fault and goes dead at
# once. A connector whose 409 means a business refusal raises PermanentError itself.
RETRYABLE_CLIENT_STATUSES = frozenset({408, 409, 425, 429})

# Answers that speak for the whole remote, not for one row: throttled, or unavailable. After
# one of these (or no answer at all) a drain sends nothing more to that target: the rest of
# its batch goes back untouched, rather than each row spending an attempt on the same outage.
TARGET_WIDE_STATUSES = frozenset({429, 502, 503, 504})


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


def queue_drain() -> None:
    """Queue a drain of the outbox (idempotent: a drain that finds nothing due costs one query)."""
    from .tasks import deliver_outbox

    deliver_outbox.delay()


def queue_drain_on_commit() -> None:
    """Queue one drain when the current transaction commits, however many rows it wrote."""
    connection = transaction.get_connection()
    # Django keeps the callbacks of the transaction, minus those of rolled-back savepoints,
    # in run_on_commit; looking there (rather than keeping a flag of our own) cannot lose
    # the drain when the savepoint that first asked for it is rolled back.
    if any(callback is queue_drain for _, callback, _ in connection.run_on_commit):
        return
    # robust: a broker hiccup must not fail a request whose data already committed; the
    # beat's drain every 10 s delivers the rows anyway.
    transaction.on_commit(queue_drain, robust=True)


def _claimable(now: datetime) -> Q:
    due = Q(status__in=(OutboxStatus.PENDING, OutboxStatus.RETRYING), next_attempt_at__lte=now)
    lease_expired = Q(status=OutboxStatus.IN_FLIGHT, claimed_until__lte=now)
    return due | lease_expired


def _heads_due(rows: QuerySet[OutboxMessage], now: datetime) -> QuerySet[OutboxMessage]:
    """Those of `rows` due or lease-expired that no older undelivered row of their key holds."""
    earlier = OutboxMessage.objects.filter(
        key=OuterRef("key"), id__lt=OuterRef("id"), status__in=BLOCKING_STATUSES
    )
    return rows.filter(_claimable(now)).filter(~Exists(earlier))


@dataclass
class Claim:
    message: OutboxMessage
    attempt: DeliveryAttempt
    status_before: str  # what the row goes back to if it is released without a call


def _claim(rows: QuerySet[OutboxMessage], *, now: datetime, limit: int) -> list[Claim]:
    """Take up to `limit` of `rows` that are due heads, oldest first, under a lease."""
    lease_until = now + timedelta(seconds=conf.lease_seconds())
    claims = []
    with transaction.atomic():
        locked = _heads_due(rows, now).select_for_update(skip_locked=True).order_by("id")[:limit]
        for message in locked:
            status_before = message.status
            if message.status == OutboxStatus.IN_FLIGHT:
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
                    continue
                status_before = OutboxStatus.RETRYING
            message.status = OutboxStatus.IN_FLIGHT
            message.attempts += 1
            message.claimed_until = lease_until
            attempt = DeliveryAttempt(message=message, number=message.attempts, started_at=now)
            claims.append(Claim(message, attempt, status_before))
        if claims:
            OutboxMessage.objects.filter(pk__in=[c.message.pk for c in claims]).update(
                status=OutboxStatus.IN_FLIGHT, attempts=F("attempts") + 1, claimed_until=lease_until
            )
            DeliveryAttempt.objects.bulk_create([c.attempt for c in claims])
    return claims


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


@dataclass
class Called:
    claim: Claim
    result: DeliveryResult
    error: DeliveryError | None
    duration_ms: int

    @property
    def label(self) -> str:
        if self.error is None:
            return "sent"
        return "permanent" if isinstance(self.error, PermanentError) else "retryable"

    @property
    def target_unavailable(self) -> bool:
        error = self.error
        return isinstance(error, RetryableError) and (
            error.response_code is None or error.response_code in TARGET_WIDE_STATUSES
        )


def _send(claim: Claim) -> Called:
    started = time.monotonic()
    error: DeliveryError | None = None
    result = DeliveryResult()
    try:
        result = _call(deliverers.get(claim.message.target), claim.message)
    except DeliveryError as exc:
        error = exc
    return Called(claim, result, error, int((time.monotonic() - started) * 1000))


ATTEMPT_RESULT_FIELDS = [
    "finished_at",
    "duration_ms",
    "outcome",
    "request_summary",
    "response_code",
    "response_excerpt",
    "error",
]


def _record(called: list[Called], released: list[Claim], *, now: datetime) -> dict[int, Outcome]:
    """Write the batch's outcomes in one transaction, and put back what was never sent."""
    ids = [c.claim.message.pk for c in called] + [c.message.pk for c in released]
    outcomes: dict[int, Outcome] = {}
    with transaction.atomic():
        current = {
            m.pk: m
            for m in OutboxMessage.objects.select_for_update().filter(pk__in=ids).order_by("id")
        }
        attempts = []
        for call in called:
            source = call.error or call.result
            attempt = call.claim.attempt
            attempt.finished_at = now
            attempt.duration_ms = call.duration_ms
            attempt.outcome = call.label
            attempt.request_summary = source.request_summary or {}
            attempt.response_code = source.response_code
            attempt.response_excerpt = (source.response_excerpt or "")[:EXCERPT_CHARS]
            attempt.error = call.error.reason if call.error else ""
            attempts.append(attempt)
        DeliveryAttempt.objects.bulk_update(attempts, ATTEMPT_RESULT_FIELDS)

        sent = [c.claim.message.pk for c in called if c.error is None]
        # Even a worker whose lease ran out reports the truth: the remote has it.
        OutboxMessage.objects.filter(pk__in=sent).exclude(
            status__in=(OutboxStatus.SENT, OutboxStatus.DISCARDED)
        ).update(status=OutboxStatus.SENT, sent_at=now, claimed_until=None, last_error="")
        outcomes.update(dict.fromkeys(sent, Outcome.SENT))

        for call in called:
            if call.error is not None:
                message = current[call.claim.message.pk]
                outcomes[message.pk] = _record_failure(
                    message, call.claim.attempt, call.error, now=now
                )

        # Released rows were never sent: they go back as they were, without an attempt.
        ours = [c for c in released if _still_ours(current[c.message.pk], c.attempt)]
        for claim in ours:
            OutboxMessage.objects.filter(pk=claim.message.pk).update(
                status=claim.status_before, attempts=F("attempts") - 1, claimed_until=None
            )
        DeliveryAttempt.objects.filter(pk__in=[c.attempt.pk for c in ours]).delete()
        outcomes.update({c.message.pk: Outcome.SKIPPED for c in released})
    return outcomes


def _still_ours(message: OutboxMessage, attempt: DeliveryAttempt) -> bool:
    return message.status == OutboxStatus.IN_FLIGHT and message.attempts == attempt.number


def _record_failure(
    message: OutboxMessage, attempt: DeliveryAttempt, error: DeliveryError, *, now: datetime
) -> Outcome:
    if not _still_ours(message, attempt):
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
            attempt=message.attempts, now=now, retry_after=getattr(error, "retry_after", None)
        )
    message.save(update_fields=["status", "claimed_until", "last_error", "next_attempt_at"])
    return Outcome(message.status)


def _deliver_claims(
    claims: Iterable[Claim], *, now: datetime | None, deadline: float | None, stopped: set[str]
) -> dict[int, Outcome]:
    """Call each claimed row in order, then record; adds targets found unavailable to `stopped`."""
    called: list[Called] = []
    released: list[Claim] = []
    for claim in claims:
        out_of_time = deadline is not None and time.monotonic() > deadline
        if out_of_time or claim.message.target in stopped:
            released.append(claim)
            continue
        call = _send(claim)
        called.append(call)
        if call.target_unavailable:
            stopped.add(claim.message.target)
    return _record(called, released, now=now or timezone.now())


def deliver(message_id: int, *, now: datetime | None = None) -> Outcome:
    """Deliver one outbox row if it is due and heads its key; safe to call any number of times.

    `now` pins the clock (tests); the real clock is used otherwise. The worker drains with
    `deliver_due`, which does the same for a batch of rows at a time and goes on with the
    rows each success lets through.
    """
    claims = _claim(OutboxMessage.objects.filter(pk=message_id), now=now or timezone.now(), limit=1)
    if not claims:
        return Outcome.SKIPPED
    return _deliver_claims(claims, now=now, deadline=None, stopped=set())[message_id]


@dataclass
class Drain:
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    finished: bool = True  # False: the time budget ran out with rows still due

    def count(self, outcome: Outcome) -> int:
        return sum(1 for o in self.outcomes.values() if o == outcome)


def deliver_due(
    *,
    now: datetime | None = None,
    batch: int | None = None,
    budget_seconds: float | None = None,
) -> Drain:
    """Deliver due rows, a batch at a time, until none is left or the time budget is spent.

    A target that answers as a whole (unreachable, 429, 502-504) gets nothing more in this
    drain; its rows stay due for the next one, and the failed row backs off. `now` pins the
    clock (tests).
    """
    batch = batch or conf.delivery_batch()
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    stopped: set[str] = set()
    failed: set[int] = set()  # each row is tried at most once per drain, however short its backoff
    drain = Drain()
    while True:
        if deadline is not None and time.monotonic() > deadline:
            drain.finished = False
            return drain
        rows = OutboxMessage.objects.exclude(target__in=stopped).exclude(pk__in=failed)
        claims = _claim(rows, now=now or timezone.now(), limit=batch)
        if not claims:
            return drain
        outcomes = _deliver_claims(claims, now=now, deadline=deadline, stopped=stopped)
        drain.outcomes.update(outcomes)
        failed.update(pk for pk, o in outcomes.items() if o == Outcome.RETRYING)
