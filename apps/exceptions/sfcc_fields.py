"""The `c_` attributes each flow of this app writes on the SFCC order its case is about.

Named here, read by the SFCC connector through the flow registry; this app never imports the
connector. A value of None clears the attribute (a reopened case no longer has an outcome).
"""

from .forms import PLAN_TYPE_LABELS, RESOLUTION_LABELS
from .models import Escalation, ExceptionDetail

TEXT_MAX = 2000


def _dates(lines: list[dict]) -> str | None:
    """"SKU-1 backordered until 2026-12-20; line 2 substituted by SKU-9 × 2": what SFCC's agents read."""
    parts = []
    for answer in lines:
        where = f"line {answer['line']}"
        if answer.get("date"):
            parts.append(f"{where} {answer['status']} until {answer['date']}")
        elif answer.get("substitute_sku"):
            parts.append(f"{where} substituted by {answer['substitute_sku']} × {answer.get('substitute_quantity')}")
        else:
            parts.append(f"{where} {answer['status']}")
    return "; ".join(parts)[:TEXT_MAX] or None


def exception_attributes(*, case, event_payload: dict) -> dict:
    detail = ExceptionDetail.objects.filter(case=case).first()
    if detail is None:
        return {}
    accepted = detail.accepted_resolution or {}
    return {
        "c_crossdockExceptionType": detail.exception_type,
        "c_crossdockResolutionType": RESOLUTION_LABELS.get(accepted.get("resolution")) if accepted else None,
        "c_crossdockResolutionCode": accepted.get("resolution_code") or None,
        "c_crossdockShipDate": accepted.get("ship_date") or None,
        "c_crossdockLineOutcomes": _dates(accepted.get("lines") or []),
    }


def escalation_attributes(*, case, event_payload: dict) -> dict:
    escalation = Escalation.objects.filter(case=case).first()
    if escalation is None:
        return {}
    planned = bool(escalation.plan)
    return {
        "c_crossdockEscalationReason": escalation.reason,
        "c_crossdockRootCause": escalation.root_cause_code or None,
        "c_crossdockPlan": (
            f"{PLAN_TYPE_LABELS.get(escalation.plan_type, escalation.plan_type)}: {escalation.plan}"[:TEXT_MAX]
            if planned
            else None
        ),
        "c_crossdockPlanDue": escalation.plan_due.isoformat() if escalation.plan_due else None,
    }
