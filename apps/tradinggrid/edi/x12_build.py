"""Build an outbound X12 interchange from body segments, with control numbers from a source."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .control_numbers import ControlNumberSource
from .errors import EdiWriteError
from .parties import Party
from .segments import Segment
from .x12_envelopes import Interchange, parse_interchange
from .x12_reader import X12Delimiters
from .x12_writer import DEFAULT_DELIMITERS, X12Writer

# GS01 (479) of the sets Crossdock trades: which functional group a transaction set travels in.
FUNCTIONAL_IDS = {
    "180": "AN",
    "214": "QM",
    "810": "IN",
    "812": "CD",
    "824": "AG",
    "830": "PS",
    "832": "SC",
    "846": "IB",
    "850": "PO",
    "852": "PD",
    "855": "PR",
    "856": "SH",
    "860": "PC",
    "865": "CA",
    "870": "RS",
    "997": "FA",
}


def functional_id_for(set_id: str) -> str:
    try:
        return FUNCTIONAL_IDS[set_id]
    except KeyError:
        raise EdiWriteError(f"no functional group (GS01) is known for X12 {set_id}") from None


@dataclass(frozen=True, slots=True)
class OutboundTransaction:
    """A transaction set to send: its id (ST01) and body (what a mapping's from_domain gives)."""

    set_id: str
    body: Sequence[Segment]


def build_interchange(
    *,
    sender: Party,
    receiver: Party,
    functional_id: str,
    transactions: Sequence[OutboundTransaction],
    control_numbers: ControlNumberSource,
    application_sender: str | None = None,
    application_receiver: str | None = None,
    version: str = "004010",
    isa_version: str = "00401",
    usage_indicator: str = "P",
    ack_requested: bool = True,
    now: datetime | None = None,
    delimiters: X12Delimiters = DEFAULT_DELIMITERS,
) -> Interchange:
    """One interchange with one group around ``transactions``, written and read back.

    Reading back what was written means the result carries exactly the control numbers,
    counts and positions of the bytes that ``write_interchange`` will produce for it, and
    that nothing leaves that our own reader would refuse.
    """
    moment = now or datetime.now()
    keys = {"sender": sender.key, "receiver": receiver.key}
    buffer = io.BytesIO()
    writer = X12Writer(buffer, delimiters=delimiters)
    writer.start_interchange(
        sender=sender,
        receiver=receiver,
        control_number=control_numbers.next(**keys, kind="interchange"),
        timestamp=moment,
        version=isa_version,
        usage_indicator=usage_indicator,
        ack_requested=ack_requested,
    )
    writer.start_group(
        functional_id=functional_id,
        application_sender=application_sender or sender.id,
        application_receiver=application_receiver or receiver.id,
        control_number=control_numbers.next(**keys, kind="group"),
        timestamp=moment,
        version=version,
    )
    for outbound in transactions:
        writer.start_transaction(
            set_id=outbound.set_id,
            control_number=control_numbers.next(**keys, kind="transaction"),
        )
        for body_segment in outbound.body:
            writer.write(body_segment)
        writer.end_transaction()
    writer.end_group()
    writer.end_interchange()
    return parse_interchange(buffer.getvalue())
