"""Errors and collected issues of the EDI library, each pointing at the segment that caused it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IssueLevel = Literal["interchange", "group", "transaction", "segment", "element"]
Severity = Literal["error", "warning"]


class EdiError(Exception):
    """Base of every error this library raises on purpose."""


class EdiSyntaxError(EdiError):
    """A document that cannot be read as the standard says, located by segment and offset.

    ``position`` is the 1-based ordinal of the segment in the file and ``offset`` the 0-based
    byte offset of its first character (a character offset for EDIFACT, which is decoded
    before it is split).
    """

    def __init__(
        self,
        message: str,
        *,
        segment_id: str | None = None,
        position: int | None = None,
        offset: int | None = None,
        code: str | None = None,
    ) -> None:
        self.reason = message
        self.segment_id = segment_id
        self.position = position
        self.offset = offset
        self.code = code
        super().__init__(_locate(message, segment_id, position, offset))

    @classmethod
    def from_issue(cls, issue: EdiIssue) -> EdiSyntaxError:
        return cls(
            issue.message,
            segment_id=issue.segment_id,
            position=issue.position,
            offset=issue.offset,
            code=issue.code,
        )


class EdiEnvelopeError(EdiSyntaxError):
    """Envelope counts or control numbers that disagree (ISA/IEA, GS/GE, ST/SE, UNB/UNZ, UNH/UNT)."""


class EdiWriteError(EdiError, ValueError):
    """A segment that cannot be written: a value holds a delimiter, or envelopes are misnested."""


class MappingError(EdiError):
    """A transaction set that a registered mapping cannot turn into a domain payload, or back."""


class CollabDocumentError(EdiError):
    """A collaboration document that fails its schema, its checksums or its base64."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.reason = message
        self.path = path
        super().__init__(f"{message} (at {path})" if path else message)


@dataclass(frozen=True, slots=True)
class EdiIssue:
    """One problem found while validating, kept so an acknowledgement can report it.

    ``code`` is the code of the standard's acknowledgement: X12 718 (AK5), 716 (AK9),
    720 (AK3) or 723 (AK4); EDIFACT 0085 for CONTRL.
    ``segment_index`` is the position inside the transaction set or message (its header = 1),
    which is what AK302 and UCS01 report.
    """

    message: str
    level: IssueLevel
    code: str
    segment_id: str | None = None
    position: int | None = None
    offset: int | None = None
    severity: Severity = "error"
    segment_index: int | None = None
    element_position: int | None = None
    component_position: int | None = None
    element_reference: str | None = None
    bad_value: str | None = None

    def __str__(self) -> str:
        return _locate(self.message, self.segment_id, self.position, self.offset)

    def as_dict(self) -> dict[str, object]:
        data = {
            "message": self.message,
            "level": self.level,
            "code": self.code,
            "severity": self.severity,
            "segment_id": self.segment_id,
            "position": self.position,
            "offset": self.offset,
            "segment_index": self.segment_index,
            "element_position": self.element_position,
            "component_position": self.component_position,
            "element_reference": self.element_reference,
            "bad_value": self.bad_value,
        }
        return {key: value for key, value in data.items() if value is not None}


def _locate(message: str, segment_id: str | None, position: int | None, offset: int | None) -> str:
    where = [
        part
        for part in (
            f"segment {position}" if position is not None else None,
            segment_id,
            f"offset {offset}" if offset is not None else None,
        )
        if part
    ]
    return f"{message} ({', '.join(where)})" if where else message
