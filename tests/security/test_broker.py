"""The embedded broker under load: publishers in several busy processes, one consumer reading
as fast as it can; every message arrives whole (kombu's own transport loses some)."""

from __future__ import annotations

import multiprocessing
import threading
import time

from kombu import Connection

import portal.celery  # noqa: F401 - registers the embedded broker's transport

PROCESSES, MESSAGES = 4, 60  # kombu's own transport loses about one in twelve here


def options(root) -> dict:
    return {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "processed_folder": str(root / "processed"),
        "control_folder": str(root / "control"),
        "store_processed": False,
        "polling_interval": 0.001,
    }


def publish(root, publisher: int) -> None:
    stop = threading.Event()

    def busy() -> None:  # threads that compete for the GIL, as a busy web process has
        while not stop.is_set():
            sum(range(2000))

    spinners = [threading.Thread(target=busy, daemon=True) for _ in range(2)]
    for spinner in spinners:
        spinner.start()
    with Connection("filesystem://", transport_options=options(root)) as connection:
        queue = connection.SimpleQueue("load")
        for number in range(MESSAGES):
            queue.put({"publisher": publisher, "number": number, "padding": "x" * 2000})
        queue.close()
    stop.set()


def test_messages_published_by_busy_processes_are_never_read_half_written(tmp_path):
    for folder in ("queue", "processed", "control"):
        (tmp_path / folder).mkdir()
    context = multiprocessing.get_context("fork")
    publishers = [context.Process(target=publish, args=(tmp_path, n)) for n in range(PROCESSES)]
    received, errors = set(), []
    with Connection("filesystem://", transport_options=options(tmp_path)) as connection:
        assert type(connection.transport).__module__ == "apps.core.broker"
        queue = connection.SimpleQueue("load")
        for process in publishers:
            process.start()
        deadline = time.monotonic() + 60
        while len(received) < PROCESSES * MESSAGES and time.monotonic() < deadline:
            try:
                message = queue.get(timeout=0.5)
            except queue.Empty:
                continue
            except Exception as exc:  # noqa: BLE001 - a half-written message surfaces here
                errors.append(repr(exc))
                continue
            received.add((message.payload["publisher"], message.payload["number"]))
            message.ack()
        queue.close()
    for process in publishers:
        process.join(30)
    assert errors == []
    assert len(received) == PROCESSES * MESSAGES
