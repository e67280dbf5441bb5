"""Exceptions raised by the SFCC client, parsed from RFC 7807, OCAPI fault and OAuth bodies."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import httpx

# Statuses worth another attempt later: throttling, load shedding and gateway trouble.
# 500 is included because SCAPI answers transient platform failures with it; the outbox
# still gives up after its bounded number of attempts.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class SfccError(Exception):
    """Any failed call to SFCC, with what the server said about it."""

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        title: str = "",
        type: str = "",
        correlation_id: str | None = None,
        server_correlation_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.correlation_id = correlation_id
        self.server_correlation_id = server_correlation_id
        self.body = body

    def __str__(self) -> str:
        head = f"{self.status} {self.title}".strip() if self.status else self.title
        parts = [p for p in (head, self.detail) if p]
        if self.correlation_id:
            parts.append(f"correlation_id={self.correlation_id}")
        return " | ".join(parts) or self.__class__.__name__


class SfccRetryable(SfccError):
    """Worth retrying later: 429, 5xx, connection failures and timeouts."""

    def __init__(self, detail: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = retry_after


class SfccConnectionError(SfccRetryable):
    """The request never got an HTTP answer (refused, reset, timed out)."""


class SfccAuthError(SfccError):
    """Credentials or token rejected (401/403), or the token endpoint refused us."""


class SfccNotFound(SfccError):
    """The order (or site) does not exist."""


class SfccConflict(SfccError):
    """The change is not allowed in the order's current state (409)."""


class SfccBadRequest(SfccError):
    """SFCC refused the request as malformed (400, 413, 422 ...); retrying will not help."""


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header given as delta-seconds or an HTTP date."""
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
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _body_fields(response: httpx.Response) -> tuple[str, str, str, Any]:
    """(type, title, detail, parsed body) from whichever error dialect the body speaks."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = response.text[:500]
        return "", response.reason_phrase, text, text
    if not isinstance(body, dict):
        return "", response.reason_phrase, str(body)[:500], body
    fault = body.get("fault")
    if isinstance(fault, dict):  # OCAPI: {"_v": ..., "fault": {"type", "message"}}
        kind = str(fault.get("type", ""))
        return kind, kind, str(fault.get("message", "")), body
    if "error" in body and "title" not in body:  # OAuth 2 token endpoint
        kind = str(body.get("error", ""))
        return kind, kind, str(body.get("error_description", "")), body
    return (
        str(body.get("type", "")),
        str(body.get("title", response.reason_phrase)),
        str(body.get("detail", "")),
        body,
    )


def error_from_response(
    response: httpx.Response, *, correlation_id: str | None = None
) -> SfccError:
    """Map a non-success response to the matching exception (not raised here)."""
    kind, title, detail, body = _body_fields(response)
    status = response.status_code
    common: dict[str, Any] = {
        "status": status,
        "title": title,
        "type": kind,
        "correlation_id": correlation_id,
        "server_correlation_id": response.headers.get("x-correlation-id"),
        "body": body,
    }
    detail = detail or f"HTTP {status} from {response.request.method} {response.request.url.path}"
    if status in RETRYABLE_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return SfccRetryable(detail, retry_after=retry_after, **common)
    if status in (401, 403):
        return SfccAuthError(detail, **common)
    if status == 404:
        return SfccNotFound(detail, **common)
    if status == 409:
        return SfccConflict(detail, **common)
    return SfccBadRequest(detail, **common)


def error_from_transport(exc: httpx.TransportError, *, correlation_id: str | None) -> SfccError:
    """Wrap an httpx transport failure; every one of them may succeed on a later attempt."""
    return SfccConnectionError(
        f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
        title="Connection failed",
        correlation_id=correlation_id,
    )
