"""X12 order changes and status: the 860 change request, the 865 change acknowledgement and
the 870 order status report, read into the domain and written back.

Like the 850/855 mappings (x12_orders.py), dates travel as `date` or ISO text and quantities
as `Decimal`, numbers or text; the domain speaks names, the file the codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import EdiIssue, MappingError
from .mappings import HasSegments, TransactionMapping, numbered, register_mapping, segment_issue
from .segments import Segment, segment
from .x12_orders import (
    LINE_STATUS_BY_CODE,
    LINE_STATUS_CODES,
    PROMISED_FOR_SHIPMENT,
    _bad_date,
    _date,
    _date_text,
    _decimal,
    _missing,
    _optional_date,
    _or_none,
    _read_party,
    _text,
    _write_party,
)

# BCH01 / BCA01 (353) transaction set purpose.
PURPOSE_BY_CODE = {
    "00": "original",
    "01": "cancellation",
    "04": "change",
    "05": "replace",
    "06": "confirmation",
}
PURPOSE_CODES = {name: code for code, name in PURPOSE_BY_CODE.items()}
# POC02 (670) change or response type.
CHANGE_BY_CODE = {
    "AI": "add_item",
    "CA": "change_line",
    "CT": "change_date",
    "DI": "delete_item",
    "PC": "price_change",
    "QD": "quantity_decrease",
    "QI": "quantity_increase",
    "RZ": "replace_all",
}
CHANGE_CODES = {name: code for code, name in CHANGE_BY_CODE.items()}
# ISR01 (368) shipment or order status, as partners report it in an 870.
ORDER_STATUS_BY_CODE = {
    "CC": "complete",
    "CP": "partial_shipment",
    "IA": "accepted",
    "IB": "backordered",
    "IC": "cancelled",
    "IP": "in_process",
    "IR": "rejected",
    "PR": "promised",
    "SH": "shipped",
    "BP": "partially_backordered",
    "DR": "date_rescheduled",
}
ORDER_STATUS_CODES = {name: code for code, name in ORDER_STATUS_BY_CODE.items()}
_PRODUCT_ID_PAIRS = 9  # POC08/09 .. POC24/25
_ACK_PRODUCT_ID_PAIRS = 11


def _product_ids(seg: Segment, first: int, pairs: int) -> list[dict[str, str]]:
    found = []
    for pair in range(pairs):
        qualifier, value = seg.text(first + 2 * pair), seg.text(first + 1 + 2 * pair)
        if qualifier or value:
            found.append({"qualifier": qualifier, "id": value})
    return found


def _ids(products: Sequence[Mapping[str, Any]] | None) -> list[str | None]:
    out: list[str | None] = []
    for product in products or []:
        out += [product["qualifier"], product["id"]]
    return out


def _read_poc(seg: Segment) -> dict[str, Any]:
    code = seg.text(2)
    if code and code not in CHANGE_BY_CODE:
        raise MappingError(f"POC02 {code!r} is not a change type code")
    return {
        "line_number": _or_none(seg.text(1)),
        "change": CHANGE_BY_CODE.get(code),
        "quantity": _decimal(seg.text(3), what="POC03 quantity ordered"),
        "quantity_left": _decimal(seg.text(4), what="POC04 quantity left to receive"),
        "unit": _or_none(seg.text(5)),
        "unit_price": _decimal(seg.text(6), what="POC06 unit price"),
        "product_ids": _product_ids(seg, 8, _PRODUCT_ID_PAIRS),
    }


def _write_poc(line: Mapping[str, Any]) -> Segment:
    change = line.get("change")
    if change and change not in CHANGE_CODES:
        raise MappingError(f"change {change!r} has no POC02 code")
    return segment(
        "POC",
        line.get("line_number"),
        CHANGE_CODES.get(change) if change else None,
        _text(line.get("quantity")),
        _text(line.get("quantity_left")),
        line.get("unit"),
        _text(line.get("unit_price")),
        None,  # POC07 basis of unit price
        *_ids(line.get("product_ids")),
    )


def _read_ack(seg: Segment) -> dict[str, Any]:
    code = seg.text(1)
    if code not in LINE_STATUS_BY_CODE:
        raise MappingError(f"ACK01 {code!r} is not a line item status code")
    promised = None
    if seg.text(4) == PROMISED_FOR_SHIPMENT:
        promised = _date(seg.text(5), what="ACK05 promised ship date")
    return {
        "status": LINE_STATUS_BY_CODE[code],
        "quantity": _decimal(seg.text(2), what="ACK02 quantity"),
        "unit": _or_none(seg.text(3)),
        "promised_ship_date": promised,
        "product_ids": _product_ids(seg, 7, _ACK_PRODUCT_ID_PAIRS),
    }


def _write_ack(ack: Mapping[str, Any]) -> Segment:
    status = ack["status"]
    if status not in LINE_STATUS_CODES:
        raise MappingError(f"line status {status!r} has no ACK01 code")
    promised = ack.get("promised_ship_date")
    return segment(
        "ACK",
        LINE_STATUS_CODES[status],
        _text(ack.get("quantity")),
        ack.get("unit"),
        PROMISED_FOR_SHIPMENT if promised else None,
        _date_text(promised, what="promised_ship_date"),
        None,
        *_ids(ack.get("product_ids")),
    )


def _purpose(code: str) -> str:
    if code not in PURPOSE_BY_CODE:
        raise MappingError(f"purpose code {code!r} is not known")
    return PURPOSE_BY_CODE[code]


def _header_issues(
    transaction: HasSegments, head: str, required: tuple[tuple[int, str], ...], date_at: int
) -> list[EdiIssue]:
    issues: list[EdiIssue] = []
    segments = numbered(transaction.segments)
    heads = [(i, s) for i, s in segments if s.id == head]
    if not heads:
        issues.append(
            segment_issue(segment_id=head, index=2, code="3", message=f"{head} is missing")
        )
    for index, seg in heads:
        issues += _missing(seg, index, required) + _bad_date(seg, index, date_at)
    return issues


def _messages(segments: Sequence[Segment]) -> list[str]:
    return [s.text(1) for s in segments if s.id == "MSG" and s.text(1)]


# 860 --------------------------------------------------------------------------------


@register_mapping("x12", "860")
class PurchaseOrderChangeMapping(TransactionMapping):
    """860 purchase order change request (buyer initiated).

    Domain payload::

        {"set_id": "860", "purpose": "change" | "cancellation" | ..., "order_type": "DS",
         "po_number": str, "release_number", "change_number": str, "po_date": date,
         "change_date": date | None, "messages": [str], "parties": [N1 loop dicts],
         "lines": [{"line_number", "change": "delete_item" | "quantity_decrease" | ...,
                    "quantity", "quantity_left", "unit", "unit_price", "product_ids"}],
         "line_count": int | None}
    """

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        bch = next((s for s in segments if s.id == "BCH"), None)
        if bch is None:
            raise MappingError("860 without BCH")
        change: dict[str, Any] = {
            "set_id": "860",
            "purpose": _purpose(bch.text(1)),
            "order_type": bch.text(2),
            "po_number": bch.text(3),
            "release_number": _or_none(bch.text(4)),
            "change_number": _or_none(bch.text(5)),
            "po_date": _date(bch.text(6), what="BCH06 purchase order date"),
            "change_date": _optional_date(bch.text(11), what="BCH11 change request date"),
            "messages": _messages(segments),
            "parties": [],
            "lines": [],
            "line_count": None,
        }
        index = 0
        while index < len(segments):
            seg = segments[index]
            if seg.id == "N1" and not change["lines"]:
                party, index = _read_party(segments, index)
                change["parties"].append(party)
                continue
            if seg.id == "POC":
                change["lines"].append(_read_poc(seg))
            elif seg.id == "CTT":
                change["line_count"] = int(seg.text(1)) if seg.text(1).isdigit() else None
            index += 1
        return change

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        try:
            purpose = payload["purpose"]
            if purpose not in PURPOSE_CODES:
                raise MappingError(f"purpose {purpose!r} has no BCH01 code")
            out = [
                segment(
                    "BCH",
                    PURPOSE_CODES[purpose],
                    payload["order_type"],
                    payload["po_number"],
                    payload.get("release_number"),
                    payload.get("change_number"),
                    _date_text(payload["po_date"], what="po_date"),
                    None,
                    None,
                    None,
                    None,
                    _date_text(payload.get("change_date"), what="change_date"),
                )
            ]
            for text in payload.get("messages") or []:
                out.append(segment("MSG", str(text)[:264]))
            for party in payload.get("parties") or []:
                out += _write_party(party)
            lines = payload.get("lines") or []
            for line in lines:
                out.append(_write_poc(line))
        except KeyError as exc:
            raise MappingError(f"860 payload lacks {exc.args[0]!r}") from None
        out.append(
            segment(
                "CTT",
                str(len(lines) if payload.get("line_count") is None else payload["line_count"]),
            )
        )
        return out

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        return _header_issues(
            transaction, "BCH", ((1, "353"), (2, "92"), (3, "324"), (6, "373")), 6
        )


# 865 --------------------------------------------------------------------------------


@register_mapping("x12", "865")
class PurchaseOrderChangeAcknowledgmentMapping(TransactionMapping):
    """865 purchase order change acknowledgement (seller's answer to an 860).

    Domain payload::

        {"set_id": "865", "purpose": "original" | ..., "acknowledgment_type": "AC" | "AT" |
         "RJ" | "RD" | ..., "po_number": str, "release_number", "change_number", "po_date": date,
         "messages": [str], "lines": [{<a POC line as in the 860>, "acknowledgments":
         [{"status", "quantity", "unit", "promised_ship_date", "product_ids"}]}],
         "line_count": int | None}
    """

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        bca = next((s for s in segments if s.id == "BCA"), None)
        if bca is None:
            raise MappingError("865 without BCA")
        answer: dict[str, Any] = {
            "set_id": "865",
            "purpose": _purpose(bca.text(1)),
            "acknowledgment_type": bca.text(2),
            "po_number": bca.text(3),
            "release_number": _or_none(bca.text(4)),
            "change_number": _or_none(bca.text(5)),
            "po_date": _date(bca.text(6), what="BCA06 purchase order date"),
            "messages": _messages(segments),
            "lines": [],
            "line_count": None,
        }
        line: dict[str, Any] | None = None
        for seg in segments:
            if seg.id == "POC":
                line = _read_poc(seg)
                line["acknowledgments"] = []
                answer["lines"].append(line)
            elif seg.id == "ACK" and line is not None:
                line["acknowledgments"].append(_read_ack(seg))
            elif seg.id == "CTT":
                answer["line_count"] = int(seg.text(1)) if seg.text(1).isdigit() else None
        return answer

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        try:
            purpose = payload.get("purpose") or "original"
            if purpose not in PURPOSE_CODES:
                raise MappingError(f"purpose {purpose!r} has no BCA01 code")
            out = [
                segment(
                    "BCA",
                    PURPOSE_CODES[purpose],
                    payload["acknowledgment_type"],
                    payload["po_number"],
                    payload.get("release_number"),
                    payload.get("change_number"),
                    _date_text(payload["po_date"], what="po_date"),
                )
            ]
            for text in payload.get("messages") or []:
                out.append(segment("MSG", str(text)[:264]))
            for line in payload.get("lines") or []:
                out.append(_write_poc(line))
                for ack in line.get("acknowledgments") or []:
                    out.append(_write_ack(ack))
        except KeyError as exc:
            raise MappingError(f"865 payload lacks {exc.args[0]!r}") from None
        if payload.get("line_count") is not None:
            out.append(segment("CTT", str(payload["line_count"])))
        return out

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        return _header_issues(
            transaction, "BCA", ((1, "353"), (2, "587"), (3, "324"), (6, "373")), 6
        )


# 870 --------------------------------------------------------------------------------


@register_mapping("x12", "870")
class OrderStatusReportMapping(TransactionMapping):
    """870 order status report, order level (HL code O) with item lines (HL code I).

    Domain payload::

        {"set_id": "870", "report_type": str (BSR01), "selection": str (BSR02),
         "report_number": str, "report_date": date, "messages": [str],
         "orders": [{"po_number": str, "po_date": date | None, "status": name | None,
                     "status_code": str | None, "status_date": date | None,
                     "lines": [{"line_number", "quantity", "unit", "product_ids",
                                "status": name | None, "status_code", "status_date"}]}]}
    """

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        bsr = next((s for s in segments if s.id == "BSR"), None)
        if bsr is None:
            raise MappingError("870 without BSR")
        report: dict[str, Any] = {
            "set_id": "870",
            "report_type": bsr.text(1),
            "selection": bsr.text(2),
            "report_number": bsr.text(3),
            "report_date": _date(bsr.text(4), what="BSR04 date"),
            "messages": _messages(segments),
            "orders": [],
        }
        order: dict[str, Any] | None = None
        target: dict[str, Any] | None = None
        for seg in segments:
            if seg.id == "PRF":
                order = {
                    "po_number": seg.text(1),
                    "po_date": _optional_date(seg.text(4), what="PRF04 purchase order date"),
                    "status": None,
                    "status_code": None,
                    "status_date": None,
                    "lines": [],
                }
                report["orders"].append(order)
                target = order
            elif seg.id == "PO1" and order is not None:
                target = {
                    "line_number": _or_none(seg.text(1)),
                    "quantity": _decimal(seg.text(2), what="PO102 quantity"),
                    "unit": _or_none(seg.text(3)),
                    "product_ids": _product_ids(seg, 6, 10),
                    "status": None,
                    "status_code": None,
                    "status_date": None,
                }
                order["lines"].append(target)
            elif seg.id == "ISR" and target is not None:
                code = seg.text(1)
                target["status_code"] = code or None
                target["status"] = ORDER_STATUS_BY_CODE.get(code)
                target["status_date"] = _optional_date(seg.text(2), what="ISR02 date")
        return report

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        try:
            out = [
                segment(
                    "BSR",
                    payload["report_type"],
                    payload["selection"],
                    payload["report_number"],
                    _date_text(payload["report_date"], what="report_date"),
                )
            ]
            for text in payload.get("messages") or []:
                out.append(segment("MSG", str(text)[:264]))
            number = 0
            for order in payload.get("orders") or []:
                number += 1
                parent = number
                out.append(segment("HL", str(number), None, "O"))
                out.append(
                    segment(
                        "PRF",
                        order["po_number"],
                        None,
                        None,
                        _date_text(order.get("po_date"), what="po_date"),
                    )
                )
                out += _status(order)
                for line in order.get("lines") or []:
                    number += 1
                    out.append(segment("HL", str(number), str(parent), "I"))
                    out.append(
                        segment(
                            "PO1",
                            line.get("line_number"),
                            _text(line.get("quantity")),
                            line.get("unit"),
                            None,
                            None,
                            *_ids(line.get("product_ids")),
                        )
                    )
                    out += _status(line)
        except KeyError as exc:
            raise MappingError(f"870 payload lacks {exc.args[0]!r}") from None
        return out

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        return _header_issues(
            transaction, "BSR", ((1, "665"), (2, "666"), (3, "127"), (4, "373")), 4
        )


def _status(item: Mapping[str, Any]) -> list[Segment]:
    code = item.get("status_code") or ORDER_STATUS_CODES.get(item.get("status") or "")
    if not code:
        return []
    return [segment("ISR", code, _date_text(item.get("status_date"), what="status_date"))]
