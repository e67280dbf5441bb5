"""The project's Celery app plus a deliverer for the test remote, for end-to-end worker tests.

Run as `celery -A tests.sync.worker_app worker`; the remote's URL comes from SYNC_E2E_REMOTE_URL.
"""

import os

from celery.signals import worker_ready

from portal.celery import app

__all__ = ["app"]


@worker_ready.connect
def register_test_deliverer(**kwargs) -> None:
    # Django is set up by the time the worker is ready; the registry is per process.
    import httpx

    from apps.sync.delivery import DeliveryResult, error_for_status
    from apps.sync.errors import RetryableError
    from apps.sync.registry import register_deliverer

    url = os.environ["SYNC_E2E_REMOTE_URL"]

    def deliver(message):
        headers = {"Idempotency-Key": str(message.idempotency_key)}
        try:
            response = httpx.post(url, json=message.payload, headers=headers, timeout=30.0)
        except httpx.TransportError as exc:
            raise RetryableError(str(exc)) from exc
        if response.status_code >= 300:
            raise error_for_status(response.status_code, response_excerpt=response.text)
        return DeliveryResult(response.status_code, response.text, {"url": url})

    register_deliverer(os.environ.get("SYNC_E2E_TARGET", "testremote"), deliver)
