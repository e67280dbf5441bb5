"""A real worker killed after the remote applied a row: the next drain sends it again, applied once."""

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import transaction

from apps.sync.delivery import queue_drain
from apps.sync.models import OutboxMessage, OutboxStatus
from apps.sync.services import outbox_enqueue
from tests.support.worker import ROOT, WorkerProcess, wait_for, worker_env

from .conftest import TARGET

pytestmark = pytest.mark.slow


class SyncWorker(WorkerProcess):
    """The project's worker, started through tests.sync.worker_app to know the test target."""

    def start(self) -> "SyncWorker":
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.sync.worker_app",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "1",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: b"ready." in self.log.read_bytes() or self.proc.poll() is not None,
            message="the worker to start",
        )
        assert self.proc.poll() is None, self.log.read_text()[-2000:]
        return self


@pytest.fixture
def broker_tasks():
    """Tasks go through the broker to the worker process, not in-process."""
    from portal.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = was_eager


def test_a_killed_worker_is_redelivered_with_the_same_key(
    transactional_db, remote, broker_tasks, tmp_path
):
    remote.hold_first = threading.Event()
    env = worker_env(SYNC_E2E_REMOTE_URL=remote.url, SYNC_E2E_TARGET=TARGET)
    worker = SyncWorker(env, tmp_path / "worker-1.log").start()
    try:
        with transaction.atomic():
            message = outbox_enqueue(target=TARGET, topic="order.status", key="k", payload={"n": 1})
        # The remote has applied it; the worker is still waiting for the answer when it dies.
        wait_for(lambda: len(remote.requests) == 1, message="the first delivery to arrive")
        worker.kill()
    finally:
        remote.hold_first.set()
        worker.stop()

    message.refresh_from_db()
    assert message.status == OutboxStatus.IN_FLIGHT
    assert message.delivery_attempts.get().finished_at is None

    # The lease runs out (moved, not waited for): as if it had ended just after the claim.
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=message.created_at + timedelta(milliseconds=1)
    )
    worker = SyncWorker(env, tmp_path / "worker-2.log").start()
    try:
        queue_drain()  # what beat does every 10 s
        wait_for(
            lambda: OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENT).exists(),
            message="the redelivery",
        )
    finally:
        worker.stop()

    assert remote.keys() == [str(message.idempotency_key)] * 2
    assert len(remote.applied) == 1
    assert [a.outcome for a in message.delivery_attempts.all()] == ["lost", "sent"]
