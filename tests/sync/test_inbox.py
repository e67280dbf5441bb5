"""The inbox: record by source id, apply once, retry failures, survive concurrent replays."""

import threading
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from apps.sync.errors import IgnoreEvent
from apps.sync.models import InboxEvent, InboxStatus, OutboxMessage
from apps.sync.registry import appliers
from apps.sync.services import (
    inbox_apply,
    inbox_ignore,
    inbox_record,
    inbox_retry,
    inbox_sweep,
    outbox_enqueue,
)
from tests.support.threads import run_at_once

from .conftest import threads_share_database

pytestmark = pytest.mark.django_db

SOURCE = "test.push"


@pytest.fixture
def applied():
    """A registered applier that remembers what it applied and writes an outbox row as it goes."""
    calls: list[dict] = []

    def apply(event):
        outbox_enqueue(target="nowhere", topic="ack", key=f"ack:{event.source_id}", payload={})
        calls.append(event.payload)

    with appliers.override(SOURCE, apply):
        yield calls


def test_a_replay_returns_the_first_row_and_changes_nothing(applied):
    first, created = inbox_record(source=SOURCE, source_id="evt-1", payload={"v": 1})
    again, created_again = inbox_record(source=SOURCE, source_id="evt-1", payload={"v": 2})
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.payload == {"v": 1}
    assert InboxEvent.objects.count() == 1
    # The same id from another source is another event.
    assert inbox_record(source="other", source_id="evt-1", payload={})[1] is True


def test_a_duplicate_leaves_the_callers_transaction_usable(applied):
    inbox_record(source=SOURCE, source_id="evt-1", payload={})
    with transaction.atomic():
        _, created = inbox_record(source=SOURCE, source_id="evt-1", payload={})
        InboxEvent.objects.count()  # would raise on PostgreSQL if the failed insert broke it
    assert created is False


def test_record_queues_the_apply_on_commit(applied, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event, _ = inbox_record(source=SOURCE, source_id="evt-1", payload={"v": 1})
    event.refresh_from_db()
    assert event.status == InboxStatus.APPLIED and event.applied_at is not None
    assert applied == [{"v": 1}]


def test_apply_runs_once(applied):
    event, _ = inbox_record(source=SOURCE, source_id="evt-1", payload={"v": 1}, dispatch=False)
    assert inbox_apply(event.pk).status == InboxStatus.APPLIED
    assert inbox_apply(event.pk).status == InboxStatus.APPLIED
    assert applied == [{"v": 1}]
    assert OutboxMessage.objects.filter(key="ack:evt-1").count() == 1


def test_a_failing_applier_rolls_back_its_writes_and_is_retried_with_backoff():
    calls = []

    def flaky(event):
        outbox_enqueue(target="nowhere", topic="ack", key="ack", payload={})
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("order not found yet")

    event, _ = inbox_record(source=SOURCE, source_id="evt-1", payload={}, dispatch=False)
    now = timezone.now()
    with appliers.override(SOURCE, flaky):
        failed = inbox_apply(event.pk, now=now)
        assert failed.status == InboxStatus.FAILED
        assert failed.error == "ValueError: order not found yet"
        assert now <= failed.next_attempt_at <= now + timedelta(seconds=2)
        assert not OutboxMessage.objects.exists()  # the applier's write went with it

        dispatched = []
        assert (
            inbox_sweep(
                now=failed.next_attempt_at - timedelta(seconds=1), dispatch=dispatched.append
            )
            == []
        )
        assert inbox_sweep(now=failed.next_attempt_at, dispatch=dispatched.append) == [event.pk]
        assert inbox_apply(dispatched[0]).status == InboxStatus.APPLIED
    assert OutboxMessage.objects.count() == 1
    event.refresh_from_db()
    assert (event.attempts, event.error, event.next_attempt_at) == (2, "", None)


@override_settings(SYNC_MAX_ATTEMPTS=2)
def test_an_event_that_keeps_failing_waits_for_an_operator(operator):
    def broken(event):
        raise RuntimeError("mapping bug")

    event, _ = inbox_record(source=SOURCE, source_id="evt-1", payload={}, dispatch=False)
    with appliers.override(SOURCE, broken):
        inbox_apply(event.pk)
        event = inbox_apply(event.pk)
    assert (event.status, event.attempts, event.next_attempt_at) == (InboxStatus.FAILED, 2, None)
    assert inbox_sweep(now=timezone.now() + timedelta(days=1), dispatch=lambda pk: None) == []

    with appliers.override(SOURCE, lambda e: None):
        inbox_retry(event=event, actor=operator)
        assert inbox_apply(event.pk).status == InboxStatus.APPLIED


def test_an_applier_may_ignore_an_event():
    def stale(event):
        raise IgnoreEvent("older than what we have")

    event, _ = inbox_record(source=SOURCE, source_id="evt-1", payload={}, dispatch=False)
    with appliers.override(SOURCE, stale):
        event = inbox_apply(event.pk)
    assert (event.status, event.error) == (InboxStatus.IGNORED, "older than what we have")


def test_an_unknown_source_fails_and_is_retried():
    event, _ = inbox_record(source="unknown", source_id="1", payload={}, dispatch=False)
    event = inbox_apply(event.pk)
    assert event.status == InboxStatus.FAILED
    assert "No applier" in event.error and event.next_attempt_at is not None


def test_operator_ignores_a_failed_event_with_a_reason(operator):
    event, _ = inbox_record(source="unknown", source_id="1", payload={}, dispatch=False)
    inbox_apply(event.pk)
    from apps.core.errors import DomainError

    with pytest.raises(DomainError):
        inbox_ignore(event=event, actor=operator, reason="  ")
    event = inbox_ignore(event=event, actor=operator, reason="Test order, not ours")
    assert event.status == InboxStatus.IGNORED and "Test order, not ours" in event.error


def test_a_received_event_whose_apply_was_lost_is_swept(applied):
    event, _ = inbox_record(source=SOURCE, source_id="evt-1", payload={}, dispatch=False)
    assert inbox_sweep(now=timezone.now(), dispatch=lambda pk: None) == []
    assert inbox_sweep(now=event.next_attempt_at, dispatch=lambda pk: None) == [event.pk]


def test_a_rolled_back_record_leaves_nothing(applied):
    with pytest.raises(RuntimeError), transaction.atomic():
        inbox_record(source=SOURCE, source_id="evt-1", payload={})
        raise RuntimeError("request failed")
    assert not InboxEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_replays_make_one_row():
    if not threads_share_database():
        pytest.skip("threads need a shared database (PostgreSQL or a file SQLite)")

    def receive():
        # Each like a request: its own transaction around the record.
        with transaction.atomic():
            event, created = inbox_record(
                source=SOURCE, source_id="evt-dup", payload={"v": 1}, dispatch=False
            )
            return event.pk, created

    results, errors = run_at_once(50, receive)
    assert errors == []
    assert len(results) == 50
    assert sum(created for _, created in results) == 1
    assert len({pk for pk, _ in results}) == 1
    assert InboxEvent.objects.filter(source=SOURCE, source_id="evt-dup").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_applies_of_one_event_apply_it_once():
    if not threads_share_database():
        pytest.skip("threads need a shared database (PostgreSQL or a file SQLite)")
    calls = []
    lock = threading.Lock()

    def apply(event):
        with lock:
            calls.append(event.pk)

    event, _ = inbox_record(source=SOURCE, source_id="evt-1", payload={}, dispatch=False)
    with appliers.override(SOURCE, apply):
        results, errors = run_at_once(8, lambda: inbox_apply(event.pk).status)
    assert errors == []
    assert results == [InboxStatus.APPLIED] * 8
    assert calls == [event.pk]
