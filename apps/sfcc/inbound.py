"""SFCC orders coming in: the signed push and the reconciliation poll, both through the inbox.

Both paths record an event in the inbox by its source id before anything is applied, so a
replay (the simulator's retries, a push the poll also sees, a poll that re-reads a page)
changes nothing: the inbox dedupes by id, and the mirror ignores versions not newer than it.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.sfcc.client import OrdersClient, format_sfcc_datetime, parse_sfcc_datetime
from apps.sync.errors import IgnoreEvent
from apps.sync.models import InboxEvent, InboxStatus
from apps.sync.services import inbox_apply, inbox_record

from . import conf, services
from .documents import reduce_order
from .models import PollCursor

logger = logging.getLogger("apps.sfcc")

PUSH_SOURCE = "sfcc.push"
POLL_SOURCE = "sfcc.poll"
ORDER_EVENT_TYPES = frozenset({"order.created", "order.updated"})
POLL_PAGE_SIZE = 200
POLL_LOCK_KEY = "sfcc:poll:lock"
# Longer than a poll of a busy backlog takes, shorter than an operator's patience when a
# worker died holding it.
POLL_LOCK_SECONDS = 600
KICK_INTERVAL_SECONDS = 0.05
CLOCK_SKEW_SECONDS = 0.05  # web and worker hosts are NTP-synced far better than this
DRAIN_BATCH = 200
DRAIN_BUDGET_SECONDS = 120.0  # well inside the task's soft time limit


class PushRejected(ValueError):
    """A correctly signed push whose body is not an order event we understand."""


def push_payload(event: Any) -> dict[str, Any]:
    """What the inbox keeps of a pushed event: its envelope and the reduced order."""
    if not isinstance(event, dict):
        raise PushRejected("The body must be a JSON object.")
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 200:
        raise PushRejected("The event needs a string id of at most 200 characters.")
    data = event.get("data")
    order = data.get("order") if isinstance(data, dict) else None
    if not isinstance(order, dict) or not order.get("orderNo"):
        raise PushRejected("The event needs data.order with an orderNo.")
    return {
        "id": event_id,
        "type": str(event.get("type") or ""),
        "created": event.get("created"),
        "orderNo": str(order["orderNo"]),
        "lastModified": order.get("lastModified") or data.get("lastModified"),
        "order": reduce_order(order),
    }


def push_record(*, event: Any) -> tuple[InboxEvent, bool]:
    """Record a verified push by its event id (committed on return); applying is kicked after."""
    payload = push_payload(event)
    recorded, created = inbox_record(
        source=PUSH_SOURCE, source_id=payload["id"], payload=payload, dispatch=False
    )
    if created:
        transaction.on_commit(kick_push_drain, robust=True)
    return recorded, created


class _KickThrottle:
    """When this process last queued a drain; at most one kick per interval per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = float("-inf")

    def take(self, now: float) -> bool:
        with self._lock:
            if now - self._last < KICK_INTERVAL_SECONDS:
                return False
            self._last = now
            return True


_kicks = _KickThrottle()


def kick_push_drain() -> None:
    """Queue a drain of recorded pushes, at most one per process every KICK_INTERVAL_SECONDS.

    A task per event would cost the push endpoint more than everything else it does (the
    broker publish is the largest part of a request), and so would a shared "drain queued"
    flag in the cache. So each process throttles its own kicks, and every drain looks for
    work one last time no earlier than KICK_INTERVAL_SECONDS (plus a margin for clock skew)
    after its kick: an event whose kick was skipped committed before that look, because its
    process had kicked less than an interval before. If a drain is lost, the inbox sweep
    applies what is left when the events' lease runs out.
    """
    now = time.time()
    if _kicks.take(now):
        from .tasks import apply_pushed_events

        apply_pushed_events.delay(now)


def drain_pushed_events(
    *, kicked_at: float | None = None, budget_seconds: float = DRAIN_BUDGET_SECONDS
) -> int:
    """Apply recorded, not yet applied pushes in the order they arrived; returns how many."""
    deadline = time.monotonic() + budget_seconds
    last_look = (kicked_at or 0.0) + KICK_INTERVAL_SECONDS + CLOCK_SKEW_SECONDS
    applied = 0
    while True:
        ids = list(
            InboxEvent.objects.filter(source=PUSH_SOURCE, status=InboxStatus.RECEIVED)
            .order_by("id")
            .values_list("id", flat=True)[:DRAIN_BATCH]
        )
        if not ids:
            wait = last_look - time.time()
            if wait <= 0:
                return applied
            time.sleep(min(wait, KICK_INTERVAL_SECONDS + CLOCK_SKEW_SECONDS))
            continue
        for event_id in ids:
            # Locks the event and skips it if another drain or the sweep got there first.
            inbox_apply(event_id)
            applied += 1
        if time.monotonic() > deadline:
            from .tasks import apply_pushed_events

            apply_pushed_events.delay(time.time())  # a long backlog continues in a fresh task
            return applied


def _apply_document(document: dict[str, Any]) -> None:
    try:
        result = services.order_apply(document=document)
    except services.OrderDocumentError as exc:
        raise IgnoreEvent(str(exc)) from exc
    if result.outcome == services.ApplyOutcome.STALE:
        raise IgnoreEvent("Not newer than the mirrored order.")
    if result.outcome == services.ApplyOutcome.OTHER_SITE:
        raise IgnoreEvent(f"Order of another site than {conf.site_id()}.")


def apply_pushed_event(event: InboxEvent) -> None:
    """Inbox applier for pushes (runs inside the apply transaction)."""
    if event.payload.get("type") not in ORDER_EVENT_TYPES:
        raise IgnoreEvent(f"Event type {event.payload.get('type')!r} carries no order change.")
    order = dict(event.payload["order"])
    order.setdefault("lastModified", event.payload.get("lastModified"))
    _apply_document(order)


def apply_polled_order(event: InboxEvent) -> None:
    """Inbox applier for polled orders (runs inside the apply transaction)."""
    _apply_document(event.payload)


# --- the reconciliation poll ----------------------------------------------------------------


@dataclass
class PollResult:
    seen: int = 0
    recorded: int = 0
    applied: int = 0
    watermark: datetime | None = None
    skipped: str = ""


def poll_source_id(order: dict[str, Any]) -> str:
    return f"{order['orderNo']}@{order.get('lastModified') or ''}"


def _record_and_apply(order: dict[str, Any], result: PollResult) -> None:
    event, created = inbox_record(
        source=POLL_SOURCE,
        source_id=poll_source_id(order),
        payload=reduce_order(order),
        dispatch=False,
    )
    if created:
        result.recorded += 1
    # A replayed row that an earlier poll recorded but never applied is applied now; applied
    # and ignored rows are done, failed ones are the inbox sweep's to retry with backoff.
    if event.status == InboxStatus.RECEIVED and inbox_apply(event.pk).status == InboxStatus.APPLIED:
        result.applied += 1


def _store_watermark(site_id: str, watermark: datetime, seen: int) -> None:
    with transaction.atomic():
        cursor = PollCursor.objects.select_for_update().get(site_id=site_id)
        if cursor.watermark is None or watermark > cursor.watermark:
            cursor.watermark = watermark
        cursor.orders_seen += seen
        cursor.save(update_fields=["watermark", "orders_seen"])


def poll_changed_orders(
    *,
    client: OrdersClient | None = None,
    now: datetime | None = None,
    page_size: int = POLL_PAGE_SIZE,
) -> PollResult:
    """Read every order changed since the watermark, record and apply it, then move the watermark.

    The watermark moves only after a page of orders has been applied, so a poll that dies
    half-way re-reads the page next time (the inbox makes the re-read harmless). It is the
    newest lastModified seen, read again inclusively: orders sharing that millisecond are
    fetched again and deduplicated by (orderNo, lastModified).
    """
    if not conf.enabled():
        return PollResult(skipped="disabled")
    token = uuid.uuid4().hex
    # Single flight across processes: beat may fire again while a long poll still runs.
    if not cache.add(POLL_LOCK_KEY, token, timeout=POLL_LOCK_SECONDS):
        return PollResult(skipped="another poll is running")
    result = PollResult()
    now = now or timezone.now()
    site_id = conf.site_id()
    try:
        cursor, _ = PollCursor.objects.get_or_create(site_id=site_id)
        since = cursor.watermark or now - timedelta(hours=conf.poll_lookback_hours())
        if client is None:
            from .deliverer import get_client

            client = get_client()
        page: list[dict[str, Any]] = []
        newest = since

        def flush() -> None:
            for order in page:
                _record_and_apply(order, result)
            _store_watermark(site_id, newest, len(page))
            result.watermark = newest
            page.clear()

        for order in client.iter_changed_orders(since=since, page_size=page_size):
            result.seen += 1
            page.append(order)
            stamp = order.get("lastModified")
            if stamp:
                newest = max(newest, parse_sfcc_datetime(stamp))
            if len(page) >= page_size:
                flush()
        if page:
            flush()
        PollCursor.objects.filter(site_id=site_id).update(last_run_at=timezone.now(), last_error="")
    except Exception as exc:
        PollCursor.objects.filter(site_id=site_id).update(
            last_run_at=timezone.now(), last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    finally:
        if cache.get(POLL_LOCK_KEY) == token:
            cache.delete(POLL_LOCK_KEY)
    logger.info(
        "SFCC poll: %d orders seen, %d new, %d applied, watermark %s",
        result.seen,
        result.recorded,
        result.applied,
        format_sfcc_datetime(result.watermark) if result.watermark else "-",
    )
    return result
