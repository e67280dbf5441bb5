"""Read who a document is from and to, the way the network routes: from the document itself."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from . import collaboration
from .participants import Address
from .x12 import X12Error, read_isa

X12, EDIFACT, JSON = "x12", "edifact", "json"
# Envelopes sit at the very start; the rest of a large interchange is not read to route it.
HEAD_BYTES = 4096
_LEADING = b"\xef\xbb\xbf \t\r\n"


class Unroutable(ValueError):
    """The network cannot tell where the document should go."""


@dataclass(frozen=True)
class Envelope:
    format: str
    sender: Address | None
    receiver: Address
    reference: str  # ISA13, the UNB reference, or the JSON document id


def document_format(data: bytes) -> str | None:
    """`x12`, `edifact` or `json` by the first characters, or None."""
    head = data[:64].lstrip(_LEADING)
    if head.startswith(b"ISA"):
        return X12
    if head.startswith((b"UNA", b"UNB")):
        return EDIFACT
    if head.startswith(b"{"):
        return JSON
    return None


def read_envelope(data: bytes) -> Envelope:
    """Sender, receiver and reference of a document, or `Unroutable` with the reason."""
    kind = document_format(data)
    if kind == X12:
        return _x12(data[:HEAD_BYTES].decode("latin-1"))
    if kind == EDIFACT:
        return _edifact(data[:HEAD_BYTES].decode("latin-1"))
    if kind == JSON:
        return _json(data)
    raise Unroutable("not an X12 interchange, an EDIFACT interchange or a JSON document")


def _x12(text: str) -> Envelope:
    try:
        _, isa = read_isa(text)
    except X12Error as exc:
        raise Unroutable(f"unreadable ISA segment: {exc}") from exc
    receiver = Address(isa[7].strip(), isa[8].strip())
    if not receiver.id:
        raise Unroutable("ISA08 (interchange receiver id) is empty")
    return Envelope(X12, Address(isa[5].strip(), isa[6].strip()), receiver, isa[13].strip())


def _edifact(text: str) -> Envelope:
    text = text.lstrip("\ufeff \t\r\n")
    component, element, release, terminator = ":", "+", "?", "'"
    if text.startswith("UNA"):
        if len(text) < 9:
            raise Unroutable("the UNA segment is cut short")
        component, element, _decimal, release, _reserved, terminator = text[3:9]
        text = text[9:].lstrip("\r\n")
    if not text.startswith("UNB"):
        raise Unroutable("no UNB segment after UNA")
    unb = _split(text, terminator, release)[0]
    elements = _split(unb, element, release)
    if len(elements) < 4:
        raise Unroutable("the UNB segment has no recipient")

    def party(value: str) -> Address:
        parts = [_unescape(part, release) for part in _split(value, component, release)]
        return Address(parts[1] if len(parts) > 1 else "", parts[0])

    receiver = party(elements[3])
    if not receiver.id:
        raise Unroutable("UNB recipient id is empty")
    reference = _unescape(elements[5], release) if len(elements) > 5 else ""
    return Envelope(EDIFACT, party(elements[2]), receiver, reference)


def _json(data: bytes) -> Envelope:
    try:
        _check_depth(data)
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise Unroutable(f"invalid JSON: {exc}") from exc
    except ValueError as exc:
        raise Unroutable(str(exc)) from exc
    if not isinstance(document, dict):
        raise Unroutable("the JSON document is not an object")
    receiver = collaboration.address(document, "receiver")
    if receiver is None:
        raise Unroutable('no "receiver": {"qualifier", "id"} object in the JSON document')
    return Envelope(
        JSON,
        collaboration.address(document, "sender"),
        receiver,
        collaboration.document_reference(document),
    )


def _split(text: str, separator: str, release: str) -> list[str]:
    """Split on a separator, except where the release (escape) character protects it."""
    parts, current = [], []
    characters = iter(text)
    for character in characters:
        if character == release:
            current.append(character + next(characters, ""))
        elif character == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return parts


def _unescape(text: str, release: str) -> str:
    return re.sub(f"{re.escape(release)}(.)", r"\1", text)


MAX_JSON_DEPTH = 64


def _check_depth(data: bytes) -> None:
    """Refuse JSON nested deeper than any document needs, before a recursive parser sees it."""
    depth, in_string, escaped = 0, False, False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"the JSON document nests deeper than {MAX_JSON_DEPTH} levels")
        elif byte in (0x5D, 0x7D):
            depth -= 1
