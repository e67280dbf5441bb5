"""The administrator's code lists, read often (every inbox page) and edited rarely: cached briefly."""

from django.core.cache import cache

from .models import ReasonCode, ReasonList

CACHE_KEY = "exceptions:reason-codes:v1"
CACHE_SECONDS = 60  # an edited label shows in filters within a minute


def _all_active() -> dict[str, list[tuple[str, str]]]:
    lists: dict[str, list[tuple[str, str]]] = {name: [] for name in ReasonList.values}
    for row in ReasonCode.objects.filter(is_active=True).order_by("rank", "label"):
        lists[row.list].append((row.code, row.label))
    return lists


def active_codes() -> dict[str, list[tuple[str, str]]]:
    return cache.get_or_set(CACHE_KEY, _all_active, CACHE_SECONDS)


def forget() -> None:
    cache.delete(CACHE_KEY)


def exception_outcome_codes() -> dict[str, list[tuple[str, str]]]:
    codes = active_codes()
    return {"root_cause": codes[ReasonList.EXCEPTION_ROOT_CAUSE], "resolution": codes[ReasonList.EXCEPTION_RESOLUTION]}


def escalation_outcome_codes() -> dict[str, list[tuple[str, str]]]:
    return {"root_cause": active_codes()[ReasonList.ESCALATION_ROOT_CAUSE]}
