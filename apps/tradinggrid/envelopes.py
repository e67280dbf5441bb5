"""What any mailbox file says about itself, read leniently: format, parties, control numbers.

The ledger records a document before anything validates it, and a broken document still
needs an address for its negative acknowledgement. So this never raises: it reads what it
can and leaves the rest empty. Validation is the EDI library's job, later.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from apps.core import jsonsafe

from .edi import EdiError, Party
from .edi.x12_reader import parse_isa
from .models import Standard

HEAD = 4096


@dataclass
class X12GroupOutline:
    functional_id: str
    control_number: str
    transactions: list[tuple[str, str]] = field(default_factory=list)  # (ST01, ST02)
    closed: bool = False  # a GE was seen


@dataclass
class Envelope:
    standard: str = Standard.UNKNOWN
    sender: Party | None = None
    receiver: Party | None = None
    interchange_control: str = ""
    functional_id: str = ""
    group_control: str = ""
    document_type: str = ""
    transaction_control: str = ""
    event_type: str = ""
    document_id: str = ""
    in_reply_to: str = ""
    case_public_id: str = ""
    usage: str = ""  # ISA15: P or T
    groups: list[X12GroupOutline] = field(default_factory=list)

    @property
    def is_acknowledgement(self) -> bool:
        """A 997/999 or CONTRL: acknowledgements are never acknowledged."""
        if self.standard == Standard.X12:
            return self.functional_id == "FA" or self.document_type in ("997", "999")
        return self.standard == Standard.EDIFACT and self.document_type == "CONTRL"


def detect_standard(data: bytes) -> str:
    head = data[:HEAD].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return Standard.COLLAB
    if head.startswith(b"ISA"):
        return Standard.X12
    if head.startswith((b"UNA", b"UNB")):
        return Standard.EDIFACT
    return Standard.UNKNOWN


def read_envelope(data: bytes) -> Envelope:
    standard = detect_standard(data)
    reader = {
        Standard.COLLAB: _collab,
        Standard.X12: _x12,
        Standard.EDIFACT: _edifact,
    }.get(standard)
    envelope = Envelope(standard=standard)
    if reader is not None:
        # What was read before a failure stands. Nothing a file holds may escape from here:
        # the ledger must record the document before anything else looks at it.
        with contextlib.suppress(
            EdiError, ValueError, IndexError, TypeError, UnicodeDecodeError, RecursionError
        ):
            reader(data, envelope)
    return envelope


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _party(value: object) -> Party | None:
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return Party(qualifier=_text(value.get("qualifier"), 4), id=value["id"][:35])
    return None


def _collab(data: bytes, envelope: Envelope) -> None:
    raw = jsonsafe.loads(data)
    if not isinstance(raw, dict):
        return
    envelope.sender = _party(raw.get("sender"))
    envelope.receiver = _party(raw.get("receiver"))
    control = raw.get("control") if isinstance(raw.get("control"), dict) else {}
    envelope.interchange_control = _text(control.get("interchange"), 14)
    envelope.group_control = _text(control.get("group"), 9)
    envelope.transaction_control = _text(control.get("transaction"), 14)
    envelope.functional_id = _text(control.get("functional_id"), 4)
    envelope.document_type = _text(control.get("set_id"), 10) or "CXD"
    event = raw.get("event") if isinstance(raw.get("event"), dict) else {}
    envelope.event_type = _text(event.get("type"), 40)
    envelope.document_id = _text(raw.get("document_id"), 36)
    envelope.in_reply_to = _text(raw.get("in_reply_to"), 36)
    case = raw.get("case") if isinstance(raw.get("case"), dict) else {}
    envelope.case_public_id = _text(case.get("public_id"), 255)


def _x12(data: bytes, envelope: Envelope) -> None:
    start = len(data) - len(data.lstrip(b"\xef\xbb\xbf \t\r\n"))
    delimiters, isa, length, _warnings = parse_isa(data[start:], position=1, offset=start)
    envelope.sender = Party(qualifier=isa.text(5).strip(), id=isa.text(6).strip())
    envelope.receiver = Party(qualifier=isa.text(7).strip(), id=isa.text(8).strip())
    envelope.interchange_control = isa.text(13)[:14]
    envelope.usage = isa.text(15)[:1]
    body = data[start + length :].decode("latin-1")
    group: X12GroupOutline | None = None
    for raw in body.split(delimiters.segment):
        elements = raw.strip("\r\n").split(delimiters.element)
        tag = elements[0]
        if tag == "GS" and len(elements) > 6:
            group = X12GroupOutline(functional_id=elements[1][:4], control_number=elements[6][:9])
            envelope.groups.append(group)
        elif tag == "ST" and len(elements) > 2 and group is not None:
            group.transactions.append((elements[1][:10], elements[2][:14]))
        elif tag == "GE" and group is not None:
            group.closed = True
        elif tag == "IEA":
            break
    if envelope.groups:
        first = envelope.groups[0]
        envelope.functional_id = first.functional_id
        envelope.group_control = first.control_number
        if first.transactions:
            envelope.document_type, envelope.transaction_control = first.transactions[0]


def _edifact(data: bytes, envelope: Envelope) -> None:
    text = data.decode("latin-1").lstrip("\ufeff \t\r\n")
    component, element, release, terminator = ":", "+", "?", "'"
    if text.startswith("UNA") and len(text) >= 9:
        component, element, release, terminator = text[3], text[4], text[6], text[8]
        text = text[9:]
    for raw in _split(text, terminator, release):
        elements = _split(raw.strip("\r\n "), element, release)
        tag = elements[0]
        if tag == "UNB" and len(elements) > 5:
            sender = _split(elements[2], component, release)
            receiver = _split(elements[3], component, release)
            envelope.sender = Party(qualifier=(sender + [""])[1][:4], id=sender[0][:35])
            envelope.receiver = Party(qualifier=(receiver + [""])[1][:4], id=receiver[0][:35])
            envelope.interchange_control = elements[5][:14]
        elif tag == "UNH" and len(elements) > 2:
            envelope.transaction_control = elements[1][:14]
            envelope.document_type = _split(elements[2], component, release)[0][:10]
            break


def _split(text: str, separator: str, release: str) -> list[str]:
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == release:
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts
