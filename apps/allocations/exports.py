"""The allocation view as CSV or XLSX: every line with its figures, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook

from . import selectors
from .models import DemandPlan

HEADER = [
    "row",
    "partner",
    "sku",
    "product_name",
    "location",
    "need_by",
    "priority",
    "requested",
    "reserved_in_sfcc",
    "in_stock",
    "available_to_sell",
    "answer",
    "confirmed",
    "backorder_date",
    "substitute_sku",
    "substitute_qty",
    "substitution",
    "decline_reason",
    "shortfall",
    "at_risk_of_overselling",
]


def _rows(plan: DemandPlan) -> Iterator[list]:
    lines = selectors.lines_filtered(plan=plan).iterator(chunk_size=2000)
    for line in lines:
        yield [
            line.row,
            line.partner.code,
            line.sku,
            line.product_name,
            line.location,
            line.need_by.isoformat(),
            line.priority,
            line.forecast_qty,
            line.reserved_qty,
            line.stock_qty,
            line.ats_qty,
            line.answer_status,
            line.confirmed_qty,
            line.backorder_date.isoformat() if line.backorder_date else "",
            line.substitute_sku,
            line.substitute_qty,
            line.substitution,
            line.decline_reason,
            line.shortfall,
            "yes" if line.at_risk else "no",
        ]


def _text(value) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + text if text[:1] in ("=", "+", "@") else text


def csv_stream(plan: DemandPlan) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in _rows(plan):
        writer.writerow([_text(v) for v in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(plan: DemandPlan) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(plan.reference)
    sheet.append(HEADER)
    for row in _rows(plan):
        sheet.append([float(v) if hasattr(v, "normalize") else _text(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
