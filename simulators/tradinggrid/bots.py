"""Partner bots: each takes its partner's inbound and answers as that partner's system would.

X12 is acknowledged with a 997. A collaboration document is acknowledged, and a new case or
a message from the retailer is answered (answers.py decides how): an order exception with a
proposal, an escalation with an acknowledgement and then a root cause and plan, a counter
with a revised proposal or plan, anything else with a reply.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import answers, collaboration, purchase_orders, ship_notices
from .addressing import JSON, X12, document_format
from .mailboxes import MailboxStore
from .participants import Address, Directory, Participant
from .router import RouterLog
from .switches import FaultSwitches
from .x12 import (
    GroupAck,
    X12Error,
    acknowledgement_for,
    read_interchange,
    read_segments,
    write_997,
    write_malformed,
)

logger = logging.getLogger(__name__)

Scheduler = Callable[[float, Callable[[], None]], None]
OPENED_KEPT = 1000  # cases whose opening document a bot remembers


class ControlNumbers:
    """Each partner's next interchange control number, kept in the data directory."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._numbers: dict[str, int] = json.loads(path.read_text()) if path.exists() else {}

    def take(self, participant_id: str) -> int:
        # A new data directory starts from the clock, so a portal that kept its ledger from an
        # earlier run does not see a partner reuse control numbers and drop replies as duplicates.
        number = self._numbers.get(participant_id) or int(time.time()) % 900_000_000 + 1
        self._numbers[participant_id] = number % 999_999_999 + 1
        self._path.write_text(json.dumps(self._numbers, indent=2, sort_keys=True))
        return number


class PartnerBot:
    """Acknowledges X12 with a 997; acknowledges collaboration documents and answers some."""

    def __init__(
        self,
        *,
        participant: Participant,
        directory: Directory,
        store: MailboxStore,
        switches: FaultSwitches,
        numbers: ControlNumbers,
        log: RouterLog,
        schedule: Scheduler,
    ) -> None:
        self.participant = participant
        self._directory = directory
        self._store = store
        self._switches = switches
        self._numbers = numbers
        self._log = log
        self._schedule = schedule
        self._opened: dict[str, dict[str, Any]] = {}

    def take_inbound(self) -> None:
        """Take every complete document from the inbound folder and answer it."""
        for path in self._store.complete_files(self.participant.id, "inbound"):
            try:
                data = path.read_bytes()
                path.unlink()
            except FileNotFoundError:
                continue
            kind = document_format(data)
            if kind == X12:
                self._answer_x12(path.name, data)
            elif kind == JSON:
                self._answer_json(path.name, data)
            else:
                self._note("taken", file=path.name, detail="no automatic answer for this format")

    def _answer_x12(self, name: str, data: bytes) -> None:
        try:
            interchange = read_interchange(data.decode("latin-1"))
        except X12Error as exc:
            self._note("unreadable", file=name, detail=str(exc))
            return
        groups = acknowledgement_for(interchange)
        if not groups:
            self._note("taken", file=name, detail="an acknowledgement; nothing to answer")
            return
        if self._switches.drop_acks:
            self._note("ack dropped", file=name, detail="drop_acks is on")
            return
        source = next(g for g in interchange.groups if g.functional_id != "FA")
        number = self._numbers.take(self.participant.id)
        content = write_997(
            sender=self.participant.address,
            receiver=interchange.sender,
            app_sender=source.app_receiver,
            app_receiver=source.app_sender,
            control_number=number,
            usage=interchange.usage,
            version=source.version or "004010",
            groups=groups,
            now=_now(),
        )
        self._send(
            name=f"997-{self.participant.id}-{number:09d}.x12",
            content=content,
            to=interchange.sender,
            number=number,
            action="acknowledged",
            answering=name,
        )
        self._answer_orders(name, data, interchange)

    def _answer_orders(self, name: str, data: bytes, interchange) -> None:
        """Purchase orders (850) are answered with an 855: accepted, in part, or late."""
        _, segments = read_segments(data.decode("latin-1"))
        for po in purchase_orders.purchase_orders(segments):
            kind = purchase_orders.answer_kind(po.po_number)
            delay = self._switches.reply_delay_seconds
            if kind == "late":
                delay = max(delay, 1.0) * purchase_orders.LATE_FACTOR
            self._schedule(
                delay,
                lambda po=po, kind=kind: self._send_855(
                    name=name, po=po, kind=kind, interchange=interchange
                ),
            )

    def _send_855(self, *, name: str, po, kind: str, interchange) -> None:
        number = self._numbers.take(self.participant.id)
        content = purchase_orders.write_855(
            po=po,
            kind="partial" if kind == "partial" else "accept",
            sender=self.participant.address,
            receiver=interchange.sender,
            control_number=number,
            usage=interchange.usage,
            now=_now(),
        )
        self._send(
            name=f"855-{self.participant.id}-{number:09d}.x12",
            content=content,
            to=interchange.sender,
            number=number,
            action=f"answered 850 {po.po_number}: {kind}",
            answering=name,
        )

    def _answer_json(self, name: str, data: bytes) -> None:
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._note("unreadable", file=name, detail=f"invalid JSON: {exc}")
            return
        if not isinstance(document, dict):
            self._note("unreadable", file=name, detail="the JSON document is not an object")
            return
        # Partners on this network talk to the retailer; without a sender, answer the retailer.
        reply_to = collaboration.address(document, "sender") or self._directory.retailer.address
        self._acknowledge_json(name, document, reply_to)
        event = collaboration.event_name(document)
        case = collaboration.case_id(document)
        if event in ("case.created", "document.requested") and case:
            # Kept to answer a counter with the case's lines, or a rejection with the request.
            self._opened[case] = document
            while len(self._opened) > OPENED_KEPT:
                self._opened.pop(next(iter(self._opened)))
        if event not in collaboration.EVENTS_ANSWERED or not self._is_retailer(reply_to):
            return
        chosen = answers.answers_for(
            document,
            partner_name=self.participant.name,
            today=_now().date(),
            opened=self._opened.get(case or ""),
        )
        for answer in chosen:
            self._schedule(
                self._switches.reply_delay_seconds,
                lambda answer=answer: self._answer(
                    name=name, document=document, to=reply_to, answer=answer
                ),
            )
        if event == "case.created" and collaboration.case_kind(document) == ship_notices.MILESTONE:
            # After its accepted and packed reports, the warehouse's system says it shipped.
            self._schedule(
                self._switches.reply_delay_seconds
                * (2 * len(ship_notices.references(document)[1]) + 1),
                lambda: self._send_ship_notice(name=name, document=document, to=reply_to),
            )

    def _send_ship_notice(self, *, name: str, document: dict[str, Any], to: Address) -> None:
        number = self._numbers.take(self.participant.id)
        content = ship_notices.write_856(
            document=document,
            sender=self.participant.address,
            receiver=to,
            control_number=number,
            now=_now(),
        )
        if content is None:
            self._note("no ship notice", file=name, detail="the case names no order or shipment")
            return
        self._send(
            name=f"856-{self.participant.id}-{number:09d}.x12",
            content=content,
            to=to,
            number=number,
            action="sent ship notice",
            answering=name,
        )

    def _acknowledge_json(self, name: str, document: dict[str, Any], to: Address) -> None:
        controls = collaboration.control_numbers(document)
        if not controls:
            self._note("not acknowledged", file=name, detail="the document has no control numbers")
            return
        if self._switches.drop_acks:
            self._note("ack dropped", file=name, detail="drop_acks is on")
            return
        group_number = controls.get("group_control_number") or controls.get(
            "interchange_control_number", ""
        )
        # Collaboration documents are acknowledged as functional group ZZ, set CXD by default.
        ack = GroupAck(
            functional_id=controls.get("functional_id", collaboration.DEFAULT_FUNCTIONAL_ID),
            control_number=group_number,
            transactions=(
                (
                    controls.get("transaction_set", collaboration.DEFAULT_SET_ID),
                    controls.get("transaction_control_number", ""),
                    (),
                ),
            ),
        )
        number = self._numbers.take(self.participant.id)
        content = write_997(
            sender=self.participant.address,
            receiver=to,
            app_sender=self.participant.edi_id,
            app_receiver=to.id,
            control_number=number,
            usage="P",
            version="004010",
            groups=[ack],
            now=_now(),
        )
        self._send(
            name=f"997-{self.participant.id}-{number:09d}.x12",
            content=content,
            to=to,
            number=number,
            action="acknowledged",
            answering=name,
        )

    def _answer(
        self, *, name: str, document: dict[str, Any], to: Address, answer: answers.Answer
    ) -> None:
        """Send one answer: a reply, or a step of the case's flow; what follows it comes later."""
        number = self._numbers.take(self.participant.id)
        common = {
            "inbound": document,
            "sender": self.participant.address,
            "receiver": to,
            "partner_name": self.participant.name,
            "control_number": number,
            "now": _now(),
        }
        if answer.file:
            file_name, file_content = answer.file
            content = collaboration.build_file(
                **common,
                name=file_name,
                content=file_content,
                description=answer.text,
                document_request_id=answer.document_request_id or None,
            )
            prefix, action = "file", f"sent {file_name}"
        elif answer.transition:
            content = collaboration.build_transition(
                **common,
                transition=answer.transition,
                to_status=answer.to_status,
                reason=answer.text,
                payload=answer.payload,
            )
            prefix, action = "transition", f"answered: {answer.transition}"
        else:
            content = collaboration.build_reply(**common, body=answer.text or None)
            prefix, action = "message", "replied"
        self._send(
            name=f"{prefix}-{self.participant.id}-{number:09d}.json",
            content=json.dumps(content, indent=2),
            to=to,
            number=number,
            action=action,
            answering=name,
        )
        for after in answer.then:
            self._schedule(
                self._switches.reply_delay_seconds,
                lambda after=after: self._answer(name=name, document=document, to=to, answer=after),
            )

    def _send(
        self, *, name: str, content: str, to: Address, number: int, action: str, answering: str
    ) -> None:
        if self._switches.take_malformed():
            content = write_malformed(
                sender=self.participant.address, receiver=to, control_number=number, now=_now()
            )
            name, action = (
                f"malformed-{self.participant.id}-{number:09d}.x12",
                f"{action} (malformed)",
            )
        sent_as = self._store.write(self.participant.id, "outbound", name, content.encode())
        self._note(action, file=answering, sent=sent_as.name, to=str(to))

    def _is_retailer(self, address: Address) -> bool:
        return self._directory.find(address) is self._directory.retailer

    def _note(self, action: str, **details: Any) -> None:
        self._log.add(status="bot", participant=self.participant.id, action=action, **details)
        logger.info("bot %s %s %s", self.participant.id, action, details)


def _now() -> datetime:
    return datetime.now(tz=UTC)
