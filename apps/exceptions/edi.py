"""An X12 855 (purchase order acknowledgement) applied to the order exception about its PO.

The Trading Grid connector reads the 855 into its documented domain dict and finds this
handler in the flow registry under ("tradinggrid", ("x12", "855")); nothing here imports the
connector. The line acknowledgements become line answers of the partner's "propose" step,
checked by the same form as a proposal made on the page or through the API. Where the case
takes no proposal now, or has no lines the 855 names, the acknowledgement is posted on the
case as a message instead, so the agent still reads it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.core.errors import DomainError
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Side, Visibility
from apps.workspace.models import Case, CaseLine, LineStatus
from apps.workspace.states import workflow_for

PROPOSE = "propose"

# The 855 mapping's names for ACK01 (668) → the line vocabulary of the case. Codes with no
# exact twin go to the nearest answer: a quantity or price change is an acceptance with
# changes, a partial backorder and a rescheduled date are backorders (ACK05 says until when),
# a deleted line is rejected. Holds (IH, IF, IW, SP) answer nothing yet and are left out.
LINE_STATUS = {
    "accepted": LineStatus.ACCEPTED,
    "accepted_and_shipped": LineStatus.ACCEPTED,
    "accepted_and_released": LineStatus.ACCEPTED,
    "accepted_with_changes": LineStatus.ACCEPTED_WITH_CHANGES,
    "accepted_price_pending": LineStatus.ACCEPTED_WITH_CHANGES,
    "price_changed": LineStatus.ACCEPTED_WITH_CHANGES,
    "quantity_changed": LineStatus.ACCEPTED_WITH_CHANGES,
    "backordered": LineStatus.BACKORDERED,
    "partially_backordered": LineStatus.BACKORDERED,
    "date_rescheduled": LineStatus.BACKORDERED,
    "substituted": LineStatus.SUBSTITUTED,
    "rejected": LineStatus.REJECTED,
    "deleted": LineStatus.REJECTED,
    **{f"rejected_reason_r{n}": LineStatus.REJECTED for n in range(1, 9)},
}

ACK_TYPES = {
    "AC": "acknowledged with detail and changes",
    "AD": "acknowledged without changes",
    "AE": "acknowledged, exceptions only",
    "AH": "on hold",
    "AK": "acknowledged, no detail",
    "AT": "accepted",
    "RJ": "rejected",
    "RD": "rejected with detail",
}


def apply_855(*, actor, partner, payload: dict[str, Any], channel: str) -> tuple[Case, str]:
    """The partner's 855 on its newest open order exception for the PO (inbound handler)."""
    po_number = payload.get("po_number") or ""
    case = (
        Case.objects.for_actor(actor)
        .filter(order_number=po_number, kind=CaseKind.ORDER_EXCEPTION)
        .order_by("-is_open", "-created_at", "-id")
        .first()
    )
    if case is None:
        # The same words whether the case does not exist or is another partner's.
        raise DomainError(f"no order exception of {partner} is about order {po_number}")
    with transaction.atomic():
        case = workspace.case_lock(case=case, actor=actor)
        lines = list(CaseLine.objects.filter(case=case).order_by("position", "id"))
        answers = line_answers(payload, lines)
        available = workflow_for(case.kind).available(status=case.status, side=Side.PARTNER)
        if answers and any(step.name == PROPOSE for step in available):
            proposal = proposal_from(payload, answers)
            workspace.transition_take(
                case=case, actor=actor, channel=channel, transition=PROPOSE, payload=proposal
            )
            return case, (
                f"855 for PO {po_number}: proposed {proposal['resolution'].replace('_', ' ')} "
                f"on {case.reference}, {len(answers)} of {len(lines)} line(s) answered"
            )
        workspace.message_post(
            actor=actor,
            channel=channel,
            case=case,
            body=describe_855(payload),
            visibility=Visibility.PARTNER,
        )
    return case, f"855 for PO {po_number} posted on {case.reference}"


def line_answers(payload: dict[str, Any], lines: list[CaseLine]) -> list[dict[str, Any]]:
    """One answer per case line the 855 names, in the payload shape of the line answer form."""
    answers: dict[int, dict[str, Any]] = {}
    for po_line in payload.get("lines") or []:
        line = _case_line(po_line, lines)
        if line is None or line.position in answers:
            continue
        answer = _answer(po_line, line)
        if answer is not None:
            answers[line.position] = answer
    return [answers[position] for position in sorted(answers)]


def proposal_from(payload: dict[str, Any], answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The "propose" payload an 855 amounts to: its resolution, earliest date, and lines."""
    statuses = {a["status"] for a in answers}
    if LineStatus.BACKORDERED in statuses:
        resolution = "partial_backorder"
    elif LineStatus.SUBSTITUTED in statuses:
        resolution = "substitute"
    elif statuses == {LineStatus.REJECTED}:
        resolution = "cancel_lines"
    else:
        resolution = "partial_backorder"
    proposal: dict[str, Any] = {"resolution": resolution, "lines": answers}
    dates = [d for line in payload.get("lines") or [] for d in _promised(line)]
    if dates:
        proposal["ship_date"] = min(dates).isoformat()
    kind = ACK_TYPES.get(
        payload.get("acknowledgment_type") or "", payload.get("acknowledgment_type")
    )
    proposal["note"] = f"From the partner's X12 855 for PO {payload.get('po_number')}: {kind}."
    return proposal


def describe_855(payload: dict[str, Any]) -> str:
    """The acknowledgement in words, for a case that takes no proposal now."""
    kind = ACK_TYPES.get(payload["acknowledgment_type"], payload["acknowledgment_type"])
    lines = [f"Purchase order acknowledgement (X12 855) for PO {payload['po_number']}: {kind}."]
    for line in payload.get("lines") or []:
        for ack in line.get("acknowledgments") or []:
            text = f"- line {line.get('line_number') or '?'}: {ack['status'].replace('_', ' ')}"
            if ack.get("quantity") is not None:
                text += f", {ack['quantity']} {ack.get('unit') or ''}".rstrip()
            if ack.get("promised_ship_date"):
                text += f", ships {_as_date(ack['promised_ship_date']):%Y-%m-%d}"
            lines.append(text)
    return "\n".join(lines)


def _case_line(po_line: dict[str, Any], lines: list[CaseLine]) -> CaseLine | None:
    """The case line a PO1 line is about.

    By product id first (a case line's SKU among the PO1's ids), the line number telling
    apart two lines of one SKU. Without a SKU match, by the order line reference, or by
    position only when the PO1 names no product at all: a line whose products the case does
    not have must not land on another line that happens to share its number.
    """
    ids = {p.get("id") for p in po_line.get("product_ids") or [] if p.get("id")}
    number = str(po_line.get("line_number") or "").strip()
    by_sku = [line for line in lines if line.sku in ids]
    if len(by_sku) == 1:
        return by_sku[0]
    if by_sku:
        return next((li for li in by_sku if number in (li.line_ref, str(li.position))), by_sku[0])
    by_ref = next((li for li in lines if number and li.line_ref == number), None)
    if by_ref is not None or ids or not number.isdigit():
        return by_ref
    return next((li for li in lines if li.position == int(number)), None)


def _answer(po_line: dict[str, Any], line: CaseLine) -> dict[str, Any] | None:
    """The ACK segments of one PO1 line as one answer: the most telling status wins."""
    acks = [
        (LINE_STATUS[a["status"]], a)
        for a in po_line.get("acknowledgments") or []
        if a.get("status") in LINE_STATUS
    ]
    if not acks:
        return None
    by_status: dict[str, list[dict]] = {}
    for status, ack in acks:
        by_status.setdefault(status, []).append(ack)
    notes = [_ack_text(ack) for _, ack in acks]
    answer: dict[str, Any] = {"line": line.position}
    if LineStatus.SUBSTITUTED in by_status:
        substitute = by_status[LineStatus.SUBSTITUTED]
        # What ships instead is in ACK07/08; the PO1's ids name the ordered product. Without
        # it the form asks for the substitute, and the partner learns so from the 997.
        sku = next(
            (p["id"] for a in substitute for p in a.get("product_ids") or [] if p.get("id")), ""
        )
        answer |= {
            "status": LineStatus.SUBSTITUTED,
            "substitute_sku": sku,
            "substitute_quantity": _sum(substitute) or _plain(po_line.get("quantity")),
        }
    elif LineStatus.BACKORDERED in by_status:
        backordered = by_status[LineStatus.BACKORDERED]
        dates = [d for a in backordered if (d := a.get("promised_ship_date"))]
        answer |= {"status": LineStatus.BACKORDERED, "quantity": _sum(backordered)}
        if dates:
            answer["date"] = min(_as_date(d) for d in dates).isoformat()
    elif set(by_status) == {LineStatus.REJECTED}:
        answer |= {
            "status": LineStatus.REJECTED,
            "quantity": _sum(by_status[LineStatus.REJECTED]),
            "reason_code": _reject_code(acks),
        }
    elif LineStatus.REJECTED in by_status or LineStatus.ACCEPTED_WITH_CHANGES in by_status:
        # Part taken, part refused or changed: what ships is the accepted quantity.
        taken = by_status.get(LineStatus.ACCEPTED, []) + by_status.get(
            LineStatus.ACCEPTED_WITH_CHANGES, []
        )
        answer |= {"status": LineStatus.ACCEPTED_WITH_CHANGES, "quantity": _sum(taken)}
    else:
        answer |= {"status": LineStatus.ACCEPTED, "quantity": _sum(by_status[LineStatus.ACCEPTED])}
    answer["note"] = ("855: " + "; ".join(notes))[:500]
    return {k: v for k, v in answer.items() if v not in (None, "")}


def _ack_text(ack: dict[str, Any]) -> str:
    text = ack["status"].replace("_", " ")
    if ack.get("quantity") is not None:
        text += f" {_plain(ack['quantity'])} {ack.get('unit') or ''}".rstrip()
    if ack.get("promised_ship_date"):
        text += f" ships {_as_date(ack['promised_ship_date']).isoformat()}"
    return text


def _reject_code(acks: list[tuple[str, dict]]) -> str:
    # The X12 reason where the partner gave one (R1..R8), else the plain rejection.
    for _, ack in acks:
        if ack["status"].startswith("rejected_reason_r"):
            return "R" + ack["status"].removeprefix("rejected_reason_r")
    return "IR" if any(a["status"] == "rejected" for _, a in acks) else "ID"


def _promised(po_line: dict[str, Any]) -> list[date]:
    return [
        _as_date(a["promised_ship_date"])
        for a in po_line.get("acknowledgments") or []
        if a.get("promised_ship_date") and a.get("status") in LINE_STATUS
    ]


def _sum(acks: list[dict[str, Any]]) -> str | None:
    quantities = [Decimal(str(a["quantity"])) for a in acks if a.get("quantity") is not None]
    return _plain(sum(quantities, Decimal(0))) if quantities else None


def _plain(value: Any) -> str | None:
    """A quantity as the form takes it: "4", not "4.000"."""
    if value in (None, ""):
        return None
    return f"{Decimal(str(value)).normalize():f}"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
