"""The outbox deliverer for target "sfcc": one SCAPI/OCAPI write per row, with the row's key.

Each row carries the same Idempotency-Key on every attempt, so a write whose answer was lost
(worker killed, connection reset after the server applied it) is applied once. SFCC's errors
are mapped to what the outbox understands: retry later (honouring Retry-After) or never.
"""

import threading
from typing import Any

from django.core.cache import cache

from apps.sfcc.client import (
    OrdersClient,
    SfccAuthError,
    SfccBadRequest,
    SfccConfig,
    SfccConflict,
    SfccConnectionError,
    SfccError,
    SfccNotFound,
    SfccRetryable,
)
from apps.sync.delivery import DeliveryResult
from apps.sync.errors import PermanentError, RetryableError

from . import conf
from .outbound import (
    TARGET,
    TOPIC_ATTRIBUTES,
    TOPIC_EXTERNAL_STATUS,
    TOPIC_NOTE,
    TOPIC_SHIPPING_STATUS,
)

__all__ = ["TARGET", "deliver_to_sfcc", "get_client", "unreachable_retry_after"]

# With SFCC unreachable there is no Retry-After to honour, and the outbox's full-jitter
# backoff may draw waits near zero, so a dozen attempts could be spent in a few minutes of
# outage. A floor that doubles to two minutes (10, 20, 40, 80, 120, 120, ... s) means the
# attempt budget (SYNC_MAX_ATTEMPTS, 12) lasts at least ~16 minutes of a total outage.
UNREACHABLE_FLOOR_SECONDS = 10.0
UNREACHABLE_CEILING_SECONDS = 120.0
# A refused token or scope is fixed by an operator, not by the next second.
AUTH_RETRY_SECONDS = 60.0
EXCERPT_CHARS = 500

_clients: dict[SfccConfig, OrdersClient] = {}
_clients_lock = threading.Lock()


def get_client() -> OrdersClient:
    """One client per configuration and process: its pool keeps connections alive across rows."""
    config = conf.client_config()
    with _clients_lock:
        client = _clients.get(config)
        if client is None:
            # Tokens live in the shared cache, so every web and worker process uses one token.
            client = OrdersClient.from_config(config, token_store=cache)
            _clients[config] = client
        return client


def close_clients() -> None:
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def unreachable_retry_after(attempt: int) -> float:
    return min(UNREACHABLE_CEILING_SECONDS, UNREACHABLE_FLOOR_SECONDS * 2 ** max(0, attempt - 1))


def _excerpt(exc: SfccError) -> str:
    body = exc.body
    return (body if isinstance(body, str) else repr(body))[:EXCERPT_CHARS] if body else ""


def _send(client: OrdersClient, message: Any, *, key: str, cid: str) -> int:
    payload = message.payload
    order_no = payload["order_no"]
    if message.topic == TOPIC_EXTERNAL_STATUS:
        return client.update_external_status(
            order_no=order_no, status=payload["status"], idempotency_key=key, correlation_id=cid
        ).status_code
    if message.topic == TOPIC_SHIPPING_STATUS:
        return client.update_shipping_status(
            order_no=order_no, status=payload["status"], idempotency_key=key, correlation_id=cid
        ).status_code
    if message.topic == TOPIC_ATTRIBUTES:
        return client.patch_custom_attributes(
            order_no=order_no,
            attrs=payload["attributes"],
            idempotency_key=key,
            correlation_id=cid,
        ).status_code
    if message.topic == TOPIC_NOTE:
        client.add_note(
            order_no=order_no,
            subject=payload["subject"],
            text=payload["text"],
            idempotency_key=key,
            correlation_id=cid,
        )
        return 200
    raise PermanentError(f"Unknown SFCC topic {message.topic!r}.")


def deliver_to_sfcc(message: Any) -> DeliveryResult:
    """Perform one outbox row's write; raises RetryableError or PermanentError on failure."""
    cid = f"crossdock-outbox-{message.pk}-{message.attempts}"
    summary = {
        "topic": message.topic,
        "order_no": message.payload.get("order_no"),
        "correlation_id": cid,
    }
    common: dict[str, Any] = {"request_summary": summary}
    try:
        code = _send(get_client(), message, key=str(message.idempotency_key), cid=cid)
    except SfccConnectionError as exc:
        raise RetryableError(
            f"SFCC unreachable: {exc}",
            retry_after=unreachable_retry_after(message.attempts),
            **common,
        ) from exc
    except SfccRetryable as exc:
        raise RetryableError(
            str(exc),
            retry_after=exc.retry_after,
            response_code=exc.status,
            response_excerpt=_excerpt(exc),
            **common,
        ) from exc
    except SfccAuthError as exc:
        raise RetryableError(
            f"SFCC refused our credentials: {exc}",
            retry_after=AUTH_RETRY_SECONDS,
            response_code=exc.status,
            response_excerpt=_excerpt(exc),
            **common,
        ) from exc
    except (SfccNotFound, SfccConflict, SfccBadRequest) as exc:
        # The order is gone, or SFCC refuses this change itself: the same bytes fail again.
        raise PermanentError(
            str(exc), exc.status, response_excerpt=_excerpt(exc), **common
        ) from exc
    except SfccError as exc:
        raise RetryableError(
            str(exc), response_code=exc.status, response_excerpt=_excerpt(exc), **common
        ) from exc
    except (KeyError, ValueError) as exc:
        # The row itself is malformed (the client validates before sending).
        raise PermanentError(f"Malformed SFCC row: {exc}", **common) from exc
    return DeliveryResult(response_code=code, request_summary=summary)
