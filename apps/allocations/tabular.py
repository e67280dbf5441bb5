"""Reading CSV and XLSX uploads into rows of text, refusing what a spreadsheet must not carry.

Both readers stream: a CSV is decoded line by line, an XLSX is read with openpyxl's read-only
mode (formulas kept as formulas, so they can be refused), and both stop one row past the limit,
so a 100,000-row file is refused without being held in memory. Row numbers are the
spreadsheet's own (the header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
FORMULA_PREFIXES = ("=", "@")


class TableRefused(Exception):
    """The file as a whole is refused (type, size, header, row limit)."""


@dataclass
class Cell:
    text: str
    formula: bool = False


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)


def read_table(
    *,
    name: str,
    content: IO[bytes],
    known: tuple[str, ...],
    required: tuple[str, ...],
    aliases: dict[str, str] | None = None,
) -> Table:
    """The rows of a CSV or XLSX file, keyed by known column names; unknown columns refuse it."""
    head = content.read(4)
    content.seek(0)
    rows = (
        _xlsx_rows(content)
        if head == XLSX_MAGIC or name.lower().endswith(".xlsx")
        else _csv_rows(content)
    )
    aliases = aliases or {}
    try:
        header = next(rows)
    except StopIteration:
        raise TableRefused(
            "The file is empty: it needs a header row and at least one line."
        ) from None
    columns = [aliases.get(_norm(c.text), _norm(c.text)) for c in header]
    unknown = [header[i].text for i, c in enumerate(columns) if c and c not in known]
    if unknown:
        raise TableRefused(
            f"Row 1: unknown column {', '.join(repr(u) for u in unknown)}; the columns are: {', '.join(known)}."
        )
    missing = [c for c in required if c not in columns]
    if missing:
        raise TableRefused(f"Row 1: missing column {', '.join(repr(m) for m in missing)}.")
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise TableRefused(f"Row 1: column {', '.join(repr(d) for d in duplicated)} appears twice.")
    table = Table(columns=columns)
    for number, cells in enumerate(rows, start=2):
        if all(not c.text and not c.formula for c in cells):
            continue  # blank rows are spreadsheet noise, not lines
        if len(table.rows) >= MAX_ROWS:
            raise TableRefused(
                f"The file has more than {MAX_ROWS:,} lines (row {number} is past the limit): "
                "nothing was imported. Split it into files of at most "
                f"{MAX_ROWS:,} lines."
            )
        if len(cells) > len(columns) and any(c.text for c in cells[len(columns) :]):
            raise TableRefused(f"Row {number}: more cells than the header has columns.")
        values = {
            col: (cells[i] if i < len(cells) else Cell("")) for i, col in enumerate(columns) if col
        }
        table.rows.append((number, values))
    if not table.rows:
        raise TableRefused("The file has a header but no lines.")
    return table


def _norm(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _csv_rows(content: IO[bytes]) -> Iterator[list[Cell]]:
    reader = codecs.getreader("utf-8-sig")(content, errors="strict")
    try:
        sample = reader.read(4096)
    except UnicodeDecodeError:
        raise TableRefused("The file is neither UTF-8 CSV nor XLSX.") from None
    content.seek(0)
    reader = codecs.getreader("utf-8-sig")(content, errors="strict")
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        for row in csv.reader(reader, delimiter=delimiter):
            yield [Cell(v.strip(), formula=v.strip().startswith(FORMULA_PREFIXES)) for v in row]
    except UnicodeDecodeError:
        raise TableRefused("The file is not valid UTF-8 text.") from None
    except csv.Error as exc:
        raise TableRefused(f"The CSV cannot be read: {exc}.") from None


def _xlsx_rows(content: IO[bytes]) -> Iterator[list[Cell]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content.read()), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableRefused(f"The XLSX file cannot be read: {exc}.") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            yield [_xlsx_cell(cell) for cell in row]
    finally:
        workbook.close()


def _xlsx_cell(cell) -> Cell:
    value = getattr(cell, "value", None)
    if value is None:
        return Cell("")
    if getattr(cell, "data_type", "") == "f" or (isinstance(value, str) and value.startswith("=")):
        return Cell(str(value), formula=True)
    if isinstance(value, datetime):
        return Cell(value.date().isoformat())
    if isinstance(value, date):
        return Cell(value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return Cell(str(int(value)))
    return Cell(str(value).strip())
