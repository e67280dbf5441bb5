"""X12 purchase orders: the 850 and the 855 acknowledgement, read into the domain and written back.

Written documents come from the outbox as JSON, so the writers take a payload's dates as
`date` or ISO text ("2026-03-20") and its quantities as `Decimal`, numbers or text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import EdiIssue, MappingError
from .mappings import (
    HasSegments,
    TransactionMapping,
    element_issue,
    numbered,
    register_mapping,
    segment_issue,
)
from .segments import Segment, segment

# ACK01 (668) line item status; the domain speaks the names, the file the codes.
LINE_STATUS_BY_CODE: dict[str, str] = {
    "IA": "accepted",
    "IB": "backordered",
    "IR": "rejected",
    "IS": "substituted",
    "IC": "accepted_with_changes",
    "IP": "price_changed",
    "IQ": "quantity_changed",
    "DR": "date_rescheduled",
    "BP": "partially_backordered",
    "ID": "deleted",
    "IH": "on_hold",
    "AC": "accepted_and_shipped",
    "AR": "accepted_and_released",
    "IE": "accepted_price_pending",
    "IF": "on_hold_incomplete_description",
    "IW": "on_hold_waiver_required",
    "SP": "schedule_date_pending",
    **{f"R{n}": f"rejected_reason_r{n}" for n in range(1, 9)},
}
LINE_STATUS_CODES: dict[str, str] = {name: code for code, name in LINE_STATUS_BY_CODE.items()}
PROMISED_FOR_SHIPMENT = "079"  # ACK04 (374): the date ACK05 carries
_PRODUCT_ID_PAIRS = 10  # PO106/107 .. PO124/125
_ACK_PRODUCT_ID_PAIRS = 11  # ACK07/08 .. ACK27/28: what a substitution or change ships instead


def _date(value: str, *, what: str) -> date:
    fmt = {8: "%Y%m%d", 6: "%y%m%d"}.get(len(value))
    if fmt and value.isdigit():
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise MappingError(f"{what} {value!r} is not a date (CCYYMMDD)")


def _optional_date(value: str, *, what: str) -> date | None:
    return _date(value, what=what) if value else None


def _decimal(value: str, *, what: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise MappingError(f"{what} {value!r} is not a number") from None


def _text(value: Decimal | int | float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")
    return str(value)


def _date_text(value: date | str | None, *, what: str) -> str:
    """CCYYMMDD from a date or from its JSON form (ISO text); CCYYMMDD text passes as is."""
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    if isinstance(value, str):
        if len(value) == 8 and value.isdigit():
            return value
        try:
            return date.fromisoformat(value).strftime("%Y%m%d")
        except ValueError:
            pass
    raise MappingError(f"{what} {value!r} is not a date")


def _or_none(value: str) -> str | None:
    return value or None


def _is_date(value: str) -> bool:
    try:
        _date(value, what="date")
    except MappingError:
        return False
    return True


def _missing(seg: Segment, index: int, elements: Iterable[tuple[int, str]]) -> list[EdiIssue]:
    """An issue (997/999 code 1) for each mandatory (element, data element reference) left empty."""
    return [
        element_issue(
            segment=seg,
            index=index,
            element=element,
            reference=reference,
            code="1",
            message="mandatory element is missing",
        )
        for element, reference in elements
        if not seg.text(element)
    ]


def _bad_date(seg: Segment, index: int, element: int) -> list[EdiIssue]:
    """An issue (code 8) when a date element (373, CCYYMMDD) holds something else."""
    if not seg.text(element) or _is_date(seg.text(element)):
        return []
    return [
        element_issue(
            segment=seg,
            index=index,
            element=element,
            reference="373",
            code="8",
            message="not a date",
        )
    ]


# Shared loops ---------------------------------------------------------------------


def _read_party(segments: Sequence[Segment], start: int) -> tuple[dict[str, Any], int]:
    """The N1 loop at ``start``: N1, then N2/N3/N4 until the next segment of another kind."""
    n1 = segments[start]
    party: dict[str, Any] = {
        "role": n1.text(1),
        "name": _or_none(n1.text(2)),
        "id_qualifier": _or_none(n1.text(3)),
        "id": _or_none(n1.text(4)),
        "additional_names": [],
        "address_lines": [],
        "city": None,
        "state": None,
        "postal_code": None,
        "country": None,
    }
    index = start + 1
    while index < len(segments) and segments[index].id in ("N2", "N3", "N4"):
        seg = segments[index]
        if seg.id == "N2":
            party["additional_names"] += [v for v in (seg.text(1), seg.text(2)) if v]
        elif seg.id == "N3":
            party["address_lines"] += [v for v in (seg.text(1), seg.text(2)) if v]
        else:
            party["city"] = _or_none(seg.text(1))
            party["state"] = _or_none(seg.text(2))
            party["postal_code"] = _or_none(seg.text(3))
            party["country"] = _or_none(seg.text(4))
        index += 1
    return party, index


def _write_party(party: Mapping[str, Any]) -> list[Segment]:
    out = [
        segment("N1", party["role"], party.get("name"), party.get("id_qualifier"), party.get("id"))
    ]
    names = list(party.get("additional_names") or [])
    for i in range(0, len(names), 2):
        out.append(segment("N2", *names[i : i + 2]))
    lines = list(party.get("address_lines") or [])
    for i in range(0, len(lines), 2):
        out.append(segment("N3", *lines[i : i + 2]))
    place = [party.get(key) for key in ("city", "state", "postal_code", "country")]
    if any(place):
        out.append(segment("N4", *place))
    return out


def _read_line(po1: Segment) -> dict[str, Any]:
    product_ids = []
    for pair in range(_PRODUCT_ID_PAIRS):
        qualifier, value = po1.text(6 + 2 * pair), po1.text(7 + 2 * pair)
        if qualifier or value:
            product_ids.append({"qualifier": qualifier, "id": value})
    return {
        "line_number": _or_none(po1.text(1)),
        "quantity": _decimal(po1.text(2), what="PO102 quantity"),
        "unit": _or_none(po1.text(3)),
        "unit_price": _decimal(po1.text(4), what="PO104 unit price"),
        "basis_of_price": _or_none(po1.text(5)),
        "product_ids": product_ids,
        "description": None,
    }


def _write_line(line: Mapping[str, Any]) -> list[Segment]:
    ids: list[str | None] = []
    for product in line.get("product_ids") or []:
        ids += [product["qualifier"], product["id"]]
    out = [
        segment(
            "PO1",
            line.get("line_number"),
            _text(line.get("quantity")),
            line.get("unit"),
            _text(line.get("unit_price")),
            line.get("basis_of_price"),
            *ids,
        )
    ]
    if line.get("description"):
        out.append(segment("PID", "F", None, None, None, line["description"]))
    return out


# 850 --------------------------------------------------------------------------------


@register_mapping("x12", "850")
class PurchaseOrderMapping(TransactionMapping):
    """850 purchase order: BEG, header REF/DTM, N1 loops, PO1 lines with PID, CTT."""

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        beg = next((s for s in segments if s.id == "BEG"), None)
        if beg is None:
            raise MappingError("850 without BEG")
        order: dict[str, Any] = {
            "set_id": "850",
            "purpose": beg.text(1),
            "order_type": beg.text(2),
            "po_number": beg.text(3),
            "release_number": _or_none(beg.text(4)),
            "po_date": _date(beg.text(5), what="BEG05 purchase order date"),
            "references": [],
            "dates": [],
            "parties": [],
            "lines": [],
            "line_count": None,
        }
        index = 0
        line: dict[str, Any] | None = None
        while index < len(segments):
            seg = segments[index]
            if seg.id == "N1" and line is None:
                party, index = _read_party(segments, index)
                order["parties"].append(party)
                continue
            if seg.id == "REF" and line is None:
                order["references"].append(
                    {
                        "qualifier": seg.text(1),
                        "value": seg.text(2),
                        "description": _or_none(seg.text(3)),
                    }
                )
            elif seg.id == "DTM" and line is None:
                order["dates"].append(
                    {"qualifier": seg.text(1), "date": _date(seg.text(2), what="DTM02 date")}
                )
            elif seg.id == "PO1":
                line = _read_line(seg)
                order["lines"].append(line)
            elif seg.id == "PID" and line is not None and line["description"] is None:
                line["description"] = _or_none(seg.text(5))
            elif seg.id == "CTT":
                order["line_count"] = int(seg.text(1)) if seg.text(1).isdigit() else None
                line = None
            index += 1
        return order

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        issues: list[EdiIssue] = []
        segments = numbered(transaction.segments)
        begs = [(i, s) for i, s in segments if s.id == "BEG"]
        if not begs:
            issues.append(
                segment_issue(segment_id="BEG", index=2, code="3", message="BEG is missing")
            )
        for index, beg in begs:
            issues += _missing(beg, index, ((1, "353"), (2, "92"), (3, "324"), (5, "373")))
            issues += _bad_date(beg, index, 5)
        return issues

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        """BEG, header REF and DTM, N1 loops, PO1 lines with PID, CTT: what ``to_domain`` reads."""
        try:
            out = [
                segment(
                    "BEG",
                    payload["purpose"],
                    payload["order_type"],
                    payload["po_number"],
                    payload.get("release_number"),
                    _date_text(payload["po_date"], what="po_date"),
                )
            ]
            for ref in payload.get("references") or []:
                out.append(segment("REF", ref["qualifier"], ref["value"], ref.get("description")))
            for when in payload.get("dates") or []:
                out.append(
                    segment("DTM", when["qualifier"], _date_text(when["date"], what="DTM date"))
                )
            for party in payload.get("parties") or []:
                out += _write_party(party)
            lines = payload.get("lines") or []
            for line in lines:
                out += _write_line(line)
        except KeyError as exc:
            raise MappingError(f"850 payload lacks {exc.args[0]!r}") from None
        count = payload.get("line_count")
        out.append(segment("CTT", str(len(lines) if count is None else count)))
        return out


# 855 --------------------------------------------------------------------------------


@register_mapping("x12", "855")
class PurchaseOrderAcknowledgmentMapping(TransactionMapping):
    """855 purchase order acknowledgement, both ways.

    Domain payload::

        {"set_id": "855", "purpose": "00", "acknowledgment_type": "AC", "po_number": str,
         "po_date": date, "release_number", "seller_order_number", "acknowledgment_date",
         "transaction_type": optional, "parties": [N1 loop dicts], "line_count": int | None,
         "lines": [{"line_number", "quantity": Decimal, "unit", "unit_price": Decimal,
                    "basis_of_price", "product_ids": [{"qualifier", "id"}], "description",
                    "acknowledgments": [{"status": "accepted" | "backordered" | "rejected"
                                         | "substituted" | ..., "quantity", "unit",
                                         "promised_ship_date": date | None,
                                         "product_ids": [{"qualifier", "id"}]}]}]}

    ``product_ids`` of an acknowledgement (ACK07/08 ...) name what ships instead, e.g. the
    substitute of an IS line.
    """

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        bak = next((s for s in segments if s.id == "BAK"), None)
        if bak is None:
            raise MappingError("855 without BAK")
        ack: dict[str, Any] = {
            "set_id": "855",
            "purpose": bak.text(1),
            "acknowledgment_type": bak.text(2),
            "po_number": bak.text(3),
            "po_date": _date(bak.text(4), what="BAK04 purchase order date"),
            "release_number": _or_none(bak.text(5)),
            "seller_order_number": _or_none(bak.text(8)),
            "acknowledgment_date": _optional_date(bak.text(9), what="BAK09 date"),
            "transaction_type": _or_none(bak.text(10)),
            "parties": [],
            "lines": [],
            "line_count": None,
        }
        index = 0
        line: dict[str, Any] | None = None
        while index < len(segments):
            seg = segments[index]
            if seg.id == "N1" and line is None:
                party, index = _read_party(segments, index)
                ack["parties"].append(party)
                continue
            if seg.id == "PO1":
                line = _read_line(seg)
                line["acknowledgments"] = []
                ack["lines"].append(line)
            elif seg.id == "PID" and line is not None and line["description"] is None:
                line["description"] = _or_none(seg.text(5))
            elif seg.id == "ACK" and line is not None:
                line["acknowledgments"].append(self._read_ack(seg))
            elif seg.id == "CTT":
                ack["line_count"] = int(seg.text(1)) if seg.text(1).isdigit() else None
                line = None
            index += 1
        return ack

    @staticmethod
    def _read_ack(seg: Segment) -> dict[str, Any]:
        code = seg.text(1)
        if code not in LINE_STATUS_BY_CODE:
            raise MappingError(f"ACK01 {code!r} is not a line item status code")
        promised = None
        if seg.text(4) == PROMISED_FOR_SHIPMENT:
            promised = _date(seg.text(5), what="ACK05 promised ship date")
        product_ids = []
        for pair in range(_ACK_PRODUCT_ID_PAIRS):
            qualifier, value = seg.text(7 + 2 * pair), seg.text(8 + 2 * pair)
            if qualifier or value:
                product_ids.append({"qualifier": qualifier, "id": value})
        return {
            "status": LINE_STATUS_BY_CODE[code],
            "quantity": _decimal(seg.text(2), what="ACK02 quantity"),
            "unit": _or_none(seg.text(3)),
            "promised_ship_date": promised,
            "product_ids": product_ids,
        }

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        try:
            out = [
                segment(
                    "BAK",
                    payload["purpose"],
                    payload["acknowledgment_type"],
                    payload["po_number"],
                    _date_text(payload["po_date"], what="po_date"),
                    payload.get("release_number"),
                    None,
                    None,
                    payload.get("seller_order_number"),
                    _date_text(payload.get("acknowledgment_date"), what="acknowledgment_date"),
                    payload.get("transaction_type"),
                )
            ]
            for party in payload.get("parties") or []:
                out += _write_party(party)
            for line in payload.get("lines") or []:
                out += _write_line(line)
                for ack in line.get("acknowledgments") or []:
                    out.append(self._write_ack(ack))
        except KeyError as exc:
            raise MappingError(f"855 payload lacks {exc.args[0]!r}") from None
        if payload.get("line_count") is not None:
            out.append(segment("CTT", str(payload["line_count"])))
        return out

    @staticmethod
    def _write_ack(ack: Mapping[str, Any]) -> Segment:
        status = ack["status"]
        if status not in LINE_STATUS_CODES:
            raise MappingError(f"line status {status!r} has no ACK01 code")
        promised = ack.get("promised_ship_date")
        ids: list[str | None] = []
        for product in ack.get("product_ids") or []:
            ids += [product["qualifier"], product["id"]]
        return segment(
            "ACK",
            LINE_STATUS_CODES[status],
            _text(ack.get("quantity")),
            ack.get("unit"),
            PROMISED_FOR_SHIPMENT if promised else None,
            _date_text(promised, what="promised_ship_date"),
            None,  # ACK06 request reference
            *ids,
        )

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        issues: list[EdiIssue] = []
        segments = numbered(transaction.segments)
        baks = [(i, s) for i, s in segments if s.id == "BAK"]
        if not baks:
            issues.append(
                segment_issue(segment_id="BAK", index=2, code="3", message="BAK is missing")
            )
        # Segments outside the 855's layout are reported by validate_x12_transaction.
        for index, seg in segments:
            if seg.id == "BAK":
                issues += self._check_bak(seg, index)
            elif seg.id == "ACK":
                issues += self._check_ack(seg, index)
        return issues

    @staticmethod
    def _check_bak(seg: Segment, index: int) -> list[EdiIssue]:
        return _missing(seg, index, ((1, "353"), (2, "587"), (3, "324"), (4, "373"))) + _bad_date(
            seg, index, 4
        )

    @staticmethod
    def _check_ack(seg: Segment, index: int) -> list[EdiIssue]:
        issues = _missing(seg, index, ((1, "668"),))
        code = seg.text(1)
        if code and code not in LINE_STATUS_BY_CODE:
            issues.append(
                element_issue(
                    segment=seg,
                    index=index,
                    element=1,
                    reference="668",
                    code="7",
                    message=f"{code!r} is not a line item status code",
                )
            )
        if seg.text(4) and not seg.text(5):
            issues.append(
                element_issue(
                    segment=seg,
                    index=index,
                    element=5,
                    reference="373",
                    code="2",
                    message="ACK04 needs a date in ACK05",
                )
            )
        else:
            issues += _bad_date(seg, index, 5)
        return issues
