"""Mirroring: partner-visible case events become outbox rows addressed to the partner's Trading Grid ID.

`mirror_case_event` runs inside the service's transaction (apps.workspace.events), so the
outbox row commits or rolls back with the change it announces. It writes what the event
said at that moment; the deliverer turns it into a collaboration document later.

What leaves, and what does not:
- internal notes and internal files never leave (their events carry visibility internal);
- events the connector itself caused (channel Trading Grid: a partner's document applied)
  are not sent back to the partner whose system sent them;
- everything else partner-visible is sent, including what the partner's own people did in
  the browser or over the API, so the partner's system stays in step with its people;
- only to partners whose channel includes Trading Grid, and only the event types their
  profile asks for.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from apps.sync.services import outbox_enqueue
from apps.workspace import flows
from apps.workspace.choices import Channel, Visibility
from apps.workspace.events import CaseEvent

from . import conf, selectors
from .services import business_document_enqueue

logger = logging.getLogger("apps.tradinggrid")

TOPIC_PREFIX = "collab."
MAX_BODY = 20_000
MAX_REASON = 2_000
MAX_TEXT = 255


def case_key(case: Any) -> str:
    # One key per case: the partner reads a case's events in the order they happened.
    return f"tradinggrid:case:{case.pk}"


def mirror_case_event(event: CaseEvent) -> None:
    if event.type not in conf.DOCUMENT_TYPE_NAMES:
        return  # case.updated (owner, priority) has no collaboration event
    if event.visibility == Visibility.INTERNAL:
        return
    if event.channel == Channel.TRADING_GRID:
        return  # the partner's own system told us this; echoing it would loop
    if not conf.enabled():
        return
    case = event.case
    partner = case.partner
    if not partner.uses_trading_grid:
        return
    business_documents_send(event)
    profile = selectors.partner_profile(partner)
    if event.type not in profile.document_types:
        return
    payload = event_payload(event)
    if payload is None:
        return
    outbox_enqueue(
        target=conf.TARGET,
        topic=f"{TOPIC_PREFIX}{event.type}",
        key=case_key(case),
        payload=payload,
        case=case,
    )


def business_documents_send(event: CaseEvent) -> None:
    """The business documents (850, 860, ...) the case's flow writes for this event, queued
    in the partner's standard; a flow declares them in its `outbound` (apps.workspace.flows)."""
    case = event.case
    partner = case.partner
    for (standard, set_id), build in flows.outbound_builders("tradinggrid", case.kind).items():
        if standard != partner.edi_standard:
            continue
        body = build(event=event)
        if body is not None:
            business_document_enqueue(
                partner=partner, standard=standard, set_id=set_id, body=body, case=case
            )


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_payload(event: CaseEvent) -> dict[str, Any] | None:
    """What the document will say, fixed now: the receiver, the case, the event and its data."""
    case = event.case
    partner = case.partner
    data = event.payload
    organization = _actor_organization(event)
    payload: dict[str, Any] = {
        "kind": "collab",
        # Chosen once, here: every delivery attempt of this row sends this same document id.
        "document_id": str(uuid.uuid4()),
        "receiver": {"qualifier": partner.tg_qualifier, "id": partner.tg_id},
        "partner_id": partner.pk,
        "case": {"id": case.pk, "public_id": str(case.public_id), "kind": case.kind},
        "event_type": event.type,
        "occurred_at": _timestamp(timezone.now()),
        "actor": {"name": (event.actor_label or "Crossdock")[:MAX_TEXT]},
    }
    if organization:
        payload["actor"]["organization"] = organization[:MAX_TEXT]
    if event.type == "case.created":
        event_data: dict[str, Any] = {
            "subject": case.subject[:MAX_TEXT],
            "status": data.get("status") or case.status,
            "priority": case.priority,
        }
        if data.get("body", "").strip():
            event_data["description"] = data["body"][:MAX_BODY]
        if case.has_deadline:
            event_data["due_at"] = _timestamp(case.due_at)
        references = {
            "order_number": case.order_number,
            "sku": case.sku,
            "shipment": case.shipment_ref,
            "launch": case.launch_ref,
        }
        references = {k: v[:MAX_TEXT] for k, v in references.items() if v}
        if references:
            event_data["references"] = references
        lines = case_lines(case)
        if lines:
            event_data["lines"] = lines
        if data.get("detail"):
            event_data["detail"] = dict(data["detail"])
    elif event.type == "message.posted":
        body = data.get("body") or ""
        if not body.strip():
            return None  # a message of files only: each file goes as file.attached
        event_data = {"message_id": str(data["message_id"]), "body": body[:MAX_BODY]}
    elif event.type == "case.transitioned":
        event_data = {
            "to_status": data["to_status"],
            "from_status": data["from_status"],
            "transition": data["transition"],
        }
        if data.get("comment", "").strip():
            event_data["reason"] = data["comment"][:MAX_REASON]
        if data.get("data"):
            # As the flow's form validated and stored it: what the partner's system reads is
            # what the timeline shows.
            event_data["payload"] = dict(data["data"])
    elif event.type == "file.attached":
        event_data = {"file_names": [data["name"]]}
        payload["file_version_id"] = data["file_version_id"]
        payload["file_sha256"] = data["sha256"]
        payload["file_size"] = data["size"]
    elif event.type == "document.requested":
        # A flow asks for a document (trade documents): the partner answers with file.attached
        # naming the request_id.
        event_data = {"request_id": data["request_id"], "document_type": data["document_type"]}
        if data.get("description", "").strip():
            event_data["description"] = data["description"][:MAX_REASON]
        if data.get("due_at"):
            event_data["due_at"] = _timestamp(datetime.fromisoformat(data["due_at"]))
    else:  # pragma: no cover - filtered above
        return None
    payload["event_data"] = event_data
    return payload


def case_lines(case: Any) -> list[dict[str, Any]]:
    """The case's lines as the schema's `case_line` objects (quantities as text)."""
    from apps.workspace.models import CaseLine

    rows = []
    for line in CaseLine.objects.filter(case_id=case.pk).order_by("position", "id"):
        row: dict[str, Any] = {
            "position": line.position,
            "sku": line.sku,
            "quantity": f"{line.quantity.normalize():f}",
            "unit": line.unit,
        }
        for name in ("description", "order_number", "line_ref"):
            if getattr(line, name):
                row[name] = getattr(line, name)
        if line.data:
            row["data"] = line.data
        rows.append(row)
    return rows


def _actor_organization(event: CaseEvent) -> str:
    """Whose people acted: a partner's system tells its own people's actions from ours by it."""
    from apps.workspace.models import FileVersion, Message, TimelineEvent

    person = None
    if event.type == "message.posted":
        message = (
            Message.objects.filter(pk=event.payload.get("message_id"))
            .select_related("author_organization")
            .first()
        )
        if message is not None and message.author_organization is not None:
            return message.author_organization.name
        person = message.author if message is not None else None
    elif event.type == "file.attached":
        version = FileVersion.objects.filter(pk=event.payload.get("file_version_id")).first()
        person = version.uploaded_by if version is not None else None
    else:
        # The service wrote the timeline row of this event a moment ago, in this transaction.
        row = (
            TimelineEvent.objects.filter(case=event.case)
            .select_related("actor")
            .order_by("-id")
            .first()
        )
        person = row.actor if row is not None else None
    organization = getattr(person, "organization", None) if person is not None else None
    if organization is not None and not organization.is_internal:
        return organization.name
    return "Crossdock"
