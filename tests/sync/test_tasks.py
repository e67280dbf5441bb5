"""Celery wiring: task options, the beat schedule, the lease check, purge."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import checks
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from apps.sync import conf, tasks
from apps.sync.models import OutboxMessage, OutboxStatus
from apps.sync.services import outbox_enqueue, outbox_purge

from .conftest import TARGET

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "task",
    [
        tasks.deliver_outbox,
        tasks.apply_inbox_event,
        tasks.sweep_inbox,
        tasks.purge_outbox,
    ],
)
def test_tasks_are_acknowledged_late_and_time_limited(task):
    assert task.acks_late and task.reject_on_worker_lost and task.ignore_result
    assert task.soft_time_limit < task.time_limit


def test_a_lease_outlives_the_delivery_task_and_ends_before_the_broker_redelivers():
    assert tasks.deliver_outbox.time_limit < conf.lease_seconds()
    assert not [e for e in checks.run_checks() if e.id.startswith("sync.")]


@override_settings(
    SYNC_LEASE_SECONDS=30, CELERY_BROKER_TRANSPORT_OPTIONS={"visibility_timeout": 20}
)
def test_the_startup_check_refuses_a_bad_lease():
    ids = {e.id for e in checks.run_checks() if e.id.startswith("sync.")}
    assert ids == {"sync.E001", "sync.E002"}


def test_beat_runs_the_sweeps():
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["apps.sync.tasks.deliver_outbox"]["schedule"] == 10.0
    assert "apps.sync.tasks.sweep_inbox" in schedule
    assert "apps.sync.tasks.purge_outbox" in schedule


def test_the_delivery_task_drains_what_is_due_and_is_idempotent(remote):
    # Written directly, as if the commit's drain had been lost with the broker.
    OutboxMessage.objects.bulk_create(
        OutboxMessage(target=TARGET, topic="t", key=f"k{n}", payload={}) for n in range(3)
    )
    assert tasks.deliver_outbox.delay().get() == 3
    assert tasks.deliver_outbox.delay().get() == 0
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 3
    assert len(remote.requests) == 3


def test_a_drain_out_of_time_queues_the_next(remote, monkeypatch):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(target=TARGET, topic="t", key=f"k{n}", payload={}) for n in range(3)
    )
    monkeypatch.setattr(tasks, "DRAIN_BUDGET_SECONDS", -1)  # spent before it starts
    queued = []
    monkeypatch.setattr(tasks, "queue_drain", lambda: queued.append(1))
    assert tasks.deliver_outbox.delay().get() == 0
    assert queued == [1]
    assert not OutboxMessage.objects.filter(status=OutboxStatus.SENT).exists()


def test_purge_keeps_what_is_not_finished(remote):
    with transaction.atomic():
        old_sent = outbox_enqueue(target=TARGET, topic="t", key="a", payload={})
        pending = outbox_enqueue(target=TARGET, topic="t", key="b", payload={})
    OutboxMessage.objects.filter(pk=old_sent.pk).update(
        status=OutboxStatus.SENT, sent_at=timezone.now() - timedelta(days=40)
    )
    OutboxMessage.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    assert outbox_purge(older_than=timezone.now() - timedelta(days=30)) == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [pending.pk]
