"""Functional acknowledgements: build 997 and CONTRL for inbound documents, read inbound ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .collab import CollabDocumentError, parse_document, read_document_json
from .control_numbers import ControlNumberSource
from .edifact import (
    CODE_MISSING,
    EdifactCharacters,
    EdifactInterchange,
    EdifactMessage,
    OutboundMessage,
    build_edifact_interchange,
    validate_edifact,
)
from .errors import EdiError, EdiIssue
from .parties import Party
from .segments import Element, Segment, segment
from .sources import Source, open_source
from .x12_build import OutboundTransaction, build_interchange
from .x12_envelopes import FunctionalGroup, Interchange, Transaction, parse_interchange
from .x12_reader import X12Delimiters

AckStatus = Literal["A", "E", "P", "R"]
# AK501/AK901 codes of later versions that all mean "rejected" to the ledger.
_REJECTED_CODES = frozenset({"R", "M", "W", "X"})
# CONTRL action codes (0083) as the ledger's statuses.
_CONTRL_STATUS: dict[str, AckStatus] = {
    "1": "A",
    "2": "E",
    "3": "P",
    "4": "R",
    "5": "A",
    "6": "R",
    "7": "A",
    "8": "A",
}
CONTRL_ACKNOWLEDGED = "7"
CONTRL_REJECTED = "4"
_MAX_CODES = 5


@dataclass(frozen=True, slots=True)
class ElementError:
    """AK4: element position (and component), its reference number, code, bad value."""

    position: int
    code: str
    component: int | None = None
    reference: str | None = None
    bad_value: str | None = None


@dataclass(frozen=True, slots=True)
class SegmentError:
    """AK3 (or CONTRL UCS): which segment of the set, and its element errors."""

    segment_id: str
    index: int
    code: str | None
    elements: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class TransactionAck:
    """One acknowledged transaction set (AK2..AK5) or EDIFACT message (UCM)."""

    set_id: str
    control_number: str
    status: AckStatus
    error_codes: tuple[str, ...] = ()
    segment_errors: tuple[SegmentError, ...] = ()
    raw_status: str = ""


@dataclass(frozen=True, slots=True)
class GroupAck:
    """One acknowledged functional group (AK1..AK9)."""

    functional_id: str
    control_number: str
    status: AckStatus
    included: int
    received: int
    accepted: int
    error_codes: tuple[str, ...] = ()
    transactions: tuple[TransactionAck, ...] = ()
    raw_status: str = ""


@dataclass(frozen=True, slots=True)
class AckReference:
    """One row the ledger matches: the acknowledged control numbers and the status given.

    A 997 names the group (GS06) and transaction (ST02) but not the interchange: match on
    the counterparty plus (group, transaction). A CONTRL names the interchange (UNB05) and
    messages (UNH01). ``transaction`` is None for a row about a whole group or interchange.
    """

    interchange: str | None
    group: str | None
    transaction: str | None
    document_type: str | None
    status: AckStatus
    error_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AckResult:
    """An inbound 997, 999 or CONTRL, read."""

    standard: Literal["x12", "edifact"]
    sender: Party
    receiver: Party
    control_number: str
    groups: tuple[GroupAck, ...] = ()
    acknowledged_interchange: str | None = None
    interchange_status: AckStatus | None = None
    interchange_error_codes: tuple[str, ...] = ()
    messages: tuple[TransactionAck, ...] = ()

    @property
    def references(self) -> tuple[AckReference, ...]:
        rows: list[AckReference] = []
        if self.acknowledged_interchange is not None and self.interchange_status is not None:
            rows.append(
                AckReference(
                    interchange=self.acknowledged_interchange,
                    group=None,
                    transaction=None,
                    document_type=None,
                    status=self.interchange_status,
                    error_codes=self.interchange_error_codes,
                )
            )
        for message in self.messages:
            rows.append(
                AckReference(
                    interchange=self.acknowledged_interchange,
                    group=None,
                    transaction=message.control_number,
                    document_type=message.set_id,
                    status=message.status,
                    error_codes=message.error_codes,
                )
            )
        for group in self.groups:
            rows.append(
                AckReference(
                    interchange=None,
                    group=group.control_number,
                    transaction=None,
                    document_type=group.functional_id,
                    status=group.status,
                    error_codes=group.error_codes,
                )
            )
            for transaction in group.transactions:
                rows.append(
                    AckReference(
                        interchange=None,
                        group=group.control_number,
                        transaction=transaction.control_number,
                        document_type=transaction.set_id,
                        status=transaction.status,
                        error_codes=transaction.error_codes,
                    )
                )
        return tuple(rows)

    def status_of(self, *, group: str, transaction: str) -> AckStatus | None:
        """The status a 997 gives a transaction set: its AK5, else its group's AK9."""
        for found in self.groups:
            if found.control_number != group:
                continue
            for acked in found.transactions:
                if acked.control_number == transaction:
                    return acked.status
            return found.status
        return None


# Building a 997 -----------------------------------------------------------------------


@dataclass
class _GroupReport:
    functional_id: str
    control_number: str
    version: str
    included: int
    transactions: list[TransactionAck] = field(default_factory=list)
    issues: list[EdiIssue] = field(default_factory=list)


def _ack_from_issues(
    *, set_id: str, control_number: str, issues: Sequence[EdiIssue]
) -> TransactionAck:
    """AK5 of a transaction set from its issues: R on errors, E on warnings only, else A."""
    codes = _unique(i.code for i in issues if i.level == "transaction")
    content = [i for i in issues if i.level in ("segment", "element")]
    if content:
        codes = _unique([*codes, "5"])
    if any(i.severity == "error" for i in issues):
        status: AckStatus = "R"
    elif issues:
        status = "E"
    else:
        status = "A"
    return TransactionAck(
        set_id=set_id,
        control_number=control_number,
        status=status,
        error_codes=tuple(codes[:_MAX_CODES]),
        segment_errors=_segment_errors(content),
        raw_status=status,
    )


def _segment_errors(issues: Sequence[EdiIssue]) -> tuple[SegmentError, ...]:
    by_segment: dict[tuple[int, str], list[EdiIssue]] = {}
    for issue in issues:
        key = (issue.segment_index or 0, issue.segment_id or "")
        by_segment.setdefault(key, []).append(issue)
    out = []
    for (index, segment_id), found in sorted(by_segment.items()):
        seg_codes = [i.code for i in found if i.level == "segment"]
        elements = tuple(
            ElementError(
                position=i.element_position or 0,
                component=i.component_position,
                reference=i.element_reference,
                code=i.code,
                bad_value=i.bad_value,
            )
            for i in found
            if i.level == "element"
        )
        code = seg_codes[0] if seg_codes else "8"
        out.append(SegmentError(segment_id=segment_id, index=index, code=code, elements=elements))
    return tuple(out)


def _report_group(group: FunctionalGroup) -> _GroupReport:
    declared = group.ge.text(1) if group.ge else ""
    report = _GroupReport(
        functional_id=group.functional_id,
        control_number=group.control_number,
        version=group.version,
        included=int(declared) if declared.isdigit() else group.transaction_count,
        issues=list(group.issues),
    )
    for transaction in group.transactions:
        report.transactions.append(_ack_transaction(transaction))
    return report


def _ack_transaction(transaction: Transaction) -> TransactionAck:
    return _ack_from_issues(
        set_id=transaction.set_id,
        control_number=transaction.control_number,
        issues=transaction.issues,
    )


def _group_ack(report: _GroupReport) -> GroupAck:
    """AK9: R on a group error or when every set is rejected, P when some are, E, A."""
    group_errors = [i for i in report.issues if i.severity == "error"]
    statuses = [t.status for t in report.transactions]
    rejected = statuses.count("R")
    accepted = len(statuses) - rejected
    if group_errors:
        status: AckStatus = "R"
        accepted = 0
    elif statuses and rejected == len(statuses):
        status = "R"
    elif rejected:
        status = "P"
    elif "E" in statuses or report.issues:
        status = "E"
    else:
        status = "A"
    return GroupAck(
        functional_id=report.functional_id,
        control_number=report.control_number,
        status=status,
        included=report.included,
        received=len(statuses),
        accepted=accepted,
        error_codes=tuple(_unique(i.code for i in report.issues)[:_MAX_CODES]),
        transactions=tuple(report.transactions),
        raw_status=status,
    )


def build_997(
    *,
    interchange: Interchange,
    control_numbers: ControlNumberSource,
    now: datetime | None = None,
    delimiters: X12Delimiters | None = None,
    version: str | None = None,
) -> Interchange:
    """The 997 answering every group of an interchange read by ``validate_interchanges``.

    One 997 transaction set per acknowledged group, in one FA group, addressed back to the
    sender with its delimiters and its ISA and GS versions unless told otherwise. Interchange-level problems (IEA counts, ISA) belong in a TA1, which this does
    not build; they stay in ``interchange.issues``.
    """
    # A group made up for an ST without GS has nothing an AK1 could name.
    groups = [group for group in interchange.groups if group.gs.elements]
    if not groups:
        raise EdiError("the interchange has no functional group to acknowledge")
    first = groups[0]
    return _write_997(
        reports=[_report_group(group) for group in groups],
        sender=interchange.receiver,
        receiver=interchange.sender,
        application_sender=first.application_receiver,
        application_receiver=first.application_sender,
        control_numbers=control_numbers,
        now=now,
        delimiters=delimiters or interchange.delimiters,
        version=version or first.version or "004010",
        isa_version=interchange.version or "00401",
    )


def build_997_for_collab(
    *,
    data: bytes,
    control_numbers: ControlNumberSource,
    now: datetime | None = None,
    delimiters: X12Delimiters | None = None,
) -> Interchange:
    """The 997 for an inbound collaboration document: AK1*ZZ*group, AK2*CXD*transaction.

    A document that fails its schema or checksums is rejected (AK5 R, code 5) as long as
    its sender, receiver and control numbers can be read; otherwise CollabDocumentError.
    """
    raw = read_document_json(data)
    try:
        document = parse_document(data)
    except CollabDocumentError as exc:
        control, sender, receiver = _collab_envelope(raw, exc)
        # The document is one "segment" to X12 eyes: code 5, one or more segments in error.
        ack = TransactionAck(
            set_id=control["set_id"],
            control_number=control["transaction"],
            status="R",
            error_codes=("5",),
            raw_status="R",
        )
    else:
        control = document.control.as_dict()
        sender, receiver = document.sender, document.receiver
        ack = _ack_from_issues(
            set_id=control["set_id"], control_number=control["transaction"], issues=[]
        )
    report = _GroupReport(
        functional_id=control["functional_id"],
        control_number=control["group"],
        version="",
        included=1,
        transactions=[ack],
    )
    return _write_997(
        reports=[report],
        sender=receiver,
        receiver=sender,
        application_sender=receiver.id,
        application_receiver=sender.id,
        control_numbers=control_numbers,
        now=now,
        delimiters=delimiters or X12Delimiters(),
        version="004010",
        isa_version="00401",
    )


def _collab_envelope(raw: dict, error: CollabDocumentError) -> tuple[dict, Party, Party]:
    try:
        control = raw["control"]
        sender = Party(qualifier=raw["sender"]["qualifier"], id=raw["sender"]["id"])
        receiver = Party(qualifier=raw["receiver"]["qualifier"], id=raw["receiver"]["id"])
        for key in ("group", "transaction", "functional_id", "set_id"):
            if not isinstance(control[key], str) or not control[key]:
                raise TypeError(key)
    except (KeyError, TypeError):
        raise CollabDocumentError(
            f"cannot acknowledge: sender, receiver or control numbers unreadable ({error})"
        ) from None
    return control, sender, receiver


def _write_997(
    *,
    reports: Sequence[_GroupReport],
    sender: Party,
    receiver: Party,
    application_sender: str,
    application_receiver: str,
    control_numbers: ControlNumberSource,
    now: datetime | None,
    delimiters: X12Delimiters,
    version: str,
    isa_version: str,
) -> Interchange:
    return build_interchange(
        sender=sender,
        receiver=receiver,
        functional_id="FA",
        transactions=[
            OutboundTransaction(
                set_id="997", body=_ack_body(report, version=version, delimiters=delimiters)
            )
            for report in reports
        ],
        control_numbers=control_numbers,
        application_sender=application_sender or sender.id,
        application_receiver=application_receiver or receiver.id,
        version=version,
        isa_version=isa_version,
        ack_requested=False,
        now=now,
        delimiters=delimiters,
    )


def _ack_body(report: _GroupReport, *, version: str, delimiters: X12Delimiters) -> list[Segment]:
    acked = _group_ack(report)
    ak1: list[Element | None] = [acked.functional_id, acked.control_number]
    if version >= "005" and report.version:
        ak1.append(report.version)
    body = [segment("AK1", *ak1)]
    for transaction in acked.transactions:
        body.append(segment("AK2", transaction.set_id, transaction.control_number))
        for seg_error in transaction.segment_errors:
            body.append(
                segment("AK3", seg_error.segment_id, str(seg_error.index), None, seg_error.code)
            )
            for element in seg_error.elements:
                position: Element = (
                    (str(element.position), str(element.component))
                    if element.component
                    else str(element.position)
                )
                body.append(
                    segment(
                        "AK4",
                        position,
                        element.reference,
                        element.code,
                        _safe_copy(element.bad_value, delimiters),
                    )
                )
        body.append(segment("AK5", transaction.status, *transaction.error_codes))
    body.append(
        segment(
            "AK9",
            acked.status,
            str(acked.included),
            str(acked.received),
            str(acked.accepted),
            *acked.error_codes,
        )
    )
    return body


def _safe_copy(value: str | None, delimiters: X12Delimiters) -> str | None:
    # AK404 copies the bad value, which may itself hold one of our delimiters.
    if not value:
        return None
    specials = {delimiters.element, delimiters.component, delimiters.segment}
    if delimiters.repetition:
        specials.add(delimiters.repetition)
    cleaned = "".join(" " if char in specials else char for char in value)[:99]
    return cleaned.strip() or None


# Building a CONTRL --------------------------------------------------------------------


def build_contrl(
    *,
    interchange: EdifactInterchange,
    control_numbers: ControlNumberSource,
    now: datetime | None = None,
    characters: EdifactCharacters | None = None,
) -> EdifactInterchange:
    """The CONTRL answering an interchange read by ``validate_edifact``.

    UCI acknowledges (7) or rejects (4) the interchange; a UCM per message says the same
    of each, with UCS/UCD for segment and element errors. EDIFACT has no "accepted with
    errors": warnings do not reject.
    """
    interchange_errors = [i for i in interchange.issues if i.severity == "error"]
    any_rejected = False
    body: list[Segment] = []
    for message in interchange.messages:
        errors = message.errors
        any_rejected = any_rejected or bool(errors)
        body += _ucm(message, errors)
    uci: list[Element | None] = [
        interchange.control_reference,
        interchange.unb.element(2),
        interchange.unb.element(3),
    ]
    if interchange_errors:
        first = interchange_errors[0]
        # UCI06 names the service segment in error; a missing UNZ is reported at the last
        # segment read, so it is named here.
        tag = first.segment_id if first.segment_id in ("UNA", "UNB", "UNZ") else None
        if tag is None and first.code == CODE_MISSING:
            tag = "UNZ"
        uci += [CONTRL_REJECTED, first.code, tag]
    else:
        uci.append(CONTRL_ACKNOWLEDGED)
    syntax = (interchange.syntax_identifier or "UNOC", interchange.syntax_version or "3")
    return build_edifact_interchange(
        sender=interchange.recipient,
        recipient=interchange.sender,
        messages=[
            OutboundMessage(
                identifier=("CONTRL", "D", "3", "UN"), body=[segment("UCI", *uci), *body]
            )
        ],
        control_numbers=control_numbers,
        syntax=syntax,
        now=now,
        characters=characters or interchange.characters,
        una=interchange.has_una,
    )


def _ucm(message: EdifactMessage, errors: Sequence[EdiIssue]) -> list[Segment]:
    if not errors:
        return [segment("UCM", message.reference, message.unh.element(2), CONTRL_ACKNOWLEDGED)]
    envelope = [e for e in errors if e.level == "transaction"]
    first = (envelope or list(errors))[0]
    out = [
        segment(
            "UCM",
            message.reference,
            message.unh.element(2),
            CONTRL_REJECTED,
            first.code,
            first.segment_id if first.segment_id in ("UNH", "UNT") else None,
        )
    ]
    for seg_error in _segment_errors([e for e in errors if e.level in ("segment", "element")]):
        out.append(segment("UCS", str(seg_error.index), seg_error.code))
        for element in seg_error.elements:
            out.append(
                segment(
                    "UCD",
                    element.code,
                    (str(element.position), str(element.component or "")),
                )
            )
    return out


# Reading inbound acknowledgements -----------------------------------------------------


def read_acknowledgement(source: Source) -> AckResult:
    """An inbound 997/999 (X12) or CONTRL (EDIFACT), told apart by content."""
    with open_source(source) as fp:
        data = fp.read()
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    start = text.lstrip("\ufeff \r\n\t")[:3]
    if start == "ISA":
        return read_997(parse_interchange(data))
    if start in ("UNA", "UNB"):
        return read_contrl(validate_edifact(data))
    raise EdiError("not an X12 or EDIFACT acknowledgement")


def read_997(interchange: Interchange) -> AckResult:
    """The groups and sets a 997 (or 999) acknowledges, with their statuses."""
    groups: list[GroupAck] = []
    for transaction in interchange.transactions:
        if transaction.set_id not in ("997", "999"):
            raise EdiError(f"transaction set {transaction.set_id} is not a 997 or 999")
        groups += _read_ack_transaction(transaction.body)
    return AckResult(
        standard="x12",
        sender=interchange.sender,
        receiver=interchange.receiver,
        control_number=interchange.control_number,
        groups=tuple(groups),
    )


def _read_ack_transaction(body: Iterable[Segment]) -> list[GroupAck]:
    groups: list[GroupAck] = []
    group: dict | None = None
    current: dict | None = None
    for seg in body:
        sid = seg.id
        if sid == "AK1":
            group = {"id": seg.text(1), "control": seg.text(2), "transactions": []}
        elif sid == "AK2":
            current = {"set": seg.text(1), "control": seg.text(2), "segments": []}
        elif sid in ("AK3", "IK3") and current is not None:
            current["segments"].append(
                {
                    "id": seg.text(1),
                    "index": int(seg.text(2)) if seg.text(2).isdigit() else 0,
                    "code": seg.text(4) or None,
                    "elements": [],
                }
            )
        elif sid in ("AK4", "IK4") and current is not None and current["segments"]:
            component = seg.component(1, 2)
            current["segments"][-1]["elements"].append(
                ElementError(
                    position=int(seg.component(1, 1) or 0),
                    component=int(component) if component.isdigit() else None,
                    reference=seg.text(2) or None,
                    code=seg.text(3),
                    bad_value=seg.text(4) or None,
                )
            )
        elif sid in ("AK5", "IK5") and current is not None and group is not None:
            raw = seg.text(1)
            group["transactions"].append(
                TransactionAck(
                    set_id=current["set"],
                    control_number=current["control"],
                    status=_x12_status(raw),
                    error_codes=tuple(v for v in (seg.text(i) for i in range(2, 7)) if v),
                    segment_errors=tuple(
                        SegmentError(
                            segment_id=s["id"],
                            index=s["index"],
                            code=s["code"],
                            elements=tuple(s["elements"]),
                        )
                        for s in current["segments"]
                    ),
                    raw_status=raw,
                )
            )
            current = None
        elif sid == "AK9" and group is not None:
            raw = seg.text(1)
            groups.append(
                GroupAck(
                    functional_id=group["id"],
                    control_number=group["control"],
                    status=_x12_status(raw),
                    included=_int(seg.text(2)),
                    received=_int(seg.text(3)),
                    accepted=_int(seg.text(4)),
                    error_codes=tuple(v for v in (seg.text(i) for i in range(5, 10)) if v),
                    transactions=tuple(group["transactions"]),
                    raw_status=raw,
                )
            )
            group = None
    return groups


def read_contrl(interchange: EdifactInterchange) -> AckResult:
    """The interchange and messages a CONTRL acknowledges, with their statuses."""
    acknowledged: str | None = None
    status: AckStatus | None = None
    codes: tuple[str, ...] = ()
    messages: list[TransactionAck] = []
    for message in interchange.messages:
        if message.message_type != "CONTRL":
            raise EdiError(f"message {message.message_type} is not a CONTRL")
        for seg in message.body:
            if seg.id == "UCI":
                acknowledged = seg.text(1)
                status = _CONTRL_STATUS.get(seg.text(4), "R")
                codes = tuple(v for v in (seg.text(5),) if v)
            elif seg.id == "UCM":
                raw = seg.text(3)
                messages.append(
                    TransactionAck(
                        set_id=seg.component(2, 1),
                        control_number=seg.text(1),
                        status=_CONTRL_STATUS.get(raw, "R"),
                        error_codes=tuple(v for v in (seg.text(4),) if v),
                        raw_status=raw,
                    )
                )
    if acknowledged is None:
        raise EdiError("CONTRL without UCI")
    return AckResult(
        standard="edifact",
        sender=interchange.sender,
        receiver=interchange.recipient,
        control_number=interchange.control_reference,
        acknowledged_interchange=acknowledged,
        interchange_status=status,
        interchange_error_codes=codes,
        messages=tuple(messages),
    )


def _x12_status(raw: str) -> AckStatus:
    if raw in _REJECTED_CODES:
        return "R"
    return raw if raw in ("A", "E", "P") else "R"  # type: ignore[return-value]


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(code for code in codes if code))
