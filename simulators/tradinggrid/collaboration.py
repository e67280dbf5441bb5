"""Crossdock's JSON collaboration documents as a partner reads them: tolerant lookups and a reply.

Partners build against the published schema (`docs/tradinggrid-collaboration.schema.json` in the
portal's repository: `control`, `event.type`, `case.public_id`, ...). The schema is still moving,
so reading also accepts an `envelope` object and flat keys. Everything this simulator assumes
about the schema lives in this module, so a schema change is a change here and nowhere else.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .participants import Address

SCHEMA = "crossdock.collaboration"
# What this simulator writes when a document carries 1.1 fields (a transition's payload).
SCHEMA_VERSION = "1.1"
EVENTS_ANSWERED = frozenset(
    {"case.created", "message.posted", "case.transitioned", "document.requested"}
)
REPLY_EVENT = "message.posted"
TRANSITION_EVENT = "case.transitioned"
FILE_EVENT = "file.attached"
# The schema's markers for a collaboration document in a 997 (AK101 and AK201).
DEFAULT_FUNCTIONAL_ID, DEFAULT_SET_ID = "ZZ", "CXD"

# Control numbers by their names here, with the names each known dialect uses:
# the schema's `control` object, then an `envelope` object or the top level.
_CONTROL_NAMES = {
    "interchange_control_number": ("interchange", "interchange_control_number"),
    "group_control_number": ("group", "group_control_number"),
    "transaction_control_number": ("transaction", "transaction_control_number"),
    "functional_id": ("functional_id",),
    "transaction_set": ("set_id", "transaction_set"),
}
_CASE_IDENTITY_KEYS = ("public_id", "kind", "partner_reference", "id", "reference")


def lookup(document: Mapping[str, Any], *keys: str) -> Any:
    """The first of `keys` found in `control`, then `envelope`, then the top level."""
    for container in (document.get("control"), document.get("envelope"), document):
        if isinstance(container, Mapping):
            for key in keys:
                if container.get(key) not in (None, ""):
                    return container[key]
    return None


def control_numbers(document: Mapping[str, Any]) -> dict[str, str]:
    """The X12-style control numbers the document carries, as strings; missing ones left out."""
    found = {name: lookup(document, *keys) for name, keys in _CONTROL_NAMES.items()}
    return {name: str(value) for name, value in found.items() if value is not None}


def address(document: Mapping[str, Any], key: str) -> Address | None:
    """The `sender` or `receiver` object (`{"qualifier": "ZZ", "id": "SUP001"}`), if well formed."""
    value = document.get(key)
    if not isinstance(value, Mapping):
        value = lookup(document, key)
    if not isinstance(value, Mapping) or not value.get("id"):
        return None
    return Address(str(value.get("qualifier") or ""), str(value["id"]))


def event_name(document: Mapping[str, Any]) -> str | None:
    """What happened (`case.created`, ...): `event.type` in the schema, or a plain string."""
    event = document.get("event")
    if isinstance(event, Mapping):
        event = event.get("type")
    if not isinstance(event, str) or not event:
        event = lookup(document, "type", "event_type")
    return event if isinstance(event, str) and event else None


def document_id(document: Mapping[str, Any]) -> str | None:
    value = document.get("document_id") or document.get("id")
    return str(value) if value else None


def document_reference(document: Mapping[str, Any]) -> str:
    """A short reference for logs: the document id, else its interchange control number."""
    value = document_id(document) or lookup(document, *_CONTROL_NAMES["interchange_control_number"])
    return "" if value is None else str(value)


def case_kind(document: Mapping[str, Any]) -> str | None:
    case = document.get("case")
    kind = case.get("kind") if isinstance(case, Mapping) else None
    return kind if isinstance(kind, str) else None


def case_id(document: Mapping[str, Any]) -> str | None:
    case = document.get("case")
    value = case.get("public_id") if isinstance(case, Mapping) else None
    return str(value) if value else None


def event_data(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """`event.data`, or an empty mapping for a document without one."""
    event = document.get("event")
    data = event.get("data") if isinstance(event, Mapping) else None
    return data if isinstance(data, Mapping) else {}


def build_reply(
    *,
    inbound: Mapping[str, Any],
    sender: Address,
    receiver: Address,
    partner_name: str,
    control_number: int,
    now: datetime,
    body: str | None = None,
) -> dict[str, Any]:
    """The schema's `message.posted` a partner sends back about the same case."""
    inbound_data = event_data(inbound)
    data: dict[str, Any] = {
        "message_id": str(uuid.uuid4()),
        "body": body
        or (
            f"{partner_name} here: we received your {event_name(inbound) or 'document'} "
            "and are looking into it."
        ),
    }
    if inbound_data.get("message_id"):
        data["in_reply_to_message_id"] = str(inbound_data["message_id"])
    return _document(
        inbound=inbound,
        sender=sender,
        receiver=receiver,
        partner_name=partner_name,
        control_number=control_number,
        now=now,
        event_type=REPLY_EVENT,
        data=data,
        # Nothing of 1.1 in a reply: answer in the version the retailer wrote.
        schema_version=str(inbound.get("schema_version") or SCHEMA_VERSION),
    )


def build_transition(
    *,
    inbound: Mapping[str, Any],
    sender: Address,
    receiver: Address,
    partner_name: str,
    control_number: int,
    now: datetime,
    transition: str,
    to_status: str,
    reason: str = "",
    payload: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The schema's `case.transitioned`: a step of the case's flow, with its data (1.1)."""
    data: dict[str, Any] = {"transition": transition, "to_status": to_status}
    if reason:
        data["reason"] = reason[:2000]
    if payload:
        data["payload"] = dict(payload)
    return _document(
        inbound=inbound,
        sender=sender,
        receiver=receiver,
        partner_name=partner_name,
        control_number=control_number,
        now=now,
        event_type=TRANSITION_EVENT,
        data=data,
        schema_version=SCHEMA_VERSION if payload else str(inbound.get("schema_version") or "1.0"),
    )


def build_file(
    *,
    inbound: Mapping[str, Any],
    sender: Address,
    receiver: Address,
    partner_name: str,
    control_number: int,
    now: datetime,
    name: str,
    content: bytes,
    content_type: str = "application/pdf",
    description: str = "",
    document_request_id: str | None = None,
) -> dict[str, Any]:
    """The schema's `file.attached`: one embedded file, naming the request it answers."""
    data: dict[str, Any] = {"file_names": [name]}
    if description:
        data["description"] = description[:2000]
    if document_request_id:
        data["document_request_id"] = document_request_id
    document = _document(
        inbound=inbound,
        sender=sender,
        receiver=receiver,
        partner_name=partner_name,
        control_number=control_number,
        now=now,
        event_type=FILE_EVENT,
        data=data,
        schema_version=SCHEMA_VERSION,
    )
    document["files"] = [
        {
            "name": name,
            "content_type": content_type,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "content_base64": base64.b64encode(content).decode("ascii"),
        }
    ]
    return document


def _document(
    *,
    inbound: Mapping[str, Any],
    sender: Address,
    receiver: Address,
    partner_name: str,
    control_number: int,
    now: datetime,
    event_type: str,
    data: dict[str, Any],
    schema_version: str,
) -> dict[str, Any]:
    inbound_controls = control_numbers(inbound)
    timestamp = now.isoformat().replace("+00:00", "Z")
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": schema_version,
        "document_id": str(uuid.uuid4()),
        "sent_at": timestamp,
        "sender": {"qualifier": sender.qualifier, "id": sender.id},
        "receiver": {"qualifier": receiver.qualifier, "id": receiver.id},
        "control": {
            "interchange": f"{control_number:09d}",
            "group": str(control_number),
            "transaction": "0001",
            "functional_id": inbound_controls.get("functional_id", DEFAULT_FUNCTIONAL_ID),
            "set_id": inbound_controls.get("transaction_set", DEFAULT_SET_ID),
        },
        "case": _case_identity(inbound.get("case")),
        "event": {
            "type": event_type,
            "occurred_at": timestamp,
            "actor": {"name": f"{partner_name} (automated)", "organization": partner_name},
            "data": data,
        },
        "files": [],
    }
    inbound_id = document_id(inbound)
    if inbound_id:
        document["in_reply_to"] = inbound_id
    return document


def _case_identity(case: Any) -> Any:
    # Reference the case, not repeat it: keep the identifying fields of a case object.
    if isinstance(case, Mapping):
        identity = {key: case[key] for key in _CASE_IDENTITY_KEYS if key in case}
        return identity or dict(case)
    return case
