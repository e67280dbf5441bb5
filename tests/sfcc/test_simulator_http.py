"""The simulator's HTTP manners: Connection: close for Node's agent, HEAD, OPTIONS, TRACE, 405."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from .conftest import CLIENT_ID, CLIENT_SECRET, ORG, SITE, SimulatorProcess

TOKEN_PATH = "/dwsso/oauth2/access_token"
SCOPE = "SALESFORCE_COMMERCE_API:zzxy_prd sfcc.orders.rw"
ORDERS = f"/checkout/orders/v1/organizations/{ORG}/orders"
PROBLEM_KEYS = {"type", "title", "detail"}
# Headers that differ between any two answers, whatever the method.
PER_ANSWER = {"date", "x-correlation-id"}


class KeepAliveAgent:
    """One pooled socket, as Node's ``http.Agent({keepAlive: true})`` keeps it.

    The socket is reused for the next call unless the answer said ``Connection: close``; then
    it is dropped and the next call opens a new one. A server that closes without saying so
    leaves the agent writing to a dead socket: Node's "socket hang up".
    """

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        self.sockets: list[socket.socket] = []

    def call(
        self, method: str, path: str, *, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        if self.connection.sock is None:
            self.connection.connect()
            self.sockets.append(self.connection.sock)
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        # http.client drops the socket exactly when the answer says close, as Node's agent does.
        assert (self.connection.sock is None) == response.will_close
        return response, payload

    def close(self) -> None:
        self.connection.close()


def fetch_token(sim: SimulatorProcess) -> str:
    response = httpx.post(
        f"{sim.url}{TOKEN_PATH}",
        data={"grant_type": "client_credentials", "scope": SCOPE},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def bearer(sim: SimulatorProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {fetch_token(sim)}"}


@pytest.fixture
def agent(sim: SimulatorProcess) -> Iterator[KeepAliveAgent]:
    agent = KeepAliveAgent(sim.port)
    yield agent
    agent.close()


@pytest.fixture
def order_path(create_order: Callable[..., dict[str, Any]]) -> str:
    return f"{ORDERS}/{create_order()['orderNo']}"


def raw_exchange(port: int, request: bytes) -> tuple[bytes, bytes]:
    """Send raw bytes, read until the server closes; return the head and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):  # a server that never closes fails on the timeout
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return head, body


# Connection: close, as the official commerce-sdk sends it ------------------------------------


@pytest.mark.parametrize("connection", ["close", "Close", "TE, close"])
def test_connection_close_is_answered_so_a_keep_alive_agent_reconnects(
    sim: SimulatorProcess,
    agent: KeepAliveAgent,
    bearer: dict[str, str],
    order_path: str,
    connection: str,
) -> None:
    headers = {**bearer, "Connection": connection}
    calls = [
        ("GET", f"{ORDERS}?siteId={SITE}", None, 200),
        ("GET", f"{order_path}?siteId={SITE}", None, 200),
        ("PATCH", f"{order_path}?siteId={SITE}", b'{"c_note":"x"}', 204),
        ("PUT", f"{order_path}/external-status?siteId={SITE}", b'{"status":"ok"}', 204),
        ("GET", f"{order_path}?siteId={SITE}", None, 200),
    ]

    # Against a server that closes silently the second call dies here: the "socket hang up".
    answers = [
        agent.call(method, path, headers=headers, body=body)[0] for method, path, body, _ in calls
    ]

    assert [a.status for a in answers] == [status for *_, status in calls]
    assert [a.headers["Connection"] for a in answers] == ["close"] * len(calls)
    assert len(agent.sockets) == len(calls)
    assert len({id(sock) for sock in agent.sockets}) == len(calls)


def test_connection_close_is_kept_after_the_answer_is_sent(
    sim: SimulatorProcess, bearer: dict[str, str], order_path: str
) -> None:
    request = (
        f"GET {order_path}?siteId={SITE} HTTP/1.1\r\nHost: sim\r\n"
        f"Authorization: {bearer['Authorization']}\r\nConnection: close\r\n\r\n"
    ).encode()

    head, body = raw_exchange(sim.port, request)

    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"\r\nConnection: close" in head
    assert json.loads(body)["orderNo"] == order_path.rsplit("/", 1)[1]


def test_without_connection_close_one_socket_serves_every_call(
    sim: SimulatorProcess, agent: KeepAliveAgent, bearer: dict[str, str], order_path: str
) -> None:
    for _ in range(5):
        response, _ = agent.call("GET", f"{order_path}?siteId={SITE}", headers=bearer)
        assert response.status == 200
        assert "Connection" not in response.headers
    response, _ = agent.call(
        "PUT",
        f"{order_path}/external-status?siteId={SITE}",
        headers=bearer,
        body=b'{"status":"ok"}',
    )

    assert response.status == 204
    assert len(agent.sockets) == 1 and agent.connection.sock is agent.sockets[0]


def test_the_server_says_close_when_it_closes_on_its_own(sim: SimulatorProcess) -> None:
    http10_head, _ = raw_exchange(sim.port, b"GET /__control/health HTTP/1.0\r\n\r\n")
    too_many = b"GET /__control/health HTTP/1.1\r\n" + b"X-Pad: 1\r\n" * 101 + b"\r\n"
    garbage_head, garbage_body = raw_exchange(sim.port, too_many)

    assert http10_head.startswith(b"HTTP/1.1 200 ")
    assert b"\r\nConnection: close" in http10_head
    assert garbage_head.startswith(b"HTTP/1.1 431 ")
    assert b"\r\nConnection: close" in garbage_head
    assert b"application/json" in garbage_head and b"<html" not in garbage_body.lower()
    assert set(json.loads(garbage_body)) >= PROBLEM_KEYS


# HEAD, OPTIONS, TRACE and 405 --------------------------------------------------------------


def test_head_answers_like_get_without_a_body(
    sim: SimulatorProcess, agent: KeepAliveAgent, bearer: dict[str, str], order_path: str
) -> None:
    head, head_body = agent.call("HEAD", f"{order_path}?siteId={SITE}", headers=bearer)
    get, get_body = agent.call("GET", f"{order_path}?siteId={SITE}", headers=bearer)
    missing, _ = agent.call("HEAD", f"{ORDERS}/NOPE?siteId={SITE}", headers=bearer)

    assert head.status == get.status == 200
    assert head_body == b"" and get_body
    assert int(head.headers["Content-Length"]) == len(get_body)
    head_headers = {k.lower(): v for k, v in head.headers.items() if k.lower() not in PER_ANSWER}
    get_headers = {k.lower(): v for k, v in get.headers.items() if k.lower() not in PER_ANSWER}
    assert head_headers == get_headers
    assert missing.status == 404
    assert len(agent.sockets) == 1  # the body-less answers kept the connection in step


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        (ORDERS, "GET, HEAD, OPTIONS"),
        (f"{ORDERS}/00001001", "GET, HEAD, OPTIONS, PATCH"),
        (f"{ORDERS}/00001001/status", "OPTIONS, PUT"),
        (f"{ORDERS}/00001001/external-status", "OPTIONS, PUT"),
        (TOKEN_PATH, "OPTIONS, POST"),
        (f"/s/{SITE}/dw/shop/v24_5/orders/00001001/notes", "GET, HEAD, OPTIONS, POST"),
        ("/__control/faults", "GET, HEAD, OPTIONS, PUT"),
    ],
)
def test_options_lists_the_allowed_methods(sim: SimulatorProcess, path: str, allow: str) -> None:
    response = httpx.request("OPTIONS", f"{sim.url}{path}")

    assert response.status_code == 204
    assert response.headers["allow"] == allow
    assert response.content == b"" and "text/html" not in response.headers.get("content-type", "")


@pytest.mark.parametrize(
    ("path", "allow", "dialect"),
    [
        (f"{ORDERS}/00001001", "GET, HEAD, OPTIONS, PATCH", PROBLEM_KEYS),
        (TOKEN_PATH, "OPTIONS, POST", {"error", "error_description"}),
        (f"/s/{SITE}/dw/shop/v24_5/orders/00001001/notes", "GET, HEAD, OPTIONS, POST", {"fault"}),
        ("/__control/health", "GET, HEAD, OPTIONS", {"error"}),
    ],
)
def test_trace_is_refused_with_405_allow_and_json(
    sim: SimulatorProcess, path: str, allow: str, dialect: set[str]
) -> None:
    response = httpx.request("TRACE", f"{sim.url}{path}")

    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) >= dialect


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/00001001/status", "OPTIONS, PUT"),
        ("DELETE", "/00001001/status", "OPTIONS, PUT"),
        ("PATCH", "/00001001/payment-status", "OPTIONS, PUT"),
        ("POST", "", "GET, HEAD, OPTIONS"),
        ("DELETE", "/00001001", "GET, HEAD, OPTIONS, PATCH"),
        ("PROPFIND", "/00001001", "GET, HEAD, OPTIONS, PATCH"),
    ],
)
def test_a_wrong_method_on_a_known_path_is_405_with_allow(
    sim: SimulatorProcess, bearer: dict[str, str], method: str, path: str, allow: str
) -> None:
    response = httpx.request(
        method, f"{sim.url}{ORDERS}{path}", params={"siteId": SITE}, headers=bearer
    )

    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    assert set(response.json()) >= PROBLEM_KEYS
    assert response.json()["type"].endswith("/method-not-allowed")


def test_every_405_carries_allow(sim: SimulatorProcess) -> None:
    wrong = [
        ("GET", TOKEN_PATH),
        ("HEAD", TOKEN_PATH),
        ("DELETE", f"/s/{SITE}/dw/shop/v24_5/orders/00001001/notes"),
        ("DELETE", "/__control/faults"),
        ("POST", "/__control/health"),
    ]

    for method, path in wrong:
        response = httpx.request(method, f"{sim.url}{path}")
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"], (method, path)


def test_an_unknown_path_stays_404_whatever_the_method(
    sim: SimulatorProcess, bearer: dict[str, str]
) -> None:
    for method in ("GET", "PUT", "OPTIONS", "TRACE"):
        response = httpx.request(
            method, f"{sim.url}{ORDERS}/00001001/nothing", params={"siteId": SITE}, headers=bearer
        )
        assert response.status_code == 404, method
        assert set(response.json()) >= PROBLEM_KEYS
