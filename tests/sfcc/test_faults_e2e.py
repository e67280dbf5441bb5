"""Write-back under faults, against the simulator as a real subprocess: nothing lost, nothing twice.

(i) SFCC refuses connections for ten simulated minutes while 500 case updates are made.
(ii) A worker dies after SFCC applied a write but before the row was marked sent.

Time is simulated by draining the outbox with advancing `now` values, every 10 s like beat
does; the test process is the only worker.
"""

import random
import signal
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.exceptions.models import ExceptionDetail
from apps.partners.roles import Role
from apps.sfcc import services
from apps.sfcc.deliverer import get_client
from apps.sfcc.documents import reduce_order
from apps.sfcc.outbound import TOPIC_EXTERNAL_STATUS, TOPIC_NOTE
from apps.sync.delivery import Outcome, deliver, deliver_due
from apps.sync.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from apps.workspace.choices import Channel
from apps.workspace.services import case_transition
from apps.workspace.states import workflow_for
from tests.factories import member
from tests.sfcc.test_mirror import default_rules, partners  # noqa: F401  (fixtures)
from tests.support.worker import wait_for

pytestmark = pytest.mark.slow

BEAT_SWEEP_SECONDS = 10  # CELERY_BEAT_SCHEDULE["sync-sweep-outbox"]
ORDERS = 20
UPDATES = 500
OUTAGE_SIMULATED = timedelta(minutes=10)
# The port stays closed until the test ends the outage (SIGUSR1), however slow the machine;
# this ceiling only bounds a test that dies before it gets there.
OUTAGE_CEILING_SECONDS = 3600


def point_at(settings, sim) -> None:
    settings.SFCC_ENABLED = True
    settings.SFCC_BASE_URL = sim.url
    settings.SFCC_AUTH_URL = f"{sim.url}/dwsso/oauth2/access_token"
    settings.SFCC_OCAPI_BASE_URL = sim.url
    sim.ctl("PUT", "/push", {"url": "", "secret": ""})  # a reset keeps an earlier test's target


def tick(now: datetime) -> list[Outcome]:
    """One beat tick: the worker drains what is due."""
    return list(deliver_due(now=now).outcomes.values())


def open_cases(sim, count: int) -> list[Any]:
    cases = []
    for n in range(count):
        supplier = "SUP-001" if n % 2 == 0 else "SUP-002"
        order = sim.ctl(
            "POST",
            "/orders",
            {
                "lines": [{"productId": f"SKU-{n:04d}", "quantity": 1, "c_supplierId": supplier}],
                "c_supplierId": supplier,
                "c_fulfillmentExceptionCode": "STOCK_SHORTAGE",
            },
        )
        result = services.order_apply(document=reduce_order(order))
        cases.extend(result.opened)
    return cases


def api_requests(sim) -> int:
    """Requests SFCC received, token requests aside."""
    stats = sim.ctl("GET", "/stats")
    return stats["counters"].get("requests", 0) - stats["token_requests"]


def sim_history(sim, order_no: str) -> list[dict[str, Any]]:
    return [
        h for h in sim.ctl("GET", f"/orders/{order_no}/history")["history"] if h["source"] == "api"
    ]


@pytest.mark.django_db
def test_ten_minute_outage_loses_nothing_and_applies_everything_once(
    launch,
    settings,
    partners,  # noqa: F811
    agent,
):
    random.seed(20260301)  # the outbox's jitter; the assertions hold for any seed
    sim = launch()
    point_at(settings, sim)
    cases = open_cases(sim, ORDERS)
    assert len(cases) == ORDERS
    members = {p.pk: member(p, Role.PARTNER_MEMBER) for p in partners.values()}
    assert Outcome.SENT in tick(timezone.now())
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
    before_outage = set(OutboxMessage.objects.values_list("id", flat=True))

    # SFCC goes away: the port is closed, connections are refused.
    sim.ctl("PUT", "/faults", {"outage_seconds": OUTAGE_CEILING_SECONDS, "outage_mode": "refuse"})
    for n in range(UPDATES):
        case = cases[n % ORDERS]
        case.refresh_from_db()
        # Partner answers, retailer asks again: each update a transition SFCC must hear of.
        if case.status in ("open", "awaiting_partner"):
            case_transition(
                actor=members[case.partner_id], channel=Channel.WEB, case=case, transition="respond"
            )
        else:
            case_transition(actor=agent, channel=Channel.WEB, case=case, transition="request_info")
    start = timezone.now()
    ticks = int(OUTAGE_SIMULATED.total_seconds() // BEAT_SWEEP_SECONDS)
    for n in range(ticks + 1):
        outcomes = tick(start + timedelta(seconds=n * BEAT_SWEEP_SECONDS))
        assert Outcome.SENT not in outcomes and Outcome.DEAD not in outcomes

    written = OutboxMessage.objects.exclude(pk__in=before_outage)
    assert written.count() >= UPDATES * 2
    assert not written.filter(status__in=(OutboxStatus.SENT, OutboxStatus.DEAD)).exists()
    failed = DeliveryAttempt.objects.filter(message__in=written)
    assert failed.exists() and set(failed.values_list("outcome", flat=True)) == {"retryable"}
    assert all("unreachable" in e for e in failed.values_list("error", flat=True))

    # SFCC is back; beat keeps sweeping every 10 s until the backlog is gone.
    sim.proc.send_signal(signal.SIGUSR1)
    sim.wait_until_listening(timeout=30)
    now = start + OUTAGE_SIMULATED
    for _ in range(200):
        now += timedelta(seconds=BEAT_SWEEP_SECONDS)
        tick(now)
        if not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists():
            break
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
    caught_up_after = now - (start + OUTAGE_SIMULATED)
    assert caught_up_after <= timedelta(minutes=5)

    # In SFCC: every row applied exactly once, each order's writes in the order they were made.
    rows_by_order: dict[str, list[OutboxMessage]] = defaultdict(list)
    for row in OutboxMessage.objects.order_by("id"):
        rows_by_order[row.payload["order_no"]].append(row)
    for order_no, rows in rows_by_order.items():
        history = sim_history(sim, order_no)
        assert [h["idempotencyKey"] for h in history] == [str(r.idempotency_key) for r in rows]
        assert {h["outcome"] for h in history} == {"applied"}
        final = sim.ctl("GET", f"/orders/{order_no}")
        last_status = [r for r in rows if r.topic == TOPIC_EXTERNAL_STATUS][-1]
        assert final["order"]["externalOrderStatus"] == last_status.payload["status"]
        case = ExceptionDetail.objects.get(order_number=order_no).case
        label = workflow_for(case.kind).state(case.status).label
        assert final["order"]["c_crossdockCaseStatus"] == label
        assert len(final["notes"]) == sum(1 for r in rows if r.topic == TOPIC_NOTE)


# --- (ii) a worker dies between SFCC's answer and marking the row sent ----------------------


@pytest.mark.django_db
def test_an_answer_lost_after_apply_is_redelivered_with_the_same_key_and_applied_once(
    sim,
    settings,
    partners,  # noqa: F811
):
    point_at(settings, sim)
    (case,) = open_cases(sim, 1)
    first = OutboxMessage.objects.order_by("id").first()
    # A fresh token first, so the injected failure meets the write and not a token refresh.
    get_client().get_order(order_no=case.order_number)
    sim.ctl(
        "PUT",
        "/faults",
        {"fail_next": {"count": 1, "status": 503, "after_apply": True, "writes_only": True}},
    )
    now = timezone.now()
    assert deliver(first.pk, now=now) == Outcome.RETRYING
    assert deliver(first.pk, now=now + timedelta(minutes=5)) == Outcome.SENT
    history = sim_history(sim, case.order_number)
    assert [(h["idempotencyKey"], h["outcome"]) for h in history] == [
        (str(first.idempotency_key), "applied"),
        (str(first.idempotency_key), "duplicate"),
    ]


def _sfcc_env(monkeypatch, sim) -> None:
    # Read by the worker process's settings when it starts.
    monkeypatch.setenv("SFCC_ENABLED", "1")
    monkeypatch.setenv("SFCC_BASE_URL", sim.url)
    monkeypatch.setenv("SFCC_AUTH_URL", f"{sim.url}/dwsso/oauth2/access_token")
    monkeypatch.setenv("SFCC_OCAPI_BASE_URL", sim.url)


@pytest.fixture
def sfcc_worker_env(monkeypatch, sim):
    _sfcc_env(monkeypatch, sim)
    return sim


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_call_leaves_the_row_to_be_redelivered_once(
    sfcc_worker_env,
    celery_worker_process,
    settings,
    partners,  # noqa: F811
):
    from portal.celery import app

    sim = sfcc_worker_env
    point_at(settings, sim)
    try:
        order = sim.ctl(
            "POST",
            "/orders",
            {
                "lines": [{"productId": "SKU-0001", "quantity": 1, "c_supplierId": "SUP-001"}],
                "c_supplierId": "SUP-001",
                "c_fulfillmentExceptionCode": "STOCK_SHORTAGE",
            },
        )
        # A valid token in the shared cache, so the worker's first request is the write itself
        # (a stale token from an earlier test would cost a slow 401 first).
        get_client().get_order(order_no=order["orderNo"])
        # Slow answers: the worker is inside the HTTP call when it dies.
        sim.ctl("PUT", "/faults", {"latency_ms": 4000})
        requests_before = api_requests(sim)
        services.order_apply(document=reduce_order(order))  # commits; its rows go to the worker
        first = OutboxMessage.objects.order_by("id").first()
        wait_for(
            lambda: DeliveryAttempt.objects.filter(
                message=first, finished_at__isnull=True
            ).exists(),
            timeout=60,
            message="the worker to start delivering",
        )
        # The write has reached SFCC, which takes 4 s to answer: the worker dies waiting.
        # (A fixed sleep here raced a loaded machine's worker, killed before it sent anything.)
        wait_for(
            lambda: api_requests(sim) > requests_before,
            timeout=60,
            interval=0.05,
            message="the write to reach the simulator",
        )
        celery_worker_process.proc.send_signal(signal.SIGKILL)
        celery_worker_process.proc.wait(10)
        # SFCC applied it anyway: the write reached it before the worker died.
        wait_for(
            lambda: [h for h in sim_history(sim, order["orderNo"]) if h["outcome"] == "applied"],
            timeout=60,
            message="the simulator to apply the write",
        )
        first.refresh_from_db()
        assert first.status == OutboxStatus.IN_FLIGHT and first.attempts == 1
        sim.ctl("PUT", "/faults", {"latency_ms": 0})

        # Before the lease runs out nobody takes the row; after, the next drain delivers it again.
        assert deliver(first.pk) == Outcome.SKIPPED
        later = first.claimed_until + timedelta(seconds=1)
        assert deliver(first.pk, now=later) == Outcome.SENT
        assert set(deliver_due(now=later).outcomes.values()) <= {Outcome.SENT}
        assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
        history = sim_history(sim, order["orderNo"])
        keys = [(h["idempotencyKey"], h["outcome"]) for h in history]
        assert keys[:2] == [
            (str(first.idempotency_key), "applied"),
            (str(first.idempotency_key), "duplicate"),
        ]
        assert [k for k, outcome in keys if outcome == "applied"] == [
            str(r.idempotency_key) for r in OutboxMessage.objects.order_by("id")
        ]
        lost = DeliveryAttempt.objects.get(message=first, number=1)
        assert lost.outcome == "lost"
    finally:
        app.control.purge()
