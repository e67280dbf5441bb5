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
        tasks.sweep_outbox,
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
    assert schedule["apps.sync.tasks.sweep_outbox"]["schedule"] == 10.0
    assert "apps.sync.tasks.sweep_inbox" in schedule
    assert "apps.sync.tasks.purge_outbox" in schedule


def test_sweep_task_delivers_what_is_due(remote):
    with transaction.atomic():
        message = outbox_enqueue(target=TARGET, topic="t", key="k", payload={})
    # As if the queued task was lost: dispatched long ago, never delivered.
    OutboxMessage.objects.filter(pk=message.pk).update(
        dispatched_at=timezone.now() - timedelta(hours=1)
    )
    assert tasks.sweep_outbox.delay().get() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_deliver_task_takes_an_id_and_is_idempotent(remote):
    with transaction.atomic():
        message = outbox_enqueue(target=TARGET, topic="t", key="k", payload={})
    assert tasks.deliver_outbox.delay(message.pk).get() == "sent"
    assert tasks.deliver_outbox.delay(message.pk).get() == "skipped"
    assert tasks.deliver_outbox.delay(999999).get() == "skipped"
    assert len(remote.requests) == 1


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
