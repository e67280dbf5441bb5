"""Account Manager client-credentials tokens, cached in a shared store, refreshed single-flight."""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import httpx

from apps.sfcc.client.errors import (
    SfccAuthError,
    SfccError,
    SfccRetryable,
    error_from_response,
    error_from_transport,
)

# An endpoint address, not a credential.
DEFAULT_TOKEN_URL = "https://account.demandware.com/dwsso/oauth2/access_token"  # noqa: S105


class TokenStore(Protocol):
    """The slice of Django's cache API the provider needs (``django.core.cache.cache`` fits)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any: ...

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool: ...

    def delete(self, key: str) -> Any: ...


class InMemoryTokenStore:
    """A process-local TokenStore for tests and scripts; the portal passes Django's cache."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> tuple[Any, float | None] | None:
        item = self._items.get(key)
        if item is not None and item[1] is not None and item[1] <= self._clock():
            del self._items[key]
            return None
        return item

    def _expiry(self, timeout: int | None) -> float | None:
        return None if timeout is None else self._clock() + timeout

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            item = self._live(key)
            return default if item is None else item[0]

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        with self._lock:
            self._items[key] = (value, self._expiry(timeout))

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._items[key] = (value, self._expiry(timeout))
            return True

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._items.pop(key, None) is not None


def am_scopes(*, tenant_id: str, write: bool = True) -> tuple[str, ...]:
    """Scopes for the Orders Admin API: the tenant scope SCAPI requires plus the orders scope."""
    return (f"SALESFORCE_COMMERCE_API:{tenant_id}", "sfcc.orders.rw" if write else "sfcc.orders")


class TokenProvider:
    """Hands out a valid bearer token, fetching a new one at most once at a time per cache."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        scopes: Sequence[str],
        token_url: str = DEFAULT_TOKEN_URL,
        store: TokenStore | None = None,
        refresh_margin: float = 60.0,
        lock_ttl: int = 20,
        wait_timeout: float = 25.0,
        poll_interval: float = 0.05,
        timeout: httpx.Timeout | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.scope = " ".join(scopes)
        self.token_url = token_url
        self._store: TokenStore = store if store is not None else InMemoryTokenStore()
        self._margin = refresh_margin
        # The lock outlives one token request (connect + read timeout) so a slow winner is
        # not joined by a second fetcher; a crashed winner frees it when the TTL runs out.
        self._lock_ttl = lock_ttl
        self._wait_timeout = wait_timeout
        self._poll = poll_interval
        self._clock = clock
        self._sleep = sleep
        self._http = httpx.Client(
            timeout=timeout or httpx.Timeout(10.0, connect=3.0), transport=transport
        )
        digest = hashlib.sha256(f"{client_id}\n{self.scope}".encode()).hexdigest()[:24]
        # Hashed so the key is safe for every cache backend and shared per (client, scopes).
        self.cache_key = f"sfcc:am-token:{digest}"
        self.lock_key = f"{self.cache_key}:refresh-lock"

    def close(self) -> None:
        self._http.close()

    def get_token(self) -> str:
        """A token that is valid now; refreshes it first when it is close to expiry."""
        deadline = time.monotonic() + self._wait_timeout
        while True:
            record = self._store.get(self.cache_key)
            now = self._clock()
            if record and now < record["refresh_at"]:
                return record["access_token"]
            if self._store.add(self.lock_key, secrets.token_hex(8), self._lock_ttl):
                try:
                    return self._refresh_locked()
                finally:
                    self._store.delete(self.lock_key)
            # Someone else is refreshing. A token that has not expired yet is still good.
            if record and now < record["expires_at"] - 1:
                return record["access_token"]
            if time.monotonic() >= deadline:
                raise SfccRetryable(
                    "Timed out waiting for another worker to refresh the SFCC token",
                    title="Token refresh pending",
                )
            self._sleep(self._poll)

    def invalidate(self, *, token: str | None = None) -> None:
        """Forget the cached token (only if it is ``token``, so a fresh one is not discarded)."""
        record = self._store.get(self.cache_key)
        if record and token is not None and record.get("access_token") != token:
            return
        self._store.delete(self.cache_key)

    def _refresh_locked(self) -> str:
        # Another process may have stored a fresh token between our read and winning the lock.
        record = self._store.get(self.cache_key)
        if record and self._clock() < record["refresh_at"]:
            return record["access_token"]
        record = self._fetch()
        ttl = max(1, math.floor(record["expires_at"] - self._clock()))
        self._store.set(self.cache_key, record, ttl)
        return record["access_token"]

    def _fetch(self) -> dict[str, Any]:
        started = self._clock()
        try:
            response = self._http.post(
                self.token_url,
                data={"grant_type": "client_credentials", "scope": self.scope},
                auth=(self.client_id, self._secret),
                headers={"Accept": "application/json"},
            )
        except httpx.TransportError as exc:
            raise error_from_transport(exc, correlation_id=None) from exc
        if response.status_code in (400, 401, 403):
            err = error_from_response(response)
            raise SfccAuthError(
                err.detail or "Account Manager refused the client credentials",
                status=err.status,
                title=err.title or "Token request refused",
                type=err.type,
                body=err.body,
            )
        if not response.is_success:
            raise error_from_response(response)
        try:
            body = response.json()
            token = str(body["access_token"])
            expires_in = float(body.get("expires_in", 1799))
        except (ValueError, KeyError, TypeError) as exc:
            raise SfccError("Account Manager returned an unreadable token response") from exc
        # Refresh ahead of expiry, but never sooner than half-way for very short lifetimes.
        lead = min(self._margin, expires_in / 2)
        return {
            "access_token": token,
            "expires_at": started + expires_in,
            "refresh_at": started + expires_in - lead,
            "scope": body.get("scope", self.scope),
        }
