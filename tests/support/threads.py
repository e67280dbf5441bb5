"""Running a function in several threads released at the same instant, for race tests."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def run_at_once(n: int, fn: Callable[[], T]) -> tuple[list[T], list[Exception]]:
    """Call `fn` in `n` threads that start together; return their results and their errors.

    Each thread closes the database connection Django opened for it, so the test database
    can be dropped afterwards.
    """
    barrier = threading.Barrier(n)
    lock = threading.Lock()
    results: list[T] = []
    errors: list[Exception] = []

    def worker() -> None:
        try:
            barrier.wait()
            result = fn()
            with lock:
                results.append(result)
        except Exception as exc:  # noqa: BLE001  (returned to the test, which asserts on it)
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
