"""Which segments each X12 transaction set may hold, from the 004010 layouts of the standard.

One table per set: every segment id the set's header, detail and summary tables (and their
loops) name, ST and SE included. A segment outside its set's table is reported as AK304 code
6 ("segment not in defined transaction set"), a warning: the set is read past it and the 997
says "accepted with errors". A set without a table here is not checked this way.

Source: the ASC X12 004010 transaction set layouts (tables 1-3 of each set), as published in
implementation guides and in open grammars such as bots-edi's x12/4010. Only membership is
kept: position, loop nesting and repeat counts are not checked.
"""

from __future__ import annotations

from .errors import EdiIssue
from .segments import Segment

_ENVELOPE = frozenset({"ST", "SE"})
# The N1 party loop most sets carry, with its usual members.
_N1 = frozenset({"N1", "N2", "N3", "N4", "NX2", "REF", "PER", "SI", "FOB", "G61"})
# Carrier details shared by the order sets.
_CARRIER = frozenset({"TD1", "TD3", "TD4", "TD5"})

# 850 Purchase Order, 860 Purchase Order Change (Buyer Initiated), 855 Purchase Order
# Acknowledgment and 865 Purchase Order Change Acknowledgment/Request (Seller Initiated) share
# most of their header and line loops (PO1 in 850/855, POC in 860/865).
_ORDER_HEADER = frozenset(
    {"CUR", "REF", "PER", "TAX", "FOB", "CTP", "PAM", "CSH", "TC2", "SAC", "ITD", "DIS", "INC"}
    | {"DTM", "LDT", "LIN", "SI", "PID", "MEA", "PWK", "PKG", "MAN", "PCT", "CTB", "TXI"}
    | {"AMT", "FA1", "FA2", "N9", "MSG", "LM", "LQ", "SPI", "CB1", "ADV", "MTX", "G53"}
    | _N1
    | _CARRIER
)
_ORDER_LINE = frozenset(
    {"LIN", "SI", "CUR", "CN1", "PO3", "CTP", "PAM", "MEA", "PID", "PWK", "PO4", "REF", "PER"}
    | {"SAC", "IT8", "CSH", "ITD", "DIS", "INC", "TAX", "FOB", "SDQ", "IT3", "DTM", "TC2"}
    | {"PCT", "MAN", "MSG", "SPI", "TXI", "CTB", "QTY", "SCH", "PKG", "LS", "LDT", "LE", "LM"}
    | {"LQ", "N9", "SLN", "ADV", "AMT", "NX2"}
    | _N1
    | _CARRIER
)
_ORDER_SUMMARY = frozenset({"CTT", "AMT"})

SEGMENTS: dict[str, frozenset[str]] = {
    "850": _ENVELOPE | {"BEG", "PO1"} | _ORDER_HEADER | _ORDER_LINE | _ORDER_SUMMARY,
    "855": _ENVELOPE | {"BAK", "PO1", "ACK"} | _ORDER_HEADER | _ORDER_LINE | _ORDER_SUMMARY,
    "860": _ENVELOPE | {"BCH", "POC"} | _ORDER_HEADER | _ORDER_LINE | _ORDER_SUMMARY,
    "865": _ENVELOPE
    | {"BCA", "POC", "ACK", "PD", "PDD"}
    | _ORDER_HEADER
    | _ORDER_LINE
    | _ORDER_SUMMARY,
    # 856 Ship Notice/Manifest: BSN, then the HL hierarchy (shipment, order, tare, pack, item).
    "856": _ENVELOPE
    | {"BSN", "DTM", "HL", "LIN", "SN1", "SLN", "PRF", "PO4", "PID", "MEA", "PWK", "PKG"}
    | {"TSD", "REF", "PER", "LH1", "LH2", "LH3", "LFH", "LEP", "LH4", "LHT", "LHR", "LHE"}
    | {"CLD", "DTP", "MAN", "FOB", "PAL", "SDQ", "ETD", "CUR", "SAC", "GF", "YNQ", "LM"}
    | {"LQ", "V1", "R4", "CTT"}
    | _N1
    | _CARRIER,
    # 870 Order Status Report.
    "870": _ENVELOPE
    | {"BSR", "DTM", "REF", "LM", "LQ", "HL", "PRF", "ISR", "PID", "QTY", "CS", "PO1", "CUR"}
    | {"SLN", "PO3", "MEA", "PKG", "SAC", "LX", "CTT", "PWK"}
    | _N1
    | _CARRIER,
    # 180 Return Merchandise Authorization and Notification.
    "180": _ENVELOPE
    | {"BGN", "RDR", "PRF", "DTM", "N9", "PER", "SAC", "G38", "PKG", "NTE", "LM", "LQ", "BLI"}
    | {"PID", "AMT", "MEA", "CRC", "DD", "GF", "SDQ", "QTY", "LX", "FA1", "FA2"}
    | _N1
    | _CARRIER,
    # 214 Transportation Carrier Shipment Status Message.
    "214": _ENVELOPE
    | {"B10", "L11", "MAN", "K1", "N1", "N2", "N3", "N4", "G61", "G62", "MS3", "LX", "AT7"}
    | {"MS1", "MS2", "Q7", "AT5", "AT8", "CD3", "NM1", "PRF", "SPO", "SDQ", "EFI", "BIN"},
    # 830 Planning Schedule with Release Capability.
    "830": _ENVELOPE
    | {"BFR", "XPO", "CUR", "REF", "PER", "TAX", "FOB", "CTP", "SAC", "CSH", "ITD", "DTM"}
    | {"PID", "MEA", "PWK", "PKG", "MAN", "LM", "LQ", "LIN", "UIT", "PO3", "PO4", "PRS", "LDT"}
    | {"QTY", "ATH", "DD", "SLN", "NM1", "FST", "SDQ", "SDP", "SHP", "CTT"}
    | _N1
    | _CARRIER,
    # 846 Inventory Inquiry/Advice.
    "846": _ENVELOPE
    | {"BIA", "CUR", "DTM", "REF", "PER", "MEA", "LM", "LQ", "LIN", "PID", "PKG", "CTP"}
    | {"SAC", "SDQ", "MAN", "UIT", "CS", "DD", "G53", "PCT", "LDT", "SLN", "QTY", "SCH", "LS"}
    | {"LE", "CTT"}
    | _N1,
    # 997 Functional Acknowledgment.
    "997": _ENVELOPE | {"AK1", "AK2", "AK3", "AK4", "AK5", "AK9"},
}

SEGMENT_NOT_IN_SET = "6"  # AK304: segment not in defined transaction set


def segment_table(set_id: str) -> frozenset[str] | None:
    """The segments the 004010 layout of ``set_id`` names, or None for a set not tabled here."""
    return SEGMENTS.get(set_id)


def foreign_segments(set_id: str, segments: list[Segment]) -> list[EdiIssue]:
    """A warning (AK3 code 6) for each segment its set's layout does not name."""
    table = SEGMENTS.get(set_id)
    if table is None:
        return []
    issues = []
    for index, seg in enumerate(segments, start=1):
        if seg.id not in table:
            issues.append(
                EdiIssue(
                    message=f"{seg.id} is not a segment of the {set_id}",
                    level="segment",
                    code=SEGMENT_NOT_IN_SET,
                    segment_id=seg.id,
                    position=seg.position or None,
                    offset=seg.offset if seg.position else None,
                    severity="warning",
                    segment_index=index,
                )
            )
    return issues
