"""The `c_` attributes a dispatch writes on its SFCC order: the answer, the dates, each line.

Named here, read by the SFCC connector through the flow registry (`order_attributes`); the
connector writes its own state, link and note with them. None clears an attribute.
"""

from apps.workspace.models import CaseLine, LineAnswer

from .models import Dispatch

TEXT_MAX = 2000


def line_outcomes(case) -> str | None:
    """ "SKU-1 × 2 accepted; SKU-2 × 1 backordered until 2026-12-20": what SFCC's agents read."""
    parts = []
    lines = CaseLine.objects.filter(case=case).order_by("position")
    latest: dict[int, LineAnswer] = {}
    for answer in LineAnswer.objects.filter(line__case=case).order_by("created_at", "id"):
        latest[answer.line_id] = answer
    for line in lines:
        answer = latest.get(line.pk)
        if answer is None:
            continue
        quantity = answer.quantity if answer.quantity is not None else line.quantity
        text = f"{line.sku} × {quantity.normalize():f} {answer.get_status_display().lower()}"
        if answer.substitute_sku:
            text += f" by {answer.substitute_sku} × {answer.substitute_quantity.normalize():f}"
        if answer.date:
            text += f" until {answer.date.isoformat()}"
        if answer.reason_code:
            text += f" ({answer.reason_code})"
        parts.append(text)
    return "; ".join(parts)[:TEXT_MAX] or None


def backorder_dates(case) -> str | None:
    dates = sorted(
        {
            a.date.isoformat()
            for a in LineAnswer.objects.filter(line__case=case, status="backordered").exclude(
                date=None
            )
        }
    )
    return ", ".join(dates) or None


def dispatch_attributes(*, case, event_payload: dict) -> dict:
    dispatch = Dispatch.objects.filter(case=case).first()
    if dispatch is None:
        return {}
    return {
        "c_crossdockDispatchPO": dispatch.po_number,
        "c_crossdockDispatchAnswer": dispatch.get_answer_display() if dispatch.answer else None,
        "c_crossdockCommittedShipDate": (
            dispatch.committed_ship_date.isoformat() if dispatch.committed_ship_date else None
        ),
        "c_crossdockShipBy": dispatch.ship_by.isoformat(),
        "c_crossdockAckDue": dispatch.ack_due_at.isoformat().replace("+00:00", "Z"),
        "c_crossdockLineStatuses": line_outcomes(case),
        "c_crossdockBackorderDates": backorder_dates(case),
        "c_crossdockRejectReason": dispatch.reject_reason or None,
    }
