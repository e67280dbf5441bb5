"""SFCC orders coming in: the signed push and the reconciliation poll, both through the inbox.

Both paths record an event in the inbox by its source id before anything is applied, so a
replay (the simulator's retries, a push the poll also sees, a poll that re-reads a page)
changes nothing: the inbox dedupes by id, and the mirror ignores versions not newer than it.
"""

import logging
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
    """Record a verified push by its event id; applying is queued for after the commit."""
    payload = push_payload(event)
    with transaction.atomic():
        return inbox_record(source=PUSH_SOURCE, source_id=payload["id"], payload=payload)


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
