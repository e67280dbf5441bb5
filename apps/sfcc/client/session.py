"""One pooled HTTP session to SFCC: token, correlation ids, 401 refresh, bounded read retries."""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from apps.sfcc.client.auth import TokenProvider
from apps.sfcc.client.errors import (
    SfccError,
    SfccRetryable,
    error_from_response,
    error_from_transport,
)

logger = logging.getLogger("apps.sfcc.client")

USER_AGENT = "crossdock-sfcc-client/1"


@dataclass(frozen=True)
class SfccResponse:
    """What a successful call returned, with the ids to log next to it."""

    status_code: int
    body: Any
    correlation_id: str
    server_correlation_id: str | None
    headers: Mapping[str, str]


class SfccSession:
    """Sends requests with auth and tracing headers and turns failures into SfccError."""

    def __init__(
        self,
        *,
        token_provider: TokenProvider,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        read_retries: int = 2,
        max_retry_wait: float = 30.0,
        max_connections: int = 20,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._tokens = token_provider
        self._read_retries = read_retries
        self._max_retry_wait = max_retry_wait
        self._sleep = sleep
        # One client for the process: keep-alive connections are reused across calls.
        self._http = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
        retry: bool = False,
    ) -> SfccResponse:
        """Send once (plus one retry after a 401); ``retry`` allows bounded waits on 429/5xx.

        Writes pass ``retry=False``: the outbox owns their backoff, and retrying here would hide
        attempts from its log.
        """
        cid = correlation_id or str(uuid.uuid4())
        attempt = 0
        refreshed = False
        while True:
            token = self._tokens.get_token()
            sent_headers = {
                "Authorization": f"Bearer {token}",
                # SCAPI reads ``correlation-id`` and echoes it in ``x-correlation-id``; we send
                # both names so proxies and the simulator log the same id whichever they read.
                "correlation-id": cid,
                "x-correlation-id": cid,
                **(headers or {}),
            }
            if idempotency_key:
                sent_headers["Idempotency-Key"] = idempotency_key
            try:
                response = self._http.request(
                    method, url, params=params, json=json, headers=sent_headers
                )
            except httpx.TransportError as exc:
                error: SfccError = error_from_transport(exc, correlation_id=cid)
                error.__cause__ = exc
            else:
                if response.is_success:
                    return self._success(response, cid)
                if response.status_code == 401 and not refreshed:
                    # The token expired early or was revoked: a 401 means nothing was applied,
                    # so one retry with a new token is safe for writes too.
                    refreshed = True
                    self._tokens.invalidate(token=token)
                    logger.info("SFCC answered 401; refreshing token (correlation_id=%s)", cid)
                    continue
                error = error_from_response(response, correlation_id=cid)
            wait = self._retry_wait(error, attempt) if retry else None
            if wait is None:
                raise error
            attempt += 1
            logger.warning(
                "SFCC %s %s failed (%s); retry %d in %.1fs", method, url, error, attempt, wait
            )
            self._sleep(wait)

    def _retry_wait(self, error: SfccError, attempt: int) -> float | None:
        if not isinstance(error, SfccRetryable) or attempt >= self._read_retries:
            return None
        if error.retry_after is not None:
            # Waiting longer than allowed would stall the caller; let it reschedule instead.
            return error.retry_after if error.retry_after <= self._max_retry_wait else None
        return min(self._max_retry_wait, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)

    @staticmethod
    def _success(response: httpx.Response, cid: str) -> SfccResponse:
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError as exc:
                raise SfccError(
                    "SFCC returned a body that is not JSON",
                    status=response.status_code,
                    correlation_id=cid,
                ) from exc
        return SfccResponse(
            status_code=response.status_code,
            body=body,
            correlation_id=cid,
            server_correlation_id=response.headers.get("x-correlation-id"),
            headers=response.headers,
        )
