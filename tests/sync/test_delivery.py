"""Outbox delivery against a real HTTP server: order per key, backoff, dead letters, leases."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from apps.sync import conf, delivery
from apps.sync.delivery import Outcome, deliver, outbox_sweep
from apps.sync.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from apps.sync.registry import deliverers
from apps.sync.services import outbox_enqueue

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


def test_a_later_row_waits_for_an_earlier_failing_one(remote, django_capture_on_commit_callbacks):
    first, second = enqueue(n=1), enqueue(n=2)
    other_key = enqueue(key="testremote:order:2", n=3)
    remote.fail_next(500)

    assert deliver(first.pk) == Outcome.RETRYING
    assert deliver(second.pk) == Outcome.SKIPPED  # behind `first`, however often it is asked
    assert deliver(second.pk, now=later(3600)) == Outcome.SKIPPED
    assert deliver(other_key.pk) == Outcome.SENT  # another key is not held up
    assert [r["body"]["n"] for r in remote.requests] == [1, 3]

    # When the first goes through, it hands over to the second at once.
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(first.pk, now=first.next_attempt_at) == Outcome.SENT
    second.refresh_from_db()
    assert second.status == OutboxStatus.SENT
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

    # While the lease holds, neither a repeat task nor the sweep touches it.
    assert deliver(message.pk, now=now + timedelta(seconds=5)) == Outcome.SKIPPED
    assert outbox_sweep(now=now + timedelta(seconds=5), dispatch=lambda pk: None) == []

    # After it, the sweep picks it up and it goes out again, with the same idempotency key.
    after_lease = message.claimed_until + timedelta(seconds=1)
    with deliverers.override(TARGET, send):
        assert outbox_sweep(now=after_lease, dispatch=lambda pk: deliver(pk, now=after_lease)) == [
            message.pk
        ]
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
    first = delivery._claim(message.pk, now=now)
    assert first is not None
    second = delivery._claim(message.pk, now=now + timedelta(seconds=conf.lease_seconds() + 1))
    assert second is not None
    outcome = delivery._record(
        message_id=message.pk,
        attempt=first[1],
        result=delivery.DeliveryResult(),
        error=delivery.RetryableError("late failure"),
        duration_ms=5,
        now=now,
    )
    assert outcome == Outcome.SKIPPED
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


def test_sweep_dispatches_only_the_head_of_each_key_oldest_first(remote):
    a1, a2 = enqueue(key="a", n=1), enqueue(key="a", n=2)
    b1 = enqueue(key="b", n=3)
    sent_already = enqueue(key="c", n=4)
    deliver(sent_already.pk)
    # Enqueue marked them dispatched; the sweep is the safety net for dispatches that were lost.
    soon = later(1)
    assert outbox_sweep(now=soon, dispatch=lambda pk: None) == []
    after_lease = later(conf.lease_seconds() + 1)
    assert outbox_sweep(now=after_lease, dispatch=lambda pk: None) == [a1.pk, b1.pk]
    # Just dispatched: the next sweep does not queue them again.
    assert outbox_sweep(now=after_lease + timedelta(seconds=10), dispatch=lambda pk: None) == []
    assert a2.pk not in outbox_sweep(now=later(10 * conf.lease_seconds()), dispatch=lambda pk: None)


def test_sweep_is_bounded(remote):
    for n in range(5):
        enqueue(key=f"k{n}")
    after_lease = later(conf.lease_seconds() + 1)
    assert len(outbox_sweep(now=after_lease, limit=2, dispatch=lambda pk: None)) == 2
    assert len(outbox_sweep(now=after_lease, limit=10, dispatch=lambda pk: None)) == 3


def test_sweep_takes_a_retrying_row_when_it_becomes_due(remote):
    message = enqueue()
    remote.fail_next(500)
    deliver(message.pk)
    message.refresh_from_db()
    delivered = []
    assert (
        outbox_sweep(now=message.next_attempt_at - timedelta(seconds=1), dispatch=delivered.append)
        == []
    )
    due = message.next_attempt_at + timedelta(seconds=1)
    assert outbox_sweep(now=due, dispatch=lambda pk: delivered.append(deliver(pk, now=due))) == [
        message.pk
    ]
    assert delivered == [Outcome.SENT]


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_claim_a_row_once(remote):
    if not threads_share_database():
        pytest.skip("threads need a shared database (PostgreSQL or a file SQLite)")
    # Written directly: through outbox_enqueue the commit would already deliver it (eager tasks).
    message = OutboxMessage.objects.create(target=TARGET, topic="t", key="k", payload={})
    barrier = threading.Barrier(8)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait()
            outcomes.append(deliver(message.pk))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == sorted([Outcome.SENT] + [Outcome.SKIPPED] * 7)
    assert len(remote.requests) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1
