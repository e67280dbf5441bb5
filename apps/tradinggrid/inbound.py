"""Inbound: poll the retailer's mailbox, record each document, then apply it as its sender could.

Order matters: fetch → store and record (ledger row + sync inbox row, one transaction) →
remove from the mailbox → apply. A crash before the record leaves the file in the mailbox
for the next poll; a crash after it finds the recorded row (same bytes, same inbox key) and
applies that once. Applying runs in the inbox's transaction, so the case changes, the
ledger status and the acknowledgement's outbox row commit together or not at all.

A partner's document acts through `PartnerSystemActor`: exactly a partner member's rights,
and every case is looked up through `Case.objects.for_actor`, so a document from partner A
can never reach partner B's case. It is refused the same way whether the case is missing
or someone else's.
"""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DatabaseError, transaction

from apps.core import jsonsafe
from apps.core.errors import DomainError
from apps.partners.actors import PartnerSystemActor
from apps.partners.models import Organization
from apps.sync.errors import IgnoreEvent
from apps.sync.models import InboxEvent, InboxStatus
from apps.sync.services import inbox_apply
from apps.workspace import services as workspace
from apps.workspace.choices import Channel, Side, Visibility
from apps.workspace.flows import flow_for, inbound_handler
from apps.workspace.models import Case
from apps.workspace.states import workflow_for

from . import conf, selectors, services
from .edi import (
    PARTNER_EVENT_TYPES,
    CollabDocument,
    CollabDocumentError,
    EdiError,
    MappingError,
    Party,
    find_mapping,
    parse_document,
    read_acknowledgement,
    validate_edifact,
    validate_interchanges,
    validate_x12_transaction,
)
from .envelopes import Envelope, read_envelope
from .models import Alert, AlertKind, Interchange, Standard, Status
from .transport import (
    DocumentNotFound,
    HostKeyMismatch,
    MailboxTransport,
    RemoteDocument,
    TransportError,
    TransportUnavailable,
)
from .transport.base import DocumentTooLarge, check_document_name

logger = logging.getLogger("apps.tradinggrid")


# --- Polling ----------------------------------------------------------------------------------


@dataclass
class PollResult:
    listed: int = 0
    recorded: int = 0
    replayed: int = 0
    quarantined: int = 0
    applied: list[int] = field(default_factory=list)
    error: str = ""


def poll_mailbox(
    *, transport: MailboxTransport | None = None, now: datetime | None = None
) -> PollResult:
    """Take every waiting document from the inbound folder; a mailbox outage waits for the next poll.

    Each document is on its own: whatever one file does (a name the fetch refuses, a size
    past the limit, content that breaks a reader), it is quarantined and moved aside, and
    the others keep flowing. Only an outage of the mailbox itself ends a poll early.
    """
    result = PollResult()
    if not conf.enabled():
        return result
    try:
        transport = transport or conf.transport()
        documents = transport.list_new()
    except HostKeyMismatch as exc:
        # Not an outage: the server is not the one we know. A person must look, loudly.
        conf.forget_transport()
        logger.error("Trading Grid mailbox host key mismatch, not polling: %s", exc)
        if not _stall_alert_open():
            services.alert_raise(
                kind=AlertKind.POLL_STALLED, message=f"Inbound polling stopped: {exc}"
            )
        result.error = str(exc)
        return result
    except TransportError as exc:
        conf.forget_transport()
        logger.info("Trading Grid mailbox not reachable, will poll again: %s", exc)
        result.error = str(exc)
        return result
    result.listed = len(documents)
    for document in documents[: conf.poll_batch()]:
        try:
            _take(transport, document, result, now=now)
        except DocumentNotFound:
            continue  # taken by a poll running beside this one
        except TransportUnavailable as exc:
            conf.forget_transport()
            result.error = str(exc)
            break  # the mailbox went away: the next poll carries on
        except DatabaseError:
            raise  # ours, not the document's: the poll is retried as a whole
        except Exception as exc:  # noqa: BLE001 - one file must never stop the others
            logger.exception("Trading Grid document %r could not be taken", document.name)
            _set_aside(transport, document, f"could not be taken: {type(exc).__name__}: {exc}")
            result.quarantined += 1
    return result


def _take(
    transport: MailboxTransport, document: RemoteDocument, result: PollResult, *, now
) -> None:
    try:
        check_document_name(document.name)
    except ValueError:
        _set_aside(transport, document, "the file name is not one a document may have")
        result.quarantined += 1
        return
    limit = conf.max_document_bytes()
    if document.size > limit:
        _set_aside(
            transport,
            document,
            f"{document.size} bytes is over the limit of {limit} (TRADINGGRID_MAX_DOCUMENT_BYTES)",
        )
        result.quarantined += 1
        return
    delivery = _delivery(transport, document.name)
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as content:
        try:
            transport.fetch_into(document.name, content, limit=limit)
        except DocumentTooLarge as exc:
            _set_aside(transport, document, str(exc), delivery=delivery)
            result.quarantined += 1
            return
        interchange, event, created = services.inbound_record(
            name=document.name, content=content, delivery=delivery, now=now
        )
    if created:
        result.recorded += 1
    else:
        result.replayed += 1
    try:
        # Only now, with the bytes stored and recorded, may the mailbox forget them.
        transport.mark_taken(document.name)
    except TransportError as exc:
        conf.forget_transport()
        raise TransportUnavailable(str(exc)) from exc  # recorded; the next poll removes it
    if event.status in (InboxStatus.RECEIVED, InboxStatus.FAILED):
        # Applied here rather than queued: the inbox sweep is the safety net if we die now.
        applied = inbox_apply(event.pk, now=now)
        if applied.status == InboxStatus.APPLIED:
            result.applied.append(interchange.pk)


def _delivery(transport: MailboxTransport, name: str) -> services.Delivery:
    """Who the transport says sent the document; the document's own claim is checked against it."""
    via = transport.describe()
    if transport.carries:
        return services.Delivery(via=via, by="own connection", carries=transport.carries)
    meta = transport.delivery(name) or {}
    identities = meta.get("sender_identities")
    carries = (
        tuple(str(i)[:40] for i in identities if isinstance(i, str))
        if isinstance(identities, list)
        else ()
    )
    by = meta.get("sender_mailbox")
    return services.Delivery(via=via, by=str(by)[:100] if by else "", carries=carries[:20])


def _set_aside(
    transport: MailboxTransport,
    document: RemoteDocument,
    reason: str,
    *,
    delivery: services.Delivery | None = None,
) -> None:
    """Quarantine a file unread: on the ledger with the reason and an alert, out of the listing."""
    interchange = services.inbound_quarantine_unread(
        name=document.name, size=document.size, reason=reason, delivery=delivery
    )
    try:
        moved_to = transport.set_aside(document.name)
    except (TransportError, ValueError) as exc:
        # Left where it is; the ledger knows it, so later polls record and alert it only once.
        logger.warning("Could not move %r aside: %s", document.name, exc)
        return
    if interchange is not None:
        services.inbound_settle(
            interchange=interchange,
            status=Status.QUARANTINED,
            detail=f"{reason}; moved aside in the mailbox as {moved_to}",
        )


def _stall_alert_open() -> bool:
    return Alert.objects.open().filter(kind=AlertKind.POLL_STALLED).exists()


# --- Applying ---------------------------------------------------------------------------------


def apply_event(event: InboxEvent) -> None:
    """The inbox applier of source "tradinggrid": apply one recorded document once.

    Whatever a document's content does to a reader (even RecursionError), it is quarantined
    with the reason; only our own database failing is left to the inbox's retry.
    """
    interchange = Interchange.objects.select_for_update().get(pk=event.payload["interchange_id"])
    if interchange.status != Status.RECEIVED:
        raise IgnoreEvent(f"interchange {interchange.pk} is {interchange.status} already")
    raw = services.read_raw(interchange)
    envelope = read_envelope(raw)
    try:
        with transaction.atomic():
            _apply(interchange, raw, envelope)
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a document must never fail the inbox forever
        logger.exception("Trading Grid document %s broke its reader", interchange.pk)
        interchange.refresh_from_db()
        _quarantine(
            interchange,
            envelope,
            f"could not be read: {type(exc).__name__}: {str(exc)[:200]}",
            acknowledge=False,
        )


def _apply(interchange: Interchange, raw: bytes, envelope: Envelope) -> None:
    own = conf.own_party()
    if interchange.standard == Standard.COLLAB:
        try:
            jsonsafe.check_depth(raw)
        except jsonsafe.TooDeep as exc:
            _quarantine(interchange, envelope, f"invalid collaboration document: {exc}")
            return
    if not _delivery_of(interchange).carries_party(envelope.sender):
        # Checked first, before anything trusts the claim; never answered, since the only
        # address we have is the claimed one.
        claimed = envelope.sender.key if envelope.sender else "no sender"
        by = interchange.delivered_by or "an unidentified sender"
        _quarantine(
            interchange,
            envelope,
            f"claims to be from {claimed}, but {by} delivered it through "
            f"{interchange.delivered_via or 'an unknown transport'}, which carries only "
            f"{', '.join(interchange.delivered_for) or 'no registered identity'}",
            acknowledge=False,
            kind=AlertKind.SENDER_MISMATCH if envelope.sender else AlertKind.QUARANTINED,
        )
        return
    if envelope.receiver is not None and not _same_party(envelope.receiver, own):
        _quarantine(
            interchange,
            envelope,
            f"addressed to {envelope.receiver.key}, not to us ({own.key})",
            acknowledge=False,
        )
        return
    handler = {
        Standard.COLLAB: _apply_collab,
        Standard.X12: _apply_x12,
        Standard.EDIFACT: _apply_edifact,
    }.get(interchange.standard)
    if handler is None:
        _quarantine(interchange, envelope, "not X12, EDIFACT or a collaboration document")
        return
    handler(interchange, raw, envelope)


def _delivery_of(interchange: Interchange) -> services.Delivery:
    return services.Delivery(
        via=interchange.delivered_via,
        by=interchange.delivered_by,
        carries=tuple(interchange.delivered_for or ()),
    )


def _same_party(a: Party, b: Party) -> bool:
    # EDIFACT writes ZZZ where X12 writes ZZ, or no qualifier at all: the id decides then.
    if a.id != b.id:
        return False
    return not a.qualifier or not b.qualifier or a.qualifier[:2] == b.qualifier[:2]


def _quarantine(
    interchange: Interchange,
    envelope: Envelope,
    reason: str,
    *,
    acknowledge: bool = True,
    kind: str = AlertKind.QUARANTINED,
) -> None:
    """Set a document aside: kept as received, answered negatively where we can, operations told."""
    # Acknowledgements are never acknowledged, and without a sender there is no one to answer.
    # Only ever to a sender its transport may carry: never to whoever a document claims.
    answer = (
        acknowledge
        and not envelope.is_acknowledgement
        and _delivery_of(interchange).carries_party(envelope.sender)
    )
    services.inbound_settle(
        interchange=interchange,
        status=Status.QUARANTINED,
        detail=reason,
        ack_status="R" if answer else "",
    )
    services.alert_raise(
        kind=kind,
        interchange=interchange,
        message=f"{interchange.file_name} from {interchange.sender_id or 'an unknown sender'} "
        f"was quarantined: {reason}",
    )
    if answer:
        services.ack_enqueue(inbound=interchange, status="R", codes=("5",), reason=reason)


def _refuse(
    interchange: Interchange,
    reason: str,
    *,
    partner: Organization | None = None,
    kind: str = AlertKind.REFUSED,
) -> None:
    """A readable document we will not apply: nothing changes, it is logged, the sender learns R."""
    logger.warning("Refused Trading Grid document %s: %s", interchange.pk, reason)
    services.inbound_settle(
        interchange=interchange,
        status=Status.REJECTED,
        detail=reason,
        partner=partner,
        ack_status="R",
    )
    services.alert_raise(kind=kind, interchange=interchange, message=reason)
    services.ack_enqueue(inbound=interchange, status="R", reason=reason)


def _sender_partner(interchange: Interchange, sender: Party | None) -> Organization | None:
    partner = selectors.partner_by_identity(sender) if sender is not None else None
    if partner is None or not partner.is_active or not partner.uses_trading_grid:
        who = sender.key if sender is not None else "no sender"
        _refuse(interchange, f"{who} is not a partner connected to Trading Grid")
        return None
    return partner


def _actor(partner: Organization, name: str | None = None) -> PartnerSystemActor:
    label = f"{name} via Trading Grid" if name else f"{partner.name} via Trading Grid"
    return PartnerSystemActor(partner, label[:200])


# --- Collaboration documents --------------------------------------------------------------------


def _apply_collab(interchange: Interchange, raw: bytes, envelope: Envelope) -> None:
    try:
        jsonsafe.check_depth(raw)
        document = parse_document(raw, allowed_event_types=PARTNER_EVENT_TYPES)
    except (CollabDocumentError, jsonsafe.TooDeep) as exc:
        _quarantine(interchange, envelope, f"invalid collaboration document: {exc}")
        return
    partner = _sender_partner(interchange, document.sender)
    if partner is None:
        return
    earlier = selectors.inbound_for_document(partner=partner, document_id=document.document_id)
    if earlier is not None and earlier.pk != interchange.pk:
        # A replay under a new file (the partner resent it): applied once, answered again.
        services.inbound_settle(
            interchange=interchange,
            status=Status.DUPLICATE,
            detail=f"document {document.document_id} was applied as #{earlier.pk}",
            partner=partner,
            case=earlier.case,
            ack_status=earlier.ack_status or "A",
        )
        services.ack_enqueue(inbound=interchange, status=earlier.ack_status or "A")
        return
    actor = _actor(partner, (document.actor or {}).get("name"))
    case = _partner_case(actor, document.case.public_id)
    if case is None:
        # The same answer whether the case does not exist or belongs to someone else.
        _refuse(
            interchange,
            f"{partner} named case {document.case.public_id}, which is not one of its cases",
            partner=partner,
        )
        return
    services.inbound_settle(
        interchange=interchange, status=Status.RECEIVED, partner=partner, case=case
    )
    services.outbound_mark_answered(
        partner=partner, document_id=document.in_reply_to or "", by=interchange
    )
    try:
        with transaction.atomic():
            detail = _apply_collab_event(actor, case, document)
    except (DomainError, Case.DoesNotExist) as exc:
        reason = f"{document.event_type} not applied to {case.reference}: {_why(exc)}"
        services.inbound_settle(
            interchange=interchange,
            status=Status.ACCEPTED_WITH_ERRORS,
            detail=reason,
            ack_status="E",
        )
        services.alert_raise(
            kind=AlertKind.APPLICATION_ERROR, interchange=interchange, message=reason
        )
        services.ack_enqueue(inbound=interchange, status="E", reason=reason)
        return
    services.inbound_settle(
        interchange=interchange, status=Status.ACCEPTED, detail=detail, ack_status="A"
    )
    services.ack_enqueue(inbound=interchange, status="A")


def _why(exc: Exception) -> str:
    """The refusal and every field error behind it, named, so a partner can fix them at once."""
    fields = getattr(exc, "fields", None) or {}
    named = [
        f"{name}: {' '.join(map(str, errors))}" if name != "payload" else " ".join(map(str, errors))
        for name, errors in fields.items()
        if errors
    ]
    return f"{exc} [{'; '.join(named)}]" if named else str(exc)


def _partner_case(actor: PartnerSystemActor, public_id: str) -> Case | None:
    try:
        uuid.UUID(public_id)
    except ValueError:
        return None
    return Case.objects.for_actor(actor).filter(public_id=public_id).first()


def _apply_collab_event(actor: PartnerSystemActor, case: Case, document: CollabDocument) -> str:
    data = document.event_data
    channel = Channel.TRADING_GRID
    if document.event_type == "message.posted":
        files = [(f.name, io.BytesIO(f.content)) for f in document.files]
        message = workspace.message_post(
            actor=actor,
            channel=channel,
            case=case,
            body=data["body"],
            visibility=Visibility.PARTNER,
            files=files,
        )
        return f"posted message {message.pk} on {case.reference}"
    if document.event_type == "case.transitioned":
        name = data.get("transition") or _transition_to(case, data["to_status"])
        # 1.1 carries the step's data: the flow's form checks it here as on the page and the API.
        workspace.case_transition(
            actor=actor,
            channel=channel,
            case=case,
            transition=name,
            comment=data.get("reason", ""),
            payload=data.get("payload"),
        )
        return f"{case.reference}: {name} → {data['to_status']}"
    if document.event_type == "file.attached":
        # A flow may own files on its cases (a requested trade document is submitted by one).
        handler = flow_for(case.kind).inbound.get(("tradinggrid", ("collab", "file.attached")))
        if handler is not None:
            by_name = {f.name: f for f in document.files}
            files = [(name, by_name[name].content) for name in data["file_names"]]
            _case, summary = handler(
                actor=actor,
                partner=actor.organization,
                payload={"case": case, "event_data": data, "files": files},
                channel=channel,
            )
            return summary
        by_name = {f.name: f for f in document.files}
        stored = []
        for name in data["file_names"]:
            version = workspace.file_upload(
                actor=actor,
                channel=channel,
                case=case,
                name=name,
                content=io.BytesIO(by_name[name].content),
                note=data.get("description", "")[:500],
            )
            stored.append(f"{version.original_name} v{version.number}")
        return f"stored {', '.join(stored)} on {case.reference}"
    raise DomainError(f"Event {document.event_type} is not accepted from partners.")


def _transition_to(case: Case, to_status: str) -> str:
    """The partner transition that leads to `to_status` from here (documents may name the target only)."""
    workflow = workflow_for(case.kind)
    for step in workflow.available(status=case.status, side=Side.PARTNER):
        if step.target == to_status:
            return step.name
    raise DomainError(f"No partner transition leads from {case.status} to {to_status}.")


# --- X12 ----------------------------------------------------------------------------------------


def _apply_x12(interchange: Interchange, raw: bytes, envelope: Envelope) -> None:
    if envelope.is_acknowledgement:
        _apply_acknowledgement(interchange, raw, envelope)
        return
    try:
        interchanges = validate_interchanges(
            raw,
            validate=validate_x12_transaction,
            encoding=selectors.encoding_for(interchange.partner),
        )
    except EdiError as exc:
        _quarantine(interchange, envelope, f"unreadable X12: {exc}")
        return
    partner = _sender_partner(interchange, envelope.sender)
    if partner is None:
        return
    transactions = [t for ic in interchanges for t in ic.transactions]
    broken = [i for ic in interchanges for i in ic.errors] + [
        i for ic in interchanges for g in ic.groups for i in g.errors
    ]
    if broken or not transactions or all(t.errors for t in transactions):
        first = (broken or [i for t in transactions for i in t.errors] or [None])[0]
        _quarantine(
            interchange,
            envelope,
            f"X12 envelope or content errors: {first or 'no transaction set'}",
        )
        return
    if _settled_as_duplicate(interchange, partner):
        return
    if envelope.usage == "T":
        _settle_test(interchange, partner)
        return
    actor = _actor(partner)
    applied, problems = [], []
    for transaction_set in transactions:
        if transaction_set.errors:
            problems.append(f"ST02 {transaction_set.control_number}: {transaction_set.errors[0]}")
            continue
        outcome = _apply_business(
            actor,
            partner,
            interchange,
            standard="x12",
            set_id=transaction_set.set_id,
            message=transaction_set,
        )
        if outcome.applied:
            applied.append(outcome.text)
        else:
            problems.append(
                f"{transaction_set.set_id} {transaction_set.control_number}: {outcome.text}"
            )
    if problems:
        reason = "; ".join(problems)
        services.inbound_settle(
            interchange=interchange,
            status=Status.ACCEPTED_WITH_ERRORS,
            detail="; ".join(applied + problems),
            partner=partner,
            ack_status="E",
        )
        services.alert_raise(
            kind=AlertKind.APPLICATION_ERROR, interchange=interchange, message=reason
        )
        services.ack_enqueue(inbound=interchange, status="E", reason=reason)
        return
    services.inbound_settle(
        interchange=interchange,
        status=Status.ACCEPTED,
        detail="; ".join(applied),
        partner=partner,
        ack_status="A",
    )
    services.ack_enqueue(inbound=interchange, status="A")


def _settled_as_duplicate(interchange: Interchange, partner: Organization) -> bool:
    """A resend of an interchange applied before (same sender and control numbers): answered
    again as the first was, applied once. EDI translators detect duplicates the same way;
    the ISA date may differ, so the bytes (and the inbox key) do not match."""
    earlier = selectors.inbound_for_controls(
        partner=partner,
        standard=interchange.standard,
        interchange_control=interchange.interchange_control,
        group_control=interchange.group_control,
        transaction_control=interchange.transaction_control,
        document_type=interchange.document_type,
        before=interchange.pk,
    )
    if earlier is None:
        return False
    services.inbound_settle(
        interchange=interchange,
        status=Status.DUPLICATE,
        detail=f"control numbers {interchange.control_label} were applied as #{earlier.pk}; "
        "not applied again",
        partner=partner,
        case=earlier.case,
        ack_status=earlier.ack_status or "A",
    )
    services.ack_enqueue(inbound=interchange, status=earlier.ack_status or "A")
    return True


def _settle_test(interchange: Interchange, partner: Organization) -> None:
    """A test interchange is read, validated and acknowledged, and changes no case.

    The 997 says A (its syntax is what a 997 answers) and is itself marked test, so the
    partner's connection test passes and nothing reads it as a production acceptance.
    """
    services.inbound_settle(
        interchange=interchange,
        status=Status.TEST,
        detail="test interchange (usage indicator T): validated and acknowledged, "
        "not applied to any case",
        partner=partner,
        ack_status="A",
    )
    services.ack_enqueue(inbound=interchange, status="A")


@dataclass(frozen=True)
class _Outcome:
    applied: bool
    text: str


def _apply_business(
    actor: PartnerSystemActor,
    partner: Organization,
    interchange: Interchange,
    *,
    standard: str,
    set_id: str,
    message: Any,
) -> _Outcome:
    """One business document through the flow that owns its (standard, type), if any.

    The connector names no set: a flow registers a handler for ("tradinggrid", (standard,
    set id)) and applies the mapped document through the same services as the browser. Each
    document gets its own savepoint, so one that fails leaves the others of the file applied.
    """
    label = f"{'X12' if standard == 'x12' else 'EDIFACT'} {set_id}"
    mapping = find_mapping(standard=standard, set_id=set_id)
    if mapping is None:
        return _Outcome(False, f"no mapping for {label}")
    handler = inbound_handler(conf.CONNECTOR, (standard, set_id))
    if handler is None:
        return _Outcome(False, f"{label} is read but not applied to cases yet.")
    try:
        payload = mapping.to_domain(message)
        with transaction.atomic():
            case, summary = handler(
                actor=actor, partner=partner, payload=payload, channel=Channel.TRADING_GRID
            )
    except (MappingError, DomainError, Case.DoesNotExist) as exc:
        return _Outcome(False, _why(exc))
    if interchange.case_id is None:
        services.inbound_settle(interchange=interchange, status=interchange.status, case=case)
    return _Outcome(True, summary)


# --- Acknowledgements -----------------------------------------------------------------------


def _apply_acknowledgement(interchange: Interchange, raw: bytes, envelope: Envelope) -> None:
    """Match a 997/CONTRL to what we sent. Never answered: acknowledgements are not acknowledged."""
    try:
        result = read_acknowledgement(raw)
    except EdiError as exc:
        _quarantine(interchange, envelope, f"unreadable acknowledgement: {exc}", acknowledge=False)
        return
    partner = selectors.partner_by_identity(result.sender)
    if partner is None:
        services.inbound_settle(
            interchange=interchange,
            status=Status.REJECTED,
            detail=f"acknowledgement from {result.sender.key}, who is no partner of ours",
        )
        services.alert_raise(
            kind=AlertKind.REFUSED,
            interchange=interchange,
            message=f"A 997/CONTRL came from {result.sender.key}, who is no partner of ours.",
        )
        return
    match = services.acknowledgement_match(ack=interchange, result=result, partner=partner)
    parts = [f"matched {len(match.matched)} document(s)"]
    if match.unmatched:
        parts.append("acknowledges nothing we sent for " + ", ".join(match.unmatched))
    services.inbound_settle(
        interchange=interchange,
        status=Status.PROCESSED,
        detail="; ".join(parts),
        partner=partner,
        case=match.matched[0].case
        if len(match.matched) == 1 and match.matched[0].case_id
        else None,
    )


# --- EDIFACT ------------------------------------------------------------------------------------


def _apply_edifact(interchange: Interchange, raw: bytes, envelope: Envelope) -> None:
    if envelope.is_acknowledgement:
        _apply_acknowledgement(interchange, raw, envelope)
        return
    try:
        parsed = validate_edifact(raw)
    except EdiError as exc:
        # A CONTRL needs the UNB we could not read: set aside without an answer.
        _quarantine(interchange, envelope, f"unreadable EDIFACT: {exc}", acknowledge=False)
        return
    partner = _sender_partner(interchange, parsed.sender)
    if partner is None:
        return
    if parsed.errors or any(m.errors for m in parsed.messages):
        first = (parsed.errors or [e for m in parsed.messages for e in m.errors])[0]
        _quarantine(interchange, envelope, f"EDIFACT envelope errors: {first}")
        return
    if _settled_as_duplicate(interchange, partner):
        return
    if parsed.unb.text(11) == "1":  # UNB 0035, the test indicator
        _settle_test(interchange, partner)
        return
    actor = _actor(partner)
    applied, problems = [], []
    for message in parsed.messages:
        outcome = _apply_business(
            actor,
            partner,
            interchange,
            standard="edifact",
            set_id=message.message_type,
            message=message,
        )
        if outcome.applied:
            applied.append(outcome.text)
        else:
            problems.append(f"{message.message_type} {message.reference}: {outcome.text}")
    if not parsed.messages:
        problems.append("no message")
    # A CONTRL answers the syntax, which is right: "A" either way. What the application made
    # of the messages is the ledger's and operations' to see (an APERAK would tell the partner).
    if problems:
        reason = "; ".join(problems)
        services.inbound_settle(
            interchange=interchange,
            status=Status.ACCEPTED_WITH_ERRORS,
            detail="; ".join(applied + problems),
            partner=partner,
            ack_status="A",
        )
        services.alert_raise(
            kind=AlertKind.APPLICATION_ERROR, interchange=interchange, message=reason
        )
    else:
        services.inbound_settle(
            interchange=interchange,
            status=Status.ACCEPTED,
            detail="; ".join(applied),
            partner=partner,
            ack_status="A",
        )
    services.ack_enqueue(inbound=interchange, status="A")
