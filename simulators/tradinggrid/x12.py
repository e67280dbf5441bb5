"""A tiny X12 reader and writer of the partners' own: envelopes, delimiters from ISA, and the 997."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .participants import Address

ISA_ELEMENTS = 16


class X12Error(ValueError):
    """The text is not a well-formed X12 interchange."""


@dataclass(frozen=True)
class Delimiters:
    element: str = "*"
    component: str = ">"
    segment: str = "~"


@dataclass
class Transaction:
    code: str  # ST01
    control_number: str  # ST02
    segment_count: int = 0  # ST through SE, as counted
    trailer: list[str] | None = None  # the SE segment

    def errors(self) -> tuple[str, ...]:
        """AK5 syntax error codes (X12 element 718) for this transaction set, if any."""
        if self.trailer is None:
            return ("2",)  # transaction set trailer missing
        if self.trailer[2:3] != [self.control_number]:
            return ("3",)  # control numbers in ST and SE differ
        if self.trailer[1:2] != [str(self.segment_count)]:
            return ("4",)  # SE01 does not match the segments counted
        return ()


@dataclass
class Group:
    functional_id: str  # GS01
    app_sender: str  # GS02
    app_receiver: str  # GS03
    control_number: str  # GS06
    version: str  # GS08
    transactions: list[Transaction] = field(default_factory=list)


@dataclass
class Interchange:
    delimiters: Delimiters
    sender: Address
    receiver: Address
    control_number: str  # ISA13
    usage: str  # ISA15: P production, T test
    groups: list[Group] = field(default_factory=list)


def read_isa(text: str) -> tuple[Delimiters, list[str]]:
    """Delimiters and ISA elements, found by counting separators rather than trusting widths."""
    text = text.lstrip("\ufeff \t\r\n")
    if not text.startswith("ISA") or len(text) < 4:
        raise X12Error("the document does not start with an ISA segment")
    element = text[3]
    position = 3
    for _ in range(ISA_ELEMENTS - 1):
        position = text.find(element, position + 1)
        if position < 0:
            raise X12Error("the ISA segment has fewer than 16 elements")
    if len(text) < position + 3:
        raise X12Error("the ISA segment is cut short")
    delimiters = Delimiters(
        element=element, component=text[position + 1], segment=text[position + 2]
    )
    return delimiters, text[: position + 2].split(element)


def read_segments(text: str) -> tuple[Delimiters, list[list[str]]]:
    """All segments, split into elements; newlines around terminators are ignored."""
    delimiters, _ = read_isa(text)
    segments = []
    for raw in text.lstrip("\ufeff \t\r\n").split(delimiters.segment):
        raw = raw.strip("\r\n")
        if raw.strip():
            segments.append(raw.split(delimiters.element))
    return delimiters, segments


def read_interchange(text: str) -> Interchange:
    """The envelope structure of one interchange; raises `X12Error` if it is broken."""
    delimiters, segments = read_segments(text)
    isa = segments[0]
    interchange = Interchange(
        delimiters=delimiters,
        sender=Address(isa[5].strip(), isa[6].strip()),
        receiver=Address(isa[7].strip(), isa[8].strip()),
        control_number=isa[13].strip(),
        usage=isa[15].strip(),
    )
    group: Group | None = None
    transaction: Transaction | None = None
    closed = False
    for segment in segments[1:]:
        tag = segment[0].strip()
        if closed:
            raise X12Error(f"{tag} segment after IEA")
        if transaction is not None:
            transaction.segment_count += 1
            if tag == "SE":
                transaction.trailer = segment
                transaction = None
            elif tag in {"ST", "GS", "GE", "IEA"}:
                raise X12Error(f"transaction set {transaction.control_number} has no SE trailer")
        elif tag == "GS":
            if group is not None:
                raise X12Error(f"group {group.control_number} has no GE trailer")
            group = Group(*_elements(segment, 1, 2, 3, 6, 8))
            interchange.groups.append(group)
        elif tag == "ST":
            if group is None:
                raise X12Error("transaction set outside a functional group")
            transaction = Transaction(*_elements(segment, 1, 2), segment_count=1)
            group.transactions.append(transaction)
        elif tag == "GE":
            if group is None:
                raise X12Error("GE without GS")
            group = None
        elif tag == "IEA":
            if group is not None:
                raise X12Error(f"group {group.control_number} has no GE trailer")
            closed = True
        else:
            raise X12Error(f"{tag} segment outside a transaction set")
    if not closed:
        raise X12Error("the interchange has no IEA trailer")
    return interchange


@dataclass(frozen=True)
class GroupAck:
    """What a 997 says about one received functional group."""

    functional_id: str  # AK101 = GS01 of the acknowledged group
    control_number: str  # AK102 = GS06
    transactions: tuple[tuple[str, str, tuple[str, ...]], ...]  # ST01, ST02, AK5 error codes


def acknowledgement_for(interchange: Interchange) -> list[GroupAck]:
    """Group acknowledgements for every group except 997s (acknowledgements are never acked)."""
    return [
        GroupAck(
            functional_id=group.functional_id,
            control_number=group.control_number,
            transactions=tuple((t.code, t.control_number, t.errors()) for t in group.transactions),
        )
        for group in interchange.groups
        if group.functional_id != "FA"
    ]


def write_997(
    *,
    sender: Address,
    receiver: Address,
    app_sender: str,
    app_receiver: str,
    control_number: int,
    usage: str,
    version: str,
    groups: list[GroupAck],
    now: datetime,
) -> str:
    """One interchange with one FA group and a 997 per acknowledged group."""
    segments = [
        _isa(sender=sender, receiver=receiver, control_number=control_number, usage=usage, now=now),
        [
            "GS",
            "FA",
            app_sender,
            app_receiver,
            f"{now:%Y%m%d}",
            f"{now:%H%M}",
            str(control_number),
            "X",
            version,
        ],
    ]
    for index, group in enumerate(groups, start=1):
        number = f"{index:04d}"
        body = [["ST", "997", number], ["AK1", group.functional_id, group.control_number]]
        for code, transaction_number, errors in group.transactions:
            body += [["AK2", code, transaction_number], ["AK5", "R" if errors else "A", *errors]]
        accepted = sum(1 for *_, errors in group.transactions if not errors)
        count = len(group.transactions)
        status = "A" if accepted == count else ("P" if accepted else "R")
        body.append(["AK9", status, str(count), str(count), str(accepted)])
        body.append(["SE", str(len(body) + 1), number])
        segments += body
    segments += [
        ["GE", str(len(groups)), str(control_number)],
        ["IEA", "1", _isa13(control_number)],
    ]
    return write_segments(segments)


def write_malformed(
    *, sender: Address, receiver: Address, control_number: int, now: datetime
) -> str:
    """A routable interchange whose body is broken: no SE, GE or IEA, and a stray segment."""
    segments = [
        _isa(sender=sender, receiver=receiver, control_number=control_number, usage="P", now=now),
        ["GS", "FA", sender.id, receiver.id, f"{now:%Y%m%d}", f"{now:%H%M}", str(control_number)],
        ["ST", "997", "0001"],
        ["AK1", "??"],
        ["%%GARBLED%%", "\x7f"],
    ]
    return write_segments(segments)


def write_segments(segments: list[list[str]], delimiters: Delimiters = Delimiters()) -> str:
    """Segments joined with the delimiters; empty trailing elements dropped (except in ISA)."""
    lines = []
    for segment in segments:
        if segment[0] != "ISA":
            while len(segment) > 1 and segment[-1] == "":
                segment = segment[:-1]
        lines.append(delimiters.element.join(segment) + delimiters.segment + "\n")
    return "".join(lines)


def _isa(
    *, sender: Address, receiver: Address, control_number: int, usage: str, now: datetime
) -> list[str]:
    return [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        sender.qualifier.ljust(2),
        sender.id.ljust(15),
        receiver.qualifier.ljust(2),
        receiver.id.ljust(15),
        f"{now:%y%m%d}",
        f"{now:%H%M}",
        "U",
        "00401",
        _isa13(control_number),
        "0",
        usage or "P",
        Delimiters().component,
    ]


def _isa13(control_number: int) -> str:
    return f"{control_number % 1_000_000_000:09d}"


def _elements(segment: list[str], *positions: int) -> list[str]:
    return [segment[p].strip() if p < len(segment) else "" for p in positions]
