"""The 997 or CONTRL we answer an inbound document with, including the negative ones.

The EDI library acknowledges what it can validate. This module adds the two answers it
leaves to the connector: a verdict decided by the application (a collaboration document
accepted with errors because its transition is not allowed, or refused because it names a
case that is not the sender's), and a rejection of an X12 file too broken to parse, built
from whatever GS and ST segments could still be read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .edi import (
    ControlNumberSource,
    EdiError,
    EdiIssue,
    MemoryControlNumberSource,
    OutboundTransaction,
    Party,
    build_997,
    build_contrl,
    build_interchange,
    read_acknowledgement,
    segment,
    validate_edifact,
    validate_interchanges,
    validate_x12_transaction,
    write_edifact,
    write_interchange,
)
from .envelopes import Envelope
from .models import Standard

X12_VERSION = "004010"


@dataclass(frozen=True)
class BuiltAck:
    data: bytes
    standard: str
    document_type: str
    interchange_control: str
    group_control: str = ""
    transaction_control: str = ""
    functional_id: str = ""
    # What the document itself says, read back from its bytes (the worst AK9, UCI or UCM
    # status), and the library's findings behind it: the ledger shows these, not our intent.
    status: str = ""
    notes: tuple[str, ...] = ()


# From best to worst: the status a whole acknowledgement gives is its worst one.
_SEVERITY = {"A": 0, "E": 1, "P": 2, "R": 3}


def carried_status(data: bytes) -> str:
    """The verdict an acknowledgement carries, read from its bytes as its receiver reads it."""
    result = read_acknowledgement(data)
    statuses = [group.status for group in result.groups]
    statuses += [message.status for message in result.messages]
    if result.interchange_status:
        statuses.append(result.interchange_status)
    return max(statuses, key=lambda status: _SEVERITY.get(status, 3), default="")


class NotAcknowledgeable(EdiError):
    """Nothing in the document says whom to answer or what: no acknowledgement is possible."""


def build_ack(
    *,
    raw: bytes,
    envelope: Envelope,
    own: Party,
    status: str,
    codes: Sequence[str],
    reason: str,
    control_numbers: ControlNumberSource,
    version: str = X12_VERSION,
    now: datetime | None = None,
    encoding: str | None = None,
) -> BuiltAck:
    """Our answer to one inbound document with the application's verdict `status` (A, E or R).

    The library adds its own findings (a segment outside the set's layout makes an accepted
    set "accepted with errors"), so the answer's `status` is read back from what was built.
    `encoding` is the partner's character set the document was read in.
    """
    if envelope.is_acknowledgement:
        raise NotAcknowledgeable("acknowledgements are never acknowledged")
    if envelope.standard == Standard.COLLAB:
        built = _collab_997(envelope, own, status, codes, control_numbers, now)
    elif envelope.standard == Standard.X12:
        built = _x12_997(
            raw, envelope, own, status, codes, reason, control_numbers, version, now, encoding
        )
    elif envelope.standard == Standard.EDIFACT:
        built = _contrl(raw, control_numbers, now, encoding)
    else:
        raise NotAcknowledgeable("the format is unknown")
    return dataclasses.replace(built, status=carried_status(built.data))


def ack_verdict(
    *,
    raw: bytes,
    envelope: Envelope,
    own: Party,
    status: str,
    codes: Sequence[str] = (),
    reason: str = "",
    encoding: str | None = None,
) -> BuiltAck | None:
    """The acknowledgement `build_ack` will send, built now without drawing control numbers.

    The ledger records its status when the verdict is decided, so the row and the 997 sent
    later say the same; None when no acknowledgement can be sent at all.
    """
    try:
        return build_ack(
            raw=raw,
            envelope=envelope,
            own=own,
            status=status,
            codes=codes,
            reason=reason,
            control_numbers=MemoryControlNumberSource(),
            encoding=encoding,
        )
    except NotAcknowledgeable:
        return None


def _x12_result(interchange, encoding: str | None = None) -> BuiltAck:
    group = interchange.groups[0]
    transaction = group.transactions[0] if group.transactions else None
    return BuiltAck(
        # A 997 may quote a bad value (AK404): in the partner's own character set.
        data=write_interchange(interchange, encoding=encoding or "utf-8") or b"",
        standard=Standard.X12,
        document_type="997",
        interchange_control=interchange.control_number,
        group_control=group.control_number,
        transaction_control=transaction.control_number if transaction else "",
        functional_id="FA",
    )


def _collab_997(
    envelope: Envelope,
    own: Party,
    status: str,
    codes: Sequence[str],
    control_numbers: ControlNumberSource,
    now: datetime | None,
) -> BuiltAck:
    # The same 997 as the library's build_997_for_collab, with the status ours to give.
    if not (envelope.sender and envelope.group_control and envelope.transaction_control):
        raise NotAcknowledgeable("the document's sender or control numbers cannot be read")
    accepted = 0 if status == "R" else 1
    body = [
        segment("AK1", envelope.functional_id or "ZZ", envelope.group_control),
        segment("AK2", envelope.document_type or "CXD", envelope.transaction_control),
        segment("AK5", status, *codes),
        segment("AK9", status, "1", "1", str(accepted)),
    ]
    return _x12_result(_write_997(own, envelope.sender, [body], control_numbers, X12_VERSION, now))


def _write_997(
    own: Party,
    receiver: Party,
    bodies: list[list],
    control_numbers: ControlNumberSource,
    version: str,
    now: datetime | None,
):
    return build_interchange(
        sender=own,
        receiver=receiver,
        functional_id="FA",
        transactions=[OutboundTransaction(set_id="997", body=body) for body in bodies],
        control_numbers=control_numbers,
        version=version,
        ack_requested=False,
        now=now,
    )


def _x12_997(
    raw: bytes,
    envelope: Envelope,
    own: Party,
    status: str,
    codes: Sequence[str],
    reason: str,
    control_numbers: ControlNumberSource,
    version: str,
    now: datetime | None,
    encoding: str | None,
) -> BuiltAck:
    try:
        interchanges = validate_interchanges(
            raw, validate=validate_x12_transaction, encoding=encoding or "utf-8"
        )
    except EdiError:
        return _x12_negative(envelope, own, control_numbers, version, now)
    if not interchanges or not interchanges[0].groups:
        return _x12_negative(envelope, own, control_numbers, version, now)
    interchange = interchanges[0]
    notes = tuple(
        f"ST02 {transaction.control_number}: {issue.message}"
        for transaction in interchange.transactions
        for issue in transaction.issues
    )
    if status in ("E", "R"):
        # The application's verdict rides on the library's own: an issue on every set, a
        # warning for "accepted with errors", an error for a refusal.
        for transaction in interchange.transactions:
            if not transaction.errors:
                transaction.issues.append(
                    EdiIssue(
                        message=reason or "refused by the application",
                        level="transaction",
                        code=codes[0] if codes else "",
                        severity="warning" if status == "E" else "error",
                    )
                )
    ack = build_997(
        interchange=interchange, control_numbers=control_numbers, now=now, version=version
    )
    if interchange.usage_indicator == "T":
        # The answer to a test interchange is a test interchange too (ISA15).
        ack.isa.elements[14] = "T"
    return dataclasses.replace(_x12_result(ack, encoding), notes=notes)


def _x12_negative(
    envelope: Envelope,
    own: Party,
    control_numbers: ControlNumberSource,
    version: str,
    now: datetime | None,
) -> BuiltAck:
    """A 997 rejecting every group and set of a file the reader could not take apart."""
    if envelope.sender is None or not envelope.groups:
        raise NotAcknowledgeable("no ISA sender or GS group could be read")
    bodies = []
    for group in envelope.groups:
        body = [segment("AK1", group.functional_id, group.control_number)]
        for set_id, control in group.transactions:
            # 5: one or more segments in error.
            body += [segment("AK2", set_id, control), segment("AK5", "R", "5")]
        count = str(len(group.transactions))
        # 3: the group's trailer is missing.
        trailer = [] if group.closed else ["3"]
        body.append(segment("AK9", "R", count, count, "0", *trailer))
        bodies.append(body)
    return _x12_result(_write_997(own, envelope.sender, bodies, control_numbers, version, now))


def _contrl(
    raw: bytes, control_numbers: ControlNumberSource, now: datetime | None, encoding: str | None
) -> BuiltAck:
    try:
        interchange = validate_edifact(raw, encoding=encoding)
    except EdiError as exc:
        raise NotAcknowledgeable(f"the EDIFACT interchange cannot be read: {exc}") from exc
    contrl = build_contrl(interchange=interchange, control_numbers=control_numbers, now=now)
    message = contrl.messages[0] if contrl.messages else None
    return BuiltAck(
        data=write_edifact(contrl) or b"",
        standard=Standard.EDIFACT,
        document_type="CONTRL",
        interchange_control=contrl.control_reference,
        transaction_control=message.reference if message else "",
    )
