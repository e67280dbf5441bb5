"""Who delivers to each target and who applies each inbound source: filled by the connectors.

Connectors register in their AppConfig.ready(), so every process (web, worker, beat) that
loads the app knows the same handlers. A missing handler is a retryable failure, not a
crash: a worker started without the connector must not turn rows into dead letters.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Registry:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._handlers: dict[str, Callable[..., Any]] = {}

    def register(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        self._handlers[name] = fn
        return fn

    def get(self, name: str) -> Callable[..., Any] | None:
        return self._handlers.get(name)

    def names(self) -> list[str]:
        return sorted(self._handlers)

    @contextmanager
    def override(self, name: str, fn: Callable[..., Any]) -> Iterator[None]:
        """Swap a handler for the length of a block (tests)."""
        previous = self._handlers.get(name)
        self._handlers[name] = fn
        try:
            yield
        finally:
            if previous is None:
                self._handlers.pop(name, None)
            else:
                self._handlers[name] = previous


deliverers = Registry("deliverer")
appliers = Registry("applier")
# Connectors' own alerts (overdue acknowledgements, quarantined files) shown on the
# operations page: `fn() -> {"label", "count", "url", "needs_attention"}`.
attention = Registry("attention")


def register_deliverer(target: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn(message) -> DeliveryResult`; raises RetryableError or PermanentError."""
    return deliverers.register(target, fn)


def register_applier(source: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn(event) -> None`, run inside the transaction that marks the event applied."""
    return appliers.register(source, fn)


def register_attention(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    return attention.register(name, fn)
