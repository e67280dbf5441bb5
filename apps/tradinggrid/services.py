"""Writes of the connector: the ledger, alerts, acknowledgement matching, per-partner settings.

Every ledger row keeps the document's bytes in storage under a key of its own (never
overwritten) with their SHA-256, so what was sent or received can always be shown as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import Conflict, DomainError
from apps.partners.models import Organization
from apps.partners.roles import Channel, EdiStandard
from apps.sync.models import InboxEvent, OutboxMessage
from apps.sync.services import inbox_record, outbox_enqueue

from . import conf, selectors
from .acknowledgements import ack_verdict
from .edi import FUNCTIONAL_IDS, AckResult, MappingError, Party, find_mapping
from .envelopes import Envelope, read_envelope
from .models import (
    ACK_STATUS,
    Alert,
    AlertKind,
    Direction,
    Encoding,
    Interchange,
    PartnerProfile,
    Standard,
    Status,
)

logger = logging.getLogger("apps.tradinggrid")

# Statuses a later acknowledgement may still change.
ACKNOWLEDGEABLE = (Status.SENT, Status.ACCEPTED, Status.ACCEPTED_WITH_ERRORS, Status.ANSWERED)


# --- Alerts -----------------------------------------------------------------------------------


def alert_raise(
    *,
    kind: str,
    message: str,
    interchange: Interchange | None = None,
    partner: Organization | None = None,
) -> Alert:
    """Raise an alert once per kind and document; raising it again returns the first."""
    partner = partner or (interchange.partner if interchange is not None else None)
    if interchange is not None:
        try:
            with transaction.atomic():
                alert, created = Alert.objects.get_or_create(
                    kind=kind,
                    interchange=interchange,
                    defaults={"partner": partner, "message": message[:2000]},
                )
        except IntegrityError:  # raised at the same moment by another process
            return Alert.objects.get(kind=kind, interchange=interchange)
    else:
        alert = Alert.objects.create(kind=kind, partner=partner, message=message[:2000])
        created = True
    if created:
        logger.warning("Trading Grid alert (%s): %s", kind, message)
    return alert


def alert_resolve(*, actor, alert: Alert, resolution: str = "") -> Alert:
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.resolved_at is not None:
            raise Conflict("This alert is resolved already.")
        alert.resolved_at = timezone.now()
        alert.resolved_by = actor if getattr(actor, "pk", None) else None
        alert.resolution = (resolution or "").strip()[:500]
        alert.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return alert


def _alerts_settle(*, interchange: Interchange, kinds: Iterable[str], resolution: str) -> None:
    """Close alerts the system itself has answered (a late 997 settles "overdue")."""
    Alert.objects.open().filter(interchange=interchange, kind__in=list(kinds)).update(
        resolved_at=timezone.now(), resolution=resolution[:500]
    )


# --- Outbound ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboundDocument:
    """A document built for sending: its bytes and what the ledger keys it by."""

    data: bytes
    file_name: str
    standard: str
    document_type: str
    sender: Party
    receiver: Party
    interchange_control: str
    group_control: str = ""
    transaction_control: str = ""
    functional_id: str = ""
    event_type: str = ""
    document_id: str = ""
    in_reply_to: str = ""
    expects_ack: bool = True


def outbound_record(
    *,
    document: OutboundDocument,
    partner: Organization | None,
    case: Any = None,
    outbox_message_id: int | None = None,
    answers: Interchange | None = None,
    now: datetime | None = None,
) -> Interchange:
    """The ledger row of a built document, status created, its bytes stored first."""
    interchange = Interchange(
        direction=Direction.OUTBOUND,
        partner=partner,
        case=case,
        standard=document.standard,
        document_type=document.document_type,
        event_type=document.event_type,
        sender_qualifier=document.sender.qualifier,
        sender_id=document.sender.id,
        receiver_qualifier=document.receiver.qualifier,
        receiver_id=document.receiver.id,
        interchange_control=document.interchange_control,
        functional_id=document.functional_id,
        group_control=document.group_control,
        transaction_control=document.transaction_control,
        document_id=document.document_id,
        in_reply_to=document.in_reply_to,
        file_name=document.file_name,
        status=Status.CREATED,
        expects_ack=document.expects_ack,
        outbox_message_id=outbox_message_id,
        answers=answers,
        created_at=now or timezone.now(),
    )
    _store(interchange, document.data)
    interchange.save()
    return interchange


def _store(interchange: Interchange, data: bytes) -> None:
    interchange.size = len(data)
    interchange.sha256 = hashlib.sha256(data).hexdigest()
    interchange.raw.save(interchange.file_name or "document", ContentFile(data), save=False)


def read_raw(interchange: Interchange) -> bytes:
    with interchange.raw.open("rb") as handle:
        return handle.read()


def outbound_mark_sent(*, interchange: Interchange, now: datetime | None = None) -> Interchange:
    """The document is in our outbound folder: the acknowledgement clock starts."""
    now = now or timezone.now()
    with transaction.atomic():
        interchange = Interchange.objects.select_for_update().get(pk=interchange.pk)
        if interchange.status not in (Status.CREATED, Status.FAILED):
            return interchange  # a redelivery of a document already sent
        interchange.status = Status.SENT
        interchange.sent_at = now
        fields = ["status", "sent_at", "updated_at"]
        if interchange.expects_ack:
            minutes = selectors.ack_deadline_minutes_for(interchange.partner)
            interchange.ack_due_at = now + timedelta(minutes=minutes)
            fields.append("ack_due_at")
        interchange.save(update_fields=fields)
        _alerts_settle(
            interchange=interchange,
            kinds=[AlertKind.DELIVERY_FAILED],
            resolution="Delivered on a later attempt.",
        )
    return interchange


def outbound_mark_failed(*, interchange: Interchange, reason: str) -> Interchange:
    """Delivery gave up (a dead letter): the row says so and operations are told."""
    with transaction.atomic():
        interchange = Interchange.objects.select_for_update().get(pk=interchange.pk)
        if interchange.status != Status.CREATED:
            return interchange
        interchange.status = Status.FAILED
        interchange.status_detail = reason[:2000]
        interchange.save(update_fields=["status", "status_detail", "updated_at"])
        alert_raise(
            kind=AlertKind.DELIVERY_FAILED,
            interchange=interchange,
            message=f"{interchange.type_label} to {interchange.partner or interchange.receiver_id} "
            f"could not be put in the mailbox: {reason}",
        )
    return interchange


def outbound_mark_answered(
    *, partner: Organization, document_id: str, by: Interchange
) -> Interchange | None:
    """A partner's document names ours in `in_reply_to`: ours is answered."""
    if not document_id:
        return None
    original = (
        Interchange.objects.select_for_update()
        .filter(direction=Direction.OUTBOUND, partner=partner, document_id=document_id)
        .first()
    )
    if original is None:
        return None
    if original.status in (Status.SENT, Status.ACCEPTED, Status.ACCEPTED_WITH_ERRORS):
        original.status = Status.ANSWERED
        original.save(update_fields=["status", "updated_at"])
    by.answers = original
    by.save(update_fields=["answers", "updated_at"])
    return original


def ack_enqueue(
    *, inbound: Interchange, status: str, codes: Sequence[str] = (), reason: str = ""
) -> None:
    """Queue our 997/CONTRL for an inbound document, in the transaction that decided it.

    `status` is the application's verdict; the acknowledgement adds the EDI library's own
    findings. The ledger row takes the status of the acknowledgement itself (built here as
    the deliverer will build it), so the page never says A where the 997 says E.
    """
    _ledger_takes_ack_status(inbound, status=status, codes=codes, reason=reason)
    outbox_enqueue(
        target=conf.TARGET,
        topic="ack",
        # One key per acknowledged document: acks need no order, and a stuck one must not
        # hold back the others.
        key=f"tradinggrid:ack:{inbound.pk}",
        payload={
            "kind": "ack",
            "interchange_id": inbound.pk,
            "status": status,
            "codes": list(codes),
            "reason": reason[:500],
        },
        case=inbound.case,
    )


def _ledger_takes_ack_status(
    inbound: Interchange, *, status: str, codes: Sequence[str], reason: str
) -> None:
    raw = read_raw(inbound)
    built = ack_verdict(
        raw=raw,
        envelope=read_envelope(raw),
        own=conf.own_party(),
        status=status,
        codes=codes,
        reason=reason,
        encoding=selectors.encoding_for(inbound.partner),
    )
    if built is None or not built.status:
        return
    ack_record_status(inbound=inbound, status=built.status, notes=built.notes)


def ack_record_status(*, inbound: Interchange, status: str, notes: Sequence[str] = ()) -> None:
    """Record on an inbound row the status our acknowledgement of it carries."""
    fields = []
    if inbound.ack_status != status:
        inbound.ack_status = status
        fields.append("ack_status")
    verdict = ACK_STATUS.get(status, Status.REJECTED)
    # Only a worse verdict changes the row: a quarantined or duplicate row stays what it is.
    if (inbound.status, verdict) in (
        (Status.ACCEPTED, Status.ACCEPTED_WITH_ERRORS),
        (Status.ACCEPTED, Status.REJECTED),
        (Status.ACCEPTED_WITH_ERRORS, Status.REJECTED),
    ):
        inbound.status = verdict
        fields.append("status")
    if notes and status != "A":
        said = f"Our acknowledgement says {status}: " + "; ".join(notes)
        if said not in inbound.status_detail:
            inbound.status_detail = "; ".join(v for v in (inbound.status_detail, said) if v)[:4000]
            fields.append("status_detail")
    if fields:
        inbound.save(update_fields=[*fields, "updated_at"])


# --- Business documents -----------------------------------------------------------------------

BUSINESS_TOPIC = "edi.business"


def business_document_enqueue(
    *,
    partner: Organization,
    standard: str,
    set_id: str,
    body: Mapping[str, Any],
    case: Any = None,
) -> OutboxMessage:
    """Queue a business document (an 850, an 855, ...) to a partner, in the caller's transaction.

    `body` is the mapping's domain dict (what `find_mapping(...).from_domain` writes). It is
    written once now, so a document the mapping refuses is refused here, to the caller, and
    not later as a dead letter; the deliverer writes it again with the control numbers and
    envelopes when it sends it.
    """
    standard, set_id = standard.lower(), set_id.upper()
    if standard not in (Standard.X12, Standard.EDIFACT):
        raise DomainError(f"Business documents are X12 or EDIFACT, not {standard}.")
    label = f"{'X12' if standard == Standard.X12 else 'EDIFACT'} {set_id}"
    mapping = find_mapping(standard=standard, set_id=set_id)
    if mapping is None or (standard == Standard.X12 and set_id not in FUNCTIONAL_IDS):
        raise DomainError(f"{label} has no writer.", code="invalid_document")
    plain = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    try:
        segments = mapping.from_domain(plain)
    except NotImplementedError:
        raise DomainError(f"{label} has no writer.", code="invalid_document") from None
    except MappingError as exc:
        raise DomainError(f"{label}: {exc}", code="invalid_document") from exc
    encoding = selectors.encoding_for(partner)
    if standard == Standard.EDIFACT:
        encoding = edifact_syntax_for(encoding)[1]
    _check_encodable(segments, encoding=encoding, what=label)
    with transaction.atomic():
        # The key's record: a partner's business documents leave in the order they were queued.
        partner = Organization.objects.select_for_update().get(pk=partner.pk)
        if not partner.is_active or not partner.uses_trading_grid:
            raise DomainError(f"{partner} is not connected to Trading Grid.", code="not_connected")
        return outbox_enqueue(
            target=conf.TARGET,
            topic=BUSINESS_TOPIC,
            key=f"tradinggrid:edi:{partner.pk}",
            payload={
                "kind": "business",
                "standard": standard,
                "set_id": set_id,
                "partner_id": partner.pk,
                "receiver": {"qualifier": partner.tg_qualifier, "id": partner.tg_id},
                "case_id": getattr(case, "pk", None),
                "body": plain,
            },
            case=case,
        )


# The UNB01 syntax identifier (and version) we write for a partner's character set, and the
# codec it names. Syntax 4's UNOW is UTF-8; the ISO 8859 parts have UNOC (1) and UNOD (2);
# Windows-1252 and Latin-9 partners get UNOC, which their systems read.
_EDIFACT_SYNTAX = {
    Encoding.UTF8: (("UNOW", "4"), "utf-8"),
    Encoding.LATIN1: (("UNOC", "3"), "iso8859-1"),
    Encoding.LATIN9: (("UNOC", "3"), "iso8859-1"),
    Encoding.CP1252: (("UNOC", "3"), "iso8859-1"),
    Encoding.LATIN2: (("UNOD", "3"), "iso8859-2"),
}


def edifact_syntax_for(encoding: str) -> tuple[tuple[str, str], str]:
    """UNB01 (syntax identifier, version) for a partner's character set, and its codec."""
    return _EDIFACT_SYNTAX.get(encoding, (("UNOC", "3"), "iso8859-1"))


def _check_encodable(segments: Iterable[Any], *, encoding: str, what: str) -> None:
    """Refuse now, to the caller, a document the partner's character set cannot carry."""
    for seg in segments:
        for value in seg.elements:
            parts = [value] if isinstance(value, str) else list(value)
            for part in parts:
                texts = [part] if isinstance(part, str) else list(part)
                for text in texts:
                    try:
                        text.encode(encoding)
                    except UnicodeEncodeError:
                        raise DomainError(
                            f"{what}: {seg.id} holds {text!r}, which the partner's character "
                            f"set ({encoding}) cannot carry.",
                            code="invalid_document",
                        ) from None


# --- Inbound ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """How a document reached us: the transport and mailbox, and whom the network says sent it.

    `carries` are the EDI identities (qualifier:id) that delivery may carry: a partner's own
    connection carries that partner; a shared Trading Grid mailbox carries the identities
    the network has registered for the sending mailbox, as its router reports them.
    """

    via: str = ""
    by: str = ""
    carries: tuple[str, ...] = ()

    def fields(self) -> dict[str, Any]:
        return {
            "delivered_via": self.via[:300],
            "delivered_by": self.by[:100],
            "delivered_for": list(self.carries),
        }

    def carries_party(self, party: Party | None) -> bool:
        if party is None or not party.id:
            return False
        for identity in self.carries:
            qualifier, _, ident = identity.rpartition(":")
            if ident == party.id and (
                not qualifier or not party.qualifier or qualifier[:2] == party.qualifier[:2]
            ):
                return True
        return False


def inbound_record(
    *,
    name: str,
    data: bytes | None = None,
    content: IO[bytes] | None = None,
    delivery: Delivery | None = None,
    now: datetime | None = None,
) -> tuple[Interchange, InboxEvent, bool]:
    """Store and record a fetched document before anything applies it; a refetch finds the first.

    The inbox row (keyed by the content's SHA-256) and the ledger row commit together, so a
    document is either fully recorded or not at all; only then may the mailbox forget it.
    `content` is a file the transport streamed into (never held whole in memory for storage).
    """
    now = now or timezone.now()
    delivery = delivery or Delivery()
    if content is None:
        content = io.BytesIO(data or b"")
    digest, size = _digest(content)
    source_id = f"sha256:{digest}"
    existing = InboxEvent.objects.filter(source=conf.INBOX_SOURCE, source_id=source_id).first()
    if existing is not None:
        return _recorded(existing), existing, False
    content.seek(0)
    # A collaboration document names its parties anywhere in the object; X12 and EDIFACT at
    # the head. Bounded either way by the size limit checked before the fetch.
    envelope = read_envelope(content.read(ENVELOPE_READ_BYTES))
    with transaction.atomic():
        interchange = Interchange(
            direction=Direction.INBOUND,
            # Attributed only to a partner its transport may carry: a claimed sender is not one.
            partner=selectors.partner_by_identity(envelope.sender)
            if delivery.carries_party(envelope.sender)
            else None,
            file_name=name[:255],
            status=Status.RECEIVED,
            created_at=now,
            usage=envelope.usage,
            size=size,
            sha256=digest,
            **delivery.fields(),
            **_envelope_fields(envelope),
        )
        content.seek(0)
        interchange.raw.save("document", File(content), save=False)
        interchange.save()
        event, created = inbox_record(
            source=conf.INBOX_SOURCE,
            source_id=source_id,
            payload={"interchange_id": interchange.pk, "name": name},
            dispatch=False,
        )
        if not created:
            # Another poll recorded the same bytes a moment ago: keep its row, not ours.
            transaction.set_rollback(True)
    if not created:
        interchange.raw.delete(save=False)
        return _recorded(event), event, False
    return interchange, event, True


ENVELOPE_READ_BYTES = 16 * 1024 * 1024


def _digest(content: IO[bytes]) -> tuple[str, int]:
    content.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := content.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def inbound_quarantine_unread(
    *, name: str, size: int, reason: str, delivery: Delivery | None = None
) -> Interchange | None:
    """Record a mailbox file we will not fetch (refused name, too large), with an alert.

    None when the same file (name and size) is on the ledger as quarantined already, so a
    file that could not be moved aside is recorded and alerted once, not at every poll.
    """
    shown = safe_file_name(name)
    already = Interchange.objects.filter(
        direction=Direction.INBOUND,
        status=Status.QUARANTINED,
        file_name=shown,
        size=size,
        sha256="",
    ).exists()
    if already:
        return None
    delivery = delivery or Delivery()
    with transaction.atomic():
        interchange = Interchange.objects.create(
            direction=Direction.INBOUND,
            standard=Standard.UNKNOWN,
            file_name=shown,
            size=size,
            sha256="",
            status=Status.QUARANTINED,
            status_detail=reason[:4000],
            **delivery.fields(),
        )
        alert_raise(
            kind=AlertKind.QUARANTINED,
            interchange=interchange,
            message=f"{shown} was quarantined unread: {reason}",
        )
    return interchange


def safe_file_name(name: str) -> str:
    """A mailbox name as the ledger can show it: escapes for anything unprintable, cut short."""
    shown = name if name.isprintable() else name.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 255 else f"{shown[:200]}…({len(name)} characters)"


def _recorded(event: InboxEvent) -> Interchange:
    return Interchange.objects.get(pk=event.payload["interchange_id"])


def _envelope_fields(envelope: Envelope) -> dict[str, Any]:
    return {
        "standard": envelope.standard,
        "document_type": envelope.document_type[:10],
        "event_type": envelope.event_type,
        "sender_qualifier": envelope.sender.qualifier if envelope.sender else "",
        "sender_id": envelope.sender.id if envelope.sender else "",
        "receiver_qualifier": envelope.receiver.qualifier if envelope.receiver else "",
        "receiver_id": envelope.receiver.id if envelope.receiver else "",
        "interchange_control": envelope.interchange_control,
        "functional_id": envelope.functional_id,
        "group_control": envelope.group_control,
        "transaction_control": envelope.transaction_control,
        "document_id": envelope.document_id,
        "in_reply_to": envelope.in_reply_to,
    }


def inbound_settle(
    *,
    interchange: Interchange,
    status: str,
    detail: str = "",
    partner: Organization | None = None,
    case: Any = None,
    ack_status: str = "",
) -> Interchange:
    """Write the outcome of applying an inbound document (inside the apply's transaction)."""
    interchange.status = status
    interchange.status_detail = detail[:4000]
    fields = ["status", "status_detail", "updated_at"]
    if partner is not None:
        interchange.partner = partner
        fields.append("partner")
    if case is not None:
        interchange.case = case
        fields.append("case")
    if ack_status:
        interchange.ack_status = ack_status
        fields.append("ack_status")
    interchange.save(update_fields=fields)
    return interchange


# --- Acknowledgements received ----------------------------------------------------------------


@dataclass
class AckMatch:
    matched: list[Interchange]
    unmatched: list[str]


def acknowledgement_match(
    *, ack: Interchange, result: AckResult, partner: Organization, now: datetime | None = None
) -> AckMatch:
    """Match an inbound 997/CONTRL to what we sent that partner and record its verdict.

    A 997 names no ISA13, so X12 and collaboration documents match on the partner plus
    GS06 and ST02 (AK1/AK2); a transaction it does not list takes its group's AK9. A CONTRL
    names UNB05 and each UNH01. Runs inside the applying transaction.
    """
    now = now or timezone.now()
    outbound = Interchange.objects.select_for_update().filter(
        direction=Direction.OUTBOUND, partner=partner, expects_ack=True
    )
    matched: list[Interchange] = []
    unmatched: list[str] = []
    if result.standard == "x12":
        for group in result.groups:
            rows = list(
                outbound.filter(group_control=group.control_number)
                .exclude(standard=Standard.EDIFACT)
                .order_by("-id")
            )
            listed = {t.control_number for t in group.transactions}
            if group.functional_id:
                rows = [
                    r for r in rows if not r.functional_id or r.functional_id == group.functional_id
                ]
            if listed:
                rows = [r for r in rows if r.transaction_control in listed]
            # Control numbers wrap after 999,999,999: the newest document with them is meant.
            seen: set[str] = set()
            for row in rows:
                if row.transaction_control in seen:
                    continue
                seen.add(row.transaction_control)
                codes = _codes_of(group, row.transaction_control)
                status = result.status_of(
                    group=group.control_number, transaction=row.transaction_control
                )
                _acknowledge(row, status=status or group.status, codes=codes, by=ack, now=now)
                matched.append(row)
            for control in sorted(listed - seen):
                unmatched.append(f"GS06 {group.control_number} / ST02 {control}")
            if not listed and not rows:
                unmatched.append(f"GS06 {group.control_number}")
    else:
        rows = list(
            outbound.filter(
                standard=Standard.EDIFACT, interchange_control=result.acknowledged_interchange
            ).order_by("-id")
        )
        by_message = {m.control_number: m for m in result.messages}
        for row in rows:
            message = by_message.get(row.transaction_control)
            status = message.status if message else result.interchange_status
            codes = message.error_codes if message else result.interchange_error_codes
            _acknowledge(row, status=status or "R", codes=codes, by=ack, now=now)
            matched.append(row)
        if not rows:
            unmatched.append(f"UNB {result.acknowledged_interchange}")
    return AckMatch(matched=matched, unmatched=unmatched)


def _codes_of(group: Any, transaction_control: str) -> tuple[str, ...]:
    for acked in group.transactions:
        if acked.control_number == transaction_control:
            return acked.error_codes
    return group.error_codes


def _acknowledge(
    row: Interchange, *, status: str, codes: Sequence[str], by: Interchange, now: datetime
) -> None:
    row.ack_status = status
    row.ack_codes = ",".join(codes)[:60]
    row.acknowledged_at = now
    row.acknowledgement = by
    verdict = ACK_STATUS.get(status, Status.REJECTED)
    # An answer already shows the partner has it; only a rejection says more than that.
    if row.status in ACKNOWLEDGEABLE and (
        row.status != Status.ANSWERED or verdict == Status.REJECTED
    ):
        row.status = verdict
    row.save(
        update_fields=[
            "ack_status",
            "ack_codes",
            "acknowledged_at",
            "acknowledgement",
            "status",
            "updated_at",
        ]
    )
    _alerts_settle(
        interchange=row,
        kinds=[AlertKind.ACK_OVERDUE],
        resolution=f"Acknowledged ({status}) after the deadline.",
    )
    if verdict == Status.REJECTED:
        alert_raise(
            kind=AlertKind.ACK_REJECTED,
            interchange=row,
            message=f"{row.partner} rejected {row.type_label} {row.control_label}"
            + (f" (codes {row.ack_codes})" if row.ack_codes else ""),
        )


def ack_deadlines_check(*, now: datetime | None = None, limit: int = 500) -> int:
    """Raise one alert per document whose acknowledgement is overdue; returns how many are new."""
    now = now or timezone.now()
    raised = 0
    overdue = (
        Interchange.objects.overdue(now=now)
        .exclude(alerts__kind=AlertKind.ACK_OVERDUE)
        .select_related("partner")
        .order_by("ack_due_at")[:limit]
    )
    for row in overdue:
        alert_raise(
            kind=AlertKind.ACK_OVERDUE,
            interchange=row,
            message=f"No 997/CONTRL from {row.partner or row.receiver_id} for {row.type_label} "
            f"{row.control_label}, sent {row.sent_at:%Y-%m-%d %H:%M} UTC; "
            f"due {row.ack_due_at:%Y-%m-%d %H:%M} UTC.",
        )
        raised += 1
    return raised


# --- Per-partner settings ---------------------------------------------------------------------


def partner_settings_update(
    *,
    actor,
    organization: Organization,
    channel: str,
    edi_standard: str,
    edi_version: str,
    document_types: Iterable[str],
    ack_deadline_minutes: int | None,
    encoding: str | None = None,
) -> PartnerProfile:
    """Change how a partner is reached: channel, standard and version, what is sent, deadline,
    and the character set of its files (unchanged when not given)."""
    if not getattr(actor, "is_internal", False):
        raise Organization.DoesNotExist("No such partner.")
    chosen = [name for name in conf.DOCUMENT_TYPE_NAMES if name in set(document_types)]
    unknown = set(document_types) - set(conf.DOCUMENT_TYPE_NAMES)
    if unknown:
        raise DomainError(
            "Unknown document type.", fields={"document_types": [", ".join(sorted(unknown))]}
        )
    if channel not in Channel.values:
        raise DomainError("Unknown channel.", fields={"channel": ["Choose a channel."]})
    if edi_standard not in EdiStandard.values:
        raise DomainError("Unknown standard.", fields={"edi_standard": ["Choose a standard."]})
    if encoding is not None and encoding not in Encoding.values:
        raise DomainError(
            "Unknown character set.", fields={"encoding": ["Choose a character set."]}
        )
    edi_version = (edi_version or "").strip()
    if not edi_version or len(edi_version) > 10:
        raise DomainError("Give the EDI version.", fields={"edi_version": ["e.g. 004010 or D96A"]})
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        if organization.is_internal:
            raise Organization.DoesNotExist("No such partner.")
        if channel != Channel.PORTAL and not organization.tg_id:
            raise DomainError(
                "The partner has no Trading Grid ID.",
                fields={"channel": ["Set its Trading Grid ID first."]},
            )
        organization.channel = channel
        organization.edi_standard = edi_standard
        organization.edi_version = edi_version
        organization.save(update_fields=["channel", "edi_standard", "edi_version"])
        profile, _ = PartnerProfile.objects.select_for_update().get_or_create(
            organization=organization
        )
        profile.document_types = chosen
        profile.ack_deadline_minutes = ack_deadline_minutes or None
        profile.encoding = encoding or profile.encoding
        profile.save(
            update_fields=["document_types", "ack_deadline_minutes", "encoding", "updated_at"]
        )
    logger.info("Trading Grid settings of %s changed by %s", organization, actor)
    return profile
