"""Crossdock collaboration documents: versioned JSON for case events no EDI standard covers."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from .control_numbers import ControlNumberSource
from .errors import CollabDocumentError
from .parties import Party

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "docs" / "tradinggrid-collaboration.schema.json"
SCHEMA_NAME = "crossdock.collaboration"
# What we write. We read every 1.x (the schema's pattern): a minor version only adds optional
# fields, and a document using a field this schema file does not know fails it anyway.
SCHEMA_VERSION = "1.1"
# Fields 1.1 added to an event's data: a document that says 1.0 may not use them, as a 1.0
# reader (whose objects are closed) would refuse it.
ADDED_IN_1_1: dict[str, frozenset[str]] = {
    "case.created": frozenset({"lines", "detail"}),
    "case.transitioned": frozenset({"payload"}),
}
# The X12 identifiers a 997 acknowledges a collaboration document with (AK101, AK201).
FUNCTIONAL_ID = "ZZ"
SET_ID = "CXD"
EVENT_TYPES = (
    "case.created",
    "message.posted",
    "case.transitioned",
    "file.attached",
    "document.requested",
    "checklist.updated",
)
# What a partner may send back: a reply, a transition, a file.
PARTNER_EVENT_TYPES = frozenset({"message.posted", "case.transitioned", "file.attached"})
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CollabCase:
    public_id: str
    kind: str
    partner_reference: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "public_id": self.public_id,
            "partner_reference": self.partner_reference,
            "kind": self.kind,
        }


@dataclass(frozen=True, slots=True)
class CollabControl:
    """Control numbers as ISA13 / GS06 / ST02: ``key`` is what the ledger and a 997 match on."""

    interchange: str
    group: str
    transaction: str
    functional_id: str = FUNCTIONAL_ID
    set_id: str = SET_ID

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.interchange, self.group, self.transaction)

    def as_dict(self) -> dict[str, str]:
        return {
            "interchange": self.interchange,
            "group": self.group,
            "transaction": self.transaction,
            "functional_id": self.functional_id,
            "set_id": self.set_id,
        }


@dataclass(frozen=True, slots=True)
class CollabFile:
    """A file carried in the document; size and sha256 are computed from ``content``."""

    name: str
    content_type: str
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def as_dict(self, *, with_content: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }
        if with_content:
            data["content_base64"] = base64.b64encode(self.content).decode("ascii")
        return data


@dataclass(frozen=True)
class CollabDocument:
    """A validated collaboration document."""

    schema_version: str
    document_id: str
    sent_at: datetime
    sender: Party
    receiver: Party
    control: CollabControl
    case: CollabCase
    event_type: str
    event_data: dict[str, Any]
    occurred_at: datetime
    actor: dict[str, str] | None = None
    files: tuple[CollabFile, ...] = ()
    in_reply_to: str | None = None

    def as_dict(self, *, with_content: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": SCHEMA_NAME,
            "schema_version": self.schema_version,
            "document_id": self.document_id,
            "sent_at": _timestamp(self.sent_at),
            "sender": self.sender.as_dict(),
            "receiver": self.receiver.as_dict(),
            "control": self.control.as_dict(),
            "case": self.case.as_dict(),
            "event": {
                "type": self.event_type,
                "occurred_at": _timestamp(self.occurred_at),
                "data": self.event_data,
            },
            "files": [f.as_dict(with_content=with_content) for f in self.files],
        }
        if self.actor:
            data["event"]["actor"] = dict(self.actor)
        if self.in_reply_to:
            data["in_reply_to"] = self.in_reply_to
        return data

    def to_bytes(self) -> bytes:
        """Canonical UTF-8 JSON (sorted keys, no spaces): the bytes that go in the mailbox."""
        return json.dumps(
            self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    with open(SCHEMA_PATH, encoding="utf-8") as fp:
        return json.load(fp)


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def build_document(
    *,
    event_type: str,
    event_data: Mapping[str, Any],
    case: CollabCase,
    sender: Party,
    receiver: Party,
    control_numbers: ControlNumberSource,
    files: Sequence[CollabFile] = (),
    actor: Mapping[str, str] | None = None,
    in_reply_to: str | None = None,
    occurred_at: datetime | None = None,
    sent_at: datetime | None = None,
    document_id: str | None = None,
    schema_version: str = SCHEMA_VERSION,
) -> CollabDocument:
    """A new document with control numbers drawn from the same sequences as X12 to ``receiver``.

    The result is validated like an inbound one, so an invalid event never leaves.
    ``schema_version`` is for tests and tools that must speak to a 1.0 reader.
    """
    moment = sent_at or datetime.now(UTC)
    keys = {"sender": sender.key, "receiver": receiver.key}
    control = CollabControl(
        interchange=str(control_numbers.next(**keys, kind="interchange")).zfill(9),
        group=str(control_numbers.next(**keys, kind="group")),
        transaction=str(control_numbers.next(**keys, kind="transaction")).zfill(4),
    )
    document = CollabDocument(
        schema_version=schema_version,
        document_id=document_id or str(uuid.uuid4()),
        sent_at=moment,
        sender=sender,
        receiver=receiver,
        control=control,
        case=case,
        event_type=event_type,
        event_data=dict(event_data),
        occurred_at=occurred_at or moment,
        actor=dict(actor) if actor else None,
        files=tuple(files),
        in_reply_to=in_reply_to,
    )
    return parse_document(document.to_bytes())


def parse_document(
    data: bytes | str, *, allowed_event_types: Collection[str] | None = None
) -> CollabDocument:
    """Validate a document against the schema, decode its files and check size and sha256.

    Raises CollabDocumentError naming the failing field. ``allowed_event_types`` narrows
    what is accepted, e.g. ``PARTNER_EVENT_TYPES`` for documents from partners.
    """
    raw = read_document_json(data)
    errors = list(_validator().iter_errors(raw))
    if errors:
        error = best_match(errors)
        path = "/".join(str(part) for part in error.absolute_path) or "(document)"
        raise CollabDocumentError(f"schema violation: {_short(error.message)}", path=path)
    event = raw["event"]
    if raw["schema_version"] == "1.0":
        newer = sorted(ADDED_IN_1_1.get(event["type"], frozenset()) & set(event["data"]))
        if newer:
            raise CollabDocumentError(
                f"{', '.join(newer)} came with schema 1.1; this document says 1.0",
                path=f"event/data/{newer[0]}",
            )
    if allowed_event_types is not None and event["type"] not in allowed_event_types:
        raise CollabDocumentError(
            f"event type {event['type']} is not accepted here", path="event/type"
        )
    files = tuple(_decode_file(entry, index) for index, entry in enumerate(raw["files"]))
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise CollabDocumentError("two files have the same name", path="files")
    if event["type"] == "file.attached":
        missing = sorted(set(event["data"]["file_names"]) - set(names))
        if missing:
            raise CollabDocumentError(
                f"file_names lists {', '.join(missing)} but files does not carry it",
                path="event/data/file_names",
            )
    control = raw["control"]
    case = raw["case"]
    return CollabDocument(
        schema_version=raw["schema_version"],
        document_id=raw["document_id"],
        sent_at=_parse_timestamp(raw["sent_at"], path="sent_at"),
        sender=Party(qualifier=raw["sender"]["qualifier"], id=raw["sender"]["id"]),
        receiver=Party(qualifier=raw["receiver"]["qualifier"], id=raw["receiver"]["id"]),
        control=CollabControl(
            interchange=control["interchange"],
            group=control["group"],
            transaction=control["transaction"],
            functional_id=control["functional_id"],
            set_id=control["set_id"],
        ),
        case=CollabCase(
            public_id=case["public_id"],
            kind=case["kind"],
            partner_reference=case.get("partner_reference"),
        ),
        event_type=event["type"],
        event_data=event["data"],
        occurred_at=_parse_timestamp(event["occurred_at"], path="event/occurred_at"),
        actor=event.get("actor"),
        files=files,
        in_reply_to=raw.get("in_reply_to"),
    )


def read_document_json(data: bytes | str) -> dict[str, Any]:
    """The JSON object of a document, unvalidated (for acknowledging a broken one)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CollabDocumentError(f"document is larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CollabDocumentError(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise CollabDocumentError("a collaboration document is a JSON object")
    return raw


def _decode_file(entry: Mapping[str, Any], index: int) -> CollabFile:
    path = f"files/{index}"
    try:
        content = base64.b64decode(entry["content_base64"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CollabDocumentError(f"content_base64 is not base64: {exc}", path=path) from None
    if len(content) != entry["size"]:
        raise CollabDocumentError(
            f"{entry['name']} is {len(content)} bytes but size says {entry['size']}", path=path
        )
    digest = hashlib.sha256(content).hexdigest()
    if digest != entry["sha256"]:
        raise CollabDocumentError(
            f"{entry['name']} has sha256 {digest}, document says {entry['sha256']}", path=path
        )
    return CollabFile(name=entry["name"], content_type=entry["content_type"], content=content)


def _parse_timestamp(value: str, *, path: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise CollabDocumentError(f"{value!r} is not a date-time", path=path) from None


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        raise CollabDocumentError("timestamps must carry a time zone")
    text = value.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _short(message: str) -> str:
    # A failing base64 payload would otherwise be echoed whole into the message.
    return message if len(message) <= 300 else message[:300] + "..."
