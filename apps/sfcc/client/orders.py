"""SCAPI Orders Admin calls (read, status and attribute writes) plus OCAPI Shop order notes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from apps.sfcc.client.auth import TokenProvider, TokenStore
from apps.sfcc.client.config import SfccConfig
from apps.sfcc.client.errors import SfccError
from apps.sfcc.client.session import SfccResponse, SfccSession
from apps.sfcc.client.timestamps import format_sfcc_datetime, parse_sfcc_datetime

MAX_PAGE_SIZE = 200
MAX_WINDOW = 10_000  # SCAPI refuses offset + limit above this

ORDER_STATUSES = frozenset(
    {"created", "new", "completed", "cancelled", "failed", "failed_with_reopen"}
)
SHIPPING_STATUSES = frozenset({"not_shipped", "part_shipped", "shipped"})
PAYMENT_STATUSES = frozenset({"not_paid", "part_paid", "paid"})
EXPORT_STATUSES = frozenset({"not_exported", "ready", "exported", "failed"})
CONFIRMATION_STATUSES = frozenset({"confirmed", "not_confirmed"})


@dataclass(frozen=True)
class WriteResult:
    """A write SFCC accepted (204, or 201 for a status change that reopened a basket)."""

    status_code: int
    correlation_id: str
    server_correlation_id: str | None
    location: str | None = None


def _csv(values: str | Sequence[str] | None) -> str | None:
    if values is None or isinstance(values, str):
        return values
    return ",".join(values)


class OrdersClient:
    """The SFCC calls the portal makes; safe to share between threads."""

    def __init__(
        self,
        *,
        api_base_url: str,
        organization_id: str,
        site_id: str,
        token_provider: TokenProvider,
        ocapi_base_url: str = "",
        ocapi_version: str = "v24_5",
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        read_retries: int = 2,
        max_retry_wait: float = 30.0,
        max_connections: int = 20,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.site_id = site_id
        self._orders_url = (
            f"{api_base_url.rstrip('/')}/checkout/orders/v1/organizations/{organization_id}/orders"
        )
        self._ocapi_url = (
            f"{ocapi_base_url.rstrip('/')}/s/{quote(site_id, safe='')}/dw/shop/{ocapi_version}"
            if ocapi_base_url
            else ""
        )
        self._tokens = token_provider
        self._session = SfccSession(
            token_provider=token_provider,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            read_retries=read_retries,
            max_retry_wait=max_retry_wait,
            max_connections=max_connections,
            transport=transport,
            sleep=sleep,
        )

    @classmethod
    def from_config(
        cls,
        config: SfccConfig,
        *,
        token_store: TokenStore | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> OrdersClient:
        """The usual way in: ``OrdersClient.from_config(cfg, token_store=django_cache)``."""
        provider = TokenProvider(
            client_id=config.client_id,
            client_secret=config.client_secret,
            scopes=config.scopes,
            token_url=config.token_url,
            store=token_store,
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            transport=transport,
        )
        return cls(
            api_base_url=config.api_base_url,
            organization_id=config.organization_id,
            site_id=config.site_id,
            token_provider=provider,
            ocapi_base_url=config.ocapi_base_url,
            ocapi_version=config.ocapi_version,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            read_retries=config.read_retries,
            max_retry_wait=config.max_retry_wait,
            max_connections=config.max_connections,
            transport=transport,
            sleep=sleep,
        )

    @property
    def token_provider(self) -> TokenProvider:
        return self._tokens

    def close(self) -> None:
        self._session.close()
        self._tokens.close()

    def __enter__(self) -> OrdersClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Reads -----------------------------------------------------------------------------

    def get_orders(
        self,
        *,
        last_modified_from: datetime | str | None = None,
        last_modified_to: datetime | str | None = None,
        creation_date_from: datetime | str | None = None,
        creation_date_to: datetime | str | None = None,
        status: str | Sequence[str] | None = None,
        export_status: str | Sequence[str] | None = None,
        external_status: str | None = None,
        payment_status: str | Sequence[str] | None = None,
        shipping_status: str | Sequence[str] | None = None,
        confirmation_status: str | None = None,
        offset: int = 0,
        limit: int = 100,
        sort_by: str = "last_modified_date",
        sort_order: str = "asc",
        correlation_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """One page of ``getOrders``; there is no total, so a short page means the end."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}")
        if offset < 0 or offset + limit > MAX_WINDOW:
            raise ValueError(f"offset + limit must stay within {MAX_WINDOW}")
        dates = {
            "lastModifiedDateFrom": last_modified_from,
            "lastModifiedDateTo": last_modified_to,
            "creationDateFrom": creation_date_from,
            "creationDateTo": creation_date_to,
        }
        filters = {
            "status": _csv(status),
            "exportStatus": _csv(export_status),
            "externalStatus": external_status,
            "paymentStatus": _csv(payment_status),
            "shippingStatus": _csv(shipping_status),
            "confirmationStatus": confirmation_status,
        }
        params: dict[str, Any] = {
            "siteId": self.site_id,
            "sortBy": sort_by,
            "sortOrder": sort_order,
            "offset": offset,
            "limit": limit,
        }
        params.update({k: format_sfcc_datetime(v) for k, v in dates.items() if v is not None})
        params.update({k: v for k, v in filters.items() if v is not None})
        response = self._session.request(
            "GET", self._orders_url, params=params, correlation_id=correlation_id, retry=True
        )
        if not isinstance(response.body, dict) or not isinstance(response.body.get("data"), list):
            raise SfccError("getOrders answered without a data list", status=response.status_code)
        return response.body["data"]

    def iter_changed_orders(
        self,
        *,
        since: datetime | str,
        until: datetime | str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every order modified at or after ``since``, oldest change first.

        Pages by moving the ``lastModifiedDateFrom`` watermark to the newest ``lastModified``
        seen after every page, so the offset only walks orders that share one timestamp and
        never approaches the 10,000 window. Orders that change while we page move past the
        watermark and are fetched again rather than shifting unseen orders out of reach, as
        plain offset paging would. Orders stamped exactly ``since`` are yielded again; persist
        the last yielded ``lastModified`` as the next ``since`` and dedupe on
        (orderNo, lastModified).
        """
        watermark = parse_sfcc_datetime(format_sfcc_datetime(since))
        # Order numbers already yielded at the watermark, and how many positions of the
        # server's tie group at the watermark we have walked past.
        seen_at_watermark: set[str] = set()
        passed_at_watermark = 0
        # Re-read part of a tie group so an order leaving it between two requests cannot
        # push an unseen one behind our offset.
        overlap = page_size // 4
        while True:
            offset = max(0, passed_at_watermark - overlap)
            if offset + page_size > MAX_WINDOW:
                raise SfccError(
                    f"More than {MAX_WINDOW - page_size} orders share lastModified "
                    f"{format_sfcc_datetime(watermark)}; they cannot be paged through SCAPI"
                )
            page = self.get_orders(
                last_modified_from=watermark,
                last_modified_to=until,
                offset=offset,
                limit=page_size,
            )
            position = offset
            for order in page:
                # The spec only requires orderNo; an order without a stamp cannot move us on.
                raw_stamp = order.get("lastModified")
                stamp = parse_sfcc_datetime(raw_stamp) if raw_stamp else watermark
                if stamp > watermark:
                    watermark, seen_at_watermark, passed_at_watermark = stamp, set(), 0
                    position = 0
                position += 1
                if stamp == watermark:
                    passed_at_watermark = max(passed_at_watermark, position)
                    if order["orderNo"] in seen_at_watermark:
                        continue
                    seen_at_watermark.add(order["orderNo"])
                yield order
            if len(page) < page_size:
                return

    def get_order(self, *, order_no: str, correlation_id: str | None = None) -> dict[str, Any]:
        response = self._session.request(
            "GET",
            self._order_url(order_no),
            params={"siteId": self.site_id},
            correlation_id=correlation_id,
            retry=True,
        )
        return response.body

    # Writes ----------------------------------------------------------------------------

    def update_status(
        self,
        *,
        order_no: str,
        status: str,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> WriteResult:
        """Raises SfccConflict when SFCC does not allow the transition."""
        return self._put_status(
            order_no, "status", status, ORDER_STATUSES, idempotency_key, correlation_id
        )

    def update_shipping_status(
        self,
        *,
        order_no: str,
        status: str,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> WriteResult:
        return self._put_status(
            order_no, "shipping-status", status, SHIPPING_STATUSES, idempotency_key, correlation_id
        )

    def update_payment_status(
        self,
        *,
        order_no: str,
        status: str,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> WriteResult:
        return self._put_status(
            order_no, "payment-status", status, PAYMENT_STATUSES, idempotency_key, correlation_id
        )

    def update_export_status(
        self,
        *,
        order_no: str,
        status: str,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> WriteResult:
        return self._put_status(
            order_no, "export-status", status, EXPORT_STATUSES, idempotency_key, correlation_id
        )

    def update_confirmation_status(
        self,
        *,
        order_no: str,
        status: str,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> WriteResult:
        return self._put_status(
            order_no,
            "confirmation-status",
            status,
            CONFIRMATION_STATUSES,
            idempotency_key,
            correlation_id,
        )

    def update_external_status(
        self,
        *,
        order_no: str,
        status: str,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> WriteResult:
        """Free text (1-256 characters): where the portal shows the partner-facing state."""
        if not 1 <= len(status) <= 256:
            raise ValueError("external status must be 1-256 characters")
        return self._put_status(
            order_no, "external-status", status, None, idempotency_key, correlation_id
        )

    def patch_custom_attributes(
        self,
        *,
        order_no: str,
        attrs: Mapping[str, Any],
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> WriteResult:
        """Set ``c_`` attributes (``None`` clears one); SCAPI accepts nothing else here."""
        if not attrs:
            raise ValueError("attrs must not be empty")
        bad = sorted(k for k in attrs if not k.startswith("c_") or len(k) < 3)
        if bad:
            raise ValueError(f"only c_ custom attributes can be patched, got {bad}")
        response = self._session.request(
            "PATCH",
            self._order_url(order_no),
            params={"siteId": self.site_id},
            json=dict(attrs),
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
        )
        return self._written(response)

    def add_note(
        self,
        *,
        order_no: str,
        subject: str,
        text: str,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> dict[str, Any]:
        """Append a human-readable note through OCAPI Shop; returns the order document."""
        if not subject or not text:
            raise ValueError("a note needs a subject and a text")
        response = self._session.request(
            "POST",
            self._notes_url(order_no),
            json={"subject": subject, "text": text},
            headers={"x-dw-client-id": self._tokens.client_id},
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
        )
        return response.body or {}

    def list_notes(self, *, order_no: str) -> list[dict[str, Any]]:
        response = self._session.request(
            "GET",
            self._notes_url(order_no),
            headers={"x-dw-client-id": self._tokens.client_id},
            retry=True,
        )
        return list((response.body or {}).get("notes", []))

    # Helpers ---------------------------------------------------------------------------

    def _order_url(self, order_no: str) -> str:
        if not order_no:
            raise ValueError("order_no is required")
        return f"{self._orders_url}/{quote(order_no, safe='')}"

    def _notes_url(self, order_no: str) -> str:
        if not self._ocapi_url:
            raise SfccError("OCAPI base URL is not configured; order notes are unavailable")
        if not order_no:
            raise ValueError("order_no is required")
        return f"{self._ocapi_url}/orders/{quote(order_no, safe='')}/notes"

    def _put_status(
        self,
        order_no: str,
        segment: str,
        status: str,
        allowed: frozenset[str] | None,
        idempotency_key: str | None,
        correlation_id: str | None,
    ) -> WriteResult:
        if allowed is not None and status not in allowed:
            raise ValueError(f"{segment} must be one of {sorted(allowed)}, got {status!r}")
        response = self._session.request(
            "PUT",
            f"{self._order_url(order_no)}/{segment}",
            params={"siteId": self.site_id},
            json={"status": status},
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
        )
        return self._written(response)

    @staticmethod
    def _written(response: SfccResponse) -> WriteResult:
        return WriteResult(
            status_code=response.status_code,
            correlation_id=response.correlation_id,
            server_correlation_id=response.server_correlation_id,
            location=response.headers.get("location"),
        )
