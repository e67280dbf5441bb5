"""The fault switches the control API flips: slowness, refused connections, lost or broken replies."""

from __future__ import annotations

import math
import threading
import time
from typing import Any


class FaultSwitches:
    """Shared by the control thread and the network's event loop, hence the lock."""

    def __init__(self, *, reply_delay_ms: int) -> None:
        self._lock = threading.Lock()
        self._default_reply_delay_ms = reply_delay_ms
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._slow_ms = 0
            self._refuse_until = 0.0  # time.monotonic() deadline; math.inf until switched off
            self._drop_acks = False
            self._malformed_next = 0
            self._reply_delay_ms = self._default_reply_delay_ms

    def update(self, changes: dict[str, Any]) -> None:
        """Apply switches from a control request; raises ValueError naming a bad one."""
        unknown = set(changes) - {
            "slow_ms",
            "refuse_connections",
            "drop_acks",
            "malformed_next",
            "reply_delay_ms",
        }
        if unknown:
            raise ValueError(f"unknown switches: {', '.join(sorted(unknown))}")
        with self._lock:
            if "slow_ms" in changes:
                self._slow_ms = _count(changes["slow_ms"], "slow_ms")
            if "reply_delay_ms" in changes:
                self._reply_delay_ms = _count(changes["reply_delay_ms"], "reply_delay_ms")
            if "drop_acks" in changes:
                self._drop_acks = _flag(changes["drop_acks"], "drop_acks")
            if "malformed_next" in changes:
                value = changes["malformed_next"]
                count = int(value) if isinstance(value, bool) else _count(value, "malformed_next")
                self._malformed_next = count
            if "refuse_connections" in changes:
                self._refuse_until = _refusal_deadline(changes["refuse_connections"])

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            left = self._refuse_until - time.monotonic()
            return {
                "slow_ms": self._slow_ms,
                "refuse_connections": left > 0,
                "refuse_seconds_left": None if math.isinf(left) or left <= 0 else round(left, 1),
                "drop_acks": self._drop_acks,
                "malformed_next": self._malformed_next,
                "reply_delay_ms": self._reply_delay_ms,
            }

    @property
    def slow_seconds(self) -> float:
        return self._slow_ms / 1000

    @property
    def reply_delay_seconds(self) -> float:
        return self._reply_delay_ms / 1000

    @property
    def drop_acks(self) -> bool:
        return self._drop_acks

    def refusing(self) -> bool:
        return time.monotonic() < self._refuse_until

    def take_malformed(self) -> bool:
        """Whether the reply about to be sent should be broken (uses up one `malformed_next`)."""
        with self._lock:
            if self._malformed_next <= 0:
                return False
            self._malformed_next -= 1
            return True


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number of 0 or more")
    return int(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    return value


def _refusal_deadline(value: Any) -> float:
    # true: until switched off; false: now; a number: that many seconds from now.
    if isinstance(value, bool):
        return math.inf if value else 0.0
    if isinstance(value, int | float) and value > 0:
        return time.monotonic() + float(value)
    raise ValueError("refuse_connections must be true, false, or a number of seconds")
