"""X12 planning documents of flow 2: the 830 planning schedule out, the 846 inventory advice in.

830 (what the retailer asks of a partner)::

    {"set_id": "830", "purpose": "00", "reference": "DP-00012", "release": "CX-000123",
     "start": date, "end": date, "generated": date,
     "lines": [{"line": 1, "sku": str, "description": str, "unit": "EA", "location": str,
                "quantity": Decimal, "need_by": date, "firm": bool}]}

BFR (00 original, schedule type DL delivery-based, quantities A actual discrete), then per
line LIN (assigned id = the line's number, BP = buyer's part), UIT, PID, N1*ST (the location,
id qualifier 92), FST (quantity, C firm or D planning, D discrete, the need-by date), CTT.

846 (the partner's answer, line by line)::

    {"set_id": "846", "purpose": "00", "reference": "CX-000123", "date": date,
     "lines": [{"line": 1, "sku": str, "substitute_sku": str | None, "confirmed": Decimal | None,
                "backordered": Decimal | None, "available_date": date | None,
                "substitute_quantity": Decimal | None, "reason": str | None, "note": str | None}]}

BIA (00, report type MM, BIA03 = the 830's release: the partner's request), then per line
LIN (BP = the requested part; a pair ZZ = the substitute offered), QTY*33 (confirmed,
available for sale to us), QTY*BQ with DTM*018 (the rest on backorder, available then),
QTY*17 (the substitute's quantity), REF*ZZ (a decline's reason code and text), CTT.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import MappingError
from .mappings import HasSegments, TransactionMapping, register_mapping
from .segments import Segment, segment
from .x12_orders import _date, _date_text, _decimal, _optional_date, _or_none, _text


def _product_ids(lin: Segment) -> dict[str, str]:
    ids = {}
    for pair in range(10):
        qualifier, value = lin.text(2 + 2 * pair), lin.text(3 + 2 * pair)
        if qualifier and value:
            ids.setdefault(qualifier, value)
    return ids


@register_mapping("x12", "830")
class PlanningScheduleMapping(TransactionMapping):
    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        try:
            out = [
                segment(
                    "BFR",
                    payload.get("purpose") or "00",
                    payload["reference"],
                    payload.get("release"),
                    "DL",
                    "A",
                    _date_text(payload["start"], what="start"),
                    _date_text(payload.get("end"), what="end"),
                    _date_text(payload["generated"], what="generated"),
                )
            ]
            lines = list(payload.get("lines") or [])
            for line in lines:
                out.append(segment("LIN", str(line["line"]), "BP", line["sku"]))
                out.append(segment("UIT", line.get("unit") or "EA"))
                if line.get("description"):
                    out.append(segment("PID", "F", None, None, None, line["description"][:80]))
                if line.get("location"):
                    out.append(segment("N1", "ST", None, "92", line["location"]))
                out.append(
                    segment(
                        "FST",
                        _text(line["quantity"]),
                        "C" if line.get("firm", True) else "D",
                        "D",
                        _date_text(line["need_by"], what="need_by"),
                    )
                )
        except KeyError as exc:
            raise MappingError(f"830 payload lacks {exc.args[0]!r}") from None
        out.append(segment("CTT", str(len(lines))))
        return out

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        bfr = next((s for s in segments if s.id == "BFR"), None)
        if bfr is None:
            raise MappingError("830 without BFR")
        schedule: dict[str, Any] = {
            "set_id": "830",
            "purpose": bfr.text(1),
            "reference": bfr.text(2),
            "release": _or_none(bfr.text(3)),
            "start": _date(bfr.text(6), what="BFR06 start"),
            "end": _optional_date(bfr.text(7), what="BFR07 end"),
            "generated": _date(bfr.text(8), what="BFR08 date"),
            "lines": [],
        }
        line: dict[str, Any] | None = None
        for seg in segments:
            if seg.id == "LIN":
                line = {
                    "line": int(seg.text(1)) if seg.text(1).isdigit() else None,
                    "sku": _product_ids(seg).get("BP", ""),
                    "description": None,
                    "unit": "EA",
                    "location": None,
                    "quantity": None,
                    "need_by": None,
                    "firm": True,
                }
                schedule["lines"].append(line)
            elif line is None:
                continue
            elif seg.id == "UIT":
                line["unit"] = seg.text(1) or "EA"
            elif seg.id == "PID":
                line["description"] = _or_none(seg.text(5))
            elif seg.id == "N1" and seg.text(1) == "ST":
                line["location"] = _or_none(seg.text(4))
            elif seg.id == "FST":
                line["quantity"] = _decimal(seg.text(1), what="FST01 quantity")
                line["firm"] = seg.text(2) == "C"
                line["need_by"] = _date(seg.text(4), what="FST04 date")
        return schedule


@register_mapping("x12", "846")
class InventoryAdviceMapping(TransactionMapping):
    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        bia = next((s for s in segments if s.id == "BIA"), None)
        if bia is None:
            raise MappingError("846 without BIA")
        advice: dict[str, Any] = {
            "set_id": "846",
            "purpose": bia.text(1),
            "reference": bia.text(3),
            "date": _optional_date(bia.text(4), what="BIA04 date"),
            "lines": [],
        }
        line: dict[str, Any] | None = None
        for seg in segments:
            if seg.id == "LIN":
                ids = _product_ids(seg)
                line = {
                    "line": int(seg.text(1)) if seg.text(1).isdigit() else None,
                    "sku": ids.get("BP", ""),
                    "substitute_sku": ids.get("ZZ"),
                    "confirmed": None,
                    "backordered": None,
                    "available_date": None,
                    "substitute_quantity": None,
                    "reason": None,
                    "note": None,
                }
                advice["lines"].append(line)
            elif line is None:
                continue
            elif seg.id == "QTY":
                quantity = _decimal(seg.text(2), what=f"QTY02 ({seg.text(1)})")
                key = {"33": "confirmed", "BQ": "backordered", "17": "substitute_quantity"}.get(
                    seg.text(1)
                )
                if key is None:
                    raise MappingError(f"QTY01 {seg.text(1)!r} is not one of 33, BQ, 17")
                line[key] = quantity
            elif seg.id == "DTM" and seg.text(1) == "018":
                line["available_date"] = _date(seg.text(2), what="DTM02 available date")
            elif seg.id == "REF" and seg.text(1) == "ZZ":
                line["reason"], line["note"] = _or_none(seg.text(2)), _or_none(seg.text(3))
        if not advice["reference"]:
            raise MappingError("BIA03 must name the request (the 830's release, e.g. CX-000123)")
        return advice

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        try:
            out = [
                segment(
                    "BIA",
                    payload.get("purpose") or "00",
                    "MM",
                    payload["reference"],
                    _date_text(payload["date"], what="date"),
                )
            ]
            lines = list(payload.get("lines") or [])
            for line in lines:
                ids: list[str | None] = ["BP", line["sku"]]
                if line.get("substitute_sku"):
                    ids += ["ZZ", line["substitute_sku"]]
                out.append(segment("LIN", str(line["line"]), *ids))
                if line.get("confirmed") is not None:
                    out.append(segment("QTY", "33", _text(line["confirmed"]), "EA"))
                if line.get("backordered") is not None:
                    out.append(segment("QTY", "BQ", _text(line["backordered"]), "EA"))
                if line.get("available_date"):
                    out.append(
                        segment(
                            "DTM", "018", _date_text(line["available_date"], what="available_date")
                        )
                    )
                if line.get("substitute_quantity") is not None:
                    out.append(segment("QTY", "17", _text(line["substitute_quantity"]), "EA"))
                if line.get("reason") or line.get("note"):
                    out.append(
                        segment(
                            "REF",
                            "ZZ",
                            line.get("reason") or "DECLINED",
                            (line.get("note") or "")[:80] or None,
                        )
                    )
        except KeyError as exc:
            raise MappingError(f"846 payload lacks {exc.args[0]!r}") from None
        out.append(segment("CTT", str(len(lines))))
        return out
