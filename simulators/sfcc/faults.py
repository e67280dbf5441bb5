"""Fault switches the control API turns on: latency, random errors, throttling, outages."""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

OUTAGE_MODES = ("refuse", "reset", "503")


@dataclass
class Injected:
    """What to answer instead of (or, with ``after_apply``, after) the real handler."""

    status: int
    retry_after: int | None = None
    after_apply: bool = False
    reason: str = ""


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 503])
    rate_limit_rps: float = 0.0
    rate_limit_retry_after: int = 1
    outage_until: float = 0.0
    outage_mode: str = "503"
    apply_to_token: bool = False
    fail_next: list[dict[str, Any]] = field(default_factory=list)
    _bucket: float = 0.0
    _bucket_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def describe(self) -> dict[str, Any]:
        remaining = max(0.0, self.outage_until - time.time())
        return {
            "latency_ms": self.latency_ms,
            "error_rate": self.error_rate,
            "error_statuses": list(self.error_statuses),
            "rate_limit": (
                {"rps": self.rate_limit_rps, "retry_after": self.rate_limit_retry_after}
                if self.rate_limit_rps
                else None
            ),
            "outage_seconds": round(remaining, 3),
            "outage_mode": self.outage_mode,
            "apply_to_token": self.apply_to_token,
            "fail_next": [dict(f) for f in self.fail_next],
        }

    def update(self, body: dict[str, Any]) -> bool:
        """Apply a PUT body; returns True when a refusing outage starts (the server must close)."""
        with self._lock:
            if "latency_ms" in body:
                self.latency_ms = max(0, int(body["latency_ms"]))
            if "error_rate" in body:
                self.error_rate = min(1.0, max(0.0, float(body["error_rate"])))
            if "error_statuses" in body:
                statuses = [int(s) for s in body["error_statuses"]]
                if not statuses or any(s < 400 for s in statuses):
                    raise ValueError("error_statuses must be HTTP error codes")
                self.error_statuses = statuses
            if "rate_limit" in body:
                limit = body["rate_limit"] or {}
                self.rate_limit_rps = max(0.0, float(limit.get("rps", 0)))
                self.rate_limit_retry_after = max(1, int(limit.get("retry_after", 1)))
                self._bucket, self._bucket_at = self.rate_limit_rps, time.monotonic()
            if "apply_to_token" in body:
                self.apply_to_token = bool(body["apply_to_token"])
            if "fail_next" in body:
                self.fail_next = self._fail_next(body["fail_next"])
            starts_refusal = False
            if "outage_seconds" in body:
                mode = body.get("outage_mode", self.outage_mode)
                if mode not in OUTAGE_MODES:
                    raise ValueError(f"outage_mode must be one of {OUTAGE_MODES}")
                seconds = max(0.0, float(body["outage_seconds"]))
                self.outage_mode = mode
                self.outage_until = time.time() + seconds if seconds else 0.0
                starts_refusal = bool(seconds) and mode == "refuse"
            elif "outage_mode" in body:
                raise ValueError("outage_mode needs outage_seconds")
            return starts_refusal

    @staticmethod
    def _fail_next(value: Any) -> list[dict[str, Any]]:
        items = value if isinstance(value, list) else [value] if value else []
        plans = []
        for item in items:
            plan = {
                "count": max(1, int(item.get("count", 1))),
                "status": int(item.get("status", 503)),
                "retry_after": item.get("retry_after"),
                "after_apply": bool(item.get("after_apply", False)),
                "writes_only": bool(item.get("writes_only", False)),
            }
            if plan["status"] < 400:
                raise ValueError("fail_next status must be an HTTP error code")
            plans.append(plan)
        return plans

    def outage_remaining(self) -> float:
        return max(0.0, self.outage_until - time.time())

    def decide(self, *, is_write: bool, is_token: bool) -> Injected | None:
        """The fault for one request, if any; consumes fail_next and rate-limit budget."""
        if is_token and not self.apply_to_token:
            return None
        with self._lock:
            for plan in self.fail_next:
                if plan["writes_only"] and not is_write:
                    continue
                plan["count"] -= 1
                if plan["count"] <= 0:
                    self.fail_next.remove(plan)
                retry_after = plan["retry_after"]
                return Injected(
                    status=plan["status"],
                    retry_after=None if retry_after is None else int(retry_after),
                    after_apply=plan["after_apply"] and is_write,
                    reason="fail_next",
                )
            if self.rate_limit_rps:
                now = time.monotonic()
                self._bucket = min(
                    self.rate_limit_rps,
                    self._bucket + (now - self._bucket_at) * self.rate_limit_rps,
                )
                self._bucket_at = now
                if self._bucket < 1:
                    wait = (1 - self._bucket) / self.rate_limit_rps
                    retry_after = max(self.rate_limit_retry_after, math.ceil(wait))
                    return Injected(status=429, retry_after=retry_after, reason="rate_limit")
                self._bucket -= 1
            if self.error_rate and random.random() < self.error_rate:
                status = random.choice(self.error_statuses)
                retry_after = 1 if status in (429, 503) else None
                return Injected(status=status, retry_after=retry_after, reason="error_rate")
        return None
