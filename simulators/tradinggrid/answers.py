"""What a partner's system decides to send back about a case, from the published documents alone.

The portal's flows are documented for partners (docs/tradinggrid-collaboration.md): an order
exception is answered with a "propose" step carrying a resolution, an escalation with
"acknowledge" and then "propose_plan" carrying a root cause and a plan. This module reads a
retailer's document as such a partner would (kind, subject, description, lines, detail) and
chooses a realistic answer; the bot sends it. It imports nothing from the portal.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from . import collaboration, ship_notices

ORDER_EXCEPTION = "order_exception"
ESCALATION = "escalation"
DROPSHIP = "dropship"
CLAIM = "claim"
ALLOCATION = "allocation"
# The flows' transitions and the state each leads to, as the portal documents them.
PROPOSE = ("propose", "proposed")
ACKNOWLEDGE = ("acknowledge", "investigating")
PROPOSE_PLAN = ("propose_plan", "plan_proposed")
LAUNCH = "launch"
UPDATE_CHECKLIST = ("update_checklist", "preparing")
FLAG_CONSTRAINT = ("flag_constraint", "constrained")
ANSWER_LINES = ("answer", "answered")
# The retailer's steps that ask the partner for another answer.
COUNTERS = {ORDER_EXCEPTION: "counter", ESCALATION: "reject_plan", ALLOCATION: "request_revision"}


@dataclass(frozen=True)
class Answer:
    """One document to send: a reply, or a step with its data; `then` follows it, in order."""

    transition: str | None = None
    to_status: str = ""
    text: str = ""
    payload: dict[str, Any] | None = None
    then: tuple[Answer, ...] = field(default=())
    # A file to send (`file.attached`): its name and bytes, and the request it answers.
    file: tuple[str, bytes] | None = None
    document_request_id: str = ""


def answers_for(
    document: Mapping[str, Any],
    *,
    partner_name: str,
    today: date,
    opened: Mapping[str, Any] | None = None,
) -> list[Answer]:
    """What to send about `document`; `opened` is the case's case.created, if the bot kept it."""
    event = collaboration.event_name(document)
    kind = collaboration.case_kind(document)
    if kind == TRADE_DOCUMENT:
        return trade_document_answers(
            document, event=event, partner_name=partner_name, today=today, opened=opened
        )
    if event == "case.created":
        if kind == ORDER_EXCEPTION:
            return [proposal(document, partner_name=partner_name, today=today)]
        if kind == ESCALATION:
            return [investigation(document, partner_name=partner_name, today=today)]
        if kind == DROPSHIP:
            return [dispatch_answer(document, today=today)]
        if kind == ship_notices.MILESTONE:
            updates = ship_notices.milestone_updates(document, partner_name=partner_name)
            return [updates] if updates else []
        if kind == CLAIM:
            return [claim_decision(document, partner_name=partner_name)]
        if kind == LAUNCH:
            return [launch_checklist(document, today=today)]
        if kind == ALLOCATION:
            return [allocation(document, partner_name=partner_name, today=today)]
        return [Answer()]
    if event == "case.transitioned":
        step = collaboration.event_data(document).get("transition")
        if kind == CLAIM:
            return claim_follow_up(document, step=step, opened=opened, partner_name=partner_name)
        if kind in COUNTERS and step == COUNTERS[kind]:
            if kind == ORDER_EXCEPTION:
                return [
                    proposal(
                        opened or document, partner_name=partner_name, today=today, revised=True
                    )
                ]
            if kind == ALLOCATION:
                return [
                    allocation(
                        opened or document, partner_name=partner_name, today=today, revised=True
                    )
                ]
            return [plan(opened or document, partner_name=partner_name, today=today, revised=True)]
        return []
    if event == "message.posted":
        return [Answer()]
    return []


# --- Order exceptions ------------------------------------------------------------------------


def exception_type(document: Mapping[str, Any]) -> str:
    """stock_shortage, address_issue, carrier_exception, payment_failure or other."""
    data = collaboration.event_data(document)
    detail = data.get("detail")
    if isinstance(detail, Mapping) and isinstance(detail.get("exception_type"), str):
        return detail["exception_type"]
    text = _text_of(data)
    for kind, words in (
        ("address_issue", ("address", "zip", "postcode", "undeliverable")),
        ("carrier_exception", ("carrier", "tracking", "damaged", "lost", "in transit")),
        ("payment_failure", ("payment", "card", "declined")),
        ("stock_shortage", ("short", "stock", "backorder", "inventory", "missing lines")),
    ):
        if any(word in text for word in words):
            return kind
    return "stock_shortage" if data.get("lines") else "other"


def proposal(
    document: Mapping[str, Any], *, partner_name: str, today: date, revised: bool = False
) -> Answer:
    """A "propose" step fitting the exception: partial shipment, address fix, claim, reship."""
    kind = exception_type(document)
    lines = [
        line
        for line in collaboration.event_data(document).get("lines") or []
        if isinstance(line, Mapping)
    ]
    backorder_days = 7 if revised else 14
    again = "Revised: " if revised else ""
    here = f"{partner_name} here: " + ("a revised proposal. " if revised else "")
    if kind == "address_issue":
        return _propose(
            f"{here}We checked the address with the carrier.",
            resolution="correct_address",
            address_correction=(
                "Apartment number was missing: deliver to Apt 4B; ZIP corrected to the "
                "carrier-validated 10027."
            ),
            root_cause_code="address_data",
            note=f"{again}Validated against the carrier's address service; ships the next day.",
        )
    if kind == "carrier_exception":
        return _propose(
            f"{here}We opened a claim with the carrier.",
            resolution="carrier_claim",
            carrier_claim_ref=f"CLM-{today:%y%m%d}-{_short_number(document):04d}",
            root_cause_code="carrier_damage",
            note=f"{again}The carrier confirmed the exception; we reship once the claim is filed.",
        )
    if kind == "stock_shortage" and lines:
        short = _short_line(lines)
        line_answers = []
        for line in lines:
            position = line.get("position")
            quantity = _decimal(line.get("quantity"))
            if line is short:
                data = line.get("data") if isinstance(line.get("data"), Mapping) else {}
                missing = _decimal(data.get("quantity_short")) or quantity
                line_answers.append(
                    {
                        "line": position,
                        "status": "backordered",
                        "quantity": _plain(min(missing, quantity) if quantity else missing),
                        "date": (today + timedelta(days=backorder_days)).isoformat(),
                        "note": "Inbound from our supplier; ships when it arrives.",
                    }
                )
            else:
                line_answers.append(
                    {"line": position, "status": "accepted", "quantity": _plain(quantity)}
                )
        return _propose(
            f"{here}We ship what is in stock now and the rest in {backorder_days} days.",
            resolution="partial_backorder",
            ship_date=(today + timedelta(days=1)).isoformat(),
            root_cause_code="inventory_mismatch",
            note=f"{again}Line {short.get('position')} is backordered until "
            f"{today + timedelta(days=backorder_days):%Y-%m-%d}.",
            lines=line_answers,
        )
    if kind in ("stock_shortage", "other"):
        # No lines to answer one by one: the whole order goes again once the stock is in.
        return _propose(
            f"{here}The missing units ship together in {backorder_days} days.",
            resolution="reship",
            ship_date=(today + timedelta(days=backorder_days)).isoformat(),
            root_cause_code="inventory_mismatch" if kind == "stock_shortage" else "other",
            note=f"{again}Reshipped complete from our main warehouse.",
        )
    # A payment failure is the retailer's to clear: the partner only says it holds the order.
    return Answer(text=f"{partner_name} here: we hold the order until the payment clears.")


def _propose(text: str, **payload: Any) -> Answer:
    return Answer(transition=PROPOSE[0], to_status=PROPOSE[1], text=text, payload=payload)


def _short_line(lines: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    for line in lines:
        data = line.get("data")
        if isinstance(data, Mapping) and data.get("quantity_short"):
            return line
    return lines[-1]


# --- Escalations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cause:
    words: tuple[str, ...]
    code: str
    detail: str
    plan_type: str
    plan: str
    days: int


# What the escalation says → what the partner finds and does. The last one is the default.
_CAUSES = (
    _Cause(
        ("missing",),
        "picking_error",
        "The pick list had the item, the packing check missed that it was not in the parcel.",
        "replacement",
        "We ship the missing item today by express; tracking follows.",
        2,
    ),
    _Cause(
        ("defect", "broken", "faulty"),
        "manufacturing_defect",
        "A known fault in this production batch; the rest of the batch is quarantined.",
        "replacement",
        "We send a replacement and collect the faulty unit with a prepaid label.",
        5,
    ),
    _Cause(
        ("damaged",),
        "damaged_in_transit",
        "The carrier's scan shows the parcel crushed at the hub.",
        "replacement",
        "We send a replacement and file the claim with the carrier.",
        3,
    ),
    _Cause(
        ("lost",),
        "lost_in_transit",
        "No carrier scan since the hub for five days: the carrier confirms it is lost.",
        "reship",
        "We reship the order by express.",
        3,
    ),
    _Cause(
        ("delay", "late"),
        "carrier_delay",
        "The parcel is held at the carrier's regional hub after a missed connection.",
        "carrier_trace",
        "We opened a trace with the carrier; if it is not delivered by then we reship by express.",
        3,
    ),
)


def investigation(document: Mapping[str, Any], *, partner_name: str, today: date) -> Answer:
    """Acknowledge at once, then the root cause and the plan."""
    return Answer(
        transition=ACKNOWLEDGE[0],
        to_status=ACKNOWLEDGE[1],
        text=f"{partner_name} here: we are investigating and will send a plan shortly.",
        then=(plan(document, partner_name=partner_name, today=today),),
    )


def plan(
    document: Mapping[str, Any], *, partner_name: str, today: date, revised: bool = False
) -> Answer:
    text = _text_of(collaboration.event_data(document))
    cause = next((c for c in _CAUSES if any(word in text for word in c.words)), _CAUSES[-1])
    plan_type, plan_text, days = cause.plan_type, cause.plan, cause.days
    if revised:
        plan_type, days = "replacement", 1
        plan_text = "We send a replacement by overnight express today, whatever the carrier finds."
    due = today + timedelta(days=days)
    return Answer(
        transition=PROPOSE_PLAN[0],
        to_status=PROPOSE_PLAN[1],
        text=f"{partner_name} here: {'a new plan' if revised else 'our finding and plan'}, "
        f"done by {due:%Y-%m-%d}.",
        payload={
            "root_cause_code": cause.code,
            "root_cause_detail": cause.detail,
            "plan_type": plan_type,
            "plan": plan_text,
            "plan_due": due.isoformat(),
        },
    )


# --- Claims ----------------------------------------------------------------------------------


def _claim_value(document: Mapping[str, Any]) -> tuple[Decimal, str]:
    """The claimed lines' value and currency, from the unit prices the lines carry."""
    total, currency = Decimal(0), ""
    for line in collaboration.event_data(document).get("lines") or []:
        data = line.get("data") if isinstance(line, Mapping) else None
        if isinstance(data, Mapping):
            total += _decimal(line.get("quantity")) * _decimal(data.get("unit_price"))
            currency = currency or str(data.get("currency") or "")
    return total, currency


def _credit(document: Mapping[str, Any], *, share: Decimal, text: str) -> Answer:
    value, currency = _claim_value(document)
    if value <= 0:
        return Answer("approve_credit", "credit_approved", text, {"credit": "full"})
    amount = (value * share).quantize(Decimal("0.01"))
    payload = {
        "credit": "partial",
        "amount": f"{amount:f}",
        **({"currency": currency} if currency else {}),
    }
    return Answer("approve_credit", "credit_approved", text, payload)


def claim_decision(document: Mapping[str, Any], *, partner_name: str) -> Answer:
    """A supplier's first answer to a claim: credit, replacement, a request for evidence, a
    denial, or (sometimes) only a reply, leaving the decision to its people in the portal."""
    choice = _short_number(document) % 5
    if choice == 0:
        return _credit(
            document,
            share=Decimal("0.5"),
            text=f"{partner_name} credits half: the goods can be resold as seconds.",
        )
    if choice == 1:
        return Answer(
            "approve_replacement",
            "replacement_approved",
            "Replacement ships this week.",
            {"note": f"{partner_name} sends the claimed goods again."},
        )
    if choice == 2:
        return Answer(
            "request_evidence",
            "evidence_requested",
            "Please send photos of the damage, the outer box and the shipping label.",
        )
    if choice == 3:
        return Answer(
            "deny",
            "denied",
            "",
            {
                "denial_reason_code": "insufficient_evidence",
                "denial_reason": "The photos do not show a fault in manufacturing.",
            },
        )
    return Answer(text=f"{partner_name} has the claim and will decide within two working days.")


def claim_follow_up(
    document: Mapping[str, Any], *, step: Any, opened: Mapping[str, Any] | None, partner_name: str
) -> list[Answer]:
    """New evidence gets a replacement; a dispute gets a credit or the denial upheld."""
    if step == "provide_evidence":
        return [Answer("approve_replacement", "replacement_approved", "Thanks for the photos.", {})]
    if step == "dispute":
        if _short_number(document) % 2:
            return [
                _credit(
                    opened or document, share=Decimal("1"), text="The new evidence convinces us."
                )
            ]
        return [
            Answer(
                "uphold_denial",
                "denial_upheld",
                "",
                {
                    "denial_reason_code": "misuse",
                    "denial_reason": f"{partner_name} keeps its finding after the new evidence.",
                },
            )
        ]
    return []
# --- Allocation requests (demand plans) ------------------------------------------------------

# What a partner offers instead when it cannot make a product (the demo catalog's pairs).
SUBSTITUTES = {
    "HDPN-BT": "HDPN-BT2",
    "TENT-2P": "TENT-4P",
    "JKT-RAIN-M": "JKT-RAIN-L",
    "DUVET-KING": "DUVET-QUEEN",
}


def allocation(
    document: Mapping[str, Any], *, partner_name: str, today: date, revised: bool = False
) -> Answer:
    """Every line answered, in part as real suppliers do: most confirmed, the first short with
    the rest backordered, one offered as a substitute where the bot knows one. A revision
    confirms what it can in full."""
    lines = [
        line
        for line in collaboration.event_data(document).get("lines") or []
        if isinstance(line, Mapping)
    ]
    answers = []
    substituted = False
    for index, line in enumerate(lines):
        quantity = _decimal(line.get("quantity"))
        sku = str(line.get("sku") or "")
        entry: dict[str, Any] = {"line": line.get("position")}
        if revised:
            entry.update(status="accepted", quantity=_plain(quantity))
        elif sku in SUBSTITUTES and not substituted:
            substituted = True
            entry.update(
                status="substituted",
                quantity="0",
                substitute_sku=SUBSTITUTES[sku],
                substitute_quantity=_plain(quantity),
                note=f"{sku} is constrained; {SUBSTITUTES[sku]} ships instead.",
            )
        elif index == 0 and quantity > 1:
            confirmed = (quantity * Decimal("0.6")).to_integral_value()
            entry.update(
                status="backordered",
                quantity=_plain(confirmed),
                date=(today + timedelta(days=21)).isoformat(),
                note="The rest follows from our next production run.",
            )
        else:
            entry.update(status="accepted", quantity=_plain(quantity))
        answers.append(entry)
    text = f"{partner_name} here: " + (
        "revised, everything confirmed." if revised else "our allocation, line by line."
    )
    return Answer(
        transition=ANSWER_LINES[0],
        to_status=ANSWER_LINES[1],
        text=text,
        payload={"lines": answers} if answers else None,
    )


# --- Helpers ---------------------------------------------------------------------------------


def _short_number(document: Mapping[str, Any]) -> int:
    # The same document gives the same reference, in every run.
    return zlib.crc32(collaboration.document_reference(document).encode()) % 10_000


def _text_of(data: Mapping[str, Any]) -> str:
    parts = [data.get("subject"), data.get("description"), data.get("reason")]
    detail = data.get("detail")
    if isinstance(detail, Mapping):
        parts += [v for v in detail.values() if isinstance(v, str)]
    return " ".join(p for p in parts if isinstance(p, str)).lower()


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- Drop-ship orders ------------------------------------------------------------------------

DISPATCH_SHIP_DAYS = 2
DISPATCH_BACKORDER_DAYS = 10


def dispatch_choice(document: Mapping[str, Any]) -> str:
    """ "accept", "partial" or "late", fixed per case, as a partner's order desk varies."""
    key = str(collaboration.case_id(document) or "")
    return ("accept", "partial", "accept", "late")[zlib.crc32(key.encode()) % 4]


def dispatch_answer(document: Mapping[str, Any], *, today: date) -> Answer:
    """Accept the order, or accept it in part (the last line's last unit backordered); a late
    desk first says it is checking and answers after another delay."""
    lines = [
        line
        for line in collaboration.event_data(document).get("lines") or []
        if isinstance(line, Mapping)
    ]
    choice = dispatch_choice(document)
    ships = (today + timedelta(days=DISPATCH_SHIP_DAYS)).isoformat()
    answered = [
        {"line": int(line.get("position") or i), "status": "accepted"}
        for i, line in enumerate(lines, 1)
    ]
    if choice == "partial" and answered:
        last = lines[-1]
        answered[-1] = {
            "line": answered[-1]["line"],
            "status": "backordered",
            "quantity": "1",
            "date": (today + timedelta(days=DISPATCH_BACKORDER_DAYS)).isoformat(),
        }
        accept = Answer(
            transition="accept_in_part",
            to_status="partially_accepted",
            text=f"We ship what we have; one {last.get('sku', 'item')} follows later.",
            payload={"ship_date": ships, "lines": answered},
        )
    else:
        accept = Answer(
            transition="accept",
            to_status="accepted",
            text="Order accepted.",
            payload={"ship_date": ships, "lines": answered},
        )
    if choice == "late":
        return Answer(
            text="We are checking stock for this order and will confirm shortly.", then=(accept,)
        )
    return accept
# --- Trade documents -------------------------------------------------------------------------

TRADE_DOCUMENT = "trade_document"
# Certificates carry their dates: sent with the "submit" step after the file.
DATED_DOCUMENTS = frozenset({"certificate_of_origin", "compliance_approval"})
SUBMIT = ("submit", "submitted")


def _pdf(text: str) -> bytes:
    """A small PDF that says what it is (the portal checks files by content)."""
    return f"%PDF-1.4\n% {text}\n%%EOF\n".encode()


def sends_a_wrong_document(request_id: str) -> bool:
    """About one request in three gets a wrong file first, as partners' systems sometimes do."""
    return zlib.crc32(request_id.encode()) % 3 == 0


def document_upload(
    requested: Mapping[str, Any], *, partner_name: str, today: date, corrected: bool = False
) -> Answer:
    """The file a partner's document system sends for a request, and its dates if it is a certificate."""
    data = collaboration.event_data(requested)
    request_id = str(data.get("request_id") or "")
    doc_type = str(data.get("document_type") or "document")
    label = doc_type.replace("_", " ")
    if not corrected and sends_a_wrong_document(request_id):
        name, text = (
            f"invoice-{request_id}.pdf",
            f"{partner_name}: commercial invoice (sent by mistake)",
        )
        note = f"{label.capitalize()} attached."
    else:
        name, text = (
            f"{doc_type}-{request_id}.pdf",
            f"{partner_name}: {label} for request {request_id}",
        )
        note = f"Corrected {label} attached." if corrected else f"{label.capitalize()} attached."
    then: tuple[Answer, ...] = ()
    if doc_type in DATED_DOCUMENTS:
        dates = {
            "issue_date": (today - timedelta(days=1)).isoformat(),
            "expiry_date": (today + timedelta(days=365)).isoformat(),
        }
        then = (Answer(transition=SUBMIT[0], to_status=SUBMIT[1], text=note, payload=dates),)
    return Answer(text=note, file=(name, _pdf(text)), document_request_id=request_id, then=then)


def trade_document_answers(
    document: Mapping[str, Any],
    *,
    event: str | None,
    partner_name: str,
    today: date,
    opened: Mapping[str, Any] | None,
) -> list[Answer]:
    """A request is answered with the document; a rejection with a corrected one. The case's
    opening and replies need no answer: the document is the answer."""
    if event == "document.requested":
        return [document_upload(document, partner_name=partner_name, today=today)]
    if (
        event == "case.transitioned"
        and collaboration.event_data(document).get("transition") == "reject"
    ):
        requested = (
            opened if opened and collaboration.event_name(opened) == "document.requested" else None
        )
        if requested is not None:
            return [
                document_upload(requested, partner_name=partner_name, today=today, corrected=True)
            ]
    return []
# --- Launch readiness --------------------------------------------------------------------------

# What a partner's system can confirm without a file (launch materials need an upload).
LAUNCH_TICKS = (
    ("inventory", "Launch stock received and put away in the DC."),
    ("packaging", "Packaging artwork approved by our studio; proofs follow by upload."),
    ("fulfilment", "Pick faces set up and carrier capacity booked for launch week."),
)


def launch_checklist(document: Mapping[str, Any], *, today: date) -> Answer:
    """Tick the checklist item by item; about one partner in three flags a constraint first."""
    lines = [line for line in collaboration.event_data(document).get("lines") or [] if isinstance(line, Mapping)]
    ticks = [
        Answer(transition=UPDATE_CHECKLIST[0], to_status=UPDATE_CHECKLIST[1],
               payload={"item": code, "status": "done", "note": note})
        for code, note in LAUNCH_TICKS
    ]
    seed = zlib.crc32((collaboration.case_id(document) or "").encode())
    if lines and seed % 3 == 0:
        line = lines[seed % len(lines)]
        at_risk = max(Decimal(1), (_decimal(line.get("quantity")) * Decimal("0.3")).to_integral_value())
        flag = Answer(
            transition=FLAG_CONSTRAINT[0], to_status=FLAG_CONSTRAINT[1],
            text=f"We cannot cover all of {line.get('sku')} by go-live: our supplier is short.",
            payload={"sku": line.get("sku"), "quantity_at_risk": _plain(at_risk),
                     "date": (today + timedelta(days=10 + seed % 10)).isoformat(),
                     "note": "Supplier capacity; the rest follows two weeks later."},
        )
        return Answer(flag.transition, flag.to_status, flag.text, flag.payload,
                      then=tuple(t for t in ticks if t.payload["item"] != "inventory"))
    first, *rest = ticks
    return Answer(first.transition, first.to_status, first.text, first.payload, then=tuple(rest))
