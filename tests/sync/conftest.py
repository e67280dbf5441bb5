"""Sync fixtures: a real HTTP server on loopback with switchable faults, and a deliverer for it.

The remote behaves like an API that honours idempotency keys: a repeated key is answered
again but applied once, so tests can tell "sent twice" from "applied twice".
"""

import contextlib
import json
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.db import connection

from apps.partners.roles import Role
from apps.sync.delivery import DeliveryResult, error_for_status
from apps.sync.errors import RetryableError
from apps.sync.registry import deliverers
from apps.workspace.choices import CaseKind
from apps.workspace.models import Case
from tests.factories import internal_user

TARGET = "testremote"


class Remote:
    """The state of the fake remote: what arrived, what it applied, which faults come next."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.applied: dict[str, dict] = {}
        self.faults: deque = deque()
        self.server: ThreadingHTTPServer | None = None
        self.port = 0
        # When set, the first request is applied but not answered until the event is set:
        # the remote has it, the sender never hears back.
        self.hold_first: threading.Event | None = None

    # Faults, consumed one per request: an HTTP status, or (status, Retry-After header).
    def fail_next(self, *faults) -> None:
        with self.lock:
            self.faults.extend(faults)

    def fail_always(self, status: int) -> None:
        with self.lock:
            self.faults = deque([status] * 1000)

    def heal(self) -> None:
        with self.lock:
            self.faults.clear()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/deliveries"

    def keys(self) -> list[str]:
        return [r["idempotency_key"] for r in self.requests]

    def start(self, port: int = 0) -> None:
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                with remote.lock:
                    remote.requests.append(
                        {"idempotency_key": key, "body": body, "path": self.path}
                    )
                    fault = remote.faults.popleft() if remote.faults else None
                    if fault is None:
                        remote.applied.setdefault(key, body)
                    hold = remote.hold_first if len(remote.requests) == 1 else None
                if hold is not None:
                    hold.wait(30)
                status, retry_after = fault if isinstance(fault, tuple) else (fault, None)
                answer = {"error": "injected fault"} if status else {"ok": True, "key": key}
                data = json.dumps(answer).encode()
                with contextlib.suppress(OSError):  # the sender may be gone (a killed worker)
                    self.send_response(status or 200)
                    self.send_header("Content-Type", "application/json")
                    if retry_after is not None:
                        self.send_header("Retry-After", str(retry_after))
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """An outage: the port refuses connections until `start(port=remote.port)`."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def http_deliverer(remote: Remote):
    """What a connector's deliverer looks like: one POST, the idempotency key on every attempt."""

    def deliver(message) -> DeliveryResult:
        summary = {
            "method": "POST",
            "url": remote.url,
            "idempotency_key": str(message.idempotency_key),
            "topic": message.topic,
        }
        try:
            response = httpx.post(
                remote.url,
                json=message.payload,
                headers={"Idempotency-Key": str(message.idempotency_key)},
                timeout=5.0,
            )
        except httpx.TransportError as exc:
            raise RetryableError(f"{type(exc).__name__}: {exc}", request_summary=summary) from exc
        if response.status_code >= 300:
            raise error_for_status(
                response.status_code,
                retry_after=response.headers.get("Retry-After"),
                response_excerpt=response.text,
                request_summary=summary,
            )
        return DeliveryResult(response.status_code, response.text, summary)

    return deliver


@pytest.fixture
def remote():
    server = Remote()
    server.start()
    with deliverers.override(TARGET, http_deliverer(server)):
        yield server
    server.stop()


@pytest.fixture
def case(partner_a):
    return Case.objects.create(
        kind=CaseKind.GENERAL,  # a plain conversation: its states are the default ones
        partner=partner_a,
        subject="Order 1234 is late",
        status="open",
    )


@pytest.fixture
def operator(db):
    return internal_user(Role.OPERATIONS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def threads_share_database() -> bool:
    """Threads get their own connections; an in-memory SQLite test database is not shared safely."""
    if connection.vendor != "sqlite":
        return True
    name = connection.settings_dict.get("TEST", {}).get("NAME") or ""
    return bool(name) and "memory" not in name
