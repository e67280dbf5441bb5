"""Streaming X12 segment reader: delimiters from each fixed-width ISA, segments read in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from .errors import EdiSyntaxError
from .segments import Composite, Element, Segment
from .sources import Source, open_source

ISA_LENGTH = 106
# Widths of ISA01..ISA15; ISA16 and the terminator are the last two characters.
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1)
# Space-padded ids (ISA02/04/06/08): the fields partners get wrong without harm to reading.
ISA_PADDED_IDS = frozenset({2, 4, 6, 8})
# Far enough to find the 16 separators of an ISA with sloppy padding.
ISA_SEARCH_LENGTH = 160
DEFAULT_CHUNK_SIZE = 1 << 20
_NEWLINES = b"\r\n"
_LEADING = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class X12Delimiters:
    """Separators of one interchange; ``suffix`` is what follows each terminator ("", "\\n")."""

    element: str = "*"
    component: str = ">"
    repetition: str | None = "^"
    segment: str = "~"
    suffix: str = ""

    def __post_init__(self) -> None:
        problem = delimiter_problem(self)
        if problem:
            raise ValueError(problem)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "element": self.element,
            "component": self.component,
            "repetition": self.repetition,
            "segment": self.segment,
            "suffix": self.suffix,
        }


def delimiter_problem(delimiters: X12Delimiters) -> str | None:
    """Why these delimiters cannot work, or None."""
    named = {
        "element separator": delimiters.element,
        "component separator": delimiters.component,
        "segment terminator": delimiters.segment,
    }
    if delimiters.repetition is not None:
        named["repetition separator"] = delimiters.repetition
    for name, char in named.items():
        if len(char) != 1:
            return f"{name} {char!r} must be one character"
        if char.isalnum():
            return f"{name} {char!r} must not be a letter or digit"
        if char.isspace() and name != "segment terminator":
            return f"{name} {char!r} must not be white space"
    seen: dict[str, str] = {}
    for name, char in named.items():
        if char in seen:
            return f"{name} {char!r} is the same as the {seen[char]}"
        seen[char] = name
    if delimiters.suffix.strip("\r\n"):
        return f"suffix {delimiters.suffix!r} may only hold line breaks"
    return None


class X12SegmentReader:
    """Iterate the segments of one or more interchanges from a file, in fixed-size chunks.

    Memory stays at about two chunks whatever the file size. Each ISA is read as the
    fixed-width 106-character segment it is and sets the delimiters until its IEA, so a
    file may hold interchanges with different delimiters. Line breaks after a terminator
    are skipped, whatever the terminator. ``delimiters`` holds those of the current
    interchange.
    """

    def __init__(
        self,
        fp: IO[bytes] | IO[str],
        *,
        encoding: str = "utf-8",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        strict_isa: bool = False,
    ) -> None:
        self._fp = fp
        self._strict_isa = strict_isa
        self.isa_warnings: list[str] = []
        self._encoding = encoding
        self._chunk_size = chunk_size
        self.delimiters: X12Delimiters | None = None
        self.position = 0

    def __iter__(self) -> Iterator[Segment]:
        return self._segments()

    def _read(self) -> bytes:
        data = self._fp.read(self._chunk_size)
        return data.encode(self._encoding) if isinstance(data, str) else data

    def _segments(self) -> Iterator[Segment]:
        buf = b""
        base = 0  # file offset of buf[0]
        eof = False
        encoding = self._encoding
        first = True
        while True:
            # Header mode: skip what lies between interchanges, then read a whole ISA.
            while True:
                stripped = buf.lstrip(_LEADING)
                if first and stripped.startswith(_BOM):
                    stripped = stripped[len(_BOM) :].lstrip(_LEADING)
                if eof or len(stripped) >= ISA_SEARCH_LENGTH + 2:
                    break
                chunk = self._read()
                if chunk:
                    buf += chunk
                else:
                    eof = True
            base += len(buf) - len(stripped)
            buf = stripped
            if not buf:
                if first:
                    raise EdiSyntaxError(
                        "file is empty: an X12 interchange starts with ISA",
                        segment_id="ISA",
                        position=1,
                        offset=base,
                    )
                return
            first = False
            self.position += 1
            delimiters, isa, length, warnings = parse_isa(
                buf, position=self.position, offset=base, strict_widths=self._strict_isa
            )
            rest = buf[length : length + 2]
            suffix = "\r\n" if rest == b"\r\n" else rest[:1].decode("latin-1")
            if suffix.strip("\r\n") or suffix == delimiters.segment:
                suffix = ""
            if suffix:
                delimiters = X12Delimiters(
                    element=delimiters.element,
                    component=delimiters.component,
                    repetition=delimiters.repetition,
                    segment=delimiters.segment,
                    suffix=suffix,
                )
            self.delimiters = delimiters
            self.isa_warnings = warnings
            yield isa
            buf = buf[length:]
            base += length

            # Segment mode: split on the terminator until this interchange's IEA.
            term = delimiters.segment.encode("latin-1")
            term_len = len(term)
            term_is_newline = term in _NEWLINES
            elem = delimiters.element
            comp = delimiters.component
            rep = delimiters.repetition
            known_ids: set[str] = set()
            position = self.position
            ended = False
            while not ended:
                pieces = buf.split(term)
                tail = pieces.pop()
                rel = 0
                for raw in pieces:
                    offset = base + rel
                    rel += len(raw) + term_len
                    if raw[:1] in (b"\r", b"\n"):
                        stripped = raw.lstrip(_NEWLINES)
                        offset += len(raw) - len(stripped)
                        raw = stripped
                    if not raw:
                        if term_is_newline:
                            continue
                        raise EdiSyntaxError(
                            f"empty segment: two segment terminators {delimiters.segment!r} "
                            "in a row",
                            segment_id="",
                            position=position + 1,
                            offset=offset,
                        )
                    position += 1
                    try:
                        text = raw.decode(encoding)
                    except UnicodeDecodeError as exc:
                        raise EdiSyntaxError(
                            f"bytes that are not {encoding} at offset {offset + exc.start}; "
                            "set the partner's character set in its Trading Grid settings",
                            segment_id=raw[:3].decode("latin-1"),
                            position=position,
                            offset=offset,
                        ) from None
                    parts: list = text.split(elem)
                    sid = parts[0]
                    if sid not in known_ids:
                        _check_segment_id(sid, text, delimiters, position, offset)
                        known_ids.add(sid)
                    if comp in text or (rep is not None and rep in text):
                        parts = _split_structure(parts, comp, rep)
                    del parts[0]
                    yield Segment(sid, parts, position, offset)
                    if sid == "IEA":
                        self.position = position
                        buf = buf[rel:]
                        base += rel
                        ended = True
                        break
                if ended:
                    break
                buf = tail
                base += rel
                self.position = position
                if eof:
                    if tail.strip(_LEADING):
                        shown = tail.strip(_LEADING)[:40].decode(encoding, "replace")
                        raise EdiSyntaxError(
                            f"file ends inside a segment: no terminator "
                            f"{delimiters.segment!r} after {shown!r} (truncated file?)",
                            segment_id=tail.lstrip(_LEADING)[:3].decode("latin-1"),
                            position=position + 1,
                            offset=base + len(tail) - len(tail.lstrip(_LEADING)),
                        )
                    return
                # Drop this chunk's pieces before the next one is read and split: otherwise
                # two chunks' worth of segment bytes are alive at the peak.
                pieces.clear()
                chunk = self._read()
                if chunk:
                    buf = tail + chunk
                    del chunk
                else:
                    eof = True


def iter_segments(
    source: IO[bytes] | IO[str],
    *,
    encoding: str = "utf-8",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    strict_isa: bool = False,
) -> X12SegmentReader:
    """Segments of an open X12 file, read in chunks; iterate the returned reader."""
    return X12SegmentReader(source, encoding=encoding, chunk_size=chunk_size, strict_isa=strict_isa)


def read_segments(source: Source, *, encoding: str = "utf-8") -> list[Segment]:
    """All segments of a small X12 document (bytes, text, Path or file), without envelope checks."""
    with open_source(source) as fp:
        return list(X12SegmentReader(fp, encoding=encoding))


def parse_isa(
    window: bytes, *, position: int, offset: int, strict_widths: bool = False
) -> tuple[X12Delimiters, Segment, int, list[str]]:
    """Read the delimiters and the ISA segment from the start of an interchange.

    Returns the delimiters, the ISA segment, its length including the terminator, and
    warnings. ISA is fixed width (106 characters), but real partners pad their ids
    (ISA02/04/06/08) a character too long or short: the delimiters are found by counting the
    16 element separators, so such a file reads with a warning, or raises if
    ``strict_widths``. Every other field must have its exact width.
    """

    def fail(message: str) -> EdiSyntaxError:
        return EdiSyntaxError(message, segment_id="ISA", position=position, offset=offset)

    if not window.startswith(b"ISA"):
        found = window[:20].decode("latin-1", "replace")
        raise fail(f"expected an ISA segment, found {found!r}")
    text = window[:ISA_SEARCH_LENGTH].decode("latin-1")
    if len(text) < 4:
        raise fail("file ends inside the ISA segment (truncated file?)")
    element = text[3]
    if element.isalnum() or element.isspace():
        raise fail(f"element separator {element!r} (4th character of ISA) is not a separator")
    starts = [4]
    for _ in range(15):
        found_at = text.find(element, starts[-1])
        if found_at == -1:
            if len(text) < ISA_SEARCH_LENGTH:
                raise fail(
                    f"file ends inside the ISA segment after {len(text)} characters; "
                    f"ISA is {ISA_LENGTH} characters (truncated file?)"
                )
            raise fail(f"ISA has {len(starts)} elements, expected 16")
        starts.append(found_at + 1)
    length = starts[-1] + 2
    if len(text) < length:
        raise fail(
            f"file ends inside the ISA segment after {len(text)} characters; "
            f"ISA is {ISA_LENGTH} characters (truncated file?)"
        )
    warnings: list[str] = []
    for number, width in enumerate(ISA_WIDTHS, start=1):
        actual = starts[number] - starts[number - 1] - 1
        if actual == width:
            continue
        message = (
            f"ISA{number:02d} is {actual} characters wide, expected {width}: "
            f"ISA is a fixed-width {ISA_LENGTH}-character segment"
        )
        if number in ISA_PADDED_IDS and not strict_widths:
            warnings.append(message)
        else:
            raise fail(message)
    component, terminator = text[length - 2], text[length - 1]
    isa11 = text[starts[10] : starts[10] + 1]
    repetition = None if isa11.isalnum() or isa11 == " " else isa11
    try:
        delimiters = X12Delimiters(
            element=element, component=component, repetition=repetition, segment=terminator
        )
    except ValueError as exc:
        raise fail(f"bad separators in ISA: {exc}") from None
    elements: list[Element] = text[4 : length - 1].split(element)
    control = elements[12]
    if not control.isdigit():
        raise fail(f"ISA13 interchange control number {control!r} must be 9 digits")
    return delimiters, Segment("ISA", elements, position, offset), length, warnings


def _check_segment_id(
    sid: str, text: str, delimiters: X12Delimiters, position: int, offset: int
) -> None:
    if 2 <= len(sid) <= 3 and sid.isalnum() and sid == sid.upper() and sid[0].isalpha():
        return
    raise EdiSyntaxError(
        f"no valid segment id in {text[:30]!r}: expected 2-3 capitals or digits before the "
        f"element separator {delimiters.element!r} (wrong separators?)",
        segment_id=sid[:3],
        position=position,
        offset=offset,
    )


def _split_structure(parts: list, comp: str, rep: str | None) -> list:
    out: list = [parts[0]]
    for value in parts[1:]:
        if rep is not None and rep in value:
            out.append([_split_component(item, comp) for item in value.split(rep)])
        elif comp in value:
            out.append(tuple(value.split(comp)))
        else:
            out.append(value)
    return out


def _split_component(value: str, comp: str) -> str | Composite:
    return tuple(value.split(comp)) if comp in value else value
