"""Keyset pagination: every row once, in order, across ties; cursors are opaque and safe."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.workspace.choices import Priority
from apps.workspace.models import Case
from apps.workspace.pagination import (
    SORTS,
    count_upto,
    decode_cursor,
    encode_cursor,
    iterate_cases,
    order_cases,
    paginate_cases,
)

from .test_inbox import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def tied_cases(partner_a):
    """23 cases whose sort values tie in groups: same due time, same activity, same priority."""
    now = timezone.now().replace(microsecond=0)
    priorities = [Priority.URGENT, Priority.NORMAL, Priority.LOW]
    cases = []
    for i in range(23):
        case = make_case(
            partner_a,
            subject=f"Case {i}",
            due_in=timedelta(hours=i // 5),  # groups of five with the same due time
            last_activity_at=now - timedelta(minutes=i // 4),
            priority=priorities[i % 3],
        )
        cases.append(case)
    # make_case computes due_at from its own clock; line the groups up exactly.
    for case in cases:
        hours = int(case.subject.split()[1]) // 5
        Case.objects.filter(pk=case.pk).update(due_at=now + timedelta(hours=hours + 1))
    return cases


def _walk(queryset, sort: str, size: int):
    pages, cursor = [], None
    while True:
        page = paginate_cases(queryset, sort=sort, cursor=cursor, size=size)
        pages.append(page)
        if not page.has_next:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", list(SORTS))
def test_pages_cover_every_row_once_in_order(tied_cases, sort):
    qs = Case.objects.all()
    expected = list(order_cases(qs, sort).values_list("pk", flat=True))
    pages = _walk(qs, sort, size=5)
    seen = [c.pk for page in pages for c in page.items]
    assert seen == expected
    assert len(pages) == 5 and [len(p.items) for p in pages] == [5, 5, 5, 5, 3]
    assert not pages[0].has_prev and pages[-1].has_prev

    # And back again with the previous-page cursors: the same pages, in reverse.
    cursor, back = pages[-1].prev_cursor, []
    while cursor:
        page = paginate_cases(qs, sort=sort, cursor=cursor, size=5)
        back.append([c.pk for c in page.items])
        cursor = page.prev_cursor
    assert back == [[c.pk for c in p.items] for p in reversed(pages[:-1])]


def test_iterate_cases_matches_the_order(tied_cases):
    qs = Case.objects.all()
    for sort in SORTS:
        expected = list(order_cases(qs, sort).values_list("pk", flat=True))
        assert [c.pk for c in iterate_cases(qs, sort=sort, chunk=4)] == expected


def test_page_query_has_no_offset_and_no_count(tied_cases):
    page = paginate_cases(Case.objects.all(), sort="due", cursor=None, size=5)
    with CaptureQueriesContext(connection) as queries:
        paginate_cases(Case.objects.all(), sort="due", cursor=page.next_cursor, size=5)
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "OFFSET" not in sql and "COUNT(" not in sql
    assert "LIMIT 6" in sql


def test_bad_cursors_start_at_the_top(tied_cases):
    qs = Case.objects.all()
    top = [c.pk for c in paginate_cases(qs, sort="due", cursor=None, size=5).items]
    activity_cursor = paginate_cases(qs, sort="activity", cursor=None, size=5).next_cursor
    for junk in (
        "",
        "not-base64!",
        "e30",
        "W10",
        "x" * 600,
        activity_cursor,
        encode_cursor(SORTS["due"], "after", ("x", 1)),
    ):
        assert [c.pk for c in paginate_cases(qs, sort="due", cursor=junk, size=5).items] == top


def test_cursor_round_trip():
    when = timezone.now()
    cursor = encode_cursor(SORTS["due"], "after", (when, 42))
    assert decode_cursor(cursor, SORTS["due"]) == ("after", (when, 42))
    assert decode_cursor(cursor, SORTS["activity"]) is None


def test_count_is_capped(tied_cases):
    assert count_upto(Case.objects.all(), limit=100) == (23, False)
    assert count_upto(Case.objects.all(), limit=10) == (10, True)


def test_inbox_pages_through_links(client, agent, tied_cases, settings):
    settings.INBOX_PAGE_SIZE = 10
    client.force_login(agent)
    url, seen = reverse("workspace:inbox"), []
    response = client.get(url)
    assert "10 shown of 23 cases" in response.text
    while True:
        seen += [c.pk for c in response.context["cases"]]
        next_url = response.context["next_url"]
        if not next_url:
            break
        assert "cursor=" in next_url
        response = client.get(next_url, HTTP_HX_REQUEST="true")
        assert response["HX-Push-Url"] == next_url
    assert seen == list(order_cases(Case.objects.all(), "due").values_list("pk", flat=True))
    assert response.context["prev_url"]
