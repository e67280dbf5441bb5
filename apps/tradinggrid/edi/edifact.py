"""EDIFACT: a streaming UNA-aware reader of our own, writing through pydifact, UNB/UNZ and
UNH/UNT checks."""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from pydifact.control import Characters
from pydifact.segments import Segment as PydifactSegment
from pydifact.serializer import Serializer

from .control_numbers import ControlNumberSource
from .errors import EdiEnvelopeError, EdiIssue, EdiSyntaxError, EdiWriteError
from .parties import Party
from .segments import Element, Segment
from .sources import Source, open_source
from .x12_envelopes import _SeenControlNumbers

MessageValidator = Callable[["EdifactMessage"], list[EdiIssue]]

# Character sets named by UNB01 (syntax identifier) and the Python codec that reads them.
SYNTAX_ENCODINGS = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "iso8859-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}
# EDIFACT syntax error codes (0085) the CONTRL reports envelope errors with.
CODE_INVALID_VALUE = "12"
CODE_MISSING = "13"
CODE_DUPLICATE = "26"
CODE_REFERENCES_DIFFER = "28"
CODE_COUNT_DIFFERS = "29"
CODE_OUTSIDE_MESSAGE = "33"
_SYNTAX_ID = re.compile(rb"UNB.(UNO[A-Z])")
_LEADING = " \r\n"  # skipped after a terminator: line breaks that make files readable
_BOM = b"\xef\xbb\xbf"
DEFAULT_CHUNK_SIZE = 1 << 20
# Service segments that end or break a message; any other segment belongs to its body.
_COMPOSITE_CACHE = 4096
_SERVICE_TAGS = frozenset({"UNT", "UNH", "UNZ", "UNB", "UNG", "UNE"})


@dataclass(frozen=True, slots=True)
class EdifactCharacters:
    """The six service characters a UNA announces (defaults are those without a UNA)."""

    component: str = ":"
    data: str = "+"
    decimal: str = "."
    escape: str = "?"
    reserved: str = " "
    segment: str = "'"

    @classmethod
    def from_una(cls, una: str) -> EdifactCharacters:
        chars = una[3:9] if una.startswith("UNA") else una
        if len(chars) != 6:
            raise EdiSyntaxError(
                f"UNA must carry 6 service characters, found {chars!r}",
                segment_id="UNA",
                position=1,
                offset=0,
            )
        return cls(*chars)

    @property
    def una(self) -> str:
        return "UNA" + "".join(
            (self.component, self.data, self.decimal, self.escape, self.reserved, self.segment)
        )

    def to_pydifact(self) -> Characters:
        return Characters(
            component_separator=self.component,
            data_separator=self.data,
            decimal_point=self.decimal,
            escape_character=self.escape,
            reserved=self.reserved,
            segment_terminator=self.segment,
        )


@dataclass(eq=False)
class EdifactMessage:
    """A message: UNH, its body, UNT."""

    unh: Segment
    body: list[Segment] = field(default_factory=list)
    unt: Segment | None = None
    issues: list[EdiIssue] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return self.unh.text(1)

    @property
    def identifier(self) -> tuple[str, ...]:
        value = self.unh.element(2)
        return value if isinstance(value, tuple) else (self.unh.text(2),)

    @property
    def message_type(self) -> str:
        return self.unh.component(2, 1)

    @property
    def segments(self) -> list[Segment]:
        return [self.unh, *self.body, *([self.unt] if self.unt else [])]

    @property
    def errors(self) -> list[EdiIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]


@dataclass(eq=False)
class EdifactInterchange:
    """An interchange: optional UNA, UNB, messages, UNZ."""

    unb: Segment
    characters: EdifactCharacters
    has_una: bool
    messages: list[EdifactMessage] = field(default_factory=list)
    unz: Segment | None = None
    issues: list[EdiIssue] = field(default_factory=list)

    @property
    def control_reference(self) -> str:
        return self.unb.text(5)

    @property
    def syntax_identifier(self) -> str:
        return self.unb.component(1, 1)

    @property
    def syntax_version(self) -> str:
        return self.unb.component(1, 2)

    @property
    def sender(self) -> Party:
        return Party(qualifier=self.unb.component(2, 2), id=self.unb.component(2, 1))

    @property
    def recipient(self) -> Party:
        return Party(qualifier=self.unb.component(3, 2), id=self.unb.component(3, 1))

    @property
    def prepared(self) -> tuple[str, str]:
        return self.unb.component(4, 1), self.unb.component(4, 2)

    @property
    def errors(self) -> list[EdiIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    def all_issues(self) -> list[EdiIssue]:
        found = list(self.issues)
        for message in self.messages:
            found += message.issues
        return sorted(found, key=lambda issue: issue.position or 0)

    def segments(self) -> Iterator[Segment]:
        """Every segment after the UNA, in file order."""
        yield self.unb
        for message in self.messages:
            yield from message.segments
        if self.unz:
            yield self.unz


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A message to write: its identifier (type, version, release, agency[, code]) and body."""

    identifier: tuple[str, ...]
    body: Sequence[Segment]


# Reading ------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """The codec named by UNB01 (UNOA..UNOY); ISO 8859-1 when it names none we know."""
    found = _SYNTAX_ID.search(data[:512])
    return SYNTAX_ENCODINGS.get(found.group(1).decode(), "iso8859-1") if found else "iso8859-1"


class EdifactSegmentReader:
    """Iterate the segments of one interchange from a file, in fixed-size chunks.

    Our own tokenizer, as the X12 reader: the UNA (or the defaults) gives the service
    characters, each chunk is decoded (with the codec UNB01 names, unless ``encoding`` is
    given) and split on the segment terminator, and a terminator after an odd number of
    release characters is data. Memory stays at about two chunks. Offsets are character
    offsets, which are byte offsets for every single-byte character set (UNOA..UNOK).
    """

    def __init__(
        self,
        fp: IO[bytes] | IO[str],
        *,
        encoding: str | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self._fp = fp
        self._encoding = encoding
        self._chunk_size = chunk_size
        self.codec = encoding or "iso8859-1"
        self.characters = EdifactCharacters()
        self.has_una = False

    def _read(self) -> bytes:
        data = self._fp.read(self._chunk_size)
        if isinstance(data, str):
            # Text handed in: its characters travel as UTF-8 and are read back as such.
            self._encoding = self.codec = "utf-8"
            return data.encode("utf-8")
        return data

    def __iter__(self) -> Iterator[Segment]:
        return self._segments()

    def _start(self) -> tuple[bytes, int, bool]:
        """The first chunk with the BOM and leading blanks gone, their length, and EOF."""
        buf, eof = b"", False
        while len(buf) < 600 and not eof:
            chunk = self._read()
            buf += chunk
            eof = not chunk
        stripped = buf.lstrip(b" \t\r\n")
        if stripped.startswith(_BOM):
            stripped = stripped[len(_BOM) :].lstrip(b" \t\r\n")
        return stripped, len(buf) - len(stripped), eof

    def _segments(self) -> Iterator[Segment]:
        first, lead, eof = self._start()
        if not first:
            raise EdiSyntaxError("file is empty: an EDIFACT interchange starts with UNA or UNB")
        position = 0
        if first.startswith(b"UNA"):
            self.has_una = True
            self.characters = EdifactCharacters.from_una(first[:9].decode("latin-1"))
            position = 1
            first, lead = first[9:], lead + 9
        if self._encoding is None:
            self.codec = detect_encoding(first)
        chars = self.characters
        codec = self.codec
        # Decoded a chunk at a time (one call, not one a segment); the incremental decoder
        # keeps a multi-byte character cut by the chunk boundary for the next chunk.
        decoder = codecs.getincrementaldecoder(codec)()
        read_bytes = lead  # bytes handed to the decoder so far, for error offsets
        term, esc, data, comp = chars.segment, chars.escape, chars.data, chars.component
        term_len = len(term)
        known_tags: set[str] = set()
        new_segment = Segment
        # Composites repeat (qualifiers, units, date formats: "21:120:PCE", "137:...:102"):
        # their tuples are shared from a small cache, cleared when full so memory stays flat.
        composites: dict[str, tuple[str, ...]] = {}
        cached = composites.get

        def composite(value: str) -> tuple[str, ...]:
            parts = tuple(value.split(comp))
            if len(composites) >= _COMPOSITE_CACHE:
                composites.clear()
            composites[value] = parts
            return parts

        def decode(chunk: bytes, final: bool) -> str:
            try:
                return decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                raise EdiSyntaxError(
                    f"bytes that are not {codec} at byte offset {read_bytes + exc.start}; "
                    "UNB01 names the character set (or the partner's setting does)",
                    position=position + 1,
                    offset=read_bytes + exc.start,
                ) from None

        buf = decode(first, eof)
        read_bytes += len(first)
        del first
        base = lead  # character offset of buf[0]
        while True:
            pieces = buf.split(term)
            pieces.pop()  # the unterminated rest: it stays in buf for the next chunk
            rel = 0
            pending = -1  # where a segment whose terminator was released starts
            escapes = esc in buf
            for raw in pieces:
                start = rel
                rel += len(raw) + term_len
                if pending >= 0:
                    start = pending
                    raw = buf[start : rel - term_len]
                if escapes and raw[-1:] == esc and _released(raw, esc):
                    pending = start
                    continue
                pending = -1
                if raw[:1] in _LEADING:
                    stripped = raw.lstrip(_LEADING)
                    start += len(raw) - len(stripped)
                    raw = stripped
                position += 1
                if escapes and esc in raw:
                    tag, elements = _split_released(raw, chars)
                else:
                    elements = raw.split(data)
                    tag = elements[0]
                    if comp in raw:
                        elements = [
                            (cached(value) or composite(value)) if comp in value else value
                            for value in elements[1:]
                        ]
                    else:
                        del elements[0]
                if tag not in known_tags:
                    self._check_tag(tag, raw, base + start, position)
                    known_tags.add(tag)
                yield new_segment(tag, elements, position, base + start)
            cut = pending if pending >= 0 else rel
            buf, base = buf[cut:], base + cut
            if eof:
                rest = buf.lstrip(_LEADING)
                if rest:
                    raise EdiSyntaxError(
                        f"file ends inside a segment: no terminator {term!r} after "
                        f"{rest[:40]!r} (truncated file?)",
                        segment_id=rest[:3],
                        position=position + 1,
                        offset=base + len(buf) - len(rest),
                    )
                return
            pieces.clear()
            chunk = self._read()
            eof = not chunk
            buf += decode(chunk, eof)
            read_bytes += len(chunk)
            del chunk

    def _check_tag(self, tag: str, raw: str, offset: int, position: int) -> None:
        if len(tag) == 3 and tag.isalnum() and tag.isupper():
            return
        if not raw:
            raise EdiSyntaxError(
                f"empty segment: two segment terminators {self.characters.segment!r} in a row",
                position=position,
                offset=offset,
            )
        raise EdiSyntaxError(
            f"unreadable segment: {raw[:30]!r} does not start with a segment tag of three "
            f"capitals before {self.characters.data!r}",
            segment_id=tag[:3],
            position=position,
            offset=offset,
        )


def _released(raw: str, esc: str) -> bool:
    """Whether the terminator after ``raw`` is released (an odd run of release characters)."""
    count = len(raw) - len(raw.rstrip(esc))
    return count % 2 == 1


def _split_released(text: str, chars: EdifactCharacters) -> tuple[str, list[Element]]:
    """A segment holding release characters: walk it once, honouring the releases."""
    data, comp, esc = chars.data, chars.component, chars.escape
    elements: list[list[str]] = [[]]
    current: list[str] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == esc and index + 1 < length:
            current.append(text[index + 1])
            index += 2
            continue
        if char == data:
            elements[-1].append("".join(current))
            elements.append([])
            current = []
        elif char == comp:
            elements[-1].append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    elements[-1].append("".join(current))
    tag = elements[0][0]
    out: list[Element] = [parts[0] if len(parts) == 1 else tuple(parts) for parts in elements[1:]]
    return tag, out


def read_edifact_segments(
    source: Source, *, encoding: str | None = None
) -> tuple[list[Segment], EdifactCharacters, bool]:
    """Segments (UNA excluded), the service characters, and whether a UNA was present."""
    with open_source(source) as fp:
        reader = EdifactSegmentReader(fp, encoding=encoding)
        segments = list(reader)
    return segments, reader.characters, reader.has_una


class _EdifactWalker:
    """Group segments into messages and check the envelopes, raising or collecting."""

    def __init__(self, *, strict: bool, validate: MessageValidator | None) -> None:
        self.strict = strict
        self.validate = validate
        self.interchange: EdifactInterchange | None = None
        self.count = 0  # messages seen, for UNZ01

    def issue(
        self,
        target: EdifactInterchange | EdifactMessage,
        message: str,
        *,
        code: str,
        segment: Segment,
        level: str,
    ) -> None:
        found = EdiIssue(
            message=message,
            level=level,  # type: ignore[arg-type]
            code=code,
            segment_id=segment.id,
            position=segment.position,
            offset=segment.offset,
        )
        if self.strict:
            raise EdiEnvelopeError.from_issue(found)
        target.issues.append(found)

    def run(
        self, segments: Iterable[Segment], characters: EdifactCharacters, has_una: bool
    ) -> EdifactInterchange:
        """The whole interchange with its messages."""
        for _ in self.walk(segments, characters, has_una, keep_messages=True):
            pass
        assert self.interchange is not None
        return self.interchange

    def walk(
        self,
        segments: Iterable[Segment],
        characters: EdifactCharacters,
        has_una: bool,
        *,
        keep_messages: bool,
    ) -> Iterator[EdifactMessage]:
        """Yield each message once its UNT (or what ends it) is read; memory holds one."""
        stream = iter(segments)
        first = next(stream, None)
        if first is None or first.id != "UNB":
            raise EdiSyntaxError(
                "an EDIFACT interchange starts with UNB (after an optional UNA)",
                segment_id=first.id if first else None,
                position=first.position if first else None,
                offset=first.offset if first else None,
            )
        interchange = EdifactInterchange(unb=first, characters=characters, has_una=has_una)
        self.interchange = interchange
        self.count = 0
        message: EdifactMessage | None = None
        references = _SeenControlNumbers()  # consecutive UNH01s cost no memory
        last = first
        append = None
        for seg in stream:
            sid = seg.id
            if append is not None and sid not in _SERVICE_TAGS:
                append(seg)  # the body of a message: most segments, kept short
                continue
            last = seg
            if interchange.unz is not None:
                raise EdiSyntaxError(
                    "segment after UNZ: one interchange per file",
                    segment_id=seg.id,
                    position=seg.position,
                    offset=seg.offset,
                )
            if message is not None:
                append = None
                if sid == "UNT":
                    self.end_message(message, seg)
                    yield message
                    message = None
                    continue
                self.issue(
                    message,
                    f"message {message.reference} has no UNT before {sid}",
                    code=CODE_MISSING,
                    segment=seg,
                    level="transaction",
                )
                self.finish_message(message)
                yield message
                message = None
            if sid == "UNH":
                message = EdifactMessage(unh=seg)
                append = message.body.append
                self.count += 1
                if keep_messages:
                    interchange.messages.append(message)
                if not references.add(message.reference):
                    self.issue(
                        message,
                        f"UNH01 {message.reference} is used twice in the interchange",
                        code=CODE_DUPLICATE,
                        segment=seg,
                        level="transaction",
                    )
            elif sid == "UNZ":
                interchange.unz = seg
                self.end_interchange(interchange, seg)
            elif sid in ("UNG", "UNE"):
                raise EdiSyntaxError(
                    "functional groups (UNG/UNE) are not supported",
                    segment_id=sid,
                    position=seg.position,
                    offset=seg.offset,
                )
            else:
                self.issue(
                    interchange,
                    f"segment {sid} outside a message",
                    code=CODE_OUTSIDE_MESSAGE,
                    segment=seg,
                    level="interchange",
                )
        if message is not None:
            last = message.body[-1] if message.body else message.unh
            self.issue(
                message,
                f"file ends inside message {message.reference} without UNT (truncated file?)",
                code=CODE_MISSING,
                segment=last,
                level="transaction",
            )
            self.finish_message(message)
            yield message
        if interchange.unz is None:
            self.issue(
                interchange,
                f"file ends without UNZ for interchange {interchange.control_reference} "
                "(truncated file?)",
                code=CODE_MISSING,
                segment=last,
                level="interchange",
            )

    def end_message(self, message: EdifactMessage, unt: Segment) -> None:
        message.unt = unt
        count = len(message.body) + 2
        declared = unt.text(1)
        if not declared.isdigit() or int(declared) != count:
            self.issue(
                message,
                f"UNT01 says {declared} segments but message {message.reference} has {count}",
                code=CODE_COUNT_DIFFERS,
                segment=unt,
                level="transaction",
            )
        if unt.text(2) != message.reference:
            self.issue(
                message,
                f"UNT02 {unt.text(2)} does not match UNH01 {message.reference}",
                code=CODE_REFERENCES_DIFFER,
                segment=unt,
                level="transaction",
            )
        self.finish_message(message)

    def finish_message(self, message: EdifactMessage) -> None:
        if self.validate is not None:
            message.issues.extend(self.validate(message))

    def end_interchange(self, interchange: EdifactInterchange, unz: Segment) -> None:
        declared = unz.text(1)
        count = self.count
        if not declared.isdigit() or int(declared) != count:
            self.issue(
                interchange,
                f"UNZ01 says {declared} messages but interchange "
                f"{interchange.control_reference} has {count}",
                code=CODE_COUNT_DIFFERS,
                segment=unz,
                level="interchange",
            )
        if unz.text(2) != interchange.control_reference:
            self.issue(
                interchange,
                f"UNZ02 {unz.text(2)} does not match UNB05 {interchange.control_reference}",
                code=CODE_REFERENCES_DIFFER,
                segment=unz,
                level="interchange",
            )


def parse_edifact(source: Source, *, encoding: str | None = None) -> EdifactInterchange:
    """One interchange, fully checked: a complete model or EdiSyntaxError.

    Text is decoded with the codec UNB01 names unless ``encoding`` is given; offsets in
    errors are byte offsets. For large files, ``iter_edifact_messages`` streams instead.
    """
    with open_source(source) as fp:
        reader = EdifactSegmentReader(fp, encoding=encoding)
        return _EdifactWalker(strict=True, validate=None).run(
            _lazy(reader), reader.characters, reader.has_una
        )


def validate_edifact(
    source: Source,
    *,
    encoding: str | None = None,
    validate: MessageValidator | None = None,
) -> EdifactInterchange:
    """Read an interchange collecting envelope (and ``validate``) issues, for a CONTRL.

    Still raises EdiSyntaxError for what cannot be split into segments at all.
    """
    with open_source(source) as fp:
        reader = EdifactSegmentReader(fp, encoding=encoding)
        return _EdifactWalker(strict=False, validate=validate).run(
            _lazy(reader), reader.characters, reader.has_una
        )


def iter_edifact_messages(
    source: Source, *, encoding: str | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[EdifactMessage]:
    """Stream the messages of an interchange, checking its envelopes; memory holds one message.

    A message is yielded before the UNZ is read, so treat them as provisional until the
    iteration ends without an EdiSyntaxError.
    """
    with open_source(source) as fp:
        reader = EdifactSegmentReader(fp, encoding=encoding, chunk_size=chunk_size)
        walker = _EdifactWalker(strict=True, validate=None)
        # The UNA is read with the first segment: the characters are known once it is out.
        segments = iter(reader)
        first = next(segments, None)
        stream = segments if first is None else _prepend(first, segments)
        yield from walker.walk(stream, reader.characters, reader.has_una, keep_messages=False)


def _lazy(reader: EdifactSegmentReader) -> Iterator[Segment]:
    segments = iter(reader)
    first = next(segments, None)
    return segments if first is None else _prepend(first, segments)


def _prepend(first: Segment, rest: Iterator[Segment]) -> Iterator[Segment]:
    yield first
    yield from rest


# Writing ------------------------------------------------------------------------------


def write_edifact(
    interchange: EdifactInterchange,
    *,
    characters: EdifactCharacters | None = None,
    una: bool | None = None,
    line_breaks: bool = False,
    encoding: str | None = None,
) -> bytes:
    """Serialize with the interchange's characters (or others), escaping what needs it.

    A UNA is written when the interchange had one, when asked, or whenever the characters
    are not the defaults (a reader could not know them otherwise).
    """
    chars = characters or interchange.characters
    with_una = una if una is not None else (interchange.has_una or chars != EdifactCharacters())
    if not with_una and chars != EdifactCharacters():
        raise EdiWriteError("non-default service characters need a UNA")
    serializer = Serializer(chars.to_pydifact())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = serializer.serialize(
            [_to_pydifact(seg) for seg in interchange.segments()],
            with_una_header=with_una,
            break_lines=line_breaks,
        )
    codec = encoding or SYNTAX_ENCODINGS.get(interchange.syntax_identifier, "iso8859-1")
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise EdiWriteError(
            f"{exc.object[exc.start : exc.end]!r} cannot be written in "
            f"{interchange.syntax_identifier} ({codec})"
        ) from None


def _to_pydifact(seg: Segment) -> PydifactSegment:
    elements: list[str | list[str]] = []
    for value in seg.elements:
        if isinstance(value, str):
            elements.append(value)
        elif isinstance(value, tuple):
            elements.append(list(value))
        else:
            raise EdiWriteError(f"{seg.id}: EDIFACT repetitions are not supported")
    return PydifactSegment(seg.id, *elements)


def build_edifact_interchange(
    *,
    sender: Party,
    recipient: Party,
    messages: Sequence[OutboundMessage],
    control_numbers: ControlNumberSource,
    syntax: tuple[str, str] = ("UNOC", "3"),
    now: datetime | None = None,
    characters: EdifactCharacters | None = None,
    una: bool = True,
    test: bool = False,
) -> EdifactInterchange:
    """An interchange around ``messages`` with references from ``control_numbers``."""
    moment = now or datetime.now()
    reference = str(
        control_numbers.next(sender=sender.key, receiver=recipient.key, kind="interchange")
    )
    date = moment.strftime("%y%m%d") if syntax[1] < "4" else moment.strftime("%Y%m%d")
    unb_elements: list[Element] = [
        syntax,
        _party_element(sender),
        _party_element(recipient),
        (date, moment.strftime("%H%M")),
        reference,
    ]
    if test:
        unb_elements += ["", "", "", "", "", "1"]
    interchange = EdifactInterchange(
        unb=Segment("UNB", unb_elements),
        characters=characters or EdifactCharacters(),
        has_una=una,
    )
    for outbound in messages:
        ref = str(
            control_numbers.next(sender=sender.key, receiver=recipient.key, kind="transaction")
        )
        body = list(outbound.body)
        interchange.messages.append(
            EdifactMessage(
                unh=Segment("UNH", [ref, tuple(outbound.identifier)]),
                body=body,
                unt=Segment("UNT", [str(len(body) + 2), ref]),
            )
        )
    interchange.unz = Segment("UNZ", [str(len(interchange.messages)), reference])
    return interchange


def _party_element(party: Party) -> Element:
    return (party.id, party.qualifier) if party.qualifier else party.id
