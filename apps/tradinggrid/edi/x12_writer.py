"""X12 writer: segments with chosen delimiters, envelopes with their counts, buffered output."""

from __future__ import annotations

import io
from datetime import datetime
from typing import IO

from .errors import EdiWriteError
from .parties import Party
from .segments import Element, Segment
from .x12_envelopes import Interchange
from .x12_reader import X12Delimiters

DEFAULT_DELIMITERS = X12Delimiters()
_FLUSH_AT = 1 << 20


def format_control_number(value: int | str, *, width: int) -> str:
    """A control number zero-padded to ``width`` digits (9 for ISA13, 4 or more for ST02)."""
    text = str(value)
    if not text.isdigit() or len(text) > 9:
        raise EdiWriteError(f"control number {value!r} must be 1 to 9 digits")
    return text.zfill(width)


class X12Writer:
    """Write segments to a binary file, and count them into envelopes when asked.

    Either write whole segments with ``write_segment`` (a parsed interchange, say) or let
    the writer build the envelopes: ``start_interchange``/``start_group``/
    ``start_transaction``, ``write`` for body segments, and the matching ``end_*`` calls,
    which write SE01, GE01 and IEA01 from what was written.
    """

    def __init__(
        self,
        fp: IO[bytes],
        *,
        delimiters: X12Delimiters = DEFAULT_DELIMITERS,
        encoding: str = "utf-8",
    ) -> None:
        self._fp = fp
        self.delimiters = delimiters
        self._encoding = encoding
        self._buffer: list[str] = []
        self._buffered = 0
        self._ending = delimiters.segment + delimiters.suffix
        self.segments_written = 0
        self._flushed = 0
        self._isa_control: str | None = None
        self._gs_control: str | None = None
        self._st_control: str | None = None
        self._group_count = 0
        self._transaction_count = 0
        self._segment_count = 0

    # Plain segments -------------------------------------------------------------

    def write_segment(self, segment: Segment) -> None:
        line = self._isa_line(segment) if segment.id == "ISA" else self.format(segment)
        self._buffer.append(line)
        self._buffered += len(line)
        self.segments_written += 1
        if self._buffered >= _FLUSH_AT:
            self.flush()

    def format(self, segment: Segment) -> str:
        """One segment with its terminator; raises EdiWriteError if a value holds a delimiter."""
        d = self.delimiters
        elements = segment.elements
        try:
            line = d.element.join((segment.id, *elements))
            simple = True
        except TypeError:
            line = d.element.join((segment.id, *(self._structured(v) for v in elements)))
            simple = False
        if (
            line.count(d.element) != len(elements)
            or d.segment in line
            or (simple and (d.component in line or (d.repetition and d.repetition in line)))
        ):
            self._explain(segment)
        return line + self._ending

    def flush(self) -> None:
        if self._buffer:
            data = "".join(self._buffer).encode(self._encoding)
            self._fp.write(data)
            self._flushed += len(data)
            self._buffer.clear()
            self._buffered = 0

    @property
    def size(self) -> int:
        """Bytes written so far, counting buffered characters as one byte each."""
        return self._flushed + self._buffered

    # Envelopes --------------------------------------------------------------------

    def start_interchange(
        self,
        *,
        sender: Party,
        receiver: Party,
        control_number: int | str,
        timestamp: datetime,
        version: str = "00401",
        usage_indicator: str = "P",
        ack_requested: bool = False,
    ) -> str:
        """Write ISA; returns the ISA13 written."""
        if self._isa_control is not None:
            raise EdiWriteError("an interchange is already open")
        self._isa_control = format_control_number(control_number, width=9)
        self._group_count = 0
        repetition = "U" if version < "00402" else (self.delimiters.repetition or "")
        if not repetition:
            raise EdiWriteError(f"ISA12 {version} needs a repetition separator")
        isa = Segment(
            "ISA",
            [
                "00",
                " " * 10,
                "00",
                " " * 10,
                _fixed(sender.qualifier, 2, "ISA05"),
                _fixed(sender.id, 15, "ISA06"),
                _fixed(receiver.qualifier, 2, "ISA07"),
                _fixed(receiver.id, 15, "ISA08"),
                timestamp.strftime("%y%m%d"),
                timestamp.strftime("%H%M"),
                repetition,
                _fixed(version, 5, "ISA12"),
                self._isa_control,
                "1" if ack_requested else "0",
                _fixed(usage_indicator, 1, "ISA15"),
                self.delimiters.component,
            ],
        )
        self.write_segment(isa)
        return self._isa_control

    def start_group(
        self,
        *,
        functional_id: str,
        application_sender: str,
        application_receiver: str,
        control_number: int | str,
        timestamp: datetime,
        version: str = "004010",
    ) -> str:
        """Write GS; returns the GS06 written."""
        if self._isa_control is None or self._gs_control is not None:
            raise EdiWriteError("a group starts inside an interchange, outside other groups")
        self._gs_control = format_control_number(control_number, width=1)
        self._group_count += 1
        self._transaction_count = 0
        self.write_segment(
            Segment(
                "GS",
                [
                    functional_id,
                    application_sender,
                    application_receiver,
                    timestamp.strftime("%Y%m%d"),
                    timestamp.strftime("%H%M"),
                    self._gs_control,
                    "X",
                    version,
                ],
            )
        )
        return self._gs_control

    def start_transaction(self, *, set_id: str, control_number: int | str) -> str:
        """Write ST; returns the ST02 written."""
        if self._gs_control is None or self._st_control is not None:
            raise EdiWriteError("a transaction set starts inside a group, outside other sets")
        self._st_control = format_control_number(control_number, width=4)
        self._transaction_count += 1
        self._segment_count = 1
        self.write_segment(Segment("ST", [set_id, self._st_control]))
        return self._st_control

    def write(self, segment: Segment) -> None:
        """Write a body segment of the open transaction set."""
        if self._st_control is None:
            raise EdiWriteError(f"{segment.id} written outside a transaction set")
        if segment.id in ("ISA", "IEA", "GS", "GE", "ST", "SE"):
            raise EdiWriteError(f"{segment.id} is written by the envelope methods")
        self._segment_count += 1
        self.write_segment(segment)

    def end_transaction(self) -> None:
        if self._st_control is None:
            raise EdiWriteError("no transaction set to end")
        self.write_segment(Segment("SE", [str(self._segment_count + 1), self._st_control]))
        self._st_control = None

    def end_group(self) -> None:
        if self._gs_control is None or self._st_control is not None:
            raise EdiWriteError("no group to end, or a transaction set is still open")
        self.write_segment(Segment("GE", [str(self._transaction_count), self._gs_control]))
        self._gs_control = None

    def end_interchange(self) -> None:
        if self._isa_control is None or self._gs_control is not None:
            raise EdiWriteError("no interchange to end, or a group is still open")
        self.write_segment(Segment("IEA", [str(self._group_count), self._isa_control]))
        self._isa_control = None
        self.flush()

    # Internals --------------------------------------------------------------------

    def _isa_line(self, isa: Segment) -> str:
        d = self.delimiters
        elements = [str(value) for value in isa.elements]
        if len(elements) != 16:
            raise EdiWriteError(f"ISA has {len(elements)} elements, expected 16")
        # ISA11 is the repetition separator from 00402 on; earlier it is a code ("U").
        if not elements[10].isalnum():
            if d.repetition is None:
                raise EdiWriteError(f"ISA12 {elements[11]} needs a repetition separator")
            elements[10] = d.repetition
        elements[15] = d.component
        for index, value in enumerate(elements[:15], start=1):
            if d.element in value or d.segment in value or d.component in value:
                raise EdiWriteError(f"ISA{index:02d} {value!r} holds a delimiter")
        return d.element.join(("ISA", *elements)) + self._ending

    def _structured(self, value: Element) -> str:
        d = self.delimiters
        if isinstance(value, str):
            return value
        if isinstance(value, tuple):
            return d.component.join(self._plain(part) for part in value)
        if d.repetition is None:
            raise EdiWriteError("repeated element written without a repetition separator")
        return d.repetition.join(
            d.component.join(self._plain(p) for p in item)
            if isinstance(item, tuple)
            else self._plain(item)
            for item in value
        )

    def _plain(self, part: str) -> str:
        d = self.delimiters
        if d.component in part or (d.repetition and d.repetition in part):
            raise EdiWriteError(f"component {part!r} holds a delimiter")
        return part

    def _explain(self, segment: Segment) -> None:
        d = self.delimiters
        names = {
            d.element: "element separator",
            d.component: "component separator",
            d.segment: "segment terminator",
        }
        if d.repetition:
            names[d.repetition] = "repetition separator"
        for index, value in enumerate(segment.elements, start=1):
            for text in _flatten(value):
                for char, name in names.items():
                    if char in text:
                        raise EdiWriteError(
                            f"{segment.id}{index:02d} {text!r} holds the {name} {char!r}"
                        )
        raise EdiWriteError(f"{segment.id} id or values hold a delimiter")


def _flatten(value: Element) -> list[str]:
    if isinstance(value, str):
        return [value]
    out: list[str] = []
    for item in value:
        out.extend(_flatten(item))
    return out


def _fixed(value: str, width: int, name: str) -> str:
    if len(value) > width:
        raise EdiWriteError(f"{name} {value!r} is longer than {width} characters")
    return value.ljust(width)


def write_interchange(
    interchange: Interchange,
    fp: IO[bytes] | None = None,
    *,
    delimiters: X12Delimiters | None = None,
    encoding: str = "utf-8",
) -> bytes | None:
    """Serialize a parsed or built interchange as it is (counts included).

    Uses the interchange's own delimiters unless others are given. Returns the bytes, or
    None when written to ``fp``.
    """
    target = fp if fp is not None else io.BytesIO()
    writer = X12Writer(target, delimiters=delimiters or interchange.delimiters, encoding=encoding)
    for seg in interchange.segments():
        writer.write_segment(seg)
    writer.flush()
    return None if fp is not None else target.getvalue()  # type: ignore[union-attr]
