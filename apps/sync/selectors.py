"""Reads for the operations page: health per target and source, filtered rows, one row's story."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .models import (
    BLOCKING_STATUSES,
    InboxEvent,
    InboxStatus,
    OutboxMessage,
    OutboxStatus,
)
from .registry import appliers, deliverers

PAGE_SIZE = 50

# Rows still moving through the pipeline; a dead letter waits on a person, and is counted apart.
FLOWING_STATUSES = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT, OutboxStatus.RETRYING)

STATUS_TONES = {
    OutboxStatus.PENDING: "info",
    OutboxStatus.IN_FLIGHT: "accent",
    OutboxStatus.RETRYING: "warn",
    OutboxStatus.SENT: "success",
    OutboxStatus.DEAD: "danger",
    OutboxStatus.DISCARDED: "muted",
    InboxStatus.RECEIVED: "info",
    InboxStatus.APPLIED: "success",
    InboxStatus.FAILED: "danger",
    InboxStatus.IGNORED: "muted",
}


def short_duration(delta: timedelta) -> str:
    """Durations like 42 s, 3 min, 2 h 5 min, 3 d 4 h: they read at a glance, unlike "0 minutes"."""
    seconds = round(max(0.0, delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@dataclass
class TargetHealth:
    target: str
    oldest_undelivered_at: datetime | None = None
    pending: int = 0
    in_flight: int = 0
    retrying: int = 0
    dead: int = 0
    sent_5m: int = 0
    sent_1h: int = 0

    @property
    def lag(self) -> timedelta | None:
        if self.oldest_undelivered_at is None:
            return None
        return max(timedelta(0), timezone.now() - self.oldest_undelivered_at)

    @property
    def lag_display(self) -> str:
        return short_duration(self.lag) if self.lag is not None else ""

    @property
    def tone(self) -> str:
        if self.dead:
            return "danger"
        if self.retrying:
            return "warn"
        return "success"


@dataclass
class SourceHealth:
    source: str
    waiting: int = 0
    failed: int = 0
    applied_1h: int = 0
    oldest_failed_at: datetime | None = None

    @property
    def oldest_failed_display(self) -> str:
        if self.oldest_failed_at is None:
            return ""
        return short_duration(timezone.now() - self.oldest_failed_at)


def target_health(*, now: datetime | None = None) -> list[TargetHealth]:
    """One line per target: lag, throughput, failures, dead letters.

    Two small queries instead of one over the whole table: undelivered rows are few, and
    sent rows are read only for the last hour, through the (status, sent_at) index.
    """
    now = now or timezone.now()
    health: dict[str, TargetHealth] = {t: TargetHealth(t) for t in deliverers.names()}
    undelivered = (
        OutboxMessage.objects.filter(status__in=BLOCKING_STATUSES)
        .values("target")
        .annotate(
            oldest=Min("created_at", filter=Q(status__in=FLOWING_STATUSES)),
            pending=Count("id", filter=Q(status=OutboxStatus.PENDING)),
            in_flight=Count("id", filter=Q(status=OutboxStatus.IN_FLIGHT)),
            retrying=Count("id", filter=Q(status=OutboxStatus.RETRYING)),
            dead=Count("id", filter=Q(status=OutboxStatus.DEAD)),
        )
        .order_by()
    )
    for row in undelivered:
        line = health.setdefault(row["target"], TargetHealth(row["target"]))
        line.oldest_undelivered_at = row["oldest"]
        line.pending, line.in_flight = row["pending"], row["in_flight"]
        line.retrying, line.dead = row["retrying"], row["dead"]
    sent = (
        OutboxMessage.objects.filter(
            status=OutboxStatus.SENT, sent_at__gte=now - timedelta(hours=1)
        )
        .values("target")
        .annotate(
            last_hour=Count("id"),
            last_5m=Count("id", filter=Q(sent_at__gte=now - timedelta(minutes=5))),
        )
        .order_by()
    )
    for row in sent:
        line = health.setdefault(row["target"], TargetHealth(row["target"]))
        line.sent_1h, line.sent_5m = row["last_hour"], row["last_5m"]
    return sorted(health.values(), key=lambda h: h.target)


def source_health(*, now: datetime | None = None) -> list[SourceHealth]:
    now = now or timezone.now()
    health: dict[str, SourceHealth] = {s: SourceHealth(s) for s in appliers.names()}
    open_rows = (
        InboxEvent.objects.filter(status__in=(InboxStatus.RECEIVED, InboxStatus.FAILED))
        .values("source")
        .annotate(
            waiting=Count("id", filter=Q(status=InboxStatus.RECEIVED)),
            failed=Count("id", filter=Q(status=InboxStatus.FAILED)),
            oldest_failed=Min("received_at", filter=Q(status=InboxStatus.FAILED)),
        )
        .order_by()
    )
    for row in open_rows:
        line = health.setdefault(row["source"], SourceHealth(row["source"]))
        line.waiting, line.failed = row["waiting"], row["failed"]
        line.oldest_failed_at = row["oldest_failed"]
    applied = (
        InboxEvent.objects.filter(
            status=InboxStatus.APPLIED, applied_at__gte=now - timedelta(hours=1)
        )
        .values("source")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in applied:
        health.setdefault(row["source"], SourceHealth(row["source"])).applied_1h = row["n"]
    return sorted(health.values(), key=lambda h: h.source)


def outbox_targets() -> list[str]:
    found = OutboxMessage.objects.order_by().values_list("target", flat=True).distinct()
    return sorted(set(found) | set(deliverers.names()))


def inbox_sources() -> list[str]:
    found = InboxEvent.objects.order_by().values_list("source", flat=True).distinct()
    return sorted(set(found) | set(appliers.names()))


@dataclass
class Page:
    rows: list
    next_before: int | None = None
    filters: dict = field(default_factory=dict)


def outbox_message_page(
    *,
    target: str = "",
    status: str = "",
    key: str = "",
    before: int | None = None,
    now: datetime | None = None,
) -> Page:
    """Newest first, keyset-paged by id; every row knows what happens to it next."""
    qs: QuerySet = OutboxMessage.objects.select_related("case").order_by("-id")
    if target:
        qs = qs.filter(target=target)
    if key:
        qs = qs.filter(key=key)
    if status:
        qs = qs.filter(status=status)
    if before:
        qs = qs.filter(id__lt=before)
    rows = list(qs[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    annotate_next_steps(rows, now=now)
    return Page(rows=rows, next_before=rows[-1].pk if has_more else None)


def annotate_next_steps(rows: list[OutboxMessage], *, now: datetime | None = None) -> None:
    """Set `.next_step` and `.tone` on each row, with one query for the heads of their keys."""
    now = now or timezone.now()
    keys = {row.key for row in rows if row.status in BLOCKING_STATUSES}
    heads = (
        dict(
            OutboxMessage.objects.filter(key__in=keys, status__in=BLOCKING_STATUSES)
            .values("key")
            .annotate(head=Min("id"))
            .values_list("key", "head")
        )
        if keys
        else {}
    )
    waiting = (
        dict(
            OutboxMessage.objects.filter(key__in=keys, status__in=FLOWING_STATUSES)
            .values("key")
            .annotate(n=Count("id"))
            .values_list("key", "n")
        )
        if keys
        else {}
    )
    for row in rows:
        head = heads.get(row.key)
        row.blocked_by = head if head is not None and head < row.pk else None
        row.waiting_behind = waiting.get(row.key, 0) - (1 if row.status in FLOWING_STATUSES else 0)
        row.tone = STATUS_TONES.get(row.status, "neutral")
        row.next_step = next_step(row, now=now)


def next_step(message: OutboxMessage, *, now: datetime) -> str:
    """What happens to the row next, in words an operator acts on."""
    of = f"attempt {message.attempts + 1} of {message.attempt_limit}"
    blocked_by = getattr(message, "blocked_by", None)
    status = message.status
    if status in (OutboxStatus.PENDING, OutboxStatus.RETRYING) and blocked_by:
        return f"Waiting for #{blocked_by}, an earlier message of the same key, to be delivered."
    if status == OutboxStatus.PENDING:
        if message.next_attempt_at <= now:
            return f"Queued for delivery now ({of})."
        return f"Delivery in {short_duration(message.next_attempt_at - now)} ({of})."
    if status == OutboxStatus.RETRYING:
        if message.next_attempt_at <= now:
            return f"Next attempt within seconds ({of})."
        return f"Next attempt in {short_duration(message.next_attempt_at - now)} ({of})."
    if status == OutboxStatus.IN_FLIGHT:
        if message.claimed_until and message.claimed_until <= now:
            return (
                "The worker was lost mid-delivery; it is sent again within seconds, with the "
                "same idempotency key, so the remote applies it once."
            )
        return f"Being delivered now (attempt {message.attempts} of {message.attempt_limit})."
    if status == OutboxStatus.DEAD:
        behind = getattr(message, "waiting_behind", 0)
        held = (
            f" {behind} later message{'s' if behind != 1 else ''} of the same key wait{'s' if behind == 1 else ''} behind it."
            if behind
            else ""
        )
        return f"Nothing happens on its own: retry it once the cause is fixed, or discard it with a reason.{held}"
    if status == OutboxStatus.SENT and message.sent_at:
        tries = f"{message.attempts} attempt{'s' if message.attempts != 1 else ''}"
        return f"Delivered {short_duration(now - message.sent_at)} ago after {tries}."
    if status == OutboxStatus.DISCARDED:
        return f"Discarded: {message.discard_reason}"
    return ""


def outbox_message_detail(*, pk: int) -> OutboxMessage:
    message = (
        OutboxMessage.objects.select_related("case", "case__partner")
        .prefetch_related("delivery_attempts")
        .get(pk=pk)
    )
    annotate_next_steps([message])
    return message


def inbox_event_page(*, source: str = "", status: str = "", before: int | None = None) -> Page:
    qs: QuerySet = InboxEvent.objects.order_by("-id")
    if source:
        qs = qs.filter(source=source)
    if status:
        qs = qs.filter(status=status)
    if before:
        qs = qs.filter(id__lt=before)
    rows = list(qs[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    now = timezone.now()
    for row in rows:
        row.tone = STATUS_TONES.get(row.status, "neutral")
        row.next_step = inbox_next_step(row, now=now)
    return Page(rows=rows, next_before=rows[-1].pk if has_more else None)


def inbox_next_step(event: InboxEvent, *, now: datetime) -> str:
    if event.status == InboxStatus.FAILED:
        if event.next_attempt_at is None:
            return f"Gave up after {event.attempts} attempts: retry it once the cause is fixed, or ignore it."
        if event.next_attempt_at <= now:
            return f"Next attempt at the next sweep (attempt {event.attempts + 1})."
        return f"Next attempt in {short_duration(event.next_attempt_at - now)} (attempt {event.attempts + 1})."
    if event.status == InboxStatus.RECEIVED:
        return "Being applied."
    if event.status == InboxStatus.APPLIED and event.applied_at:
        return f"Applied {short_duration(now - event.applied_at)} ago."
    if event.status == InboxStatus.IGNORED:
        return event.error or "Ignored."
    return ""


def inbox_event_detail(*, pk: int) -> InboxEvent:
    event = InboxEvent.objects.get(pk=pk)
    event.tone = STATUS_TONES.get(event.status, "neutral")
    event.next_step = inbox_next_step(event, now=timezone.now())
    return event
