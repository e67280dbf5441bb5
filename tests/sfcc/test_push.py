"""The signed push endpoint: refused unless signed, fresh and intact; recorded once; applied once."""

import json
import threading
import time
from typing import Any

import httpx
import pytest
from django.urls import reverse

from apps.exceptions.models import ExceptionDetail
from apps.orders.models import Order
from apps.sfcc.client import sign
from apps.sfcc.outbound import TOPIC_EXTERNAL_STATUS
from apps.sync.models import InboxEvent, InboxStatus, OutboxMessage, OutboxStatus
from apps.workspace.models import Case
from tests.sfcc.test_mirror import default_rules, order_doc, partners  # noqa: F401  (fixtures)
from tests.support.worker import wait_for

SECRET = "push-secret-for-tests"
URL = "/api/v1/sfcc/events"


def event_for(order: dict[str, Any], *, event_id: str = "evt_0001", kind: str = "order.created") -> dict:
    return {
        "id": event_id,
        "type": kind,
        "created": int(time.time()),
        "data": {"orderNo": order["orderNo"], "lastModified": order["lastModified"], "order": order},
    }


def signed(event: dict, *, secret: str = SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(event, separators=(",", ":")).encode()
    return body, sign(secret=secret, body=body, timestamp=timestamp or int(time.time()))


def post(web, body: bytes, header: str | None):
    headers = {"HTTP_CROSSDOCK_SIGNATURE": header} if header is not None else {}
    return web.post(URL, data=body, content_type="application/json", **headers)


@pytest.fixture
def web():
    """Django's test client (tests/sfcc/conftest.py gives `client` to the SFCC client)."""
    from django.test import Client

    return Client()


@pytest.fixture
def push_settings(settings):
    settings.SFCC_PUSH_SECRET = SECRET
    settings.SFCC_ENABLED = True
    return settings


# --- refusals: 401 with a reason, and nothing stored -----------------------------------------


def _tamper(body: bytes) -> bytes:
    # One byte: the 3 of the order number becomes a 4.
    index = body.index(b"00001")
    return body[: index + 4] + (b"9" if body[index + 4 : index + 5] != b"9" else b"8") + body[index + 5 :]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("missing", "signature_missing"),
        ("empty", "signature_missing"),
        ("malformed", "signature_malformed"),
        ("wrong_secret", "signature_mismatch"),
        ("stale", "signature_stale"),
        ("future", "signature_stale"),
        ("changed_byte", "signature_mismatch"),
    ],
)
def test_bad_signatures_are_refused_and_nothing_is_stored(web, push_settings, case, reason):
    body, header = signed(event_for(order_doc()))
    if case == "missing":
        header = None
    elif case == "empty":
        header = ""
    elif case == "malformed":
        header = "v1=deadbeef"
    elif case == "wrong_secret":
        body, header = signed(event_for(order_doc()), secret="not-the-secret")
    elif case == "stale":
        body, header = signed(event_for(order_doc()), timestamp=int(time.time()) - 301)
    elif case == "future":
        body, header = signed(event_for(order_doc()), timestamp=int(time.time()) + 330)
    elif case == "changed_byte":
        body = _tamper(body)
    response = post(web, body, header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == reason
    assert not InboxEvent.objects.exists() and not Order.objects.exists()


@pytest.mark.django_db
def test_without_a_configured_secret_every_push_is_refused(web, settings):
    settings.SFCC_PUSH_SECRET = ""
    body, header = signed(event_for(order_doc()))
    response = post(web, body, header)
    assert response.status_code == 401 and response.json()["error"]["code"] == "push_not_configured"
    assert not InboxEvent.objects.exists()


@pytest.mark.django_db
def test_a_signed_body_that_is_not_an_event_is_a_400_and_not_stored(web, push_settings):
    for event in ([1, 2], {"id": "evt_1", "data": {}}, {"data": {"order": {"orderNo": "1"}}}):
        body, header = signed(event)
        response = post(web, body, header)
        assert response.status_code == 400 and response.json()["error"]["code"] == "bad_event"
    body = b"not json"
    response = post(web, body, sign(secret=SECRET, body=body, timestamp=int(time.time())))
    assert response.status_code == 400
    assert not InboxEvent.objects.exists()


@pytest.mark.django_db
def test_get_is_a_probe_that_touches_nothing(web, push_settings, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = web.get(URL)
    assert response.status_code == 200 and response.json()["ok"] is True


# --- accepted pushes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_push_is_recorded_then_applied_and_a_replay_is_a_200(
    web, push_settings, partners, django_capture_on_commit_callbacks  # noqa: F811
):
    order = order_doc(c_supplierId="SUP-001", c_fulfillmentExceptionCode="STOCK_SHORTAGE")
    body, header = signed(event_for(order))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(web, body, header)
    assert response.status_code == 202
    assert response.json() == {"id": "evt_0001", "status": "accepted"}
    event = InboxEvent.objects.get()
    assert (event.source, event.source_id, event.status) == ("sfcc.push", "evt_0001", InboxStatus.APPLIED)
    # Recorded without the shopper's billing, contact or payment data.
    stored = json.dumps(event.payload)
    assert "ada@example.com" not in stored and "paymentInstruments" not in stored
    assert "billingAddress" not in stored and "4242" not in stored
    assert ExceptionDetail.objects.get().partner == partners["SUP-001"]

    # The sender retries (re-signed later): the same id is a 200 and nothing happens again.
    body2, header2 = signed(event_for(order), timestamp=int(time.time()) + 5)
    with django_capture_on_commit_callbacks(execute=True):
        again = post(web, body2, header2)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert InboxEvent.objects.count() == 1 and Case.objects.count() == 1


@pytest.mark.django_db
def test_a_rotated_secret_accepts_old_and_new(web, settings):
    settings.SFCC_PUSH_SECRET = "new-secret, old-secret"
    for number, secret in enumerate(("old-secret", "new-secret")):
        body, header = signed(event_for(order_doc(), event_id=f"evt_{number}"), secret=secret)
        assert post(web, body, header).status_code == 202


@pytest.mark.django_db
def test_an_older_version_pushed_late_is_ignored(web, push_settings, partners, django_capture_on_commit_callbacks):  # noqa: F811
    newer = order_doc(modified="2026-03-01T10:05:00.000Z", status="completed")
    older = order_doc(modified="2026-03-01T10:00:00.000Z")
    with django_capture_on_commit_callbacks(execute=True):
        post(web, *signed(event_for(newer, event_id="evt_new", kind="order.updated")))
        post(web, *signed(event_for(older, event_id="evt_old")))
    assert InboxEvent.objects.get(source_id="evt_old").status == InboxStatus.IGNORED
    assert Order.objects.get().status == "completed"


# --- over real HTTP, against the live server ------------------------------------------------


@pytest.fixture
def sfcc_settings(settings, sim):
    """Point the connector at the test simulator (its write-back goes there)."""
    settings.SFCC_PUSH_SECRET = SECRET
    settings.SFCC_ENABLED = True
    settings.SFCC_BASE_URL = sim.url
    settings.SFCC_AUTH_URL = f"{sim.url}/dwsso/oauth2/access_token"
    settings.SFCC_OCAPI_BASE_URL = sim.url
    # A reset keeps the push target; an earlier test's would send our orders elsewhere.
    sim.ctl("PUT", "/push", {"url": "", "secret": ""})
    return settings


@pytest.mark.django_db(transaction=True)
def test_the_same_event_fifty_times_at_once_is_processed_once(live_server, sim, sfcc_settings, partners):  # noqa: F811
    order = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [{"productId": "SKU-0001", "quantity": 1, "c_supplierId": "SUP-001"}],
            "c_supplierId": "SUP-001",
            "c_fulfillmentExceptionCode": "STOCK_SHORTAGE",
        },
    )
    body, header = signed(event_for(order, event_id="evt_concurrent"))
    # Fifty kept-alive connections, opened one by one (the test server's listen backlog is
    # ten), then fifty POSTs released at the same instant.
    clients = [httpx.Client(base_url=live_server.url, timeout=60) for _ in range(50)]
    for http in clients:
        assert http.get(URL).status_code == 200
    barrier = threading.Barrier(50)
    statuses: list[int] = []
    lock = threading.Lock()

    def push(http: httpx.Client) -> None:
        barrier.wait()
        response = http.post(
            URL,
            content=body,
            headers={"Content-Type": "application/json", "Crossdock-Signature": header},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=push, args=(http,)) for http in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for http in clients:
        http.close()
    assert sorted(statuses) == [200] * 49 + [202]
    assert InboxEvent.objects.filter(source_id="evt_concurrent").count() == 1
    assert Case.objects.count() == 1 and ExceptionDetail.objects.count() == 1
    assert OutboxMessage.objects.filter(topic=TOPIC_EXTERNAL_STATUS).count() == 1
    # The one outbound update reached SFCC once.
    wait_for(
        lambda: not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists(),
        timeout=30,
        message="the write-back to be delivered",
    )
    history = sim.ctl("GET", f"/orders/{order['orderNo']}/history")["history"]
    writes = [h for h in history if h["source"] == "api"]
    assert [h["op"] for h in writes].count("external-status") == 1
    assert all(h["outcome"] == "applied" for h in writes)


@pytest.mark.django_db(transaction=True)
def test_the_simulator_push_opens_a_case_for_the_right_supplier(live_server, sim, sfcc_settings, partners):  # noqa: F811
    sim.ctl("PUT", "/push", {"url": f"{live_server.url}{reverse('sfcc:push_events')}", "secret": SECRET})
    order = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [{"productId": "SKU-0002", "quantity": 3, "c_supplierId": "SUP-002"}],
            "c_supplierId": "SUP-002",
        },
    )
    sim.ctl("POST", f"/orders/{order['orderNo']}/exception", {"code": "STOCK_SHORTAGE", "detail": "0 left"})
    link = wait_for(
        lambda: ExceptionDetail.objects.select_related("partner", "case").first(),
        timeout=30,
        message="the pushed exception to open a case",
    )
    assert link.partner == partners["SUP-002"] and link.detail == "0 left"
    assert InboxEvent.objects.filter(source="sfcc.push").count() == 2
    ours = set(InboxEvent.objects.values_list("source_id", flat=True))

    def delivered():
        log = [d for d in sim.ctl("GET", "/push")["deliveries"] if d["event"] in ours]
        return log if len(log) == 2 else None

    # The simulator logs a delivery once it has read our answer, a moment after we stored it.
    assert [d["status"] for d in wait_for(delivered, timeout=10, message="the push log")] == [202, 202]


# --- the reconciliation poll (the other inbound path) -------------------------------------


def _exception_order(sim, supplier: str = "SUP-001", code: str = "STOCK_SHORTAGE") -> dict:
    return sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [{"productId": "SKU-0009", "quantity": 1, "c_supplierId": supplier}],
            "c_supplierId": supplier,
            "c_fulfillmentExceptionCode": code,
        },
    )


@pytest.mark.django_db
def test_the_poll_records_each_version_then_applies_it_and_moves_the_watermark(sim, sfcc_settings, partners):  # noqa: F811
    from apps.sfcc.inbound import poll_changed_orders
    from apps.sfcc.models import PollCursor

    sim.ctl("POST", "/orders/bulk", {"count": 5})
    shortage = _exception_order(sim)
    result = poll_changed_orders()
    assert (result.seen, result.recorded, result.applied) == (6, 6, 6)
    polled = InboxEvent.objects.filter(source="sfcc.poll")
    assert polled.filter(status=InboxStatus.APPLIED).count() == 6
    assert polled.filter(source_id=f"{shortage['orderNo']}@{shortage['lastModified']}").exists()
    cursor = PollCursor.objects.get(site_id="RefArch")
    assert cursor.watermark.isoformat().startswith(shortage["lastModified"][:19])
    assert cursor.last_error == "" and cursor.last_run_at is not None
    assert ExceptionDetail.objects.get().partner == partners["SUP-001"]
    # Nothing changed: the order at the watermark is read again and recognised.
    again = poll_changed_orders()
    assert (again.seen, again.recorded, again.applied) == (1, 0, 0)
    # The exception clears in SFCC: the next poll brings the new version and resolves the case.
    sim.ctl("DELETE", f"/orders/{shortage['orderNo']}/exception")
    third = poll_changed_orders()
    assert (third.recorded, third.applied) == (1, 1)
    assert ExceptionDetail.objects.get().case.status == "resolved"


@pytest.mark.django_db
def test_a_poll_that_fails_mid_way_keeps_the_watermark_of_the_last_applied_page(sim, sfcc_settings, partners):  # noqa: F811
    from apps.sfcc.client import SfccRetryable
    from apps.sfcc.deliverer import get_client
    from apps.sfcc.inbound import poll_changed_orders
    from apps.sfcc.models import PollCursor

    orders = [_exception_order(sim, supplier=f"SUP-00{1 + n % 2}") for n in range(5)]
    get_client().get_order(order_no=orders[0]["orderNo"])  # a fresh token: no 401 round trip
    # One request a second: the first page (2 orders) is served, the next request is throttled
    # with a Retry-After longer than the client waits inside a call.
    sim.ctl("PUT", "/faults", {"rate_limit": {"rps": 1, "retry_after": 60}})
    with pytest.raises(SfccRetryable):
        poll_changed_orders(page_size=2)
    cursor = PollCursor.objects.get(site_id="RefArch")
    assert cursor.watermark.isoformat().startswith(orders[1]["lastModified"][:19])
    assert "SfccRetryable" in cursor.last_error
    assert Order.objects.count() == 2
    # Next time it goes on from there; what it reads again is recognised, nothing doubles.
    sim.ctl("PUT", "/faults", {"rate_limit": None})
    result = poll_changed_orders(page_size=2)
    assert Order.objects.count() == 5 and ExceptionDetail.objects.count() == 5
    assert result.recorded == 3
    assert InboxEvent.objects.filter(source="sfcc.poll").count() == 5
    assert PollCursor.objects.get(site_id="RefArch").last_error == ""


@pytest.mark.django_db
def test_a_pushed_and_a_polled_copy_of_one_version_apply_once(web, sim, sfcc_settings, partners, django_capture_on_commit_callbacks):  # noqa: F811
    from apps.sfcc.inbound import poll_changed_orders

    # No exception, so no write-back moves the order on in SFCC between push and poll.
    order = sim.ctl("POST", "/orders", {"lines": [{"productId": "SKU-1", "c_supplierId": "SUP-001"}]})
    with django_capture_on_commit_callbacks(execute=True):
        assert post(web, *signed(event_for(order, event_id="evt_dup"))).status_code == 202
    poll_changed_orders()
    polled = InboxEvent.objects.get(source="sfcc.poll")
    assert polled.source_id == f"{order['orderNo']}@{order['lastModified']}"
    assert polled.status == InboxStatus.IGNORED and "Not newer" in polled.error
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_only_one_poll_runs_at_a_time(sim, sfcc_settings):
    from django.core.cache import cache

    from apps.sfcc.inbound import POLL_LOCK_KEY, poll_changed_orders

    cache.set(POLL_LOCK_KEY, "another-process", 60)
    try:
        assert poll_changed_orders().skipped == "another poll is running"
    finally:
        cache.delete(POLL_LOCK_KEY)
