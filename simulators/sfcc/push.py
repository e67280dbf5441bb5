"""Signed order events POSTed to the portal from a background thread, with retries."""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

SIGNATURE_HEADER = "Crossdock-Signature"


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    # The simulator shares no code with the portal, so the scheme is restated here.
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class Pusher:
    """Queues events and delivers them in order; gives up on one after ``max_attempts``."""

    def __init__(
        self,
        *,
        url: str = "",
        secret: str = "",
        max_attempts: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        timeout: float = 5.0,
    ) -> None:
        self.url = ""
        self.secret = ""
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.log: collections.deque[dict[str, Any]] = collections.deque(maxlen=1000)
        self._lock = threading.Lock()
        self.configure(url=url, secret=secret)
        self._thread = threading.Thread(target=self._run, name="sfcc-push", daemon=True)
        self._thread.start()

    def configure(self, *, url: str | None = None, secret: str | None = None) -> None:
        with self._lock:
            if url is not None:
                if url and not url.startswith(("http://", "https://")):
                    raise ValueError("push url must be http(s)")
                self.url = url
            if secret is not None:
                self.secret = secret

    def describe(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "enabled": bool(self.url and self.secret),
            "queued": self._queue.qsize(),
            "deliveries": list(self.log)[-100:],
        }

    def publish(self, kind: str, order: dict[str, Any]) -> str | None:
        """Queue one event; returns its id, or None when pushing is off."""
        if not (self.url and self.secret):
            return None
        event_id = f"evt_{uuid.uuid4().hex}"
        event = {
            "id": event_id,
            "type": kind,
            "created": int(time.time()),
            "data": {
                "orderNo": order["orderNo"],
                "lastModified": order.get("lastModified"),
                "order": order,
            },
        }
        self._queue.put(event)
        return event_id

    def stop(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            self._deliver(event)

    def _deliver(self, event: dict[str, Any]) -> None:
        body = json.dumps(event, separators=(",", ":")).encode()
        for attempt in range(1, self.max_attempts + 1):
            with self._lock:
                url, secret = self.url, self.secret
            if not (url and secret):
                return
            status, error = self._post(url, secret, body)
            self.log.append(
                {
                    "event": event["id"],
                    "type": event["type"],
                    "orderNo": event["data"]["orderNo"],
                    "attempt": attempt,
                    "status": status,
                    "error": error,
                    "at": time.time(),
                }
            )
            if status is not None and 200 <= status < 300:
                return
            # A 4xx other than throttling means the portal rejected the event itself.
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                return
            if attempt < self.max_attempts:
                time.sleep(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    def _post(self, url: str, secret: str, body: bytes) -> tuple[int | None, str | None]:
        # Signed per attempt, so a late retry still falls inside the receiver's window.
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret=secret, body=body, timestamp=int(time.time())),
            "User-Agent": "sfcc-simulator-push/1",
        }
        # The scheme was checked to be http(s) when the URL was configured.
        request = urllib.request.Request(  # noqa: S310
            url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, None
        except urllib.error.HTTPError as exc:
            return exc.code, None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
