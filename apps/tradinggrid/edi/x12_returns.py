"""X12 180 (return merchandise authorization and notification), read into the domain and written.

The retailer sends a 180 to ask for a return, credit or repair of claimed goods (BGN01 "00");
the partner answers with a 180 that authorizes, partly authorizes or denies it (BGN01 "11").
Built from the published 004010 segment layout (heading: BGN, RDR, PRF, DTM, N9, N1 loop;
detail: the BLI loop with its RDR), not from a partner's guide: no public 180 sample was at
hand. Two points are this implementation's own convention, said here so a partner's map can
follow: the currency travels in an N9 (the 180 has no CUR): N901 "ZZ", N902 the ISO 4217 code,
N903 "CURRENCY"; and the amounts in AMT with
the chargeback qualifiers: "S" the submitted claim amount, "A" the adjusted (credited) amount.

Domain payload::

    {"set_id": "180", "purpose": "00" | "11", "reference": str (BGN02), "date": date (BGN03),
     "time": HHMM | None (BGN04),
     "original_reference": str | None (BGN06: the claim a response answers),
     "disposition": RDR01 code | None, "reason": RDR02 code | None, "response": RDR03 code | None,
     "description": RDR04 | None, "order_number": PRF01 | None, "currency": N902 of N9*ZZ*…*CURRENCY | None,
     "claimed_amount": Decimal | None (AMT*S), "credit_amount": Decimal | None (AMT*A),
     "references": [{"qualifier", "value", "description"}] (N9), "parties": [N1 loop dicts],
     "lines": [{"product_qualifier", "sku", "quantity": Decimal, "unit", "unit_price": Decimal | None,
                "disposition", "reason", "response", "description"}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import EdiIssue, MappingError
from .mappings import HasSegments, TransactionMapping, numbered, register_mapping, segment_issue
from .segments import Segment, segment
from .x12_orders import (
    _bad_date,
    _date,
    _date_text,
    _decimal,
    _missing,
    _or_none,
    _read_party,
    _text,
    _write_party,
)

# RDR01 (1292) returns disposition codes this flow speaks.
DISPOSITIONS = {
    "CR": "consumer return to vendor",
    "KA": "keep with an allowance",
    "PA": "partially authorized",
    "RA": "return with authorization number",
    "RD": "request denied",
    "RP": "return authorization pending",
    "MW": "manufacturer warranty service",
    "RF": "return for factory repair",
    "DI": "dispose",
}
PRICE_RETAIL = "RTL"  # BLI05 (236): the unit price is what the customer paid
_KNOWN = frozenset(
    {"ST", "SE", "BGN", "RDR", "PRF", "DTM", "N9", "PER", "SAC", "G38", "PKG", "TD1", "TD5", "N1"}
    | {"N2", "N3", "N4", "AMT", "BLI", "PID", "QTY", "REF", "LM", "LQ", "MSG"}
)


def _rdr(seg: Segment) -> dict[str, Any]:
    return {
        "disposition": _or_none(seg.text(1)),
        "reason": _or_none(seg.text(2)),
        "response": _or_none(seg.text(3)),
        "description": _or_none(seg.text(4)),
    }


def _write_rdr(source: Mapping[str, Any]) -> list[Segment]:
    values = [source.get(k) for k in ("disposition", "reason", "response", "description")]
    if not any(values):
        return []
    if source.get("reason") and source.get("response"):
        raise MappingError("RDR carries a reason (RDR02) or a response (RDR03), not both")
    return [segment("RDR", *values)]


CURRENCY_REFERENCE = "CURRENCY"  # N903 of the N9 that carries the claim's currency


def _is_currency(seg: Segment) -> bool:
    return seg.text(1) == "ZZ" and seg.text(3) == CURRENCY_REFERENCE


@register_mapping("x12", "180")
class ReturnAuthorizationMapping(TransactionMapping):
    """180: BGN, RDR, PRF, DTM, N9 (the currency among them), AMT, N1 loops; BLI lines each with
    PID and RDR."""

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        bgn = next((s for s in segments if s.id == "BGN"), None)
        if bgn is None:
            raise MappingError("180 without BGN")
        doc: dict[str, Any] = {
            "set_id": "180",
            "purpose": bgn.text(1),
            "reference": bgn.text(2),
            "date": _date(bgn.text(3), what="BGN03 date"),
            "time": _or_none(bgn.text(4)),
            "original_reference": _or_none(bgn.text(6)),
            "disposition": None,
            "reason": None,
            "response": None,
            "description": None,
            "order_number": None,
            "currency": None,
            "claimed_amount": None,
            "credit_amount": None,
            "references": [],
            "parties": [],
            "lines": [],
        }
        index = 0
        line: dict[str, Any] | None = None
        while index < len(segments):
            seg = segments[index]
            if seg.id == "N1" and line is None:
                party, index = _read_party(segments, index)
                doc["parties"].append(party)
                continue
            if seg.id == "BLI":
                line = {
                    "product_qualifier": seg.text(1),
                    "sku": seg.text(2),
                    "quantity": _decimal(seg.text(3), what="BLI03 quantity"),
                    "unit": _or_none(seg.text(4)),
                    "unit_price": _decimal(seg.text(6), what="BLI06 unit price"),
                    "name": None,
                    "disposition": None,
                    "reason": None,
                    "response": None,
                    "description": None,
                }
                doc["lines"].append(line)
            elif seg.id == "RDR":
                (line if line is not None else doc).update(_rdr(seg))
            elif seg.id == "PID" and line is not None:
                line["name"] = _or_none(seg.text(5))
            elif seg.id == "PRF" and line is None:
                doc["order_number"] = _or_none(seg.text(1))
            elif seg.id == "N9" and line is None and _is_currency(seg):
                doc["currency"] = _or_none(seg.text(2))
            elif seg.id == "N9" and line is None:
                doc["references"].append(
                    {
                        "qualifier": seg.text(1),
                        "value": seg.text(2),
                        "description": _or_none(seg.text(3)),
                    }
                )
            elif seg.id == "AMT" and line is None:
                key = {"S": "claimed_amount", "A": "credit_amount"}.get(seg.text(1))
                if key:
                    doc[key] = _decimal(seg.text(2), what=f"AMT02 ({seg.text(1)}) amount")
            index += 1
        return doc

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        try:
            out = [
                segment(
                    "BGN",
                    payload["purpose"],
                    payload["reference"],
                    _date_text(payload["date"], what="date"),
                    payload.get("time"),
                    None,
                    payload.get("original_reference"),
                )
            ]
            out += _write_rdr(payload)
            if payload.get("order_number"):
                out.append(segment("PRF", payload["order_number"]))
            for ref in payload.get("references") or []:
                out.append(segment("N9", ref["qualifier"], ref["value"], ref.get("description")))
            if payload.get("currency"):
                out.append(segment("N9", "ZZ", payload["currency"], CURRENCY_REFERENCE))
            for qualifier, key in (("S", "claimed_amount"), ("A", "credit_amount")):
                if payload.get(key) is not None:
                    out.append(segment("AMT", qualifier, _text(payload[key])))
            for party in payload.get("parties") or []:
                out += _write_party(party)
            for line in payload.get("lines") or []:
                price = line.get("unit_price")
                out.append(
                    segment(
                        "BLI",
                        line.get("product_qualifier") or "SK",
                        line["sku"],
                        _text(line.get("quantity")),
                        line.get("unit") or "EA",
                        PRICE_RETAIL if price is not None else None,
                        _text(price),
                    )
                )
                if line.get("name"):
                    out.append(segment("PID", "F", None, None, None, line["name"]))
                out += _write_rdr(line)
        except KeyError as exc:
            raise MappingError(f"180 payload lacks {exc.args[0]!r}") from None
        return out

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        issues: list[EdiIssue] = []
        segments = numbered(transaction.segments)
        if not any(s.id == "BGN" for _, s in segments):
            issues.append(
                segment_issue(segment_id="BGN", index=2, code="3", message="BGN is missing")
            )
        for index, seg in segments:
            if seg.id not in _KNOWN:
                issues.append(
                    segment_issue(
                        segment_id=seg.id,
                        index=index,
                        code="6",
                        segment=seg,
                        severity="warning",
                        message=f"{seg.id} is not a segment of the 180",
                    )
                )
            elif seg.id == "BGN":
                issues += _missing(seg, index, ((1, "353"), (2, "127"), (3, "373"))) + _bad_date(
                    seg, index, 3
                )
            elif seg.id == "BLI":
                issues += _missing(seg, index, ((1, "235"), (2, "234")))
        return issues
