"""What deliverers and appliers raise to tell sync how a failure should be handled."""

from typing import Any


class DeliveryError(Exception):
    """A failed delivery, with what the attempt should record about it."""

    def __init__(
        self,
        reason: str,
        *,
        response_code: int | None = None,
        response_excerpt: str = "",
        request_summary: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.response_code = response_code
        self.response_excerpt = response_excerpt
        self.request_summary = request_summary or {}


class RetryableError(DeliveryError):
    """Worth another attempt later: 5xx, 408, 409, 425, 429, timeouts, refused connections."""

    def __init__(self, reason: str, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(reason, **kwargs)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """The remote refused the request itself (other 4xx): the same bytes will fail again."""

    def __init__(self, reason: str, response_code: int | None = None, **kwargs: Any) -> None:
        super().__init__(reason, response_code=response_code, **kwargs)


class IgnoreEvent(Exception):  # noqa: N818  (a signal to the inbox, not an error)
    """Raised by an applier: the event is understood but has nothing to change (e.g. stale)."""
