"""The client under faults: throttling, 5xx, outages, token expiry, paging limits, duplicates."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from apps.sfcc.client import (
    InMemoryTokenStore,
    OrdersClient,
    SfccAuthError,
    SfccBadRequest,
    SfccConnectionError,
    SfccRetryable,
    SignatureMalformed,
    SignatureMismatch,
    SignatureMissing,
    SignatureStale,
    TokenProvider,
    am_scopes,
    parse_retry_after,
    sign,
    verify,
)

from .conftest import CLIENT_ID, CLIENT_SECRET, SimulatorProcess

OrderFactory = Callable[..., dict[str, Any]]
ClientFactory = Callable[..., OrdersClient]


def applied(sim: SimulatorProcess, order_no: str, op: str) -> list[str]:
    """Outcomes of API writes of one kind, in order, from the simulator's history."""
    history = sim.ctl("GET", f"/orders/{order_no}/history")["history"]
    return [h["outcome"] for h in history if h["op"] == op]


def provider_for(sim: SimulatorProcess, store: Any, **kwargs: Any) -> TokenProvider:
    return TokenProvider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=am_scopes(tenant_id="zzxy_prd"),
        token_url=f"{sim.url}/dwsso/oauth2/access_token",
        store=store,
        **kwargs,
    )


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


# Throttling and server errors ----------------------------------------------------------


def test_429_on_a_write_raises_retryable_with_retry_after(
    sim: SimulatorProcess, client: OrdersClient, create_order: OrderFactory
) -> None:
    order_no = create_order()["orderNo"]
    sim.ctl("PUT", "/faults", {"fail_next": {"status": 429, "retry_after": 7}})

    with pytest.raises(SfccRetryable) as caught:
        client.update_external_status(order_no=order_no, status="x", idempotency_key="k-429")

    assert caught.value.status == 429
    assert caught.value.retry_after == 7
    assert caught.value.title == "Too Many Requests"
    assert applied(sim, order_no, "external-status") == []


def test_writes_are_not_retried_by_the_client(
    sim: SimulatorProcess, make_client: ClientFactory, create_order: OrderFactory
) -> None:
    sleeps = Sleeps()
    client = make_client(sleep=sleeps)
    order_no = create_order()["orderNo"]
    sim.ctl("PUT", "/faults", {"fail_next": {"status": 503, "retry_after": 1, "count": 3}})

    with pytest.raises(SfccRetryable):
        client.update_shipping_status(order_no=order_no, status="shipped")

    assert sleeps == []
    assert sim.ctl("GET", "/stats")["counters"]["fault:fail_next:503"] == 1


def test_reads_retry_honouring_retry_after(
    sim: SimulatorProcess, make_client: ClientFactory, create_order: OrderFactory
) -> None:
    sleeps = Sleeps()
    client = make_client(sleep=sleeps)
    order_no = create_order()["orderNo"]
    sim.ctl("PUT", "/faults", {"fail_next": {"status": 429, "retry_after": 2, "count": 2}})

    order = client.get_order(order_no=order_no)

    assert order["orderNo"] == order_no
    assert sleeps == [2.0, 2.0]


def test_reads_give_up_after_bounded_retries(
    sim: SimulatorProcess, make_client: ClientFactory
) -> None:
    sleeps = Sleeps()
    client = make_client(sleep=sleeps, read_retries=2)
    sim.ctl("PUT", "/faults", {"fail_next": {"status": 503, "count": 10}})

    with pytest.raises(SfccRetryable) as caught:
        client.get_orders(limit=5)

    assert caught.value.status == 503
    assert len(sleeps) == 2


def test_retry_after_beyond_the_cap_is_left_to_the_caller(
    sim: SimulatorProcess, make_client: ClientFactory
) -> None:
    sleeps = Sleeps()
    client = make_client(sleep=sleeps, max_retry_wait=30)
    sim.ctl("PUT", "/faults", {"fail_next": {"status": 429, "retry_after": 120}})

    with pytest.raises(SfccRetryable) as caught:
        client.get_orders(limit=5)

    assert caught.value.retry_after == 120
    assert sleeps == []


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retryable_and_parsed_from_rfc7807(
    sim: SimulatorProcess, client: OrdersClient, create_order: OrderFactory, status: int
) -> None:
    order_no = create_order()["orderNo"]
    sim.ctl("PUT", "/faults", {"error_rate": 1.0, "error_statuses": [status]})

    with pytest.raises(SfccRetryable) as caught:
        client.patch_custom_attributes(order_no=order_no, attrs={"c_caseId": "C-1"})

    assert caught.value.status == status
    assert caught.value.detail == "Simulated failure."
    assert caught.value.type.endswith("-error") or caught.value.type.endswith("-unavailable")
    assert caught.value.correlation_id


def test_rate_limit_answers_429_once_the_budget_is_spent(
    sim: SimulatorProcess, make_client: ClientFactory
) -> None:
    client = make_client(read_retries=0)
    sim.ctl("PUT", "/faults", {"rate_limit": {"rps": 5, "retry_after": 3}})

    with pytest.raises(SfccRetryable) as caught:
        for _ in range(20):
            client.get_orders(limit=1)

    assert caught.value.status == 429
    assert caught.value.retry_after == 3


def test_retry_after_accepts_an_http_date() -> None:
    now = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)

    assert parse_retry_after(header, now=now.timestamp()) == pytest.approx(90)
    assert parse_retry_after("5") == 5
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_read_timeout_is_a_retryable_connection_error(
    sim: SimulatorProcess, make_client: ClientFactory
) -> None:
    client = make_client(read_timeout=0.2, read_retries=0)
    client.token_provider.get_token()
    sim.ctl("PUT", "/faults", {"latency_ms": 600})

    with pytest.raises(SfccConnectionError) as caught:
        client.get_orders(limit=1)

    assert "Timeout" in caught.value.detail
    assert isinstance(caught.value, SfccRetryable)


# Outages -------------------------------------------------------------------------------


@pytest.mark.slow
def test_outage_refusing_connections_then_recovery(
    sim: SimulatorProcess, make_client: ClientFactory, create_order: OrderFactory
) -> None:
    client = make_client(read_retries=0)
    order_no = create_order()["orderNo"]
    client.get_order(order_no=order_no)  # leaves a pooled keep-alive connection behind
    sim.ctl("PUT", "/faults", {"outage_seconds": 1.5, "outage_mode": "refuse"})
    time.sleep(0.3)

    with pytest.raises(SfccConnectionError) as caught:
        client.update_external_status(order_no=order_no, status="during outage")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{sim.url}/__control/health")

    assert "Connect" in caught.value.detail
    sim.wait_until_listening(timeout=10)
    client.update_external_status(order_no=order_no, status="after outage")
    assert applied(sim, order_no, "external-status") == ["applied"]


def test_a_refusing_outage_ends_early_on_sigusr1(
    sim: SimulatorProcess, make_client: ClientFactory, create_order: OrderFactory
) -> None:
    client = make_client(read_retries=0)
    order_no = create_order()["orderNo"]
    sim.ctl("PUT", "/faults", {"outage_seconds": 3600, "outage_mode": "refuse"})
    time.sleep(0.3)
    with pytest.raises(SfccConnectionError):
        client.update_external_status(order_no=order_no, status="during outage")

    sim.proc.send_signal(signal.SIGUSR1)
    sim.wait_until_listening(timeout=10)

    assert sim.ctl("GET", "/faults")["outage_seconds"] == 0
    client.update_external_status(order_no=order_no, status="after outage")
    assert applied(sim, order_no, "external-status") == ["applied"]


def test_outage_resetting_connections_is_retryable(
    sim: SimulatorProcess, make_client: ClientFactory, create_order: OrderFactory
) -> None:
    client = make_client(read_retries=0)
    order_no = create_order()["orderNo"]
    client.token_provider.get_token()
    sim.ctl("PUT", "/faults", {"outage_seconds": 30, "outage_mode": "reset"})

    with pytest.raises(SfccConnectionError):
        client.get_order(order_no=order_no)

    sim.ctl("PUT", "/faults", {"outage_seconds": 0})
    assert client.get_order(order_no=order_no)["orderNo"] == order_no


def test_outage_answering_503_carries_the_remaining_time(
    sim: SimulatorProcess, make_client: ClientFactory
) -> None:
    client = make_client(read_retries=0)
    client.token_provider.get_token()
    sim.ctl("PUT", "/faults", {"outage_seconds": 20, "outage_mode": "503"})

    with pytest.raises(SfccRetryable) as caught:
        client.get_orders(limit=1)

    assert caught.value.status == 503
    assert 15 <= caught.value.retry_after <= 20


# Tokens --------------------------------------------------------------------------------


def test_revoked_token_is_refreshed_once_and_the_call_retried(
    sim: SimulatorProcess, client: OrdersClient, create_order: OrderFactory
) -> None:
    order_no = create_order()["orderNo"]
    client.get_order(order_no=order_no)
    sim.ctl("POST", "/auth/revoke")

    client.update_external_status(order_no=order_no, status="after revoke", idempotency_key="r-1")

    assert sim.ctl("GET", "/stats")["token_requests"] == 2
    assert applied(sim, order_no, "external-status") == ["applied"]


def test_token_expiring_early_on_the_server_is_refreshed(
    sim: SimulatorProcess, client: OrdersClient, create_order: OrderFactory
) -> None:
    # The server keeps tokens 1 s but still advertises 1799 s, as clock skew would.
    sim.ctl("PUT", "/auth", {"token_lifetime": 1})
    order_no = create_order()["orderNo"]
    client.get_order(order_no=order_no)
    time.sleep(1.1)

    client.get_order(order_no=order_no)

    assert sim.ctl("GET", "/stats")["token_requests"] == 2


def test_a_401_after_refreshing_is_an_auth_error_not_a_loop(
    sim: SimulatorProcess, client: OrdersClient
) -> None:
    sim.ctl("PUT", "/auth", {"token_lifetime": 0})

    with pytest.raises(SfccAuthError) as caught:
        client.get_orders(limit=1)

    assert caught.value.status == 401
    assert sim.ctl("GET", "/stats")["token_requests"] == 2


def test_wrong_client_secret_is_an_auth_error(
    sim: SimulatorProcess, make_client: ClientFactory
) -> None:
    client = make_client(client_secret="not-the-secret")

    with pytest.raises(SfccAuthError) as caught:
        client.get_orders(limit=1)

    assert caught.value.title == "invalid_client"
    assert sim.ctl("GET", "/stats")["token_requests"] == 1


def test_twenty_workers_sharing_a_store_fetch_one_token(sim: SimulatorProcess) -> None:
    sim.ctl("PUT", "/auth", {"token_latency_ms": 300})
    store = InMemoryTokenStore()
    # One provider per worker, as in separate processes sharing Django's cache.
    providers = [provider_for(sim, store) for _ in range(20)]
    barrier = threading.Barrier(20)
    tokens: list[str] = []

    def work(provider: TokenProvider) -> None:
        barrier.wait()
        tokens.append(provider.get_token())

    threads = [threading.Thread(target=work, args=(p,)) for p in providers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for provider in providers:
        provider.close()

    assert len(tokens) == 20 and len(set(tokens)) == 1
    assert sim.ctl("GET", "/stats")["token_requests"] == 1


def test_token_is_refreshed_before_it_expires(sim: SimulatorProcess) -> None:
    now = [1_000_000.0]
    provider = provider_for(sim, InMemoryTokenStore(), clock=lambda: now[0], refresh_margin=60)
    first = provider.get_token()
    now[0] += 1799 - 61
    assert provider.get_token() == first
    now[0] += 2

    second = provider.get_token()

    provider.close()
    assert second != first
    assert sim.ctl("GET", "/stats")["token_requests"] == 2


def test_invalidate_keeps_a_token_someone_else_already_refreshed(sim: SimulatorProcess) -> None:
    store = InMemoryTokenStore()
    provider = provider_for(sim, store)
    old = provider.get_token()
    provider.invalidate(token=old)
    new = provider.get_token()

    provider.invalidate(token=old)  # a late 401 for the old token

    assert provider.get_token() == new != old
    provider.close()


# Paging --------------------------------------------------------------------------------


class OffsetRecorder(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.windows: list[tuple[int, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        if "offset" in query:
            self.windows.append((int(query["offset"][0]), int(query["limit"][0])))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.slow
def test_iterating_past_the_10000_window_yields_each_order_once(
    sim: SimulatorProcess, make_client: ClientFactory
) -> None:
    recorder = OffsetRecorder()
    client = make_client(transport=recorder)
    sim.ctl("POST", "/orders/bulk", {"count": 10_250, "per_ms": 3})

    numbers = [o["orderNo"] for o in client.iter_changed_orders(since="2000-01-01T00:00:00Z")]

    assert len(numbers) == 10_250
    assert len(set(numbers)) == 10_250
    assert all(offset + limit <= 10_000 for offset, limit in recorder.windows)
    assert max(limit for _, limit in recorder.windows) == 200


def test_iterating_a_tie_group_larger_than_a_page(
    sim: SimulatorProcess, make_client: ClientFactory
) -> None:
    recorder = OffsetRecorder()
    client = make_client(transport=recorder)
    sim.ctl("POST", "/orders/bulk", {"count": 1_000, "per_ms": 450})

    numbers = [o["orderNo"] for o in client.iter_changed_orders(since="2000-01-01T00:00:00Z")]

    assert sorted(numbers) == sorted(set(numbers)) and len(numbers) == 1_000
    assert any(offset > 0 for offset, _ in recorder.windows)


def test_orders_changed_while_paging_are_not_lost(
    sim: SimulatorProcess, client: OrdersClient
) -> None:
    bulk = sim.ctl("POST", "/orders/bulk", {"count": 1_000, "per_ms": 2})
    everything = {f"{n:08d}" for n in range(int(bulk["first"]), int(bulk["last"]) + 1)}
    yielded: list[str] = []

    for order in client.iter_changed_orders(since="2000-01-01T00:00:00Z", page_size=100):
        yielded.append(order["orderNo"])
        if len(yielded) == 350:
            # Orders already passed change, which moves them behind the watermark's end.
            for order_no in yielded[:300:10]:
                sim.ctl("PATCH", f"/orders/{order_no}", {"c_touched": True})

    assert set(yielded) == everything
    assert len(yielded) == 1_000 + 30


# Idempotency ---------------------------------------------------------------------------


def test_the_same_idempotency_key_is_applied_once(
    sim: SimulatorProcess, client: OrdersClient, create_order: OrderFactory
) -> None:
    order_no = create_order()["orderNo"]

    for _ in range(3):
        client.patch_custom_attributes(
            order_no=order_no, attrs={"c_crossdockCaseId": "CASE-9"}, idempotency_key="ob-9"
        )
    client.add_note(order_no=order_no, subject="s", text="t", idempotency_key="note-9")
    client.add_note(order_no=order_no, subject="s", text="t", idempotency_key="note-9")

    assert applied(sim, order_no, "patch") == ["applied", "duplicate", "duplicate"]
    assert len(client.list_notes(order_no=order_no)) == 1


def test_a_lost_response_retried_with_its_key_is_applied_once(
    sim: SimulatorProcess, client: OrdersClient, create_order: OrderFactory
) -> None:
    order_no = create_order()["orderNo"]
    sim.ctl("PUT", "/faults", {"fail_next": {"status": 503, "after_apply": True}})

    with pytest.raises(SfccRetryable):
        client.update_external_status(order_no=order_no, status="Shipped", idempotency_key="e-1")
    result = client.update_external_status(
        order_no=order_no, status="Shipped", idempotency_key="e-1"
    )

    assert result.status_code == 204
    assert applied(sim, order_no, "external-status") == ["applied", "duplicate"]


def test_reusing_a_key_for_another_change_is_refused(
    sim: SimulatorProcess, client: OrdersClient, create_order: OrderFactory
) -> None:
    order_no = create_order()["orderNo"]
    client.update_external_status(order_no=order_no, status="A", idempotency_key="k-1")

    with pytest.raises(SfccBadRequest) as caught:
        client.update_external_status(order_no=order_no, status="B", idempotency_key="k-1")

    assert caught.value.status == 422


def test_non_custom_attributes_are_refused_before_sending(
    sim: SimulatorProcess, client: OrdersClient
) -> None:
    with pytest.raises(ValueError, match="c_"):
        client.patch_custom_attributes(order_no="00001001", attrs={"status": "new"})
    with pytest.raises(ValueError):
        client.update_shipping_status(order_no="00001001", status="lost")

    assert sim.ctl("GET", "/stats")["counters"].get("requests", 0) == 0


# Push signatures -----------------------------------------------------------------------

SECRET = "whsec_test"
BODY = b'{"id":"evt_1","type":"order.updated"}'
NOW = 1_790_000_000


def test_a_valid_signature_verifies() -> None:
    header = sign(secret=SECRET, body=BODY, timestamp=NOW)

    assert verify(secret=SECRET, body=BODY, header=header, now=NOW + 10) == NOW


def test_any_of_several_v1_entries_and_rotated_secrets_verify() -> None:
    old = sign(secret="old", body=BODY, timestamp=NOW).split(",")[1]
    new = sign(secret=SECRET, body=BODY, timestamp=NOW).split(",")[1]
    header = f"t={NOW},{old},{new},v0=ignored"

    assert verify(secret=SECRET, body=BODY, header=header, now=NOW) == NOW
    assert verify(secret=["retired", "old"], body=BODY, header=header, now=NOW) == NOW


@pytest.mark.parametrize("header", [None, "", "   "])
def test_a_missing_signature_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureMissing):
        verify(secret=SECRET, body=BODY, header=header, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        "v1=abc",
        f"t={NOW}",
        f"t=soon,v1={'a' * 64}",
        f"t={NOW},t={NOW},v1={'a' * 64}",
        f"t={NOW},v1=zz",
        "garbage",
    ],
)
def test_a_malformed_signature_is_refused(header: str) -> None:
    with pytest.raises(SignatureMalformed):
        verify(secret=SECRET, body=BODY, header=header, now=NOW)


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_stale_or_future_signature_is_refused(skew: int) -> None:
    header = sign(secret=SECRET, body=BODY, timestamp=NOW)

    with pytest.raises(SignatureStale):
        verify(secret=SECRET, body=BODY, header=header, now=NOW + skew)


def test_one_changed_byte_or_secret_is_refused() -> None:
    header = sign(secret=SECRET, body=BODY, timestamp=NOW)
    tampered = BODY.replace(b"updated", b"updatex")

    with pytest.raises(SignatureMismatch):
        verify(secret=SECRET, body=tampered, header=header, now=NOW)
    with pytest.raises(SignatureMismatch):
        verify(secret="other", body=BODY, header=header, now=NOW)
    with pytest.raises(SignatureMismatch):
        verify(secret=SECRET, body=BODY, header=header.replace(f"t={NOW}", f"t={NOW + 1}"), now=NOW)
