"""The real client against the simulator, every SCAPI exchange checked against the official OAS."""

from __future__ import annotations

import base64
import json
import time
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import httpx
import pytest
import yaml
from jsonschema_path import SchemaPath
from openapi_core import V30RequestValidator, V30ResponseValidator
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from apps.sfcc.client import (
    OrdersClient,
    SfccConflict,
    SfccNotFound,
    parse_sfcc_datetime,
)

from .conftest import CLIENT_ID, ORG, SITE, SPEC_PATH, SimulatorProcess

# The spec's server is https://{shortCode}.api.commercecloud.salesforce.com/checkout/orders/v1;
# simulator URLs are mapped onto it, keeping the path.
SPEC_HOST = "https://kv7kzm78.api.commercecloud.salesforce.com"
SCAPI_PATH = "/checkout/orders/v1/"


class RecordingTransport(httpx.BaseTransport):
    """Passes requests through and keeps every (request, response) pair, bodies read."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response

    def close(self) -> None:
        self.inner.close()

    def scapi(self) -> list[tuple[httpx.Request, httpx.Response]]:
        return [(q, r) for q, r in self.exchanges if q.url.path.startswith(SCAPI_PATH)]


class OpenAPIRequest:
    """openapi-core's Request protocol over an httpx request, re-hosted on the spec's server."""

    def __init__(self, request: httpx.Request) -> None:
        query = request.url.query.decode()
        self.host_url = SPEC_HOST
        self.path = request.url.path
        self.method = request.method.lower()
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )


class OpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(dict(response.headers))
        self.data = response.content


@cache
def validators() -> tuple[V30RequestValidator, V30ResponseValidator]:
    spec = SchemaPath.from_file_path(str(SPEC_PATH))
    return V30RequestValidator(spec), V30ResponseValidator(spec)


@cache
def raw_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = raw_spec()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            resolved = _resolve(part)
            merged.setdefault("properties", {}).update(resolved.get("properties", {}))
            for key in ("additionalProperties", "items", "type"):
                if key in resolved:
                    merged.setdefault(key, resolved[key])
        schema = merged
    return schema


def undeclared_keys(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Keys the spec only allows with a ``c_`` prefix ("Additional Property Support")."""
    schema = _resolve(schema)
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                found += undeclared_keys(item, properties[key], f"{path}.{key}")
            elif isinstance(extra, dict) and not key.startswith("c_"):
                found.append(f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += undeclared_keys(item, schema["items"], f"{path}[{index}]")
    return found


def assert_contract(recorder: RecordingTransport, *, check_requests: bool = True) -> int:
    """Validate every recorded SCAPI request and response; returns how many were checked.

    ``check_requests=False`` is for requests sent malformed on purpose: only the simulator's
    answers are held to the spec then.
    """
    request_validator, response_validator = validators()
    checked = 0
    for request, response in recorder.scapi():
        oa_request, oa_response = OpenAPIRequest(request), OpenAPIResponse(response)
        with warnings.catch_warnings():
            # openapi-core cannot check oauth2 schemes; the bearer header is asserted below.
            warnings.filterwarnings("ignore", "Unsupported scheme type")
            if check_requests:
                request_validator.validate(oa_request)
            response_validator.validate(oa_request, oa_response)
        assert request.headers["authorization"].startswith("Bearer ")
        assert "siteId" in parse_qs(request.url.query.decode())
        assert request.headers["correlation-id"]
        assert "max-age" not in response.headers.get("cache-control", "")
        if response.status_code == 200 and request.method == "GET":
            body = response.json()
            schema_name = "OrdersResponse" if "data" in body else "Order"
            schema = raw_spec()["components"]["schemas"][schema_name]
            assert undeclared_keys(body, schema) == [], f"non-c_ extras in {request.url}"
        checked += 1
    return checked


@pytest.fixture
def recorder() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def rec_client(
    make_client: Callable[..., OrdersClient], recorder: RecordingTransport
) -> OrdersClient:
    return make_client(transport=recorder)


def test_get_orders_pages_and_filters_match_the_spec(
    rec_client: OrdersClient,
    recorder: RecordingTransport,
    create_order: Callable[..., dict[str, Any]],
) -> None:
    first = create_order()
    create_order(status="completed", exportStatus="exported", c_supplierId="SUP-002")
    create_order(paymentStatus="not_paid", c_fulfillmentExceptionCode="PAYMENT_FAILED")

    everything = rec_client.get_orders(last_modified_from=first["lastModified"], limit=200)
    completed = rec_client.get_orders(status=["new", "completed"], export_status=["exported"])
    unpaid = rec_client.get_orders(payment_status="not_paid", shipping_status=["not_shipped"])
    newest_first = rec_client.get_orders(sort_by="creation_date", sort_order="desc", limit=1)

    assert len(everything) == 3
    assert [o["exportStatus"] for o in completed] == ["exported"]
    assert unpaid[0]["c_fulfillmentExceptionCode"] == "PAYMENT_FAILED"
    assert newest_first[0]["orderNo"] == everything[-1]["orderNo"]
    assert assert_contract(recorder) == 4


def test_get_order_carries_required_nested_fields(
    rec_client: OrdersClient,
    recorder: RecordingTransport,
    create_order: Callable[..., dict[str, Any]],
) -> None:
    created = create_order(
        lines=[
            {"productId": "SKU-7", "quantity": 2, "price": 20, "c_supplierId": "SUP-003"},
            {"productId": "SKU-8", "shipmentId": "s2", "c_supplierId": "MKT-001"},
        ],
        shipments=[{"c_fulfillmentLocation": "WH-001"}, {"shipmentId": "s2"}],
        c_marketplaceSellerId="MKT-001",
    )

    order = rec_client.get_order(order_no=created["orderNo"])

    assert {"shipmentId", "shipmentNo"} <= set(order["shipments"][1])
    assert all({"productId", "shipmentId", "taxRate"} <= set(i) for i in order["productItems"])
    assert order["productItems"][0]["c_supplierId"] == "SUP-003"
    assert order["shipments"][0]["c_fulfillmentLocation"] == "WH-001"
    assert assert_contract(recorder) == 1


def test_status_writes_answer_204_and_move_last_modified(
    rec_client: OrdersClient,
    recorder: RecordingTransport,
    create_order: Callable[..., dict[str, Any]],
) -> None:
    order_no = create_order()["orderNo"]
    before = parse_sfcc_datetime(rec_client.get_order(order_no=order_no)["lastModified"])
    time.sleep(0.005)

    results = [
        rec_client.update_external_status(order_no=order_no, status="Partner: awaiting stock"),
        rec_client.update_shipping_status(order_no=order_no, status="part_shipped"),
        rec_client.update_payment_status(order_no=order_no, status="part_paid"),
        rec_client.update_export_status(order_no=order_no, status="exported"),
        rec_client.update_confirmation_status(order_no=order_no, status="not_confirmed"),
        rec_client.update_status(order_no=order_no, status="completed"),
        rec_client.patch_custom_attributes(
            order_no=order_no, attrs={"c_crossdockCaseId": "CASE-1", "c_promisedDate": None}
        ),
    ]
    order = rec_client.get_order(order_no=order_no)

    assert {r.status_code for r in results} == {204}
    assert order["externalOrderStatus"] == "Partner: awaiting stock"
    assert order["shippingStatus"] == "part_shipped"
    assert order["status"] == "completed"
    assert order["c_crossdockCaseId"] == "CASE-1"
    assert parse_sfcc_datetime(order["lastModified"]) > before
    assert assert_contract(recorder) == 9


def test_disallowed_transition_is_a_spec_shaped_409(
    rec_client: OrdersClient,
    recorder: RecordingTransport,
    create_order: Callable[..., dict[str, Any]],
) -> None:
    order_no = create_order(status="new")["orderNo"]

    with pytest.raises(SfccConflict) as caught:
        rec_client.update_status(order_no=order_no, status="failed")

    assert caught.value.status == 409
    assert caught.value.title and caught.value.type.startswith("https://")
    assert assert_contract(recorder) == 1


def test_failing_a_created_order_with_reopen_answers_201_with_location(
    rec_client: OrdersClient,
    recorder: RecordingTransport,
    create_order: Callable[..., dict[str, Any]],
) -> None:
    order_no = create_order(status="created")["orderNo"]

    result = rec_client.update_status(order_no=order_no, status="failed_with_reopen")

    assert result.status_code == 201 and "/baskets/" in (result.location or "")
    assert rec_client.get_order(order_no=order_no)["status"] == "failed"
    assert assert_contract(recorder) == 2


def test_unknown_order_is_a_spec_shaped_404(
    rec_client: OrdersClient, recorder: RecordingTransport
) -> None:
    with pytest.raises(SfccNotFound) as read:
        rec_client.get_order(order_no="NOPE-1")
    with pytest.raises(SfccNotFound):
        rec_client.update_external_status(order_no="NOPE-1", status="x")

    assert "NOPE-1" in read.value.detail
    assert read.value.server_correlation_id.startswith(read.value.correlation_id)
    assert assert_contract(recorder) == 2


def test_simulator_400s_are_spec_shaped(
    sim: SimulatorProcess,
    rec_client: OrdersClient,
    recorder: RecordingTransport,
    create_order: Callable[..., dict[str, Any]],
) -> None:
    order_no = create_order()["orderNo"]
    token = rec_client.token_provider.get_token()
    url = f"{sim.url}/checkout/orders/v1/organizations/{ORG}/orders/{order_no}"
    with httpx.Client(transport=recorder, headers={"Authorization": f"Bearer {token}"}) as raw:
        headers = {"correlation-id": "c0ffee00-0000-4000-8000-000000000000"}
        patch = raw.patch(url, params={"siteId": SITE}, json={"status": "x"}, headers=headers)
        put = raw.put(
            f"{url}/shipping-status",
            params={"siteId": SITE},
            json={"status": "lost"},
            headers=headers,
        )

    assert patch.status_code == put.status_code == 400
    assert "c_" in patch.json()["detail"]
    # The c_-only rule is prose in the spec; the enum is schema, so the spec rejects the PUT too.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unsupported scheme type")
        assert list(validators()[0].iter_errors(OpenAPIRequest(recorder.scapi()[-1][0])))
    assert assert_contract(recorder, check_requests=False) == 2


def test_paging_many_orders_stays_within_the_spec(
    sim: SimulatorProcess, rec_client: OrdersClient, recorder: RecordingTransport
) -> None:
    sim.ctl("POST", "/orders/bulk", {"count": 450, "per_ms": 7})

    seen = [o["orderNo"] for o in rec_client.iter_changed_orders(since="2000-01-01T00:00:00Z")]

    assert len(seen) == len(set(seen)) == 450
    assert assert_contract(recorder) >= 3


def test_scenario_orders_with_exceptions_match_the_schema(
    sim: SimulatorProcess, rec_client: OrdersClient, recorder: RecordingTransport
) -> None:
    sim.ctl("PUT", "/scenario", {"exception_rate": 0.6})
    for _ in range(40):
        sim.ctl("POST", "/scenario/tick")

    orders = rec_client.get_orders(limit=200)

    codes = {o.get("c_fulfillmentExceptionCode") for o in orders} - {None}
    assert len(codes) >= 2
    assert all(i["c_supplierId"] for o in orders for i in o["productItems"])
    assert assert_contract(recorder) == 1


def test_token_request_is_basic_auth_client_credentials_with_tenant_scope(
    rec_client: OrdersClient, recorder: RecordingTransport
) -> None:
    rec_client.get_orders(limit=1)

    token_request = next(q for q, _ in recorder.exchanges if q.url.path.endswith("access_token"))
    form = parse_qs(token_request.content.decode())
    user, _, _ = (
        base64.b64decode(token_request.headers["authorization"][6:]).decode().partition(":")
    )
    assert user == CLIENT_ID
    assert form["grant_type"] == ["client_credentials"]
    assert form["scope"][0].split() == ["SALESFORCE_COMMERCE_API:zzxy_prd", "sfcc.orders.rw"]


def test_notes_go_through_ocapi_with_client_id_and_snake_case(
    sim: SimulatorProcess,
    rec_client: OrdersClient,
    recorder: RecordingTransport,
    create_order: Callable[..., dict[str, Any]],
) -> None:
    order_no = create_order()["orderNo"]

    document = rec_client.add_note(order_no=order_no, subject="Case CASE-1", text="Stock short")
    notes = rec_client.list_notes(order_no=order_no)

    note_request = next(q for q, _ in recorder.exchanges if q.url.path.endswith("/notes"))
    assert note_request.url.path == f"/s/{SITE}/dw/shop/v24_5/orders/{order_no}/notes"
    assert note_request.headers["x-dw-client-id"] == CLIENT_ID
    assert json.loads(note_request.content) == {"subject": "Case CASE-1", "text": "Stock short"}
    assert document["_v"] == "24.5" and document["order_no"] == order_no
    assert [(n["subject"], n["text"]) for n in notes] == [("Case CASE-1", "Stock short")]
    assert {"id", "created_by", "creation_date"} <= set(notes[0])


def test_writes_carry_idempotency_and_correlation_headers(
    sim: SimulatorProcess,
    rec_client: OrdersClient,
    recorder: RecordingTransport,
    create_order: Callable[..., dict[str, Any]],
) -> None:
    order_no = create_order()["orderNo"]

    result = rec_client.update_external_status(
        order_no=order_no,
        status="In review",
        idempotency_key="outbox-41",
        correlation_id="5b1c0f2e-6d0a-4e8e-9b1f-8f3f1f0c0a41",
    )

    request = recorder.scapi()[-1][0]
    assert request.headers["idempotency-key"] == "outbox-41"
    assert result.correlation_id == "5b1c0f2e-6d0a-4e8e-9b1f-8f3f1f0c0a41"
    history = sim.ctl("GET", f"/orders/{order_no}/history")["history"]
    assert history[-1]["idempotencyKey"] == "outbox-41"
    assert history[-1]["correlationId"] == result.correlation_id
    assert assert_contract(recorder) == 1
