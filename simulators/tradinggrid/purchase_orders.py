"""A partner's order desk: reads the 850s it receives and answers each with an 855.

Most orders are accepted as sent; some in part (the last line's last unit backordered for ten
days); some late (answered after several reply delays), as real drop-ship partners do. The
choice is a pure function of the PO number, so a test or a demo knows what to expect.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .participants import Address
from .x12 import _isa, _isa13, write_segments

BACKORDER_DAYS = 10
SHIP_DAYS = 2
LATE_FACTOR = 6  # a late answer waits this many reply delays


@dataclass
class OrderLine:
    number: str
    quantity: str
    unit: str
    ids: list[str] = field(default_factory=list)  # qualifier, id, qualifier, id …


@dataclass
class PurchaseOrder:
    po_number: str
    po_date: str
    app_sender: str = ""
    app_receiver: str = ""
    version: str = "004010"
    lines: list[OrderLine] = field(default_factory=list)


def purchase_orders(segments: list[list[str]]) -> list[PurchaseOrder]:
    """The 850s of an interchange, with their group's application ids."""
    found: list[PurchaseOrder] = []
    group: list[str] = []
    current: PurchaseOrder | None = None
    for segment in segments:
        tag = segment[0].strip()
        if tag == "GS":
            group = segment
        elif tag == "ST":
            current = None
            if len(segment) > 1 and segment[1] == "850":
                current = PurchaseOrder(po_number="", po_date="")
                if len(group) > 8:
                    current.app_sender, current.app_receiver, current.version = (
                        group[2],
                        group[3],
                        group[8],
                    )
                found.append(current)
        elif current is not None and tag == "BEG":
            current.po_number = segment[3] if len(segment) > 3 else ""
            current.po_date = segment[5] if len(segment) > 5 else ""
        elif current is not None and tag == "PO1":
            padded = segment + [""] * 6
            current.lines.append(OrderLine(padded[1], padded[2], padded[3] or "EA", segment[6:]))
    return [po for po in found if po.po_number]


def answer_kind(po_number: str) -> str:
    """ "accept", "partial" or "late": fixed per PO number."""
    digest = hashlib.sha256(po_number.encode()).digest()[0]
    return ("accept", "partial", "accept", "late")[digest % 4]


def acknowledgements(
    po: PurchaseOrder, *, kind: str, today: date
) -> list[tuple[OrderLine, list[list[str]]]]:
    ships = (today + timedelta(days=SHIP_DAYS)).strftime("%Y%m%d")
    later = (today + timedelta(days=BACKORDER_DAYS)).strftime("%Y%m%d")
    answered = []
    for index, line in enumerate(po.lines):
        quantity = _number(line.quantity)
        if kind == "partial" and index == len(po.lines) - 1:
            if quantity > 1:
                acks = [
                    ["ACK", "IA", _text(quantity - 1), line.unit, "079", ships],
                    ["ACK", "IB", "1", line.unit, "079", later],
                ]
            else:
                acks = [["ACK", "IB", _text(quantity), line.unit, "079", later]]
        else:
            acks = [["ACK", "IA", _text(quantity), line.unit, "079", ships]]
        answered.append((line, acks))
    return answered


def write_855(
    *,
    po: PurchaseOrder,
    kind: str,
    sender: Address,
    receiver: Address,
    control_number: int,
    usage: str,
    now: datetime,
) -> str:
    body = [
        ["ST", "855", "0001"],
        ["BAK", "00", "AC", po.po_number, po.po_date, "", "", "", "", f"{now:%Y%m%d}"],
    ]
    for line, acks in acknowledgements(po, kind=kind, today=now.date()):
        body.append(["PO1", line.number, line.quantity, line.unit, "", "", *line.ids])
        body += acks
    body.append(["CTT", str(len(po.lines))])
    body.append(["SE", str(len(body) + 1), "0001"])
    segments = [
        _isa(sender=sender, receiver=receiver, control_number=control_number, usage=usage, now=now),
        ["GS", "PR", po.app_receiver or sender.id, po.app_sender or receiver.id, f"{now:%Y%m%d}", f"{now:%H%M}",
         str(control_number), "X", po.version or "004010"],
        *body,
        ["GE", "1", str(control_number)],
        ["IEA", "1", _isa13(control_number)],
    ]  # fmt: skip
    return write_segments(segments)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1.0


def _text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
