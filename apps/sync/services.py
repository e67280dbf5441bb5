"""Writes of the sync app: enqueue to the outbox, record and apply inbox events, operator actions."""

import logging
from contextlib import nullcontext
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import Conflict, DomainError
from apps.workspace.choices import Channel, Visibility
from apps.workspace.services import timeline_record

from . import conf
from .backoff import next_attempt_at
from .delivery import queue_drain_on_commit
from .errors import IgnoreEvent
from .models import InboxEvent, InboxStatus, OutboxMessage, OutboxStatus
from .registry import appliers, register_applier

__all__ = [
    "inbox_apply",
    "inbox_ignore",
    "inbox_record",
    "inbox_retry",
    "inbox_sweep",
    "outbox_discard",
    "outbox_enqueue",
    "outbox_purge",
    "outbox_retry",
    "outbox_retry_dead",
    "register_applier",
]

logger = logging.getLogger("apps.sync")

REASON_MAX_CHARS = 500


# --- Outbox ---------------------------------------------------------------------------------


def outbox_enqueue(
    *, target: str, topic: str, key: str, payload: dict[str, Any], case: Any = None
) -> OutboxMessage:
    """Write an outbox row in the caller's transaction; delivery is queued when it commits.

    Must run inside the transaction of the change it announces: if that rolls back, the row
    goes with it, and nothing is delivered for a change that never happened. For one `key`,
    the caller must hold the lock on the record the key names (the service's
    select_for_update on the case or order), which makes id order equal commit order.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "outbox_enqueue must run inside the transaction of the change it announces."
        )
    now = timezone.now()
    message = OutboxMessage.objects.create(
        target=target,
        topic=topic,
        key=key,
        payload=payload,
        case=case,
        attempt_limit=conf.max_attempts(),
        next_attempt_at=now,
        created_at=now,
    )
    queue_drain_on_commit()
    return message


def _timeline(*, message: OutboxMessage, actor: Any, verb: str, summary: str) -> None:
    if message.case_id is None:
        return
    timeline_record(
        case=message.case,
        actor=actor,
        channel=Channel.SYSTEM,
        verb=verb,
        summary=summary[:300],
        visibility=Visibility.INTERNAL,
    )


def outbox_retry(*, message: OutboxMessage, actor: Any) -> OutboxMessage:
    """Send a dead or retrying row again now, with the same idempotency key and a fresh budget."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=message.pk)
        )
        if not message.can_retry:
            raise Conflict(f"A {message.get_status_display().lower()} message cannot be retried.")
        now = timezone.now()
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now
        message.claimed_until = None
        message.attempt_limit = message.attempts + conf.max_attempts()
        message.save(
            update_fields=[
                "status",
                "next_attempt_at",
                "claimed_until",
                "attempt_limit",
            ]
        )
        _timeline(
            message=message,
            actor=actor,
            verb="sync_retried",
            summary=f"retried delivery of {message.topic} to {message.target} (#{message.pk})",
        )
        queue_drain_on_commit()
    return message


def outbox_retry_dead(*, target: str, actor: Any, limit: int = 500) -> int:
    """Retry the dead letters of one target (after an outage), oldest first."""
    ids = list(
        OutboxMessage.objects.filter(target=target, status=OutboxStatus.DEAD)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    retried = 0
    with transaction.atomic():  # one commit, so one drain takes them all
        for message_id in ids:
            try:
                outbox_retry(message=OutboxMessage(pk=message_id), actor=actor)
            except Conflict:
                continue  # someone else handled it meanwhile
            retried += 1
    return retried


def outbox_discard(*, message: OutboxMessage, actor: Any, reason: str) -> OutboxMessage:
    """Give up on a row for good; the reason goes on the case's internal timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why this message is discarded.", fields={"reason": ["Required."]})
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=message.pk)
        )
        if not message.can_discard:
            raise Conflict(f"A {message.get_status_display().lower()} message cannot be discarded.")
        message.status = OutboxStatus.DISCARDED
        message.discard_reason = reason[:REASON_MAX_CHARS]
        message.claimed_until = None
        message.save(update_fields=["status", "discard_reason", "claimed_until"])
        _timeline(
            message=message,
            actor=actor,
            verb="sync_discarded",
            summary=f"discarded {message.topic} to {message.target} (#{message.pk}): {reason}",
        )
        # The discarded row may have been holding its key: let the next one go.
        queue_drain_on_commit()
    return message


# --- Inbox ----------------------------------------------------------------------------------


def queue_apply(event_id: int) -> None:
    from .tasks import apply_inbox_event

    apply_inbox_event.delay(event_id)


def inbox_record(
    *, source: str, source_id: str, payload: dict[str, Any], dispatch: bool = True
) -> tuple[InboxEvent, bool]:
    """Record an inbound event by its source id; a replay returns the first row and changes nothing.

    The unique constraint is the dedupe: the insert runs in a savepoint, so a concurrent
    duplicate that wins the race turns our insert into an IntegrityError we answer with the
    winner's row, while the caller's transaction stays usable. On PostgreSQL the loser's
    insert waits for the winner to commit, so the row it then reads is there.

    With `dispatch`, applying is queued on commit; a caller that wants the result at once
    (the REST API) passes False and calls `inbox_apply` itself.
    """
    now = timezone.now()
    fields = {
        "source": source,
        "source_id": source_id,
        "payload": payload,
        "received_at": now,
        # The safety net: if the queued apply is lost, the sweep applies it then.
        "next_attempt_at": now + timedelta(seconds=conf.lease_seconds()),
    }
    # Inside a caller's transaction the insert needs a savepoint to survive a duplicate; in
    # autocommit (the push endpoint) a failed insert harms nothing, and skipping the
    # BEGIN/COMMIT pair halves the cost of recording an event.
    guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
    try:
        with guard:
            event = InboxEvent.objects.create(**fields)
    except IntegrityError:
        return InboxEvent.objects.get(source=source, source_id=source_id), False
    if dispatch:
        transaction.on_commit(partial(queue_apply, event.pk), robust=True)
    return event, True


def inbox_apply(event_id: int, *, now: datetime | None = None) -> InboxEvent:
    """Apply a recorded event once: the applier's writes and "applied" commit together.

    The row lock makes a second apply of the same event wait, then find it applied. An
    applier that raises rolls back its own writes (savepoint) and the event is marked
    failed, to be retried with backoff by the sweep until the attempt limit.
    """
    with transaction.atomic():
        event = InboxEvent.objects.select_for_update().get(pk=event_id)
        if event.status not in (InboxStatus.RECEIVED, InboxStatus.FAILED):
            return event
        now = now or timezone.now()
        event.attempts += 1
        applier = appliers.get(event.source)
        try:
            if applier is None:
                raise LookupError(f"No applier is registered for source {event.source!r}.")
            with transaction.atomic():
                applier(event)
        except IgnoreEvent as exc:
            event.status = InboxStatus.IGNORED
            event.error = str(exc)
            event.next_attempt_at = None
        except Exception as exc:
            logger.exception("Applying inbox event %s (%s) failed", event.pk, event.source)
            event.status = InboxStatus.FAILED
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
            event.next_attempt_at = (
                next_attempt_at(attempt=event.attempts, now=now)
                if event.attempts < conf.max_attempts()
                else None  # gave up: the operations page offers a retry
            )
        else:
            event.status = InboxStatus.APPLIED
            event.applied_at = now
            event.error = ""
            event.next_attempt_at = None
        event.save(update_fields=["status", "attempts", "error", "next_attempt_at", "applied_at"])
    return event


def inbox_retry(*, event: InboxEvent, actor: Any) -> InboxEvent:
    """Apply a failed event again now."""
    with transaction.atomic():
        event = InboxEvent.objects.select_for_update().get(pk=event.pk)
        if event.status != InboxStatus.FAILED:
            raise Conflict(f"A {event.get_status_display().lower()} event cannot be retried.")
        event.next_attempt_at = timezone.now()
        event.save(update_fields=["next_attempt_at"])
        transaction.on_commit(partial(queue_apply, event.pk), robust=True)
    logger.info("Inbox event %s retried by %s", event.pk, actor)
    return event


def inbox_ignore(*, event: InboxEvent, actor: Any, reason: str) -> InboxEvent:
    """Stop trying a failed event; the reason stays on the row."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why this event is ignored.", fields={"reason": ["Required."]})
    with transaction.atomic():
        event = InboxEvent.objects.select_for_update().get(pk=event.pk)
        if event.status not in (InboxStatus.FAILED, InboxStatus.RECEIVED):
            raise Conflict(f"An {event.get_status_display().lower()} event cannot be ignored.")
        event.status = InboxStatus.IGNORED
        event.error = f"Ignored by {actor}: {reason[:REASON_MAX_CHARS]}"
        event.next_attempt_at = None
        event.save(update_fields=["status", "error", "next_attempt_at"])
    return event


def inbox_sweep(
    *, now: datetime | None = None, limit: int | None = None, dispatch: Any = None
) -> list[int]:
    """Dispatch events whose apply is due: failed ones after backoff, received ones whose task was lost."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            InboxEvent.objects.filter(
                status__in=(InboxStatus.RECEIVED, InboxStatus.FAILED), next_attempt_at__lte=now
            )
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[: limit or conf.sweep_batch()]
        )
        # Push the safety net out by a lease so a slow queue is not flooded with duplicates;
        # a failed apply sets its own next attempt.
        InboxEvent.objects.filter(pk__in=ids).update(
            next_attempt_at=now + timedelta(seconds=conf.lease_seconds())
        )
    for event_id in ids:
        (dispatch or queue_apply)(event_id)
    return ids


def outbox_purge(*, older_than: datetime) -> int:
    """Delete sent and discarded rows (with their attempts) finished before `older_than`."""
    sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT, sent_at__lt=older_than)
    discarded = OutboxMessage.objects.filter(
        status=OutboxStatus.DISCARDED, created_at__lt=older_than
    )
    deleted = 0
    for qs in (sent, discarded):
        deleted += qs.delete()[1].get("sync.OutboxMessage", 0)
    return deleted
