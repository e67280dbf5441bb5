"""What a warehouse's system sends about a B2B order it was asked to track: milestones, then an 856.

The portal documents its milestone flow for partners: a "report" step carries a shipment's
milestone (shipment, step, carrier, tracking), and an X12 856 ship notice says a shipment left
(PRF01 the order number, REF*SI the shipment). This module builds both from the retailer's
case.created document alone; it imports nothing from the portal.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import collaboration
from .x12 import _isa, _isa13, write_segments

MILESTONE = "milestone"
REPORT = ("report", "in_progress")
CARRIER = "UPSN"


def references(document: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The order number and the shipments the case names."""
    refs = collaboration.event_data(document).get("references") or {}
    shipments = [s.strip() for s in str(refs.get("shipment") or "").split(",") if s.strip()]
    return str(refs.get("order_number") or ""), shipments


def tracking_number(order_number: str, shipment: str) -> str:
    """A stable UPS-shaped number per shipment, so a replay says the same."""
    return f"1Z{CARRIER[:3]}{zlib.crc32(f'{order_number}/{shipment}'.encode()) % 10**10:010d}"


def milestone_updates(document: Mapping[str, Any], *, partner_name: str):
    """Accepted, then packed, for each shipment: "report" steps, one after the other."""
    from .answers import Answer

    _order, shipments = references(document)
    steps = [
        Answer(
            transition=REPORT[0],
            to_status=REPORT[1],
            text=f"{partner_name}: shipment {shipment} {step}.",
            payload={
                "shipment": shipment,
                "step": step,
                "note": f"Reported by {partner_name}'s WMS.",
            },
        )
        for shipment in shipments
        for step in ("accepted", "packed")
    ]
    if not steps:
        return None
    chained = steps[-1]
    for answer in reversed(steps[:-1]):
        chained = Answer(
            answer.transition, answer.to_status, answer.text, answer.payload, then=(chained,)
        )
    return chained


def write_856(
    *,
    document: Mapping[str, Any],
    sender,
    receiver,
    control_number: int,
    now: datetime,
) -> str | None:
    """A pick-and-pack ship notice (S-O-P-I) for each shipment the case names, or None."""
    order_number, shipments = references(document)
    if not order_number or not shipments:
        return None
    segments: list[list[str]] = [
        _isa(sender=sender, receiver=receiver, control_number=control_number, usage="P", now=now),
        [
            "GS",
            "SH",
            sender.id,
            receiver.id,
            f"{now:%Y%m%d}",
            f"{now:%H%M}",
            str(control_number),
            "X",
            "004010",
        ],
    ]
    for index, shipment in enumerate(shipments, start=1):
        number = f"{index:04d}"
        body = [
            ["ST", "856", number],
            ["BSN", "00", f"ASN{control_number}{index}", f"{now:%Y%m%d}", f"{now:%H%M}", "0001"],
            ["HL", "1", "", "S"],
            ["TD1", "CTN25", "1"],
            ["TD5", "", "2", CARRIER, "M"],
            ["REF", "BM", f"BOL{control_number}{index}"],
            ["REF", "2I", tracking_number(order_number, shipment)],
            ["REF", "SI", shipment],
            ["DTM", "011", f"{now:%Y%m%d}"],
            ["HL", "2", "1", "O"],
            ["PRF", order_number],
            ["HL", "3", "2", "P"],
            ["MAN", "GM", f"0006141410{control_number % 10**9:09d}{index}"],
        ]
        for line_number, line in enumerate(
            collaboration.event_data(document).get("lines") or [], start=1
        ):
            if isinstance(line, Mapping) and line.get("sku"):
                body += [
                    ["HL", str(3 + line_number), "3", "I"],
                    ["LIN", str(line_number), "SK", str(line["sku"])],
                    ["SN1", "", str(line.get("quantity") or 1), str(line.get("unit") or "EA")],
                ]
        body.append(["CTT", str(sum(1 for s in body if s[0] == "HL"))])
        body.append(["SE", str(len(body) + 1), number])
        segments += body
    segments += [
        ["GE", str(len(shipments)), str(control_number)],
        ["IEA", "1", _isa13(control_number)],
    ]
    return write_segments(segments)
