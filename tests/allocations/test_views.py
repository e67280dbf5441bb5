"""The allocation view and the plan pages: what a merchandiser sees, in constant queries."""

import csv
import io
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.allocations import selectors
from apps.allocations.models import AllocationShare, DemandPlan, PlanLine, PlanStatus
from apps.partners.models import Organization
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from tests.factories import OrganizationFactory, member

from .conftest import csv_file, draft_plan, need_by, plan_csv, published_plan

pytestmark = pytest.mark.django_db


def answered_plan(merch, north, alpine):
    plan = published_plan(merch, north, alpine)
    case = AllocationShare.objects.get(plan=plan, partner=north).case
    workspace.case_transition(
        actor=member(north), channel=Channel.WEB, case=case, transition="answer",
        payload={"lines": [
            {"line": 1, "status": "backordered", "quantity": "60", "date": need_by(45)},
            {"line": 2, "status": "accepted"},
            {"line": 3, "status": "substituted", "quantity": "0", "substitute_sku": "HDPN-BT2", "substitute_quantity": "80"},
        ]},
    )  # fmt: skip
    return plan


def test_the_allocation_view_shows_shortfall_substitution_and_risk(
    sfcc, client, merch, north, alpine
):
    plan = answered_plan(merch, north, alpine)
    client.force_login(merch)
    page = client.get(reverse("allocations:plan_detail", args=[plan.pk])).text
    assert 'Substitute <span class="mono">HDPN-BT2</span> × 80' in page
    assert "Accept substitute" in page
    assert "At risk of overselling" in page
    shortfalls = client.get(
        reverse("allocations:plan_detail", args=[plan.pk]) + "?show=shortfall"
    ).text
    assert 'data-row="1"' in shortfalls and 'data-row="2"' not in shortfalls


def test_a_partner_and_an_agent_get_404_on_plan_pages(sfcc, client, merch, north, alpine, agent):
    plan = published_plan(merch, north, alpine)
    for user in (member(north), agent):
        client.force_login(user)
        for name in ("plan_detail", "plan_import", "plan_publish"):
            assert client.get(reverse(f"allocations:{name}", args=[plan.pk])).status_code in (
                404,
                405,
            )
        assert (
            client.get(reverse("allocations:plan_export", args=[plan.pk, "csv"])).status_code == 404
        )
        assert client.get(reverse("allocations:plan_list")).status_code == 404


def test_publish_by_csv_upload_in_the_page(sfcc, client, merch, north, alpine):
    client.force_login(merch)
    text = plan_csv(
        (north.code, "TENT-2P", "", "", 10, need_by(), ""),
        (alpine.code, "MAT-1", "", "", 5, need_by(), ""),
    )
    response = client.post(
        reverse("allocations:plan_create"),
        {"title": "Peak", "kind": "peak", "file": csv_file(text)},
    )
    plan = PlanLine.objects.get(sku="TENT-2P").plan
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    client.post(reverse("allocations:plan_publish", args=[plan.pk]))
    assert AllocationShare.objects.filter(plan=plan).count() == 2


def test_a_refused_file_shows_each_row_and_creates_no_plan(sfcc, client, merch, north):
    client.force_login(merch)
    text = plan_csv((north.code, "TENT-2P", "", "", -1, need_by(), ""))
    response = client.post(
        reverse("allocations:plan_create"),
        {"title": "Peak", "kind": "peak", "file": csv_file(text)},
    )
    assert response.status_code == 400
    assert "Row 2, column forecast_qty: must not be negative (-1)." in response.text
    assert not PlanLine.objects.exists()


def test_export_csv_and_xlsx_hold_every_line_with_its_figures(sfcc, client, merch, north, alpine):
    plan = answered_plan(merch, north, alpine)
    client.force_login(merch)
    response = client.get(reverse("allocations:plan_export", args=[plan.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 5
    tent = next(r for r in rows if r["partner"] == north.code and r["sku"] == "TENT-2P")
    assert (tent["requested"], tent["confirmed"], tent["shortfall"], tent["reserved_in_sfcc"]) == (
        "100",
        "60",
        "40",
        "300",
    )
    book = load_workbook(
        io.BytesIO(client.get(reverse("allocations:plan_export", args=[plan.pk, "xlsx"])).content)
    )
    assert book.active.max_row == 6


def test_the_share_page_shows_the_partner_its_lines_and_no_plan_totals(
    sfcc, client, merch, north, alpine
):
    plan = published_plan(merch, north, alpine)
    case = AllocationShare.objects.get(plan=plan, partner=north).case
    client.force_login(member(north))
    page = client.get(case.get_absolute_url()).text
    assert "HDPN-BT" in page and "KETTLE-GOOSE" not in page  # Alpine's line
    assert "Whole plan" not in page and "Upload answers" in page
    plan.share_totals = True
    plan.save(update_fields=["share_totals"])
    assert "Whole plan" in client.get(case.get_absolute_url()).text


def _big_plan(merch, partners: int, lines: int):
    """A draft plan of `lines` lines spread over `partners` partners, written in bulk."""
    plan = draft_plan(merch, title=f"{partners} x {lines}")
    orgs = [OrganizationFactory.build(code=f"B-{i:04d}", name=f"Bulk {i}", slug=f"bulk-{plan.pk}-{i}",
                                      tg_id=f"BULK{plan.pk}{i}") for i in range(partners)]  # fmt: skip
    Organization.objects.bulk_create(orgs)
    orgs = list(Organization.objects.filter(code__startswith="B-"))
    day = timezone.localdate() + timedelta(days=20)
    PlanLine.objects.bulk_create(
        [
            PlanLine(plan=plan, partner=orgs[i % partners], row=i + 1, sku=f"SKU-{i:05d}", forecast_qty=Decimal(10),
                     need_by=day, reserved_qty=Decimal(i % 7), stock_qty=Decimal(2), confirmed_qty=Decimal(i % 12),
                     answer_status="accepted" if i % 3 else "")
            for i in range(lines)
        ],
        batch_size=1000,
    )  # fmt: skip
    return plan


@pytest.mark.parametrize(("partners", "lines"), [(2, 10), (200, 2000)])
def test_the_allocation_view_costs_the_same_queries_whatever_the_size(
    client, merch, partners, lines, django_assert_max_num_queries
):
    plan = _big_plan(merch, partners, lines)
    client.force_login(merch)
    url = reverse("allocations:plan_detail", args=[plan.pk])
    client.get(url)  # the session's first request also settles the sign-in policy (MFA) once
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count("data-row=") == min(lines, 100)
    with django_assert_max_num_queries(12):
        assert client.get(url + "?show=shortfall&page=2").status_code == 200


@contextmanager
def rows_fetched():
    """Counts the rows every query of the block hands to Python (fetchone/fetchmany/fetchall)."""
    fetched = {"rows": 0}

    def counting(fetch, single=False):
        def wrapper(*args, **kwargs):
            result = fetch(*args, **kwargs)
            fetched["rows"] += (result is not None) if single else len(result)
            return result

        return wrapper

    def wrap(execute, sql, params, many, context):
        cursor = context["cursor"]
        if not getattr(cursor, "_counted", False):
            cursor.fetchone = counting(cursor.cursor.fetchone, single=True)
            cursor.fetchmany = counting(cursor.cursor.fetchmany)
            cursor.fetchall = counting(cursor.cursor.fetchall)
            cursor._counted = True
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrap):
        yield fetched


def test_the_allocation_view_reads_only_the_rows_it_draws(client, merch):
    """200 partners × 2,000 lines: the database returns one page of lines and the partners
    shown, not a row per line or per partner, so Python's work does not grow with the plan.
    (Published: a draft's "Add a line" form lists every partner organization to choose from.)"""
    plan = _big_plan(merch, 200, 2000)
    DemandPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.PUBLISHED)
    client.force_login(merch)
    url = reverse("allocations:plan_detail", args=[plan.pk])
    client.get(url)  # warm the session and the caches
    bound = selectors.LINES_PER_PAGE + 2 * selectors.PARTNERS_SHOWN + 20
    for query in ("", "?show=shortfall&page=2", "?show=unanswered"):
        with rows_fetched() as fetched:
            response = client.get(url + query)
        assert response.status_code == 200
        assert fetched["rows"] <= bound, (query, fetched["rows"])
    page = client.get(url).text
    assert page.count('<a href="?partner=') == selectors.PARTNERS_SHOWN
    assert "Show every partner" in page
    every = client.get(url + "?partners=all").text
    assert every.count('<a href="?partner=') == 200 and "Every partner" in every


def test_another_partner_can_neither_read_nor_answer_a_share(sfcc, client, merch, north, alpine):
    plan = published_plan(merch, north, alpine)
    north_case = AllocationShare.objects.get(plan=plan, partner=north).case
    client.force_login(member(alpine))
    assert client.get(north_case.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("allocations:share_answers_template", args=[north_case.pk])).status_code
        == 404
    )
    answers = csv_file("line,answer\n1,confirm\n2,confirm\n3,confirm\n")
    response = client.post(
        reverse("allocations:share_answers_upload", args=[north_case.pk]), {"file": answers}
    )
    assert response.status_code == 404
    assert not PlanLine.objects.filter(plan=plan, partner=north).exclude(answer_status="").exists()


def test_the_lines_are_paged_with_links_that_keep_the_filter(client, merch):
    plan = _big_plan(merch, 3, 400)  # 134 unanswered: two pages
    client.force_login(merch)
    page = client.get(reverse("allocations:plan_detail", args=[plan.pk]) + "?show=unanswered").text
    assert 'href="?show=unanswered&amp;page=2"' in page and "Page 1 of" in page
