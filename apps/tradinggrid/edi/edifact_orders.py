"""EDIFACT orders: ORDERS written from (and read into) the X12 850's domain dict, ORDRSP read
into the X12 855's, so a flow treats a partner's answer alike whichever standard it speaks.

Layouts: UN/EDIFACT D.96A ORDERS and ORDRSP (BGM, DTM, RFF, NAD, LIN/PIA/IMD/QTY/DTM/PRI,
UNS, CNT). X12 code lists are translated where the two standards name the same thing
(party roles, product id types, id agencies); a code without a counterpart passes through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import MappingError
from .mappings import HasSegments, TransactionMapping, register_mapping
from .segments import Segment, segment

# N101 (98) party roles and NAD01 (3035) qualifiers that differ; the rest are the same codes.
_ROLE_TO_EDIFACT = {"BT": "IV", "SF": "SF", "ST": "ST", "BY": "BY", "SU": "SU", "VN": "SU"}
_ROLE_FROM_EDIFACT = {"IV": "BT", "ST": "ST", "DP": "ST", "BY": "BY", "SU": "SU", "SF": "SF"}
# N103 (66) id qualifiers and the agency (3055) that assigns such ids in NAD C082.
_AGENCY_TO_EDIFACT = {"1": "16", "9": "16", "UL": "9", "92": "92", "91": "91"}
_AGENCY_FROM_EDIFACT = {"16": "1", "9": "UL", "92": "92", "91": "91"}
# PO1/ACK product id qualifiers (235) and LIN/PIA item number types (7143).
_ITEM_TO_EDIFACT = {"VN": "SA", "BP": "IN", "UP": "UP", "EN": "EN", "MG": "MF", "SK": "SA"}
_ITEM_FROM_EDIFACT = {"SA": "VN", "IN": "BP", "UP": "UP", "EN": "EN", "SRV": "EN", "MF": "MG"}
# DTM01 (374) and 2005 date qualifiers.
_DATE_TO_EDIFACT = {"002": "2", "010": "10", "037": "64", "038": "63", "004": "4"}
_DATE_FROM_EDIFACT = {value: key for key, value in _DATE_TO_EDIFACT.items()}
# BEG01/BAK01 (353) purpose and BGM 1225 message function.
_PURPOSE_TO_FUNCTION = {"00": "9", "01": "1", "05": "5", "07": "7"}
_FUNCTION_TO_PURPOSE = {"9": "00", "1": "01", "5": "05", "7": "07", "3": "01"}
# ORDRSP BGM 1225 as the 855's BAK02 acknowledgment type.
_FUNCTION_TO_ACK_TYPE = {"29": "AD", "4": "AC", "27": "RJ", "9": "AC", "5": "AC", "6": "AT"}
# ORDRSP LIN 1229 action codes as the 855's line statuses.
_ACTION_TO_STATUS = {
    "1": "accepted",  # added
    "2": "deleted",
    "3": "accepted_with_changes",  # changed
    "4": "accepted",  # no action
    "5": "accepted",  # accepted without amendment
    "6": "accepted_with_changes",  # accepted with amendment
    "7": "rejected",  # not accepted
    "10": "rejected",  # not found
}
QTY_ORDERED = "21"
QTY_TO_DELIVER = "113"
QTY_BACKORDER = "83"
DTM_DOCUMENT = "137"
DTM_REFERENCE = "171"
# Line dates that say when the goods leave or arrive, most telling first.
_PROMISE_DATES = ("11", "69", "17", "2")
ORDERS_IDENTIFIER = ("ORDERS", "D", "96A", "UN")


def _ccyymmdd(value: Any, *, what: str) -> str:
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    if isinstance(value, str) and len(value) == 8 and value.isdigit():
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%Y%m%d")
        except ValueError:
            pass
    raise MappingError(f"{what} {value!r} is not a date")


def _dtm(qualifier: str, value: Any, *, what: str) -> Segment:
    return segment("DTM", (qualifier, _ccyymmdd(value, what=what), "102"))


def _read_date(seg: Segment) -> date | None:
    """DTM C507: 102 (CCYYMMDD) or 203 (CCYYMMDDHHMM); another format is not a date we read."""
    value, fmt = seg.component(1, 2), seg.component(1, 3) or "102"
    try:
        if fmt == "102" and len(value) == 8:
            return datetime.strptime(value, "%Y%m%d").date()
        if fmt == "203" and len(value) == 12:
            return datetime.strptime(value, "%Y%m%d%H%M").date()
    except ValueError:
        pass
    raise MappingError(f"DTM {seg.component(1, 1)} {value!r} (format {fmt}) is not a date")


def _number(value: str, *, what: str) -> Decimal | None:
    if not value:
        return None
    try:
        # The decimal mark of the UNA is given back as "." by nobody: a comma is read too.
        return Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise MappingError(f"{what} {value!r} is not a number") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")
    return str(value)


def _or_none(value: str) -> str | None:
    return value or None


# Parties ------------------------------------------------------------------------------


def _write_nad(party: Mapping[str, Any]) -> Segment:
    role = party["role"]
    qualifier = party.get("id_qualifier") or ""
    identification = (
        (party["id"], "", _AGENCY_TO_EDIFACT.get(qualifier, qualifier)) if party.get("id") else ""
    )
    names = [party.get("name") or "", *(party.get("additional_names") or [])]
    streets = list(party.get("address_lines") or [])[:4]
    return segment(
        "NAD",
        _ROLE_TO_EDIFACT.get(role, role),
        identification,
        None,
        tuple(names[:5]) if any(names) else None,
        tuple(streets) if streets else None,
        party.get("city"),
        party.get("state"),
        party.get("postal_code"),
        party.get("country"),
    )


def _read_nad(seg: Segment) -> dict[str, Any]:
    role = seg.text(1)
    agency = seg.component(2, 3)
    names = _components(seg, 4)
    return {
        "role": _ROLE_FROM_EDIFACT.get(role, role),
        "name": _or_none(names[0] if names else ""),
        "id_qualifier": _or_none(_AGENCY_FROM_EDIFACT.get(agency, agency)),
        "id": _or_none(seg.component(2, 1)),
        "additional_names": [name for name in names[1:] if name],
        "address_lines": [line for line in _components(seg, 5) if line],
        "city": _or_none(seg.text(6)),
        "state": _or_none(seg.text(7)),
        "postal_code": _or_none(seg.text(8)),
        "country": _or_none(seg.text(9)),
    }


def _components(seg: Segment, index: int) -> list[str]:
    value = seg.element(index)
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        value = value[0] if value else ()
    return list(value)


# Lines --------------------------------------------------------------------------------


def _write_item(product: Mapping[str, Any]) -> tuple[str, str]:
    qualifier = product["qualifier"]
    return (product["id"], _ITEM_TO_EDIFACT.get(qualifier, qualifier))


def _read_item(number: str, kind: str) -> dict[str, str]:
    return {"qualifier": _ITEM_FROM_EDIFACT.get(kind, kind), "id": number}


def _write_line(line: Mapping[str, Any], number: int) -> list[Segment]:
    products = list(line.get("product_ids") or [])
    out = [
        segment(
            "LIN",
            line.get("line_number") or str(number),
            None,
            _write_item(products[0]) if products else None,
        )
    ]
    if products[1:]:
        # PIA+5 (product identification) holds up to five further ids.
        for start in range(1, len(products), 5):
            out.append(segment("PIA", "5", *[_write_item(p) for p in products[start : start + 5]]))
    if line.get("description"):
        out.append(segment("IMD", "F", None, ("", "", "", line["description"])))
    out.append(segment("QTY", (QTY_ORDERED, _text(line.get("quantity")), line.get("unit"))))
    if line.get("unit_price") not in (None, ""):
        out.append(segment("PRI", ("AAA", _text(line["unit_price"]))))
    return out


def _new_line(lin: Segment) -> dict[str, Any]:
    products = []
    if lin.component(3, 1):
        products.append(_read_item(lin.component(3, 1), lin.component(3, 2)))
    return {
        "line_number": _or_none(lin.text(1)),
        "quantity": None,
        "unit": None,
        "unit_price": None,
        "basis_of_price": None,
        "product_ids": products,
        "description": None,
    }


def _read_line_segment(line: dict[str, Any], seg: Segment) -> None:
    """The segments of a LIN group that the 850/855 domain has a place for."""
    if seg.id == "PIA":
        for index in range(2, len(seg.elements) + 1):
            if seg.component(index, 1):
                line["product_ids"].append(
                    _read_item(seg.component(index, 1), seg.component(index, 2))
                )
    elif seg.id == "IMD" and line["description"] is None:
        line["description"] = _or_none(seg.component(3, 4))
    elif seg.id == "QTY" and seg.component(1, 1) == QTY_ORDERED:
        line["quantity"] = _number(seg.component(1, 2), what="QTY 21 quantity")
        line["unit"] = _or_none(seg.component(1, 3))
    elif seg.id == "PRI" and line["unit_price"] is None:
        line["unit_price"] = _number(seg.component(1, 2), what="PRI price")


def _groups(segments: Sequence[Segment]) -> tuple[list[Segment], list[list[Segment]]]:
    """The header segments and each LIN group (LIN up to the next LIN or UNS)."""
    header: list[Segment] = []
    lines: list[list[Segment]] = []
    for seg in segments:
        if seg.id in ("UNH", "UNT"):
            continue
        if seg.id == "UNS":
            break
        if seg.id == "LIN":
            lines.append([seg])
        elif lines:
            lines[-1].append(seg)
        else:
            header.append(seg)
    return header, lines


def _line_count(segments: Sequence[Segment]) -> int | None:
    for seg in segments:
        if seg.id == "CNT" and seg.component(1, 1) == "2" and seg.component(1, 2).isdigit():
            return int(seg.component(1, 2))
    return None


def _references(header: Sequence[Segment]) -> tuple[list[dict[str, Any]], dict[str, date]]:
    """RFF references, and the date (DTM 171) each one's group carries."""
    references: list[dict[str, Any]] = []
    dated: dict[str, date] = {}
    current: str | None = None
    for seg in header:
        if seg.id == "RFF":
            current = seg.component(1, 1)
            references.append(
                {"qualifier": current, "value": seg.component(1, 2), "description": None}
            )
        elif seg.id == "DTM" and current and seg.component(1, 1) == DTM_REFERENCE:
            dated[current] = _read_date(seg)
        elif seg.id != "DTM":
            current = None
    return references, dated


# ORDERS -------------------------------------------------------------------------------


@register_mapping("edifact", "ORDERS")
class OrdersMapping(TransactionMapping):
    """ORDERS D.96A from the X12 850's domain dict (and back): what an EDIFACT partner is sent.

    BGM 220 (order) with the PO number, DTM 137 the order date and the 850's dates, RFF its
    references, NAD its parties, a LIN group a line (PIA further ids, IMD the description,
    QTY 21 the quantity and unit, PRI AAA the net price), UNS, CNT 2 the line count.
    """

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        try:
            purpose = payload.get("purpose") or "00"
            out = [
                segment("BGM", "220", payload["po_number"], _PURPOSE_TO_FUNCTION.get(purpose, "9")),
                _dtm(DTM_DOCUMENT, payload["po_date"], what="po_date"),
            ]
            for when in payload.get("dates") or []:
                qualifier = when["qualifier"]
                out.append(
                    _dtm(_DATE_TO_EDIFACT.get(qualifier, qualifier), when["date"], what="DTM date")
                )
            for ref in payload.get("references") or []:
                out.append(segment("RFF", (ref["qualifier"], ref["value"])))
            for party in payload.get("parties") or []:
                out.append(_write_nad(party))
            lines = payload.get("lines") or []
            for number, line in enumerate(lines, start=1):
                out += _write_line(line, number)
        except KeyError as exc:
            raise MappingError(f"ORDERS payload lacks {exc.args[0]!r}") from None
        count = payload.get("line_count")
        out += [
            segment("UNS", "S"),
            segment("CNT", ("2", str(len(lines) if count is None else count))),
        ]
        return out

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        header, groups = _groups(segments)
        bgm = next((s for s in header if s.id == "BGM"), None)
        if bgm is None:
            raise MappingError("ORDERS without BGM")
        references, _ = _references(header)
        order: dict[str, Any] = {
            "set_id": "850",
            "purpose": _FUNCTION_TO_PURPOSE.get(bgm.text(3), "00"),
            "order_type": "SA",
            "po_number": bgm.text(2),
            "release_number": None,
            "po_date": None,
            "references": references,
            "dates": [],
            "parties": [_read_nad(s) for s in header if s.id == "NAD"],
            "lines": [],
            "line_count": _line_count(segments),
        }
        for seg in header:
            if seg.id != "DTM":
                continue
            qualifier = seg.component(1, 1)
            if qualifier == DTM_DOCUMENT:
                order["po_date"] = _read_date(seg)
            elif qualifier != DTM_REFERENCE:
                order["dates"].append(
                    {
                        "qualifier": _DATE_FROM_EDIFACT.get(qualifier, qualifier),
                        "date": _read_date(seg),
                    }
                )
        for group in groups:
            line = _new_line(group[0])
            for seg in group[1:]:
                _read_line_segment(line, seg)
            order["lines"].append(line)
        return order


# ORDRSP -------------------------------------------------------------------------------


@register_mapping("edifact", "ORDRSP")
class OrderResponseMapping(TransactionMapping):
    """ORDRSP D.96A read into the X12 855's domain dict (see PurchaseOrderAcknowledgmentMapping).

    BGM 1225 gives the acknowledgment type (29 accepted without amendment = AD, 4 change =
    AC, 27 not accepted = RJ), RFF ON (with DTM 171) the order it answers, DTM 137 the
    answer's date, RFF VN the seller's order number. Each LIN group is a line: 1229 its status
    (5 accepted, 3/6 changed, 7 not accepted, 2 deleted), QTY 113 (else 21) the quantity
    confirmed, QTY 83 a backordered part, DTM 11/69/17/2 when it ships.
    """

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        header, groups = _groups(segments)
        bgm = next((s for s in header if s.id == "BGM"), None)
        if bgm is None:
            raise MappingError("ORDRSP without BGM")
        references, dated = _references(header)
        by_qualifier = {ref["qualifier"]: ref["value"] for ref in references}
        if not by_qualifier.get("ON"):
            raise MappingError("ORDRSP names no order it answers (RFF ON)")
        function = bgm.text(3)
        answered = next(
            (s for s in header if s.id == "DTM" and s.component(1, 1) == DTM_DOCUMENT), None
        )
        response: dict[str, Any] = {
            "set_id": "ORDRSP",
            "purpose": _FUNCTION_TO_PURPOSE.get(function, "00"),
            "acknowledgment_type": _FUNCTION_TO_ACK_TYPE.get(function, "AC"),
            "po_number": by_qualifier["ON"],
            "po_date": dated.get("ON"),
            "release_number": None,
            "seller_order_number": _or_none(by_qualifier.get("VN", "") or bgm.text(2)),
            "acknowledgment_date": _read_date(answered) if answered else None,
            "transaction_type": None,
            "parties": [_read_nad(s) for s in header if s.id == "NAD"],
            "lines": [],
            "line_count": _line_count(segments),
        }
        for group in groups:
            response["lines"].append(self._read_line(group))
        return response

    @staticmethod
    def _read_line(group: list[Segment]) -> dict[str, Any]:
        lin = group[0]
        action = lin.text(2)
        if action and action not in _ACTION_TO_STATUS:
            raise MappingError(f"LIN 1229 {action!r} is not an action code we read")
        line = _new_line(lin)
        confirmed: Decimal | None = None
        backordered: Decimal | None = None
        unit: str | None = None
        promised: dict[str, date] = {}
        for seg in group[1:]:
            _read_line_segment(line, seg)
            if seg.id == "QTY":
                qualifier = seg.component(1, 1)
                if qualifier == QTY_TO_DELIVER:
                    confirmed = _number(seg.component(1, 2), what="QTY 113 quantity")
                    unit = _or_none(seg.component(1, 3)) or unit
                elif qualifier == QTY_BACKORDER:
                    backordered = _number(seg.component(1, 2), what="QTY 83 quantity")
            elif seg.id == "DTM" and seg.component(1, 1) in _PROMISE_DATES:
                promised[seg.component(1, 1)] = _read_date(seg)
        ships = next((promised[q] for q in _PROMISE_DATES if q in promised), None)
        status = _ACTION_TO_STATUS.get(action or "5", "accepted")
        if confirmed is None:
            confirmed = Decimal(0) if status == "rejected" else line["quantity"]
        unit = unit or line["unit"]
        if status == "accepted_with_changes":
            # The amendment is the backorder (855: IA plus IB), or a quantity changed (IQ).
            if backordered:
                status = "accepted"
            elif confirmed is not None and confirmed != line["quantity"]:
                status = "quantity_changed"
        line["acknowledgments"] = []
        if confirmed or status in ("rejected", "deleted") or not backordered:
            line["acknowledgments"].append(
                {
                    "status": status,
                    "quantity": line["quantity"] if status == "rejected" else confirmed,
                    "unit": unit,
                    "promised_ship_date": None if status in ("rejected", "deleted") else ships,
                    "product_ids": [],
                }
            )
        if backordered:
            line["acknowledgments"].append(
                {
                    "status": "backordered",
                    "quantity": backordered,
                    "unit": unit,
                    "promised_ship_date": ships,
                    "product_ids": [],
                }
            )
        return line
