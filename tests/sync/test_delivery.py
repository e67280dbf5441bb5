"""Outbox delivery against a real HTTP server: order per key, backoff, dead letters, leases."""

import contextlib
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from apps.sync import conf, delivery
from apps.sync.delivery import Outcome, deliver, deliver_due
from apps.sync.errors import RetryableError
from apps.sync.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from apps.sync.registry import deliverers
from apps.sync.services import outbox_enqueue
from tests.support.threads import run_at_once

from .conftest import TARGET, http_deliverer, threads_share_database

pytestmark = pytest.mark.django_db


def enqueue(key: str = "testremote:order:1", n: int = 1, case=None) -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(
            target=TARGET, topic="order.status", key=key, payload={"n": n}, case=case
        )


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_enqueue_in_a_rolled_back_transaction_leaves_nothing(
    remote, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="boom"),
        transaction.atomic(),
    ):
        outbox_enqueue(target=TARGET, topic="order.status", key="k", payload={})
        raise RuntimeError("boom")
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert remote.requests == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox_enqueue(target=TARGET, topic="order.status", key="k", payload={})
    assert not OutboxMessage.objects.exists()


def test_commit_queues_delivery_and_the_row_is_sent(
    remote, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(case=case)

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None and message.claimed_until is None
    assert remote.requests == [
        {"idempotency_key": str(message.idempotency_key), "body": {"n": 1}, "path": "/deliveries"}
    ]
    attempt = message.delivery_attempts.get()
    assert (attempt.number, attempt.outcome, attempt.response_code) == (1, "sent", 200)
    assert attempt.request_summary["idempotency_key"] == str(message.idempotency_key)
    assert attempt.duration_ms is not None and attempt.finished_at is not None


def test_deliver_twice_sends_once(remote):
    message = enqueue()
    assert deliver(message.pk) == Outcome.SENT
    assert deliver(message.pk) == Outcome.SKIPPED
    assert len(remote.requests) == 1


def test_a_later_row_waits_for_an_earlier_failing_one(remote):
    first, second = enqueue(n=1), enqueue(n=2)
    other_key = enqueue(key="testremote:order:2", n=3)
    remote.fail_next(500)

    assert deliver(first.pk) == Outcome.RETRYING
    assert deliver(second.pk) == Outcome.SKIPPED  # behind `first`, however often it is asked
    assert deliver(second.pk, now=later(3600)) == Outcome.SKIPPED
    assert deliver(other_key.pk) == Outcome.SENT  # another key is not held up
    assert [r["body"]["n"] for r in remote.requests] == [1, 3]

    # When the first goes through, the same drain goes on with the second.
    first.refresh_from_db()
    assert deliver_due(now=first.next_attempt_at).outcomes == {
        first.pk: Outcome.SENT,
        second.pk: Outcome.SENT,
    }
    assert [r["body"]["n"] for r in remote.requests] == [1, 3, 1, 2]


def test_retryable_failure_backs_off_within_the_first_window(remote):
    message = enqueue()
    remote.fail_next(503)
    now = timezone.now()

    assert deliver(message.pk, now=now) == Outcome.RETRYING
    message.refresh_from_db()
    assert message.status == OutboxStatus.RETRYING
    assert message.attempts == 1
    # Full jitter: anywhere from now to base·2^0 seconds later.
    assert now <= message.next_attempt_at <= now + timedelta(seconds=conf.backoff_base())
    assert message.last_error == "HTTP 503"
    assert message.delivery_attempts.get().outcome == "retryable"

    # Not due yet: nothing is sent early.
    assert (
        deliver(message.pk, now=message.next_attempt_at - timedelta(milliseconds=1))
        == Outcome.SKIPPED
    )
    assert deliver(message.pk, now=message.next_attempt_at) == Outcome.SENT
    assert remote.keys() == [str(message.idempotency_key)] * 2


def test_retry_after_is_honoured_when_longer_than_the_backoff(remote):
    message = enqueue()
    remote.fail_next((429, 120))
    now = timezone.now()

    assert deliver(message.pk, now=now) == Outcome.RETRYING
    message.refresh_from_db()
    assert message.next_attempt_at == now + timedelta(seconds=120)
    attempt = message.delivery_attempts.get()
    assert attempt.response_code == 429 and "injected fault" in attempt.response_excerpt

    assert deliver(message.pk, now=now + timedelta(seconds=119)) == Outcome.SKIPPED
    assert deliver(message.pk, now=now + timedelta(seconds=120)) == Outcome.SENT


@override_settings(SYNC_MAX_ATTEMPTS=3)
def test_a_row_becomes_a_dead_letter_after_the_attempt_limit_and_holds_its_key(remote):
    message, behind = enqueue(n=1), enqueue(n=2)
    remote.fail_always(500)
    now = timezone.now()
    outcomes = []
    for _ in range(3):
        outcomes.append(deliver(message.pk, now=now))
        message.refresh_from_db()
        now = message.next_attempt_at
    assert outcomes == [Outcome.RETRYING, Outcome.RETRYING, Outcome.DEAD]
    assert message.status == OutboxStatus.DEAD
    assert message.delivery_attempts.count() == 3
    assert deliver(message.pk, now=later(86400)) == Outcome.SKIPPED  # dead stays dead
    # A later change of the same record is not sent past the dead letter.
    assert deliver(behind.pk, now=later(86400)) == Outcome.SKIPPED
    assert len(remote.requests) == 3


@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_permanent_error_is_a_dead_letter_at_once(remote, status):
    message = enqueue()
    remote.fail_next(status)
    assert deliver(message.pk) == Outcome.DEAD
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)
    attempt = message.delivery_attempts.get()
    assert (attempt.outcome, attempt.response_code) == ("permanent", status)


@pytest.mark.parametrize("status", [408, 409, 425, 502])
def test_timeouts_conflicts_and_gateway_errors_are_retried(remote, status):
    message = enqueue()
    remote.fail_next(status)
    assert deliver(message.pk) == Outcome.RETRYING


def test_an_outage_is_retried_until_the_remote_is_back(remote):
    message = enqueue()
    port = remote.port
    remote.stop()

    assert deliver(message.pk) == Outcome.RETRYING
    message.refresh_from_db()
    assert "ConnectError" in message.last_error
    assert message.delivery_attempts.get().response_code is None

    remote.start(port=port)
    assert deliver(message.pk, now=message.next_attempt_at) == Outcome.SENT
    assert remote.keys() == [str(message.idempotency_key)]


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing between here and the task catches it."""


def test_a_worker_lost_after_the_call_is_redelivered_with_the_same_key(remote):
    message = enqueue()
    send = http_deliverer(remote)

    def dies_after_sending(msg):
        send(msg)
        raise WorkerKilled

    now = timezone.now()
    with deliverers.override(TARGET, dies_after_sending), pytest.raises(WorkerKilled):
        deliver(message.pk, now=now)
    message.refresh_from_db()
    assert message.status == OutboxStatus.IN_FLIGHT
    assert message.claimed_until == now + timedelta(seconds=conf.lease_seconds())

    # While the lease holds, neither a repeat task nor a drain touches it.
    assert deliver(message.pk, now=now + timedelta(seconds=5)) == Outcome.SKIPPED
    assert deliver_due(now=now + timedelta(seconds=5)).outcomes == {}

    # After it, the next drain takes it and it goes out again, with the same idempotency key.
    after_lease = message.claimed_until + timedelta(seconds=1)
    with deliverers.override(TARGET, send):
        assert deliver_due(now=after_lease).outcomes == {message.pk: Outcome.SENT}
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert remote.keys() == [str(message.idempotency_key)] * 2
    assert len(remote.applied) == 1  # the remote applied it once
    lost, sent = message.delivery_attempts.all()
    assert (lost.number, lost.outcome, lost.finished_at) == (1, "lost", None)
    assert (sent.number, sent.outcome) == (2, "sent")


@override_settings(SYNC_MAX_ATTEMPTS=1)
def test_a_worker_lost_on_the_last_attempt_makes_a_dead_letter(remote):
    message = enqueue()
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.IN_FLIGHT, attempts=1, claimed_until=now
    )
    assert deliver(message.pk, now=now + timedelta(seconds=1)) == Outcome.SKIPPED
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert remote.requests == []


def test_a_stale_worker_cannot_overwrite_the_current_owner(remote):
    """A failure reported after the lease moved on is recorded on its attempt only."""
    message = enqueue()
    remote.fail_next(500)
    now = timezone.now()

    # Simulate: attempt 1 claimed, lease expires, attempt 2 claims; attempt 1 then reports.
    row = OutboxMessage.objects.filter(pk=message.pk)
    (first,) = delivery._claim(row, now=now, limit=1)
    assert delivery._claim(row, now=now + timedelta(seconds=conf.lease_seconds() + 1), limit=1)
    late = delivery.Called(first, delivery.DeliveryResult(), RetryableError("late failure"), 5)
    assert delivery._record([late], [], now=now) == {message.pk: Outcome.SKIPPED}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.IN_FLIGHT, 2)
    assert message.delivery_attempts.get(number=1).error == "late failure"


def test_a_missing_deliverer_is_retried_not_dead(db):
    with transaction.atomic():
        message = outbox_enqueue(target="nowhere", topic="t", key="k", payload={})
    assert deliver(message.pk) == Outcome.RETRYING
    message.refresh_from_db()
    assert "No deliverer" in message.last_error


def test_a_crashing_deliverer_is_retried(remote):
    message = enqueue()

    def broken(msg):
        raise KeyError("payload field")

    with deliverers.override(TARGET, broken):
        assert deliver(message.pk) == Outcome.RETRYING
    message.refresh_from_db()
    assert message.last_error.startswith("KeyError")


def test_a_drain_sends_every_due_row_in_key_order(remote):
    a1, a2 = enqueue(key="a", n=1), enqueue(key="a", n=2)
    b1 = enqueue(key="b", n=3)
    sent_already = enqueue(key="c", n=4)
    deliver(sent_already.pk)

    drain = deliver_due(batch=2)
    assert drain.finished
    assert drain.outcomes == {a1.pk: Outcome.SENT, a2.pk: Outcome.SENT, b1.pk: Outcome.SENT}
    bodies = [r["body"]["n"] for r in remote.requests]
    assert bodies[0] == 4 and sorted(bodies) == [1, 2, 3, 4]
    assert bodies.index(1) < bodies.index(2)
    assert deliver_due().outcomes == {}


def test_a_drain_takes_a_retrying_row_only_when_it_is_due(remote):
    message = enqueue()
    remote.fail_next(500)
    deliver(message.pk)
    message.refresh_from_db()
    assert deliver_due(now=message.next_attempt_at - timedelta(seconds=1)).outcomes == {}
    assert deliver_due(now=message.next_attempt_at).outcomes == {message.pk: Outcome.SENT}


def test_an_unavailable_target_gets_one_call_per_drain_and_keeps_the_rest_untouched(remote):
    rows = [enqueue(key=f"order:{n}", n=n) for n in range(3)]
    remote.fail_next((503, "30"))

    drain = deliver_due()
    assert [drain.outcomes[r.pk] for r in rows] == [
        Outcome.RETRYING,
        Outcome.SKIPPED,
        Outcome.SKIPPED,
    ]
    assert len(remote.requests) == 1
    for row in rows[1:]:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.claimed_until) == (OutboxStatus.PENDING, 0, None)
        assert not row.delivery_attempts.exists()
    # Throttled for 30 s; the others go in the next drain.
    assert deliver_due().outcomes == {rows[1].pk: Outcome.SENT, rows[2].pk: Outcome.SENT}


def test_a_failure_of_one_row_does_not_hold_up_other_keys(remote):
    rows = [enqueue(key=f"order:{n}", n=n) for n in range(3)]
    remote.fail_next(409)  # this row's conflict, not the remote's state

    drain = deliver_due()
    assert [drain.outcomes[r.pk] for r in rows] == [Outcome.RETRYING, Outcome.SENT, Outcome.SENT]


@override_settings(SYNC_BACKOFF_BASE_SECONDS=0)
def test_a_drain_tries_a_row_once_however_short_its_backoff(remote):
    message = enqueue()
    remote.fail_always(409)
    assert deliver_due().outcomes == {message.pk: Outcome.RETRYING}
    assert len(remote.requests) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_drain_stops_at_its_time_budget_and_gives_back_what_it_did_not_send(remote):
    rows = [enqueue(key=f"order:{n}", n=n) for n in range(4)]
    send = http_deliverer(remote)

    def slow(message):
        time.sleep(0.6)
        return send(message)

    with deliverers.override(TARGET, slow):
        drain = deliver_due(budget_seconds=0.5)
    assert not drain.finished
    assert drain.outcomes == {
        rows[0].pk: Outcome.SENT,
        **{r.pk: Outcome.SKIPPED for r in rows[1:]},
    }
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING, attempts=0).count() == 3
    assert DeliveryAttempt.objects.count() == 1
    assert deliver_due().count(Outcome.SENT) == 3


def test_one_transaction_queues_one_drain(remote, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        # The savepoint that asked first is rolled back; the drain is still queued, once.
        with contextlib.suppress(RuntimeError), transaction.atomic():
            outbox_enqueue(target=TARGET, topic="t", key="a", payload={"n": 0})
            raise RuntimeError("rolled back")
        for n in range(3):
            outbox_enqueue(target=TARGET, topic="t", key="b", payload={"n": n})
    assert len(callbacks) == 1
    assert [r["body"]["n"] for r in remote.requests] == [0, 1, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_claim_a_row_once(remote):
    if not threads_share_database():
        pytest.skip("threads need a shared database (PostgreSQL or a file SQLite)")
    # Written directly: through outbox_enqueue the commit would already deliver it (eager tasks).
    message = OutboxMessage.objects.create(target=TARGET, topic="t", key="k", payload={})
    outcomes, errors = run_at_once(8, lambda: deliver(message.pk))
    assert errors == []
    assert sorted(outcomes) == sorted([Outcome.SENT] + [Outcome.SKIPPED] * 7)
    assert len(remote.requests) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_drains_send_each_row_once(remote):
    if not threads_share_database():
        pytest.skip("threads need a shared database (PostgreSQL or a file SQLite)")
    # Written directly: through outbox_enqueue the commit would already deliver them.
    rows = [
        OutboxMessage(target=TARGET, topic="t", key=f"k{n % 10}", payload={"n": n})
        for n in range(60)
    ]
    OutboxMessage.objects.bulk_create(rows)
    _, errors = run_at_once(4, lambda: deliver_due(batch=5))
    assert errors == []
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 60
    assert sorted(remote.keys()) == sorted(
        str(r.idempotency_key) for r in OutboxMessage.objects.all()
    )
    for k in range(10):
        sent = [r["body"]["n"] for r in remote.requests if r["body"]["n"] % 10 == k]
        assert sent == sorted(sent)  # each key in the order written
