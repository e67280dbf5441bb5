"""The simulator on its own: auth, validation rules, keep-alive, persistence, push and scenario."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from apps.sfcc.client import SIGNATURE_HEADER, verify

from .conftest import CLIENT_ID, CLIENT_SECRET, ORG, SITE, SimulatorProcess

TOKEN_PATH = "/dwsso/oauth2/access_token"
SCOPE = "SALESFORCE_COMMERCE_API:zzxy_prd sfcc.orders.rw"
ORDERS = f"/checkout/orders/v1/organizations/{ORG}/orders"
PROBLEM_KEYS = {"type", "title", "detail"}


def fetch_token(sim: SimulatorProcess, scope: str = SCOPE) -> str:
    response = httpx.post(
        f"{sim.url}{TOKEN_PATH}",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def api(sim: SimulatorProcess) -> Iterator[httpx.Client]:
    """A raw client with a valid read-write token and siteId preset."""
    with httpx.Client(
        base_url=sim.url,
        headers={"Authorization": f"Bearer {fetch_token(sim)}"},
        params={"siteId": SITE},
    ) as client:
        yield client


# Account Manager -----------------------------------------------------------------------


def test_token_endpoint_issues_bearer_tokens(sim: SimulatorProcess) -> None:
    response = httpx.post(
        f"{sim.url}{TOKEN_PATH}",
        data={"grant_type": "client_credentials", "scope": SCOPE},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )

    body = response.json()
    assert set(body) == {"access_token", "scope", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1799
    assert body["scope"] == SCOPE
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("auth", "form", "status", "error"),
    [
        (
            (CLIENT_ID, "wrong"),
            {"grant_type": "client_credentials", "scope": SCOPE},
            401,
            "invalid_client",
        ),
        (
            (CLIENT_ID, CLIENT_SECRET),
            {"grant_type": "password", "scope": SCOPE},
            400,
            "unsupported_grant_type",
        ),
        (
            (CLIENT_ID, CLIENT_SECRET),
            {"grant_type": "client_credentials", "scope": "sfcc.orders"},
            400,
            "invalid_scope",
        ),
        (
            (CLIENT_ID, CLIENT_SECRET),
            {"grant_type": "client_credentials", "scope": "SALESFORCE_COMMERCE_API:zzxy_prd"},
            400,
            "invalid_scope",
        ),
    ],
)
def test_token_endpoint_refusals_are_oauth_errors(
    sim: SimulatorProcess, auth: tuple[str, str], form: dict[str, str], status: int, error: str
) -> None:
    response = httpx.post(f"{sim.url}{TOKEN_PATH}", data=form, auth=auth)

    assert response.status_code == status
    assert response.json()["error"] == error


def test_read_only_token_cannot_write(sim: SimulatorProcess, create_order: Callable) -> None:
    order_no = create_order()["orderNo"]
    token = fetch_token(sim, "SALESFORCE_COMMERCE_API:zzxy_prd sfcc.orders")
    headers = {"Authorization": f"Bearer {token}"}

    read = httpx.get(f"{sim.url}{ORDERS}/{order_no}", params={"siteId": SITE}, headers=headers)
    write = httpx.put(
        f"{sim.url}{ORDERS}/{order_no}/external-status",
        params={"siteId": SITE},
        headers=headers,
        json={"status": "x"},
    )

    assert read.status_code == 200
    assert write.status_code == 403 and set(write.json()) >= PROBLEM_KEYS


# SCAPI rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (ORDERS, {}, 400),  # siteId missing
        (ORDERS, {"siteId": "Nowhere"}, 404),
        ("/checkout/orders/v1/organizations/f_ecom_ZZ_prd/orders", {"siteId": SITE}, 400),
        ("/checkout/orders/v1/organizations/f_ecom_abcd_prd/orders", {"siteId": SITE}, 403),
        (ORDERS, {"siteId": SITE, "limit": 0}, 400),
        (ORDERS, {"siteId": SITE, "limit": 201}, 400),
        (ORDERS, {"siteId": SITE, "offset": 9_900, "limit": 101}, 400),
        (ORDERS, {"siteId": SITE, "offset": 9_800, "limit": 200}, 200),
        (ORDERS, {"siteId": SITE, "status": "new,completed,cancelled"}, 400),
        (ORDERS, {"siteId": SITE, "status": "failed"}, 400),
        (ORDERS, {"siteId": SITE, "paymentStatus": "paid,part_paid,not_paid"}, 400),
        (ORDERS, {"siteId": SITE, "lastModifiedDateFrom": "yesterday"}, 400),
        (ORDERS, {"siteId": SITE, "sortBy": "total"}, 400),
    ],
)
def test_request_rules_answer_rfc7807(
    sim: SimulatorProcess, path: str, params: dict[str, Any], status: int
) -> None:
    headers = {"Authorization": f"Bearer {fetch_token(sim)}"}

    response = httpx.get(f"{sim.url}{path}", params=params, headers=headers)

    assert response.status_code == status, response.text
    if status >= 400:
        assert set(response.json()) >= PROBLEM_KEYS
        assert response.headers["content-type"].startswith("application/json")


def test_missing_or_unknown_token_is_401(sim: SimulatorProcess) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        response = httpx.get(f"{sim.url}{ORDERS}", params={"siteId": SITE}, headers=headers)
        assert response.status_code == 401
        assert set(response.json()) >= PROBLEM_KEYS


def test_last_modified_window_is_from_inclusive_to_exclusive(
    api: httpx.Client, create_order: Callable
) -> None:
    first = create_order()
    time.sleep(0.005)
    second = create_order()

    inclusive = api.get(ORDERS, params={"lastModifiedDateFrom": second["lastModified"]})
    exclusive = api.get(ORDERS, params={"lastModifiedDateTo": second["lastModified"]})

    assert [o["orderNo"] for o in inclusive.json()["data"]] == [second["orderNo"]]
    assert [o["orderNo"] for o in exclusive.json()["data"]] == [first["orderNo"]]


def test_default_sort_is_newest_created_first(api: httpx.Client, create_order: Callable) -> None:
    numbers = [create_order()["orderNo"] for _ in range(3)]

    body = api.get(ORDERS).json()

    assert set(body) == {"data"}
    assert [o["orderNo"] for o in body["data"]] == numbers[::-1]


def test_patch_accepts_only_custom_attributes_and_null_clears(
    api: httpx.Client, create_order: Callable
) -> None:
    order_no = create_order(c_carrierCode="DHL")["orderNo"]

    refused = api.patch(f"{ORDERS}/{order_no}", json={"c_weight": 2, "status": "new"})
    accepted = api.patch(f"{ORDERS}/{order_no}", json={"c_weight": 2.4, "c_carrierCode": None})
    order = api.get(f"{ORDERS}/{order_no}").json()

    assert refused.status_code == 400 and "status" in refused.json()["detail"]
    assert accepted.status_code == 204 and accepted.content == b""
    assert order["c_weight"] == 2.4 and "c_carrierCode" not in order


@pytest.mark.parametrize(
    ("start", "target", "status"),
    [
        ("created", "new", 204),
        ("created", "failed", 204),
        ("failed", "created", 204),
        ("failed", "new", 409),
        ("new", "created", 409),
        ("new", "failed", 409),
        ("completed", "cancelled", 204),
        ("cancelled", "new", 204),
        ("cancelled", "failed", 409),
    ],
)
def test_order_status_transitions(
    api: httpx.Client, create_order: Callable, start: str, target: str, status: int
) -> None:
    order_no = create_order(status=start)["orderNo"]

    response = api.put(f"{ORDERS}/{order_no}/status", json={"status": target})

    assert response.status_code == status
    assert api.get(f"{ORDERS}/{order_no}").json()["status"] == (target if status < 300 else start)


def test_keep_alive_serves_many_requests_on_one_connection(
    sim: SimulatorProcess, create_order: Callable
) -> None:
    order_no = create_order()["orderNo"]
    headers = {"Authorization": f"Bearer {fetch_token(sim)}"}
    connection = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        for _ in range(50):
            connection.request("GET", f"{ORDERS}/{order_no}?siteId={SITE}", headers=headers)
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200 and response.version == 11
            assert int(response.headers["Content-Length"]) == len(body)
            assert "max-age" not in response.headers.get("Cache-Control", "")
        first_socket = connection.sock
        connection.request(
            "PUT",
            f"{ORDERS}/{order_no}/external-status?siteId={SITE}",
            body=b'{"status":"ok"}',
            headers=headers,
        )
        response = connection.getresponse()
        response.read()
        assert response.status == 204
        assert connection.sock is first_socket
    finally:
        connection.close()


def test_correlation_id_is_echoed_with_a_server_id(api: httpx.Client) -> None:
    response = api.get(ORDERS, headers={"correlation-id": "my-id"})

    given, server = response.headers["x-correlation-id"].split(",")
    assert given == "my-id" and server


# OCAPI notes ---------------------------------------------------------------------------


def test_notes_faults_use_the_ocapi_shape(sim: SimulatorProcess, create_order: Callable) -> None:
    order_no = create_order()["orderNo"]
    url = f"{sim.url}/s/{SITE}/dw/shop/v24_5/orders/{order_no}/notes"
    bearer = {"Authorization": f"Bearer {fetch_token(sim)}"}

    no_client = httpx.get(url, headers=bearer)
    bad_token = httpx.get(url, headers={"Authorization": "Bearer x", "x-dw-client-id": CLIENT_ID})
    missing = httpx.get(
        url.replace(order_no, "NOPE"), headers={**bearer, "x-dw-client-id": CLIENT_ID}
    )
    empty = httpx.post(url, json={"subject": ""}, headers={**bearer, "x-dw-client-id": CLIENT_ID})

    assert [r.status_code for r in (no_client, bad_token, missing, empty)] == [400, 401, 404, 400]
    for response in (no_client, bad_token, missing, empty):
        body = response.json()
        assert body["_v"] == "24.5" and {"type", "message"} <= set(body["fault"])
    assert missing.json()["fault"]["type"] == "OrderNotFoundException"


# Control API ---------------------------------------------------------------------------


def test_control_order_carries_partner_attributes_and_exceptions(
    sim: SimulatorProcess, create_order: Callable
) -> None:
    order = create_order(
        lines=[{"productId": "SKU-9", "c_supplierId": "SUP-002"}],
        shipments=[{"c_fulfillmentLocation": "WH-002"}],
        channelType="marketplace",
        c_marketplaceSellerId="MKT-001",
        payment={"method": "PAYPAL"},
    )

    raised = sim.ctl(
        "POST",
        f"/orders/{order['orderNo']}/exception",
        {"code": "PAYMENT_FAILED", "detail": "card declined"},
    )
    cleared = sim.ctl("DELETE", f"/orders/{order['orderNo']}/exception")

    assert order["productItems"][0]["c_supplierId"] == "SUP-002"
    assert order["paymentInstruments"][0]["paymentMethodId"] == "PAYPAL"
    assert raised["c_fulfillmentExceptionCode"] == "PAYMENT_FAILED"
    assert raised["paymentStatus"] == "not_paid"
    assert "c_fulfillmentExceptionCode" not in cleared
    assert raised["lastModified"] >= order["lastModified"]


def test_control_rejects_bad_input(sim: SimulatorProcess) -> None:
    assert sim.control.post("/orders", json={"lines": [{"quantity": 1}]}).status_code == 400
    assert sim.control.patch("/orders/00009999", json={"c_x": 1}).status_code == 404
    assert sim.control.put("/faults", json={"outage_mode": "refuse"}).status_code == 400
    assert sim.control.get("/nothing").status_code == 404


# Persistence, push, scenario (own simulator processes) ----------------------------------


def test_state_file_keeps_orders_and_history_across_restarts(
    launch: Callable[..., SimulatorProcess], tmp_path: Any
) -> None:
    state_file = tmp_path / "sfcc.json"
    first = launch("--state-file", str(state_file))
    order = first.ctl("POST", "/orders", {"c_supplierId": "SUP-001"})
    token = fetch_token(first)
    first.stop()

    second = launch("--state-file", str(state_file))
    kept = second.ctl("GET", f"/orders/{order['orderNo']}")
    still_valid = httpx.get(
        f"{second.url}{ORDERS}/{order['orderNo']}",
        params={"siteId": SITE},
        headers={"Authorization": f"Bearer {token}"},
    )
    next_order = second.ctl("POST", "/orders", {})

    assert kept["order"] == order and kept["history"][0]["op"] == "create"
    assert still_valid.status_code == 200
    assert int(next_order["orderNo"]) == int(order["orderNo"]) + 1


class Receiver:
    """A tiny portal stand-in that records pushes and fails the first ``failures`` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[tuple[dict[str, str], bytes]] = []
        self.failures = failures
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.events.append((dict(self.headers), body))
                status = 500 if receiver.failures > 0 else 204
                receiver.failures -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sfcc/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.events) >= count, self.events

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_pushes_are_signed_and_retried(launch: Callable[..., SimulatorProcess]) -> None:
    receiver = Receiver(failures=1)
    try:
        sim = launch("--push-url", receiver.url, "--push-secret", "whsec_sim")
        order = sim.ctl("POST", "/orders", {"c_supplierId": "SUP-004"})
        sim.ctl("PATCH", f"/orders/{order['orderNo']}", {"shippingStatus": "shipped"})
        receiver.wait_for(3)  # the first delivery fails and is retried
    finally:
        receiver.close()

    events = []
    for headers, body in receiver.events:
        verify(secret="whsec_sim", body=body, header=headers[SIGNATURE_HEADER])
        events.append(json.loads(body))
    assert events[0]["id"] == events[1]["id"]  # the retry is the same event
    assert [e["type"] for e in events[1:]] == ["order.created", "order.updated"]
    created, updated = events[1], events[2]
    assert created["id"] != updated["id"]
    assert set(created) == {"id", "type", "created", "data"}
    assert created["data"]["orderNo"] == order["orderNo"]
    assert created["data"]["order"]["productItems"]
    assert updated["data"]["order"]["shippingStatus"] == "shipped"
    assert updated["data"]["lastModified"] == updated["data"]["order"]["lastModified"]
    deliveries = sim.ctl("GET", "/push")["deliveries"]
    assert [d["status"] for d in deliveries] == [500, 204, 204]


def test_scenario_streams_orders_for_partner_products(
    launch: Callable[..., SimulatorProcess],
) -> None:
    sim = launch(
        "--scenario",
        "on",
        "--scenario-interval",
        "0.05",
        "--exception-rate",
        "1",
        "--seed",
        "7",
        "--partners",
        "SUP-001,SUP-002,WH-001,CAR-001,MKT-001",
    )
    deadline = time.monotonic() + 10
    while sim.ctl("GET", "/stats")["orders"] < 15 and time.monotonic() < deadline:
        time.sleep(0.1)
    sim.ctl("PUT", "/scenario", {"enabled": False})

    token = fetch_token(sim)
    orders = httpx.get(
        f"{sim.url}{ORDERS}",
        params={"siteId": SITE, "limit": 200},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["data"]

    suppliers = {i["c_supplierId"] for o in orders for i in o["productItems"]}
    assert len(orders) >= 10
    assert suppliers <= {"SUP-001", "SUP-002", "MKT-001"}
    assert {o.get("c_fulfillmentExceptionCode") for o in orders} - {None}
    assert {o["c_fulfillmentLocation"] for o in orders} == {"WH-001"}
    assert any(o["channelType"] == "marketplace" for o in orders)
