"""The outbox deliverer of target "tradinggrid": build the document once, store it, put it in the mailbox.

Three kinds of rows: acknowledgements of what partners sent ("ack"), collaboration documents
mirroring case events ("collab."), and business documents a service queued ("edi.business":
an X12 set written by its mapping, enveloped with our control numbers).

Idempotent under redelivery: the ledger row is keyed by the outbox row, so a second attempt
(after a timeout, a lost answer, a killed worker) finds the document the first one built and
puts those same bytes under the same name again: the same document id and control numbers,
never a second document. The mailbox write replaces a file of that name atomically.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from apps.partners.actors import PartnerSystemActor
from apps.partners.models import Organization
from apps.partners.roles import EdiStandard
from apps.sync.delivery import DeliveryResult
from apps.sync.errors import PermanentError, RetryableError
from apps.sync.models import OutboxMessage
from apps.workspace.models import Case, FileVersion

from . import conf, selectors, services
from .acknowledgements import X12_VERSION, NotAcknowledgeable, build_ack
from .control_numbers import DatabaseControlNumberSource
from .edi import (
    CollabCase,
    CollabDocumentError,
    CollabFile,
    EdiError,
    OutboundMessage,
    OutboundTransaction,
    Party,
    build_document,
    build_edifact_interchange,
    build_interchange,
    functional_id_for,
    get_mapping,
    write_edifact,
    write_interchange,
)
from .envelopes import read_envelope
from .models import Interchange, Standard, Status
from .transport import HostKeyMismatch, TransportError

logger = logging.getLogger("apps.tradinggrid")

_MIME = re.compile(r"^[a-z]+/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$")
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


class NothingToSend(Exception):  # noqa: N818  (an outcome, not an error)
    """The row needs no document (an acknowledgement nobody can be sent)."""


def deliver(message: OutboxMessage) -> DeliveryResult:
    if not conf.enabled():
        # Retryable: switching the connector back on must find its rows waiting, not dead.
        raise RetryableError("The Trading Grid connector is off (TRADINGGRID_ENABLED).")
    try:
        interchange = prepare(message)
    except NothingToSend as exc:
        # The ledger must not claim an answer that was never sent.
        Interchange.objects.filter(pk=message.payload.get("interchange_id")).update(ack_status="")
        return DeliveryResult(response_excerpt=f"nothing sent: {exc}")
    summary = {
        "interchange": interchange.pk,
        "file": interchange.file_name,
        "type": interchange.type_label,
        "control": interchange.control_label,
        "receiver": f"{interchange.receiver_qualifier}:{interchange.receiver_id}",
    }
    if interchange.status not in (Status.CREATED, Status.FAILED):
        return DeliveryResult(request_summary=summary, response_excerpt="in the mailbox already")
    data = services.read_raw(interchange)
    try:
        path = conf.transport().put(name=interchange.file_name, data=data)
    except HostKeyMismatch as exc:
        # Never retried into: a changed host key is for a person to check, not to trust.
        conf.forget_transport()
        services.outbound_mark_failed(interchange=interchange, reason=str(exc))
        raise PermanentError(f"host key mismatch: {exc}", request_summary=summary) from exc
    except TransportError as exc:
        conf.forget_transport()
        if message.attempts >= message.attempt_limit:
            services.outbound_mark_failed(interchange=interchange, reason=str(exc))
        raise RetryableError(
            f"{type(exc).__name__}: {exc}",
            retry_after=conf.retry_floor_seconds(),
            request_summary=summary,
        ) from exc
    services.outbound_mark_sent(interchange=interchange)
    return DeliveryResult(request_summary=summary, response_excerpt=f"put {path}")


def prepare(message: OutboxMessage) -> Interchange:
    """The ledger row of this outbox row: found, or built, stored and recorded now."""
    existing = Interchange.objects.filter(outbox_message_id=message.pk).first()
    if existing is not None:
        return existing
    payload = message.payload
    try:
        with transaction.atomic():
            if payload.get("kind") == "ack":
                return _prepare_ack(message, payload)
            if payload.get("kind") == "business":
                return _prepare_business(message, payload)
            return _prepare_collab(message, payload)
    except IntegrityError:
        # A worker whose lease ran out built it a moment before us: theirs stands.
        existing = Interchange.objects.filter(outbox_message_id=message.pk).first()
        if existing is None:
            raise
        return existing
    except (CollabDocumentError, EdiError, KeyError) as exc:
        # The same payload will fail the same way: a dead letter for a person to read.
        raise PermanentError(f"cannot build the document: {exc}") from exc


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _prepare_collab(message: OutboxMessage, payload: dict[str, Any]) -> Interchange:
    partner = Organization.objects.get(pk=payload["partner_id"])
    case = Case.objects.filter(pk=payload["case"]["id"]).first()
    event_type = payload["event_type"]
    event_data = dict(payload["event_data"])
    files: list[CollabFile] = []
    if event_type == "file.attached":
        event_type, event_data, files = _file_event(partner, payload, event_data)
    document = build_document(
        event_type=event_type,
        event_data=event_data,
        case=CollabCase(public_id=payload["case"]["public_id"], kind=payload["case"]["kind"]),
        sender=conf.own_party(),
        receiver=Party(**payload["receiver"]),
        control_numbers=DatabaseControlNumberSource(),
        files=files,
        actor=payload.get("actor"),
        occurred_at=_timestamp(payload["occurred_at"]),
        document_id=payload["document_id"],
        in_reply_to=payload.get("in_reply_to"),
    )
    control = document.control
    outbound = services.OutboundDocument(
        data=document.to_bytes(),
        file_name=f"cxd-{_SAFE.sub('_', partner.tg_id)}-{control.interchange}.json",
        standard=Standard.COLLAB,
        document_type=control.set_id,
        sender=document.sender,
        receiver=document.receiver,
        interchange_control=control.interchange,
        group_control=control.group,
        transaction_control=control.transaction,
        functional_id=control.functional_id,
        event_type=document.event_type,
        document_id=document.document_id,
        in_reply_to=document.in_reply_to or "",
        expects_ack=True,
    )
    return services.outbound_record(
        document=outbound, partner=partner, case=case, outbox_message_id=message.pk
    )


def _file_event(
    partner: Organization, payload: dict[str, Any], event_data: dict[str, Any]
) -> tuple[str, dict[str, Any], list[CollabFile]]:
    # Read through the partner's own scope: a file it may not see cannot be sent to it.
    version = (
        FileVersion.objects.for_actor(PartnerSystemActor(partner, "Trading Grid"))
        .filter(pk=payload["file_version_id"])
        .first()
    )
    if version is None:
        raise PermanentError("The file is gone or not visible to the partner; nothing to send.")
    if version.size > conf.MAX_EMBEDDED_FILE_BYTES:
        # Too large for a collaboration document (25 MiB a file): say so instead of failing.
        return (
            "message.posted",
            {
                "message_id": f"file-{version.pk}",
                "body": (
                    f"A file was attached to the case: {version.original_name} "
                    f"({version.size / 1048576:.1f} MiB). It is larger than a collaboration "
                    "document carries (25 MiB): download it in the Crossdock portal."
                ),
            },
            [],
        )
    with version.file.open("rb") as handle:
        content = handle.read()
    collab_file = CollabFile(
        name=version.original_name,
        content_type=version.content_type
        if _MIME.match(version.content_type)
        else "application/octet-stream",
        content=content,
    )
    if collab_file.sha256 != version.sha256:
        raise PermanentError(f"Stored file {version.pk} does not match its checksum.")
    if version.note:
        event_data["description"] = version.note[:2000]
    return "file.attached", event_data, [collab_file]


def _x12_version(partner: Organization | None) -> str:
    """GS08: the partner's X12 version where it has one (a six-digit 004010), else 004010."""
    x12 = partner is not None and partner.edi_standard == EdiStandard.X12
    return (
        partner.edi_version if x12 and re.fullmatch(r"\d{6}", partner.edi_version) else X12_VERSION
    )


def _prepare_business(message: OutboxMessage, payload: dict[str, Any]) -> Interchange:
    """An X12 business document (`services.business_document_enqueue`), enveloped as acks are."""
    partner = Organization.objects.get(pk=payload["partner_id"])
    case = Case.objects.filter(pk=payload["case_id"]).first() if payload.get("case_id") else None
    if payload["standard"] == Standard.EDIFACT:
        return _prepare_edifact_business(message, payload, partner, case)
    set_id = payload["set_id"]
    mapping = get_mapping(standard=payload["standard"], set_id=set_id)
    own, receiver = conf.own_party(), Party(**payload["receiver"])
    functional_id = functional_id_for(set_id)
    interchange = build_interchange(
        sender=own,
        receiver=receiver,
        functional_id=functional_id,
        transactions=[
            OutboundTransaction(set_id=set_id, body=mapping.from_domain(payload["body"]))
        ],
        control_numbers=DatabaseControlNumberSource(),
        version=_x12_version(partner),
    )
    group = interchange.groups[0]
    outbound = services.OutboundDocument(
        data=write_interchange(interchange, encoding=selectors.encoding_for(partner)) or b"",
        file_name=f"{set_id.lower()}-{_SAFE.sub('_', receiver.id)}-"
        f"{interchange.control_number}.x12",
        standard=Standard.X12,
        document_type=set_id,
        sender=own,
        receiver=receiver,
        interchange_control=interchange.control_number,
        group_control=group.control_number,
        transaction_control=group.transactions[0].control_number,
        functional_id=functional_id,
        expects_ack=True,
    )
    return services.outbound_record(
        document=outbound, partner=partner, case=case, outbox_message_id=message.pk
    )


def _edifact_directory(partner: Organization) -> tuple[str, str]:
    """UNH S009 version and release from the partner's directory (D96A, D01B), else D.96A."""
    found = re.fullmatch(r"D\.?(\d\d[A-Z])", partner.edi_version.strip().upper())
    return ("D", found.group(1)) if found else ("D", "96A")


def _edifact_party(party: Party) -> Party:
    # EDIFACT's "mutually defined" is ZZZ where X12 writes ZZ.
    return Party(qualifier="ZZZ" if party.qualifier == "ZZ" else party.qualifier, id=party.id)


def _prepare_edifact_business(
    message: OutboxMessage, payload: dict[str, Any], partner: Organization, case: Case | None
) -> Interchange:
    """An EDIFACT message (ORDERS, ...) in UNB/UNH/UNT/UNZ with our control references."""
    set_id = payload["set_id"]
    mapping = get_mapping(standard=Standard.EDIFACT, set_id=set_id)
    own, receiver = conf.own_party(), Party(**payload["receiver"])
    syntax, codec = services.edifact_syntax_for(selectors.encoding_for(partner))
    version, release = _edifact_directory(partner)
    interchange = build_edifact_interchange(
        sender=_edifact_party(own),
        recipient=_edifact_party(receiver),
        messages=[
            OutboundMessage(
                identifier=(set_id, version, release, "UN"),
                body=mapping.from_domain(payload["body"]),
            )
        ],
        control_numbers=DatabaseControlNumberSource(),
        syntax=syntax,
    )
    reference = interchange.control_reference
    outbound = services.OutboundDocument(
        data=write_edifact(interchange, encoding=codec),
        file_name=f"{set_id.lower()}-{_SAFE.sub('_', receiver.id)}-{reference}.edi",
        standard=Standard.EDIFACT,
        document_type=set_id,
        sender=own,
        receiver=receiver,
        interchange_control=reference,
        transaction_control=interchange.messages[0].reference,
        expects_ack=True,  # a CONTRL
    )
    return services.outbound_record(
        document=outbound, partner=partner, case=case, outbox_message_id=message.pk
    )


def _prepare_ack(message: OutboxMessage, payload: dict[str, Any]) -> Interchange:
    inbound = Interchange.objects.select_related("partner").get(pk=payload["interchange_id"])
    raw = services.read_raw(inbound)
    envelope = read_envelope(raw)
    partner = inbound.partner
    version = _x12_version(partner)
    try:
        built = build_ack(
            raw=raw,
            envelope=envelope,
            own=conf.own_party(),
            status=payload["status"],
            codes=payload.get("codes") or (),
            reason=payload.get("reason") or "",
            control_numbers=DatabaseControlNumberSource(),
            version=version,
            encoding=selectors.encoding_for(partner),
        )
    except NotAcknowledgeable as exc:
        raise NothingToSend(str(exc)) from exc
    receiver = envelope.sender
    assert receiver is not None  # build_ack refuses documents without one
    extension = "x12" if built.standard == Standard.X12 else "edi"
    outbound = services.OutboundDocument(
        data=built.data,
        file_name=f"{built.document_type.lower()}-{_SAFE.sub('_', receiver.id)}-"
        f"{built.interchange_control}.{extension}",
        standard=built.standard,
        document_type=built.document_type,
        sender=conf.own_party(),
        receiver=receiver,
        interchange_control=built.interchange_control,
        group_control=built.group_control,
        transaction_control=built.transaction_control,
        functional_id=built.functional_id,
        expects_ack=False,  # acknowledgements are never acknowledged
    )
    ack = services.outbound_record(
        document=outbound,
        partner=partner,
        case=inbound.case,
        outbox_message_id=message.pk,
        answers=inbound,
    )
    Interchange.objects.filter(pk=inbound.pk).update(acknowledgement=ack)
    # The row says what the sent document says (ack_enqueue recorded the same verdict).
    services.ack_record_status(inbound=inbound, status=built.status, notes=built.notes)
    return ack
