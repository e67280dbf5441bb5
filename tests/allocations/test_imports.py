"""Publishing a plan by file: every row checked, errors that name the row and the column,
nothing imported from a file with any error."""

import io

import pytest
from openpyxl import Workbook

from apps.allocations import services, tabular
from apps.allocations.models import PlanLine

from .conftest import csv_file, draft_plan, need_by, plan_csv

pytestmark = pytest.mark.django_db


def xlsx_file(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "plan.xlsx"
    return out


def refused(merch, plan, fh) -> list[str]:
    with pytest.raises(services.ImportRefused) as caught:
        services.plan_lines_import(actor=merch, plan=plan, name=fh.name, content=fh)
    assert not PlanLine.objects.filter(plan=plan).exists(), "a refused file imports nothing"
    return caught.value.errors


def test_a_good_csv_is_imported_with_names_from_sfccs_catalog(sfcc, merch, north, alpine):
    plan = draft_plan(merch)
    lines = services.plan_lines_import(
        actor=merch, plan=plan, name="plan.csv",
        content=csv_file(plan_csv(
            (north.code, "TENT-2P", "", "inventory_m", 100, need_by(), "high"),
            (alpine.code, "MAT-1", "Insulated sleeping mat", "", "\"1,250\"", need_by(), ""),
        )),
    )  # fmt: skip
    assert [(line.row, line.sku, line.product_name, line.forecast_qty) for line in lines] == [
        (1, "TENT-2P", "Trailhead two-person tent", 100),
        (2, "MAT-1", "Insulated sleeping mat", 1250),
    ]
    plan.refresh_from_db()
    assert plan.catalog_checked


def test_bad_rows_are_each_named_and_nothing_is_imported(sfcc, merch, north):
    plan = draft_plan(merch)
    errors = refused(
        merch, plan,
        csv_file(plan_csv(
            (north.code, "TENT-2P", "", "", 10, need_by(), ""),
            (north.code, "MAT-1", "", "", -5, need_by(), ""),
            (north.code, "NO-SUCH-SKU", "", "", 3, need_by(), ""),
            (north.code, "TENT-2P", "", "", 7, need_by(), ""),
            (north.code, "HDPN-BT", "", "", "=SUM(A1:A3)", need_by(), ""),
            ("SUP-NOPE", "MAT-1", "", "", 4, "31/12/2026", "asap"),
            (north.code, "KETTLE-GOOSE", "Tea kettle", "", 4, need_by(), ""),
        )),
    )  # fmt: skip
    assert "Row 3, column forecast_qty: must not be negative (-5)." in errors
    assert "Row 4, column sku: 'NO-SUCH-SKU' is not in SFCC's catalog." in errors
    assert any(e.startswith("Row 5: duplicate line: row 2 has the same partner") for e in errors)
    assert any(e.startswith("Row 6, column forecast_qty: a formula (=SUM(A1:A3))") for e in errors)
    assert "Row 7, column partner: no active partner has the code 'SUP-NOPE'." in errors
    assert "Row 7, column need_by: '31/12/2026' is not a date (YYYY-MM-DD)." in errors
    assert any(e.startswith("Row 7, column priority:") for e in errors)
    assert any(
        e.startswith("Row 8, column product_name: 'Tea kettle' is not SFCC's name") for e in errors
    )


def test_a_wrong_column_refuses_the_file(sfcc, merch, north):
    plan = draft_plan(merch)
    text = f"partner,sku,qty_forecast,need_by\n{north.code},TENT-2P,10,{need_by()}\n"
    errors = refused(merch, plan, csv_file(text))
    assert errors[0].startswith(
        "Row 1: unknown column 'qty_forecast'; the columns are: partner, sku"
    )


def test_a_line_the_plan_already_has_is_a_duplicate(sfcc, merch, north):
    plan = draft_plan(merch)
    services.plan_lines_import(
        actor=merch,
        plan=plan,
        name="a.csv",
        content=csv_file(plan_csv((north.code, "MAT-1", "", "", 5, need_by(), ""))),
    )
    with pytest.raises(services.ImportRefused) as caught:
        services.plan_lines_import(
            actor=merch, plan=plan, name="b.csv",
            content=csv_file(plan_csv((north.code, "MAT-1", "", "", 6, need_by(), ""))),
        )  # fmt: skip
    assert caught.value.errors == [
        "Row 2: duplicate line: line 1 of the plan has the same partner, SKU and location."
    ]
    assert PlanLine.objects.filter(plan=plan).count() == 1


def test_xlsx_is_read_and_a_formula_cell_is_refused(sfcc, merch, north):
    plan = draft_plan(merch)
    header = ["partner", "sku", "forecast_qty", "need_by"]
    lines = services.plan_lines_import(
        actor=merch, plan=plan, name="plan.xlsx",
        content=xlsx_file([header, [north.code, "DUVET-KING", 12, need_by()]]),
    )  # fmt: skip
    assert [(line.sku, line.forecast_qty) for line in lines] == [("DUVET-KING", 12)]
    plan2 = draft_plan(merch, title="Second")
    errors = refused(merch, plan2, xlsx_file([header, [north.code, "MAT-1", "=2*6", need_by()]]))
    assert errors == [
        "Row 2, column forecast_qty: a formula (=2*6) is not accepted; paste the value instead."
    ]


def test_a_file_of_100000_rows_is_refused_by_the_row_limit(merch, north):
    """Refused before the catalog is asked (no simulator needed): the reader stops one row past
    the limit, so the file is never held as lines."""
    plan = draft_plan(merch)
    row = f"{north.code},MAT-1,,,1,{need_by()},\n"
    text = "partner,sku,product_name,location,forecast_qty,need_by,priority\n" + row * 100_000
    errors = refused(merch, plan, csv_file(text))
    assert errors == [
        f"The file has more than {tabular.MAX_ROWS:,} lines (row {tabular.MAX_ROWS + 2} is past the limit): "
        f"nothing was imported. Split it into files of at most {tabular.MAX_ROWS:,} lines."
    ]


def test_a_partner_or_an_agent_cannot_import_into_a_plan(sfcc, merch, north, user_a, agent):
    plan = draft_plan(merch)
    for actor in (user_a, agent):
        with pytest.raises(type(plan).DoesNotExist):
            services.plan_lines_import(
                actor=actor, plan=plan, name="p.csv",
                content=csv_file(plan_csv((north.code, "MAT-1", "", "", 5, need_by(), ""))),
            )  # fmt: skip
