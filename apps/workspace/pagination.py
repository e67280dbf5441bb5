"""Keyset pagination of case lists: no OFFSET, no COUNT(*) over the table, index-backed sorts.

A page is read as "the next `size` rows after (or before) this row in this order", where the
order always ends in `id`, so ties in the sort value neither repeat nor skip rows. The cursor is
opaque to clients: url-safe base64 of JSON `[sort, direction, values]`. Tampering with it only
moves the window; tenancy comes from the queryset, never from the cursor.

    page = paginate_cases(qs, sort="due", cursor=request.GET.get("cursor"), size=50)
    page.items, page.next_cursor, page.prev_cursor, page.has_next, page.has_prev

Each sort (but `priority`) walks one of the case indexes (see models/case.py):
    due       due_at, id          case_due_idx / case_partner_due_idx
    activity  -last_activity_at, -id   case_activity_idx / case_partner_activity_idx
    created   -id                 the primary key
    priority  rank, due_at, id    computed rank: no index, for narrowed lists
"""

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import models
from django.db.models import Q, QuerySet, Value, When

from .choices import PRIORITY_RANK

DEFAULT_SORT = "due"
COUNT_LIMIT = 500


@dataclass(frozen=True)
class Key:
    field: str  # attribute on the row (a model field or an annotation)
    descending: bool
    kind: type  # int or datetime: how a cursor value is decoded


@dataclass(frozen=True)
class Sort:
    name: str
    label: str
    keys: tuple[Key, ...]

    def order_by(self, *, reverse: bool = False) -> list[str]:
        return [("-" if k.descending != reverse else "") + k.field for k in self.keys]


SORTS: dict[str, Sort] = {
    s.name: s
    for s in (
        Sort("due", "Due first", (Key("due_at", False, datetime), Key("id", False, int))),
        Sort(
            "activity",
            "Recent activity",
            (Key("last_activity_at", True, datetime), Key("id", True, int)),
        ),
        Sort("created", "Newest", (Key("id", True, int),)),
        Sort(
            "priority",
            "Priority",
            (
                Key("priority_rank", False, int),
                Key("due_at", False, datetime),
                Key("id", False, int),
            ),
        ),
    )
}
SORT_CHOICES = [(s.name, s.label) for s in SORTS.values()]


def sort_for(name: str | None) -> Sort:
    return SORTS.get(name or "", SORTS[DEFAULT_SORT])


def _prepare(queryset: QuerySet, sort: Sort) -> QuerySet:
    if any(k.field == "priority_rank" for k in sort.keys):
        rank = models.Case(
            *[When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()],
            default=Value(len(PRIORITY_RANK)),
            output_field=models.IntegerField(),
        )
        queryset = queryset.annotate(priority_rank=rank)
    return queryset


def order_cases(queryset: QuerySet, sort: str | None) -> QuerySet:
    """`queryset` in the order of `sort` (the default when unknown), without paging."""
    spec = sort_for(sort)
    return _prepare(queryset, spec).order_by(*spec.order_by())


# --- cursors --------------------------------------------------------------------------------


def _encode_value(value) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(sort: Sort, direction: str, values: tuple) -> str:
    raw = json.dumps(
        [sort.name, direction, [_encode_value(v) for v in values]], separators=(",", ":")
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: Sort) -> tuple[str, tuple] | None:
    """(direction, values) of a cursor made for `sort`; None for anything else."""
    if not cursor or len(cursor) > 500:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, direction, values = json.loads(raw)
        if (
            name != sort.name
            or direction not in ("after", "before")
            or len(values) != len(sort.keys)
        ):
            return None
        decoded = []
        for key, value in zip(sort.keys, values, strict=True):
            if key.kind is datetime:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    return None
                # In UTC, as the database compares it: 0001-01-01T00:00+01:00 is out of range.
                decoded.append(parsed.astimezone(UTC))
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63:
                decoded.append(value)
            else:
                return None
    except (
        ValueError,
        TypeError,
        OverflowError,
        RecursionError,
        binascii.Error,
        UnicodeDecodeError,
    ):
        return None
    return direction, tuple(decoded)


def _beyond(sort: Sort, values: tuple, *, before: bool) -> Q:
    """Rows strictly after (or before) `values` in `sort`'s order.

    (a, b, c) > (x, y, z) is a > x OR (a = x AND (b > y OR (b = y AND c > z))); the leading
    a >= x repeats the first key alone so the planner gets an index range to start from.
    """

    def strict(key: Key) -> str:
        forward = "lt" if key.descending else "gt"
        backward = "gt" if key.descending else "lt"
        return backward if before else forward

    condition = Q()
    for i in reversed(range(len(sort.keys))):
        key, value = sort.keys[i], values[i]
        here = Q(**{f"{key.field}__{strict(key)}": value})
        condition = (
            here if i == len(sort.keys) - 1 else here | (Q(**{key.field: value}) & condition)
        )
    first = sort.keys[0]
    return Q(**{f"{first.field}__{strict(first)}e": values[0]}) & condition


# --- pages ----------------------------------------------------------------------------------


@dataclass
class Page:
    items: list
    sort: Sort
    size: int
    has_next: bool
    has_prev: bool
    next_cursor: str | None
    prev_cursor: str | None
    first: bool  # no cursor was given: this is the top of the list


def _values(sort: Sort, row) -> tuple:
    return tuple(getattr(row, k.field) for k in sort.keys)


def paginate_cases(queryset: QuerySet, *, sort: str | None, cursor: str | None, size: int) -> Page:
    """One page of `queryset` (already scoped and filtered) in the order of `sort`."""
    spec = sort_for(sort)
    queryset = _prepare(queryset, spec)
    position = decode_cursor(cursor, spec)
    before = position is not None and position[0] == "before"
    if position is not None:
        queryset = queryset.filter(_beyond(spec, position[1], before=before))
    rows = list(queryset.order_by(*spec.order_by(reverse=before))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if before:
        rows.reverse()
        has_prev, has_next = more, True
    else:
        has_prev, has_next = position is not None, more
    return Page(
        items=rows,
        sort=spec,
        size=size,
        has_next=has_next and bool(rows),
        has_prev=has_prev and bool(rows),
        next_cursor=encode_cursor(spec, "after", _values(spec, rows[-1]))
        if has_next and rows
        else None,
        prev_cursor=encode_cursor(spec, "before", _values(spec, rows[0]))
        if has_prev and rows
        else None,
        first=position is None,
    )


def iterate_cases(queryset: QuerySet, *, sort: str | None, chunk: int = 1000) -> Iterator:
    """Every row of `queryset` in `sort`'s order, read a keyset chunk at a time (for exports)."""
    spec = sort_for(sort)
    queryset = _prepare(queryset, spec).order_by(*spec.order_by())
    position = None
    while True:
        batch = queryset.filter(_beyond(spec, position, before=False)) if position else queryset
        rows = list(batch[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        position = _values(spec, rows[-1])


def count_upto(queryset: QuerySet, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many rows match, counting no further than `limit`: (count, there are more)."""
    # Only the matching ids are counted: no joins from select_related, no prefetches, no sort.
    n = (
        queryset.select_related(None)
        .prefetch_related(None)
        .order_by()
        .values("pk")[: limit + 1]
        .count()
    )
    return min(n, limit), n > limit
