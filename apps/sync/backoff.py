"""Exponential backoff with full jitter, and where Retry-After fits in."""

import random
from datetime import datetime, timedelta

from . import conf

# A server may ask for a long pause, but a typo in its header must not park a row for years.
RETRY_AFTER_CEILING_SECONDS = 24 * 60 * 60


def backoff_delay(
    *, attempt: int, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait after the `attempt`-th failure (1-based): uniform in [0, min(cap, base·2^(n-1))].

    Full jitter (rather than a fixed exponential curve) spreads the retries of many rows that
    failed together, e.g. in an outage, so they do not come back as one thundering herd.
    """
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


def retry_delay(
    *, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
) -> float:
    """The wait before the next attempt: the jittered backoff, or the server's Retry-After if longer."""
    delay = backoff_delay(
        attempt=attempt, base=conf.backoff_base(), cap=conf.backoff_max(), rng=rng
    )
    if retry_after is not None and retry_after > delay:
        delay = min(float(retry_after), RETRY_AFTER_CEILING_SECONDS)
    return delay


def next_attempt_at(
    *,
    attempt: int,
    now: datetime,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    return now + timedelta(seconds=retry_delay(attempt=attempt, retry_after=retry_after, rng=rng))
