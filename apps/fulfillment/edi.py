"""Flow 4 over X12: the 850 and 860 it sends, the 855, 865 and 870 it applies.

Nothing here imports the connector. The builders return the mapping's domain dict for the
Trading Grid connector to write in the partner's standard (`Flow.outbound`); the handlers
take the mapped documents the connector reads (`Flow.inbound`, and for the 855 the shared
dispatcher in apps.orders.acknowledgements) and take the same steps, with the same forms,
as a partner in the browser. An 855 is found by the purchase-order number Crossdock sent
(BAK03 = BEG03), never by matching order-number text.
"""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.core.errors import DomainError
from apps.orders.routing import DELIVERY_REQUIREMENTS
from apps.workspace import services as workspace
from apps.workspace.choices import Visibility
from apps.workspace.events import CaseEvent
from apps.workspace.models import Case, CaseLine, LineStatus

from .models import ChangeKind, ChangeRequest, Dispatch
from .services import pending_change

# ACK01 names (x12_orders.LINE_STATUS_BY_CODE) → the line answer. A partial backorder (BP)
# and a rescheduled line (DR) are backorders until ACK05; an accepted quantity change is an
# acceptance with changes; a deletion is a rejection.
LINE_STATUS = {
    "accepted": LineStatus.ACCEPTED,
    "accepted_and_shipped": LineStatus.ACCEPTED,
    "accepted_and_released": LineStatus.ACCEPTED,
    "accepted_with_changes": LineStatus.ACCEPTED_WITH_CHANGES,
    "quantity_changed": LineStatus.ACCEPTED_WITH_CHANGES,
    "price_changed": LineStatus.ACCEPTED_WITH_CHANGES,
    "backordered": LineStatus.BACKORDERED,
    "partially_backordered": LineStatus.BACKORDERED,
    "date_rescheduled": LineStatus.BACKORDERED,
    "substituted": LineStatus.SUBSTITUTED,
    "rejected": LineStatus.REJECTED,
    "deleted": LineStatus.REJECTED,
    **{f"rejected_reason_r{n}": LineStatus.REJECTED for n in range(1, 9)},
}
REJECTING_ACKS = frozenset({"RJ", "RD"})
ACCEPTING_WITHOUT_DETAIL = frozenset({"AT", "AK", "AD"})  # BAK02: accepted, no line changes
ORDER_TYPE = "DS"  # BEG02 (92): drop ship


def _dispatch_for(event: CaseEvent) -> Dispatch | None:
    return Dispatch.objects.filter(case=event.case).first()


# --- outbound --------------------------------------------------------------------------------


def build_850(*, event: CaseEvent) -> dict[str, Any] | None:
    """The purchase order, once, when the dispatch is sent."""
    if event.type != "case.transitioned" or event.payload.get("transition") != "dispatch":
        return None
    dispatch = _dispatch_for(event)
    return None if dispatch is None else purchase_order(dispatch)


def purchase_order(dispatch: Dispatch) -> dict[str, Any]:
    """The 850 body (x12_orders.PurchaseOrderMapping's domain dict) for a dispatch."""
    references = [{"qualifier": "CO", "value": dispatch.order_number, "description": "SFCC ORDER"}]
    if dispatch.shipping_method:
        references.append(
            {
                "qualifier": "ZZ",
                "value": dispatch.shipping_method[:50],
                "description": "SHIPPING METHOD",
            }
        )
    if dispatch.service_level:
        references.append(
            {
                "qualifier": "ZZ",
                "value": dispatch.service_level[:50],
                "description": "SERVICE LEVEL",
            }
        )
    for label, value in dispatch.delivery_requirements.items():
        references.append(
            {"qualifier": "ZZ", "value": label.upper()[:50], "description": str(value)[:80]}
        )
    dates = [{"qualifier": "010", "date": dispatch.ship_by}]  # requested ship
    wanted = dispatch.delivery_requirements.get(DELIVERY_REQUIREMENTS["c_requestedDeliveryDate"])
    if wanted:
        # Free text ("before Christmas") stays in its REF only.
        with contextlib.suppress(ValueError):
            dates.append({"qualifier": "002", "date": date.fromisoformat(str(wanted)[:10])})
    ship_to = dispatch.ship_to
    party = {
        "role": "ST",
        "name": (ship_to.get("name") or ship_to.get("company") or "CUSTOMER")[:60],
        "additional_names": [ship_to["company"]]
        if ship_to.get("company") and ship_to.get("name")
        else [],
        "address_lines": [v for v in (ship_to.get("address1"), ship_to.get("address2")) if v],
        "city": ship_to.get("city"),
        "state": ship_to.get("state_code"),
        "postal_code": ship_to.get("postal_code"),
        "country": ship_to.get("country_code"),
    }
    lines = [
        {
            "line_number": str(line.position),
            "quantity": line.quantity,
            "unit": line.unit or "EA",
            "product_ids": [{"qualifier": "SK", "id": line.sku}],
            "description": line.description or None,
        }
        for line in CaseLine.objects.filter(case_id=dispatch.case_id).order_by("position")
    ]
    return {
        "purpose": "00",
        "order_type": ORDER_TYPE,
        "po_number": dispatch.po_number,
        "po_date": dispatch.dispatched_at.date(),
        "references": references,
        "dates": dates,
        "parties": [party],
        "lines": lines,
    }


CHANGE_LINE = {
    ChangeKind.CANCEL_LINES: "delete_item",
    ChangeKind.CHANGE_QUANTITY: "quantity_decrease",
}


def build_860(*, event: CaseEvent) -> dict[str, Any] | None:
    """The change request, when the retailer asks for one."""
    if event.type != "case.transitioned" or event.payload.get("transition") != "request_change":
        return None
    dispatch = _dispatch_for(event)
    change = pending_change(event.case) if dispatch else None
    return None if change is None else change_order(dispatch, change)


def change_order(dispatch: Dispatch, change: ChangeRequest) -> dict[str, Any]:
    lines = {line.position: line for line in CaseLine.objects.filter(case_id=dispatch.case_id)}
    pocs = []
    for position in change.lines.get("cancelled") or []:
        line = lines[int(position)]
        pocs.append(_poc(line, "delete_item", Decimal(0)))
    for position, quantity in (change.lines.get("quantities") or {}).items():
        line = lines[int(position)]
        pocs.append(_poc(line, "quantity_decrease", Decimal(str(quantity))))
    messages = [change.get_kind_display()]
    if change.detail:
        messages.append(change.detail)
    if change.ship_to.get("text"):
        messages.append(f"NEW SHIP-TO: {change.ship_to['text']}")
    if change.lines.get("shipping_method"):
        messages.append(f"NEW SHIPPING METHOD: {change.lines['shipping_method']}")
    return {
        "purpose": "cancellation" if change.cancels else "change",
        "order_type": ORDER_TYPE,
        "po_number": dispatch.po_number,
        "change_number": str(change.number),
        "po_date": dispatch.dispatched_at.date(),
        "change_date": change.requested_at.date(),
        "messages": [" ".join(m.split())[:264] for m in messages],
        "lines": pocs,
    }


def _poc(line: CaseLine, change: str, quantity: Decimal) -> dict[str, Any]:
    return {
        "line_number": str(line.position),
        "change": change,
        "quantity": quantity,
        "quantity_left": quantity,
        "unit": line.unit or "EA",
        "product_ids": [{"qualifier": "SK", "id": line.sku}],
    }


# --- inbound: 855 ----------------------------------------------------------------------------


def claims_po(*, partner, po_number: str) -> bool:
    """Whether this PO number is one Crossdock sent this partner (the 855 dispatcher asks)."""
    return (
        bool(po_number) and Dispatch.objects.filter(partner=partner, po_number=po_number).exists()
    )


def _case_for(actor, partner, po_number: str) -> Case:
    dispatch = (
        Dispatch.objects.for_actor(actor).filter(po_number=po_number).select_related("case").first()
    )
    if dispatch is None:
        raise DomainError(f"{partner} has no drop-ship order under purchase order {po_number}")
    return dispatch.case


def apply_855(*, actor, partner, payload: dict[str, Any], channel: str) -> tuple[Case, str]:
    """The partner's acknowledgement of a dispatch, as the answer a partner gives on the page."""
    po_number = payload.get("po_number") or ""
    case = _case_for(actor, partner, po_number)
    with transaction.atomic():
        case = workspace.case_lock(case=case, actor=actor)
        lines = list(CaseLine.objects.filter(case=case).order_by("position"))
        answers = line_answers(payload.get("lines") or [], lines)
        step, data = answer_step(case, payload, answers)
        if step is None:
            workspace.message_post(
                actor=actor,
                channel=channel,
                case=case,
                body=describe(payload, "855"),
                visibility=Visibility.PARTNER,
            )
            return case, f"855 for {po_number} posted on {case.reference} (it answers nothing now)"
        workspace.transition_take(
            case=case, actor=actor, channel=channel, transition=step, payload=data
        )
    return case, f"855 for {po_number}: {step.replace('_', ' ')} on {case.reference}"


def answer_step(
    case: Case, payload: dict[str, Any], answers: list[dict]
) -> tuple[str | None, dict]:
    """The step an acknowledgement takes from the case's state, and the data it carries."""
    ack_type = payload.get("acknowledgment_type") or ""
    rejected = ack_type in REJECTING_ACKS or (
        answers and all(a["status"] == LineStatus.REJECTED for a in answers)
    )
    if case.status == "dispatched":
        if rejected:
            return "reject", {
                "reason": "other",
                "note": f"Rejected in the partner's X12 855 ({ack_type}).",
            }
        if not answers and ack_type in ACCEPTING_WITHOUT_DETAIL:
            # "Accepted" with no line detail: every line as ordered.
            answers = [
                {"line": line.position, "status": LineStatus.ACCEPTED}
                for line in case.lines.order_by("position")
            ]
        if not answers:
            return None, {}
        full = all(a["status"] == LineStatus.ACCEPTED for a in answers)
        return ("accept" if full else "accept_in_part"), _answer_data(case, payload, answers)
    if case.status == "change_requested" and not rejected and answers:
        full = all(a["status"] == LineStatus.ACCEPTED for a in answers)
        return ("accept_change" if full else "accept_change_in_part"), _answer_data(
            case, payload, answers
        )
    return None, {}


def _answer_data(case: Case, payload: dict[str, Any], answers: list[dict]) -> dict[str, Any]:
    """AnswerForm's payload: the lines and the committed ship date (the earliest promised date of
    what is accepted; without one, the agreed ship-by date)."""
    promised = [
        d
        for line in payload.get("lines") or []
        for a in line.get("acknowledgments") or []
        if LINE_STATUS.get(a.get("status"))
        in (LineStatus.ACCEPTED, LineStatus.ACCEPTED_WITH_CHANGES)
        and (d := a.get("promised_ship_date"))
    ]
    ship_date = (
        min(_as_date(d) for d in promised) if promised else Dispatch.objects.get(case=case).ship_by
    )
    return {"ship_date": ship_date.isoformat(), "lines": answers}


def line_answers(po_lines: list[dict[str, Any]], lines: list[CaseLine]) -> list[dict[str, Any]]:
    """One answer per case line the document names (by PO1/POC line number, else SKU)."""
    by_position = {line.position: line for line in lines}
    by_sku = {line.sku: line for line in lines}
    answers: dict[int, dict[str, Any]] = {}
    for po_line in po_lines:
        number = str(po_line.get("line_number") or "").strip()
        line = by_position.get(int(number)) if number.isdigit() else None
        if line is None:
            skus = [p.get("id") for p in po_line.get("product_ids") or []]
            line = next((by_sku[s] for s in skus if s in by_sku), None)
        if line is None or line.position in answers:
            continue
        answer = _answer(po_line, line)
        if answer is not None:
            answers[line.position] = answer
    return [answers[p] for p in sorted(answers)]


def _answer(po_line: dict[str, Any], line: CaseLine) -> dict[str, Any] | None:
    """A line's ACK segments as one answer, as a partner would enter it on the page: the most
    telling status wins; a full acceptance names no quantity."""
    by_status: dict[str, list[dict]] = {}
    for ack in po_line.get("acknowledgments") or []:
        status = LINE_STATUS.get(ack.get("status"))
        if status is not None:
            by_status.setdefault(status, []).append(ack)
    if not by_status:
        return None
    answer: dict[str, Any] = {"line": line.position}
    if LineStatus.SUBSTITUTED in by_status:
        acks = by_status[LineStatus.SUBSTITUTED]
        sku = next((p["id"] for a in acks for p in a.get("product_ids") or [] if p.get("id")), "")
        answer |= {
            "status": LineStatus.SUBSTITUTED,
            "substitute_sku": sku,
            "substitute_quantity": _sum(acks) or _plain(line.quantity),
        }
        dates = [d for a in acks if (d := a.get("promised_ship_date"))]
        if dates:
            answer["date"] = min(_as_date(d) for d in dates).isoformat()
    elif LineStatus.BACKORDERED in by_status:
        acks = by_status[LineStatus.BACKORDERED]
        answer |= {
            "status": LineStatus.BACKORDERED,
            "quantity": _sum(acks) or _plain(line.quantity),
        }
        dates = [d for a in acks if (d := a.get("promised_ship_date"))]
        if dates:
            answer["date"] = max(_as_date(d) for d in dates).isoformat()
    elif set(by_status) == {LineStatus.REJECTED}:
        answer |= {"status": LineStatus.REJECTED, "reason_code": "IR"}
    elif LineStatus.ACCEPTED_WITH_CHANGES in by_status or LineStatus.REJECTED in by_status:
        taken = by_status.get(LineStatus.ACCEPTED, []) + by_status.get(
            LineStatus.ACCEPTED_WITH_CHANGES, []
        )
        answer |= {"status": LineStatus.ACCEPTED_WITH_CHANGES, "quantity": _sum(taken)}
    else:
        answer["status"] = LineStatus.ACCEPTED
        quantity = _sum(by_status[LineStatus.ACCEPTED])
        if quantity is not None and Decimal(quantity) != line.quantity:
            answer["quantity"] = quantity
    return {k: v for k, v in answer.items() if v not in (None, "")}


def _sum(acks: list[dict[str, Any]]) -> str | None:
    quantities = [Decimal(str(a["quantity"])) for a in acks if a.get("quantity") is not None]
    return _plain(sum(quantities, Decimal(0))) if quantities else None


def _plain(value: Any) -> str | None:
    return None if value in (None, "") else f"{Decimal(str(value)).normalize():f}"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def describe(payload: dict[str, Any], set_id: str) -> str:
    kind = payload.get("acknowledgment_type") or ""
    text = [f"X12 {set_id} for purchase order {payload.get('po_number')} ({kind})."]
    for line in payload.get("lines") or []:
        for ack in line.get("acknowledgments") or []:
            row = f"- line {line.get('line_number') or '?'}: {str(ack.get('status', '')).replace('_', ' ')}"
            if ack.get("quantity") is not None:
                row += f" {_plain(ack['quantity'])}"
            if ack.get("promised_ship_date"):
                row += f", ships {_as_date(ack['promised_ship_date']).isoformat()}"
            text.append(row)
    text += [str(m) for m in payload.get("messages") or []]
    return "\n".join(text)


# --- inbound: 865 and 870 --------------------------------------------------------------------


def apply_865(*, actor, partner, payload: dict[str, Any], channel: str) -> tuple[Case, str]:
    """The partner accepts or refuses the change Crossdock asked for in its 860."""
    po_number = payload.get("po_number") or ""
    case = _case_for(actor, partner, po_number)
    note = " ".join(str(m) for m in payload.get("messages") or [])[:2000]
    with transaction.atomic():
        case = workspace.case_lock(case=case, actor=actor)
        change = pending_change(case)
        if case.status != "change_requested" or change is None:
            workspace.message_post(
                actor=actor,
                channel=channel,
                case=case,
                body=describe(payload, "865"),
                visibility=Visibility.PARTNER,
            )
            return case, f"865 for {po_number} posted on {case.reference} (no change is waiting)"
        if payload.get("acknowledgment_type") in REJECTING_ACKS:
            step, data = "refuse_change", {"note": note or "Refused in the partner's X12 865."}
        elif change.cancels:
            step, data = "accept_cancellation", {"note": note}
        else:
            lines = list(CaseLine.objects.filter(case=case).order_by("position"))
            answers = line_answers(payload.get("lines") or [], lines)
            answers = _complete(case, change, answers, lines)
            full = all(
                a["status"] == LineStatus.ACCEPTED
                for a in answers
                if a["line"] not in set(change.lines.get("cancelled") or [])
            )
            step = "accept_change" if full else "accept_change_in_part"
            data = {**_answer_data(case, payload, answers), "note": note}
        workspace.transition_take(
            case=case, actor=actor, channel=channel, transition=step, payload=data
        )
    return case, f"865 for {po_number}: {step.replace('_', ' ')} on {case.reference}"


def _complete(
    case: Case, change: ChangeRequest, answers: list[dict], lines: list[CaseLine]
) -> list[dict]:
    """Every line answered, as the form asks: a cancelled line is rejected, a line the 865 does
    not name keeps its latest answer (or is accepted, when it had none)."""
    from apps.workspace.models import LineAnswer

    given = {a["line"]: a for a in answers}
    cancelled = set(change.lines.get("cancelled") or [])
    latest = {}
    for answer in LineAnswer.objects.filter(line__case=case).order_by("created_at", "id"):
        latest[answer.line_id] = answer
    complete = []
    for line in lines:
        if line.position in cancelled:
            complete.append(
                {"line": line.position, "status": LineStatus.REJECTED, "reason_code": "cancelled"}
            )
        elif line.position in given:
            complete.append(given[line.position])
        elif (previous := latest.get(line.pk)) is not None:
            row = {"line": line.position, "status": previous.status}
            for name in ("quantity", "substitute_quantity"):
                if getattr(previous, name) is not None:
                    row[name] = _plain(getattr(previous, name))
            if previous.date:
                row["date"] = previous.date.isoformat()
            for name in ("substitute_sku", "reason_code"):
                if getattr(previous, name):
                    row[name] = getattr(previous, name)
            complete.append(row)
        else:
            complete.append({"line": line.position, "status": LineStatus.ACCEPTED})
    return complete


def apply_870(*, actor, partner, payload: dict[str, Any], channel: str) -> tuple[Case, str]:
    """The partner's order status report: kept on the dispatch and posted on the case."""
    touched: list[Case] = []
    for order in payload.get("orders") or []:
        case = _case_for(actor, partner, order.get("po_number") or "")
        with transaction.atomic():
            case = workspace.case_lock(case=case, actor=actor)
            report = {
                "report_number": payload.get("report_number"),
                "report_date": _iso(payload.get("report_date")),
                "status": order.get("status") or order.get("status_code"),
                "status_date": _iso(order.get("status_date")),
                "lines": [
                    {
                        "line": line.get("line_number"),
                        "status": line.get("status") or line.get("status_code"),
                        "date": _iso(line.get("status_date")),
                        "quantity": _plain(line.get("quantity")),
                    }
                    for line in order.get("lines") or []
                ],
            }
            Dispatch.objects.filter(case=case).update(last_status_report=report)
            workspace.message_post(
                actor=actor,
                channel=channel,
                case=case,
                body=status_text(order, payload),
                visibility=Visibility.PARTNER,
            )
        touched.append(case)
    if not touched:
        raise DomainError("the 870 names no purchase order")
    return touched[
        0
    ], f"870 {payload.get('report_number')}: status of {len(touched)} order(s) posted"


def _iso(value: Any) -> str | None:
    return None if not value else _as_date(value).isoformat()


def status_text(order: dict[str, Any], payload: dict[str, Any]) -> str:
    head = f"Order status report (X12 870) for purchase order {order.get('po_number')}"
    if order.get("status") or order.get("status_code"):
        head += f": {(order.get('status') or order.get('status_code')).replace('_', ' ')}"
        if order.get("status_date"):
            head += f" on {_iso(order['status_date'])}"
    rows = [head + "."]
    for line in order.get("lines") or []:
        status = (line.get("status") or line.get("status_code") or "no status").replace("_", " ")
        row = f"- line {line.get('line_number') or '?'}: {status}"
        if line.get("status_date"):
            row += f" ({_iso(line['status_date'])})"
        rows.append(row)
    rows += [str(m) for m in payload.get("messages") or []]
    return "\n".join(rows)


# --- reading an 850 back into Crossdock's terms ------------------------------------------------

SKU_QUALIFIERS = ("SK", "BP", "VN", "VP", "IN", "UP", "CB")


def order_terms(payload: dict[str, Any]) -> dict[str, Any]:
    """What an 850 says in the terms of a dispatch: PO, SFCC order, ship-to, dates and lines
    (as CaseLines keep them). Our own 850 reads back into the dispatch it was written from;
    partners' and public 850s read into the same fields."""
    ship = next((p for p in payload.get("parties") or [] if p.get("role") == "ST"), {})
    address = list(ship.get("address_lines") or [])
    ship_to = {
        "name": ship.get("name") or "",
        "company": (ship.get("additional_names") or [""])[0],
        "address1": address[0] if address else "",
        "address2": address[1] if len(address) > 1 else "",
        "city": ship.get("city") or "",
        "state_code": ship.get("state") or "",
        "postal_code": ship.get("postal_code") or "",
        "country_code": ship.get("country") or "",
    }
    lines = []
    for index, po_line in enumerate(payload.get("lines") or [], start=1):
        ids = {p.get("qualifier"): p.get("id") for p in po_line.get("product_ids") or []}
        sku = next((ids[q] for q in SKU_QUALIFIERS if ids.get(q)), next(iter(ids.values()), ""))
        number = str(po_line.get("line_number") or "")
        lines.append(
            {
                "position": int(number) if number.isdigit() else index,
                "sku": sku,
                "quantity": Decimal(str(po_line.get("quantity") or 0)),
                "unit": po_line.get("unit") or "EA",
                "description": po_line.get("description") or "",
            }
        )
    dates = {d["qualifier"]: _as_date(d["date"]) for d in payload.get("dates") or []}
    references = {r["qualifier"]: r["value"] for r in payload.get("references") or []}
    return {
        "po_number": payload.get("po_number"),
        "order_number": references.get("CO", ""),
        "ship_to": {k: v for k, v in ship_to.items() if v},
        "ship_by": dates.get("010"),
        "deliver_by": dates.get("002"),
        "lines": lines,
    }
