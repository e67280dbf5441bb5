"""HTTP/1.1 keep-alive server, fault pipeline and lifecycle (including refusing connections)."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from simulators.sfcc.api import SCAPI_PREFIX, TOKEN_PATH, Api, allowed_methods
from simulators.sfcc.campaigns import Campaigns
from simulators.sfcc.catalog import Catalog
from simulators.sfcc.control import Control
from simulators.sfcc.push import Pusher
from simulators.sfcc.scenario import Scenario
from simulators.sfcc.state import State
from simulators.sfcc.wire import DROP, Request, Response, error_for, problem

MAX_BODY = 5 * 1024 * 1024  # SCAPI answers 413 above 5 MB


def answer_method(req: Request, family: str, allowed: tuple[str, ...] | None) -> Response | None:
    """Answer OPTIONS, and any method the resource does not take (405), as a real server does.

    HEAD goes wherever GET goes; None lets the handler run (or answer 404 for no resource).
    """
    if allowed is None:
        return None
    offered = {*allowed, "OPTIONS"} | ({"HEAD"} if "GET" in allowed else set())
    allow = ", ".join(sorted(offered))
    if req.method == "OPTIONS":
        return Response(204, None, {"Allow": allow})
    if req.method in offered:
        return None
    response = error_for(family, 405, f"{req.method} is not allowed on {req.path}; use {allow}.")
    response.headers["Allow"] = allow
    return response


def as_get(req: Request) -> Request:
    """HEAD runs the GET handler; the server leaves the body out when it writes the answer."""
    return dataclasses.replace(req, method="GET") if req.method == "HEAD" else req


class Simulator:
    """Wires state, API, control, push and scenario together and answers requests."""

    def __init__(
        self,
        *,
        state: State,
        pusher: Pusher,
        scenario: Scenario,
        verbose: bool = False,
    ) -> None:
        self.state = state
        self.pusher = pusher
        self.scenario = scenario
        self.verbose = verbose
        self.api = Api(state)
        self.control = Control(self)
        self.campaigns = Campaigns(self)
        self.catalog = Catalog(self)
        self.httpd: SimHTTPServer | None = None
        self._refusing = threading.Event()
        self._outage_over = threading.Event()
        state.on_event = self.publish

    def publish(self, kind: str, order: dict[str, Any], source: str) -> None:
        self.pusher.publish(kind, order)

    # Request pipeline ------------------------------------------------------------------

    def dispatch(self, req: Request) -> Response:
        if (answer := self.campaigns.dispatch(req)) is not None:
            return answer
        if (answer := self.catalog.handle(req)) is not None:
            return answer
        if req.path.startswith("/__control/"):
            refused = answer_method(req, "control", self.control.allowed_methods(req.path))
            return refused or self.control.handle(as_get(req))
        if req.path == TOKEN_PATH:
            family = "token"
        elif req.path.startswith("/s/"):
            family = "ocapi"
        elif req.path.startswith(SCAPI_PREFIX):
            family = "scapi"
        else:
            return problem(404, f"No resource at {req.path}")
        self.state.count("requests")
        faults = self.state.faults
        remaining = faults.outage_remaining()
        if remaining:
            self.state.count("outage_hits")
            if faults.outage_mode in ("refuse", "reset"):
                return DROP
            return error_for(
                family,
                503,
                "The service is unavailable (simulated outage).",
                retry_after=math.ceil(remaining),
            )
        refused = answer_method(req, family, allowed_methods(req.path))
        if refused:
            return refused
        req = as_get(req)
        if len(req.body) > MAX_BODY:
            return error_for(family, 413, "The request body exceeds 5 MB.")
        if faults.latency_ms and family != "token":
            time.sleep(faults.latency_ms / 1000)
        injected = faults.decide(is_write=req.method != "GET", is_token=family == "token")
        if injected and not injected.after_apply:
            self.state.count(f"fault:{injected.reason}:{injected.status}")
            return error_for(
                family, injected.status, "Simulated failure.", retry_after=injected.retry_after
            )
        if family == "token":
            response = self.api.token(req)
        elif family == "ocapi":
            response = self.api.notes(req)
        else:
            response = self.api.scapi(req)
        if injected and response.status < 300:
            # The write was applied but the answer is lost: the client must retry safely.
            self.state.count(f"fault:{injected.reason}-after-apply:{injected.status}")
            return error_for(
                family,
                injected.status,
                "Simulated failure after the change was applied.",
                retry_after=injected.retry_after,
            )
        return response

    # Lifecycle ------------------------------------------------------------------------

    def serve(self, host: str, port: int) -> None:
        """Serve until interrupted; during a refusing outage the port is closed, then reopened."""
        announced = False
        while True:
            self.httpd = SimHTTPServer((host, port), self)
            port = self.httpd.server_address[1]
            if not announced:
                print(f"SFCC simulator listening on http://{host}:{port}", flush=True)
                announced = True
            try:
                self.httpd.serve_forever(poll_interval=0.1)
            finally:
                self.httpd.server_close()
            if not self._refusing.is_set():
                return
            # Nothing listens now, so new connections are refused until the outage ends
            # (or end_outage is called: the control API is behind the closed port too).
            self._outage_over.wait(self.state.faults.outage_remaining())
            self._outage_over.clear()
            self.state.faults.update({"outage_seconds": 0})
            self._refusing.clear()

    def end_outage(self) -> None:
        """End a refusing outage now; SIGUSR1 calls this, since no request can reach us."""
        self._outage_over.set()

    def begin_refusal(self) -> None:
        self._refusing.set()
        threading.Thread(target=self._close_for_outage, daemon=True).start()

    def _close_for_outage(self) -> None:
        time.sleep(0.05)  # let the control answer reach the caller first
        httpd = self.httpd
        if httpd is None:
            return
        httpd.shutdown()
        httpd.drop_connections()


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: Simulator) -> None:
        self.sim = sim
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def drop_connections(self) -> None:
        """Cut idle keep-alive connections so clients see the outage instead of a stale pool."""
        with self.connections_lock:
            sockets = list(self.connections)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SFCCSimulator/1"
    server: SimHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        # Small JSON answers on a keep-alive connection: send them without Nagle's delay.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the peer may have gone already
            super().finish()

    def __getattr__(self, name: str) -> Any:
        # Every method, however unusual, reaches the router (405 with Allow, or 404), so no
        # request ever gets BaseHTTPRequestHandler's 501 HTML page.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed requests (bad request line, huge headers) get a JSON problem, then close."""
        self.log_error("code %d, message %s", code, message)
        self._send(problem(code, message or self.responses.get(code, ("Error",))[0]), close=True)

    def _peer_asked_to_close(self) -> bool:
        headers = getattr(self, "headers", None)  # unset when the request line was malformed
        values = headers.get_all("Connection", []) if headers is not None else []
        tokens = {token.strip().lower() for value in values for token in value.split(",")}
        return "close" in tokens

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.sim.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _handle(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            # Bodies are read by Content-Length only; anything else would desync keep-alive.
            self._send(
                problem(411, "Send a Content-Length; chunked bodies are not accepted."), close=True
            )
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._send(problem(400, "Content-Length is not a number."), close=True)
            return
        if length > MAX_BODY:
            self._send(problem(413, "The request body exceeds 5 MB."), close=True)
            return
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        req = Request(self.command, path, query, self.headers, body)
        sim = self.server.sim
        try:
            response = sim.dispatch(req)
        except Exception as exc:  # the simulator must answer, even about its own bugs
            response = problem(500, f"Simulator error: {type(exc).__name__}: {exc}")
        if response is DROP:
            self.close_connection = True
            return
        if req.path.startswith(("/checkout/", "/s/")):
            generated = uuid.uuid4().hex[:16]
            given = req.correlation_id
            response.headers.setdefault(
                "x-correlation-id", f"{given},{generated}" if given else generated
            )
        self._send(response)

    def _send(self, response: Response, *, close: bool = False) -> None:
        payload = response.encode()
        self.send_response(response.status)
        if payload:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        if response.status != 204:
            self.send_header("Content-Length", str(len(payload)))
        # No max-age: the official client would cache GETs in memory otherwise.
        self.send_header("Cache-Control", response.headers.pop("Cache-Control", "no-store"))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if close or self._peer_asked_to_close():
            self.close_connection = True
        if self.close_connection:
            # Say so: a pooling client (Node's keep-alive agent) otherwise reuses a dead socket.
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle
