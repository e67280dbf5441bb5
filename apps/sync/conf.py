"""Sync settings, read at call time so tests and deployments can change them without reloads.

| setting                     | default | meaning                                               |
|-----------------------------|---------|-------------------------------------------------------|
| SYNC_BACKOFF_BASE_SECONDS   | 2       | first retry waits up to this long                     |
| SYNC_BACKOFF_MAX_SECONDS    | 600     | no computed wait is longer (Retry-After may be)       |
| SYNC_MAX_ATTEMPTS           | 12      | attempts before an outbox row (or inbox event) gives up |
| SYNC_LEASE_SECONDS          | 120     | how long a claim holds a row before a drain retakes it |
| SYNC_DELIVERY_BATCH         | 50      | outbox rows a worker claims (and records) at a time   |
| SYNC_SWEEP_BATCH            | 200     | inbox events one sweep dispatches at most             |
| SYNC_OUTBOX_RETENTION_DAYS  | 30      | sent and discarded rows are purged after this long    |
"""

from django.conf import settings


def backoff_base() -> float:
    return float(getattr(settings, "SYNC_BACKOFF_BASE_SECONDS", 2))


def backoff_max() -> float:
    return float(getattr(settings, "SYNC_BACKOFF_MAX_SECONDS", 600))


def max_attempts() -> int:
    return int(getattr(settings, "SYNC_MAX_ATTEMPTS", 12))


def lease_seconds() -> int:
    return int(getattr(settings, "SYNC_LEASE_SECONDS", 120))


def sweep_batch() -> int:
    return int(getattr(settings, "SYNC_SWEEP_BATCH", 200))


def delivery_batch() -> int:
    return int(getattr(settings, "SYNC_DELIVERY_BATCH", 50))


def outbox_retention_days() -> int:
    return int(getattr(settings, "SYNC_OUTBOX_RETENTION_DAYS", 30))
