"""Flow 2 over Trading Grid: the 830 a share goes out as, and the 846 a partner may answer with.

The connector calls `build_830` for each partner-visible event of an allocation case (for
partners on X12) and sends what it returns; it routes an inbound 846 here. The 846's lines
become the share's answer step with the same line answers a partner gives in the browser.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.core.errors import DomainError
from apps.workspace import services as workspace
from apps.workspace.models import Case, CaseLine
from apps.workspace.models.lines import LineStatus

from .models import DemandPlan


def build_830(*, event) -> dict[str, Any] | None:
    """The planning schedule for a share just opened; other events carry no 830."""
    if event.type != "case.created":
        return None
    case = event.case
    lines = list(CaseLine.objects.filter(case=case).order_by("position"))
    # case.created is announced inside case_create, before the share's row exists: the
    # lines name their plan.
    plan_id = lines[0].data.get("plan") if lines else None
    plan = DemandPlan.objects.filter(pk=plan_id).first() if plan_id else None
    if plan is None:
        return None
    return schedule_for(case=case, plan=plan, lines=lines)


def schedule_for(*, case: Case, plan: DemandPlan, lines: list[CaseLine]) -> dict[str, Any]:
    today = timezone.localdate()
    need_dates = [line.data.get("need_by") for line in lines if line.data.get("need_by")]
    return {
        "set_id": "830",
        "purpose": "00",
        "reference": plan.reference,
        "release": case.reference,
        "start": (plan.period_start or today).isoformat(),
        "end": (plan.period_end.isoformat() if plan.period_end else max(need_dates, default=None)),
        "generated": today.isoformat(),
        "lines": [
            {
                "line": line.position,
                "sku": line.sku,
                "description": line.description,
                "unit": line.unit,
                "location": line.data.get("location") or "",
                "quantity": f"{line.quantity.normalize():f}",
                "need_by": line.data.get("need_by") or today.isoformat(),
                "firm": plan.kind != "period",
            }
            for line in lines
        ],
    }


def _answer(line: dict[str, Any], requested: Decimal) -> dict[str, Any]:
    """One 846 line in the answer step's vocabulary."""
    confirmed = line.get("confirmed")
    answer: dict[str, Any] = {"line": line["line"]}
    if line.get("substitute_sku"):
        answer.update(
            status=LineStatus.SUBSTITUTED.value,
            substitute_sku=line["substitute_sku"],
            substitute_quantity=str(line.get("substitute_quantity") or 0),
        )
    elif line.get("reason") and not confirmed:
        answer.update(status=LineStatus.REJECTED.value, reason_code=line["reason"])
    elif line.get("backordered"):
        answer.update(status=LineStatus.BACKORDERED.value, date=line["available_date"])
    elif confirmed is not None and confirmed < requested:
        answer.update(status=LineStatus.ACCEPTED_WITH_CHANGES.value)
    else:
        answer.update(status=LineStatus.ACCEPTED.value)
    if confirmed is not None:
        answer["quantity"] = str(confirmed)
    if line.get("note"):
        answer["note"] = line["note"]
    if answer.get("date") is not None:
        answer["date"] = str(answer["date"])
    return answer


def apply_846(*, actor, partner, payload: dict[str, Any], channel: str):
    """An inventory advice answering a share: the answer step, as a partner's user takes it."""
    reference = str(payload.get("reference") or "")
    number = reference.removeprefix("CX-")
    case = None
    if number.isdigit():
        case = Case.objects.for_actor(actor).filter(pk=int(number), kind="allocation").first()
    if case is None:
        raise DomainError(f"846 BIA03 {reference!r} names no allocation request of {partner}.")
    lines = {line.position: line for line in CaseLine.objects.filter(case=case)}
    answers = []
    for line in payload.get("lines") or []:
        position = line.get("line")
        case_line = lines.get(position)
        if case_line is None or (line.get("sku") and line["sku"] != case_line.sku):
            raise DomainError(
                f"846 LIN {position} {line.get('sku')!r} is not a line of {case.reference}."
            )
        answers.append(_answer(line, case_line.quantity))
    workspace.case_transition(
        actor=actor, channel=channel, case=case, transition="answer", payload={"lines": answers}
    )
    return (
        case,
        f"846: {len(answers)} line answer{'s' if len(answers) != 1 else ''} on {case.reference}",
    )
