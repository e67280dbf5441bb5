"""Backoff: exponential ceiling, full jitter, Retry-After when longer."""

import random

import pytest
from django.test import override_settings

from apps.sync.backoff import RETRY_AFTER_CEILING_SECONDS, backoff_delay, retry_delay
from apps.sync.delivery import error_for_status, parse_retry_after
from apps.sync.errors import PermanentError, RetryableError


class Highest:
    """An rng that always draws the top of the range, to read the ceiling."""

    def uniform(self, low, high):
        return high


@pytest.mark.parametrize(
    ("attempt", "ceiling"), [(1, 2), (2, 4), (3, 8), (9, 512), (10, 600), (30, 600)]
)
def test_the_ceiling_doubles_up_to_the_cap(attempt, ceiling):
    assert backoff_delay(attempt=attempt, base=2, cap=600, rng=Highest()) == ceiling


def test_full_jitter_spreads_delays_over_the_whole_window():
    rng = random.Random(7)
    delays = [backoff_delay(attempt=6, base=2, cap=600, rng=rng) for _ in range(500)]
    assert all(0 <= d <= 64 for d in delays)
    assert min(delays) < 8 and max(delays) > 56  # not bunched at the top like plain exponential


@override_settings(SYNC_BACKOFF_BASE_SECONDS=10, SYNC_BACKOFF_MAX_SECONDS=100)
def test_settings_set_base_and_cap():
    assert retry_delay(attempt=1, rng=Highest()) == 10
    assert retry_delay(attempt=8, rng=Highest()) == 100


def test_retry_after_wins_only_when_longer():
    assert retry_delay(attempt=1, retry_after=90, rng=Highest()) == 90
    assert retry_delay(attempt=9, retry_after=1, rng=Highest()) == 512
    assert retry_delay(attempt=1, retry_after=10**9, rng=Highest()) == RETRY_AFTER_CEILING_SECONDS


def test_retry_after_header_forms():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None
    assert 0 <= parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (400, PermanentError),
        (401, PermanentError),
        (404, PermanentError),
        (422, PermanentError),
        (408, RetryableError),
        (409, RetryableError),
        (425, RetryableError),
        (429, RetryableError),
        (500, RetryableError),
        (503, RetryableError),
    ],
)
def test_status_classification(code, kind):
    error = error_for_status(code, retry_after="5")
    assert type(error) is kind and error.response_code == code
    if kind is RetryableError:
        assert error.retry_after == 5
