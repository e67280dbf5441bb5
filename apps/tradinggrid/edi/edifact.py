"""EDIFACT through pydifact: UNA-aware reading and writing, UNB/UNZ and UNH/UNT checks."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydifact.control import Characters
from pydifact.exceptions import EDISyntaxError as PydifactSyntaxError
from pydifact.parser import Parser
from pydifact.segments import Segment as PydifactSegment
from pydifact.segments import SegmentFactory
from pydifact.serializer import Serializer

from .control_numbers import ControlNumberSource
from .errors import EdiEnvelopeError, EdiIssue, EdiSyntaxError, EdiWriteError
from .parties import Party
from .segments import Element, Segment
from .sources import Source, open_source

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
_AFTER_TERMINATOR = " \r\n"


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


class _QuietFactory(SegmentFactory):
    # pydifact validates each segment against directories it does not ship and warns;
    # we check envelopes ourselves, so validation is switched off.
    def create_segment(  # type: ignore[override]
        self,
        name: str,
        *elements: object,
        validate: bool = True,
        version: str | None = None,
        directory: str | None = None,
    ) -> PydifactSegment:
        return super().create_segment(
            name, *elements, validate=False, version=version or "", directory=directory or ""
        )


# Reading ------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """The codec named by UNB01 (UNOA..UNOY); ISO 8859-1 when it names none we know."""
    found = _SYNTAX_ID.search(data[:512])
    return SYNTAX_ENCODINGS.get(found.group(1).decode(), "iso8859-1") if found else "iso8859-1"


def read_edifact_segments(
    source: Source, *, encoding: str | None = None
) -> tuple[list[Segment], EdifactCharacters, bool]:
    """Segments (UNA excluded), the service characters, and whether a UNA was present."""
    with open_source(source) as fp:
        raw = fp.read()
    if isinstance(raw, bytes):
        codec = encoding or detect_encoding(raw)
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            raise EdiSyntaxError(
                f"bytes that are not {codec} (from UNB01) at offset {exc.start}",
                offset=exc.start,
            ) from None
    else:
        text = raw
    lead = len(text) - len(text.lstrip("\ufeff \r\n\t"))
    text = text[lead:]
    if not text:
        raise EdiSyntaxError("file is empty: an EDIFACT interchange starts with UNA or UNB")
    has_una = text.startswith("UNA")
    characters = EdifactCharacters.from_una(text[:9]) if has_una else EdifactCharacters()
    offsets = _segment_offsets(text, characters, has_una, lead)
    parser = Parser(factory=_QuietFactory(), characters=characters.to_pydifact())
    segments: list[Segment] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for parsed in parser.parse(text, characters.to_pydifact()):
                if parsed.tag == "UNA":
                    continue
                position = len(segments) + (2 if has_una else 1)
                offset = offsets[len(segments)] if len(segments) < len(offsets) else None
                segments.append(
                    Segment(
                        parsed.tag, [_element(v) for v in parsed.elements], position, offset or 0
                    )
                )
        except (PydifactSyntaxError, ValueError) as exc:
            position = len(segments) + (2 if has_una else 1)
            offset = offsets[len(segments)] if len(segments) < len(offsets) else None
            reason = str(exc).removeprefix("EDIFACT Syntax Error: ")
            raise EdiSyntaxError(
                f"unreadable segment: {reason}", position=position, offset=offset
            ) from None
    return segments, characters, has_una


def _element(value: object) -> Element:
    if isinstance(value, list):
        return tuple(str(part) for part in value)
    return "" if value is None else str(value)


def _segment_offsets(
    text: str, characters: EdifactCharacters, has_una: bool, lead: int
) -> list[int]:
    """Start offsets of the segments after the UNA; raises on a file cut inside a segment."""
    term, escape = characters.segment, characters.escape
    offsets: list[int] = []
    index = 9 if has_una else 0
    length = len(text)
    while True:
        while index < length and text[index] in _AFTER_TERMINATOR:
            index += 1
        if index >= length:
            return offsets
        start = index
        search = index
        while True:
            found = text.find(term, search)
            if found == -1:
                shown = text[start : start + 40]
                raise EdiSyntaxError(
                    f"file ends inside a segment: no terminator {term!r} after {shown!r} "
                    "(truncated file?)",
                    segment_id=text[start : start + 3],
                    position=len(offsets) + (2 if has_una else 1),
                    offset=lead + start,
                )
            escapes = 0
            back = found - 1
            while back >= start and text[back] == escape:
                escapes += 1
                back -= 1
            if escapes % 2 == 0:
                break
            search = found + 1
        offsets.append(lead + start)
        index = found + 1


class _EdifactWalker:
    """Group segments into messages and check the envelopes, raising or collecting."""

    def __init__(self, *, strict: bool, validate: MessageValidator | None) -> None:
        self.strict = strict
        self.validate = validate

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
        self, segments: list[Segment], characters: EdifactCharacters, has_una: bool
    ) -> EdifactInterchange:
        if not segments or segments[0].id != "UNB":
            first = segments[0] if segments else None
            raise EdiSyntaxError(
                "an EDIFACT interchange starts with UNB (after an optional UNA)",
                segment_id=first.id if first else None,
                position=first.position if first else None,
                offset=first.offset if first else None,
            )
        interchange = EdifactInterchange(unb=segments[0], characters=characters, has_una=has_una)
        message: EdifactMessage | None = None
        references: set[str] = set()
        for seg in segments[1:]:
            if interchange.unz is not None:
                raise EdiSyntaxError(
                    "segment after UNZ: one interchange per file",
                    segment_id=seg.id,
                    position=seg.position,
                    offset=seg.offset,
                )
            sid = seg.id
            if message is not None:
                if sid == "UNT":
                    self.end_message(message, seg)
                    message = None
                    continue
                if sid not in ("UNH", "UNZ", "UNB", "UNG", "UNE"):
                    message.body.append(seg)
                    continue
                self.issue(
                    message,
                    f"message {message.reference} has no UNT before {sid}",
                    code=CODE_MISSING,
                    segment=seg,
                    level="transaction",
                )
                self.finish_message(message)
                message = None
            if sid == "UNH":
                message = EdifactMessage(unh=seg)
                interchange.messages.append(message)
                if message.reference in references:
                    self.issue(
                        message,
                        f"UNH01 {message.reference} is used twice in the interchange",
                        code=CODE_DUPLICATE,
                        segment=seg,
                        level="transaction",
                    )
                references.add(message.reference)
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
        last = segments[-1]
        if message is not None:
            self.issue(
                message,
                f"file ends inside message {message.reference} without UNT (truncated file?)",
                code=CODE_MISSING,
                segment=last,
                level="transaction",
            )
            self.finish_message(message)
        if interchange.unz is None:
            self.issue(
                interchange,
                f"file ends without UNZ for interchange {interchange.control_reference} "
                "(truncated file?)",
                code=CODE_MISSING,
                segment=last,
                level="interchange",
            )
        return interchange

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
        count = len(interchange.messages)
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

    The file is read whole (EDIFACT files are small; pydifact parses strings). Text is
    decoded with the codec UNB01 names unless ``encoding`` is given; offsets in errors are
    character offsets.
    """
    segments, characters, has_una = read_edifact_segments(source, encoding=encoding)
    return _EdifactWalker(strict=True, validate=None).run(segments, characters, has_una)


def validate_edifact(
    source: Source,
    *,
    encoding: str | None = None,
    validate: MessageValidator | None = None,
) -> EdifactInterchange:
    """Read an interchange collecting envelope (and ``validate``) issues, for a CONTRL.

    Still raises EdiSyntaxError for what cannot be split into segments at all.
    """
    segments, characters, has_una = read_edifact_segments(source, encoding=encoding)
    return _EdifactWalker(strict=False, validate=validate).run(segments, characters, has_una)


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
