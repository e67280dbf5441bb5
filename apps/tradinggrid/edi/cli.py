"""What ``manage.py edi`` does, callable without Django: detect, inspect, acknowledge a file."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TextIO

from .acks import build_997, build_997_for_collab, build_contrl
from .collab import parse_document, read_document_json
from .control_numbers import (
    ControlNumberSource,
    FileControlNumberSource,
    MemoryControlNumberSource,
)
from .edifact import EdifactInterchange, validate_edifact, write_edifact
from .errors import CollabDocumentError, EdiError, EdiIssue
from .mappings import validate_x12_transaction
from .segment_names import segment_name
from .segments import Segment, element_to_json
from .x12_envelopes import Interchange, validate_interchanges
from .x12_writer import write_interchange

DocumentFormat = Literal["x12", "edifact", "collab"]
_SNIFF_BYTES = 512


def detect_format(head: bytes) -> DocumentFormat:
    """X12, EDIFACT or collaboration JSON, from the first bytes of a document."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"ISA"):
        return "x12"
    if text.startswith((b"UNA", b"UNB")):
        return "edifact"
    if text.startswith(b"{"):
        return "collab"
    shown = text[:20].decode("latin-1")
    raise EdiError(f"not X12 (ISA), EDIFACT (UNA/UNB) or collaboration JSON: starts {shown!r}")


def inspect_file(path: Path) -> dict[str, Any]:
    """The document as a JSON-ready dict, issues included; raises EdiError if unreadable."""
    fmt = _detect_path(path)
    if fmt == "x12":
        interchanges = validate_interchanges(path, validate=validate_x12_transaction)
        return {
            "format": "x12",
            "interchanges": [_x12_interchange(ic) for ic in interchanges],
            "issues": [issue.as_dict() for ic in interchanges for issue in ic.all_issues()],
        }
    if fmt == "edifact":
        interchange = validate_edifact(path)
        return {
            "format": "edifact",
            "interchange": _edifact_interchange(interchange),
            "issues": [issue.as_dict() for issue in interchange.all_issues()],
        }
    data = path.read_bytes()
    try:
        document = parse_document(data)
    except CollabDocumentError as exc:
        raw = read_document_json(data)
        for entry in raw.get("files") or []:
            if isinstance(entry, dict) and "content_base64" in entry:
                entry["content_base64"] = f"<{len(str(entry['content_base64']))} characters>"
        return {
            "format": "collab",
            "document": raw,
            "issues": [{"message": str(exc), "level": "document", "severity": "error"}],
        }
    return {"format": "collab", "document": document.as_dict(with_content=False), "issues": []}


def acknowledge_file(
    path: Path, *, control_numbers: ControlNumberSource | None = None, now: datetime | None = None
) -> str:
    """The 997 (X12, collab) or CONTRL (EDIFACT) we would send for the file, as text."""
    source = control_numbers or MemoryControlNumberSource()
    fmt = _detect_path(path)
    if fmt == "x12":
        interchanges = validate_interchanges(path, validate=validate_x12_transaction)
        return "".join(
            _x12_text(build_997(interchange=ic, control_numbers=source, now=now))
            for ic in interchanges
        )
    if fmt == "edifact":
        contrl = build_contrl(interchange=validate_edifact(path), control_numbers=source, now=now)
        return write_edifact(contrl, line_breaks=True).decode(
            "utf-8" if contrl.syntax_identifier in ("UNOW", "UNOY") else "latin-1"
        )
    ack = build_997_for_collab(data=path.read_bytes(), control_numbers=source, now=now)
    return _x12_text(ack)


def first_error(report: dict[str, Any]) -> str | None:
    """One line naming the first error of an ``inspect_file`` report, if any."""
    errors = [i for i in report["issues"] if i.get("severity") == "error"]
    if not errors:
        return None
    first = errors[0]
    where = ", ".join(
        str(part)
        for part in (
            f"segment {first['position']}" if "position" in first else None,
            first.get("segment_id"),
            f"offset {first['offset']}" if "offset" in first else None,
        )
        if part
    )
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{first['message']}{f' ({where})' if where else ''}{more}"


def run(*, action: str, path: Path, out: TextIO, control_dir: Path | None = None) -> str | None:
    """Write the inspection JSON or the acknowledgement to ``out``.

    Returns a one-line message when the command must fail (unreadable file, or errors
    found by ``inspect``), None otherwise; ``manage.py edi`` is a thin wrapper around it.
    """
    if not path.is_file():
        return f"{path}: no such file"
    try:
        if action == "inspect":
            report = inspect_file(path)
            out.write(to_json(report) + "\n")
            return first_error(report)
        if action == "ack":
            source = FileControlNumberSource(control_dir) if control_dir else None
            text = acknowledge_file(path, control_numbers=source)
            out.write(text if text.endswith("\n") else text + "\n")
            return None
    except EdiError as exc:
        return " ".join(str(exc).split())
    return f"unknown action {action!r}: use inspect or ack"


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _detect_path(path: Path) -> DocumentFormat:
    with open(path, "rb") as fp:
        return detect_format(fp.read(_SNIFF_BYTES))


def _x12_text(interchange: Interchange) -> str:
    data = write_interchange(interchange)
    assert data is not None
    return data.decode("utf-8")


def _segment(seg: Segment, *, standard: str) -> dict[str, Any]:
    return {
        "id": seg.id,
        "name": segment_name(standard=standard, segment_id=seg.id),
        "position": seg.position,
        "offset": seg.offset,
        "elements": [element_to_json(value) for value in seg.elements],
    }


def _issues(issues: list[EdiIssue]) -> list[dict[str, Any]]:
    return [issue.as_dict() for issue in issues]


def _x12_interchange(ic: Interchange) -> dict[str, Any]:
    return {
        "control_number": ic.control_number,
        "sender": ic.sender.as_dict(),
        "receiver": ic.receiver.as_dict(),
        "date": ic.date,
        "time": ic.time,
        "version": ic.version,
        "usage_indicator": ic.usage_indicator,
        "delimiters": ic.delimiters.as_dict(),
        "isa": _segment(ic.isa, standard="x12"),
        "groups": [
            {
                "functional_id": group.functional_id,
                "control_number": group.control_number,
                "application_sender": group.application_sender,
                "application_receiver": group.application_receiver,
                "version": group.version,
                "gs": _segment(group.gs, standard="x12"),
                "transactions": [
                    {
                        "set_id": transaction.set_id,
                        "control_number": transaction.control_number,
                        "segment_count": transaction.segment_count,
                        "segments": [_segment(s, standard="x12") for s in transaction.segments],
                        "issues": _issues(transaction.issues),
                    }
                    for transaction in group.transactions
                ],
                "ge": _segment(group.ge, standard="x12") if group.ge else None,
                "issues": _issues(group.issues),
            }
            for group in ic.groups
        ],
        "iea": _segment(ic.iea, standard="x12") if ic.iea else None,
        "issues": _issues(ic.issues),
    }


def _edifact_interchange(ic: EdifactInterchange) -> dict[str, Any]:
    return {
        "control_reference": ic.control_reference,
        "syntax": {"identifier": ic.syntax_identifier, "version": ic.syntax_version},
        "una": ic.characters.una if ic.has_una else None,
        "sender": ic.sender.as_dict(),
        "recipient": ic.recipient.as_dict(),
        "unb": _segment(ic.unb, standard="edifact"),
        "messages": [
            {
                "reference": message.reference,
                "identifier": list(message.identifier),
                "segments": [_segment(s, standard="edifact") for s in message.segments],
                "issues": _issues(message.issues),
            }
            for message in ic.messages
        ],
        "unz": _segment(ic.unz, standard="edifact") if ic.unz else None,
        "issues": _issues(ic.issues),
    }
