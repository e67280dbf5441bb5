"""What the case page shows above the conversation for this app's kinds."""

from django.db.models import Prefetch

from apps.workspace.models import CaseLine, LineAnswer

from .codes import active_codes
from .forms import PLAN_TYPE_LABELS, RESOLUTION_LABELS
from .models import Escalation, ExceptionDetail
from .services import latest_proposal


def _lines(case):
    """The case's lines, each with its latest answer (`latest_answer`) for the table."""
    lines = list(
        CaseLine.objects.filter(case=case).prefetch_related(
            Prefetch("answers", queryset=LineAnswer.objects.order_by("created_at", "id"))
        )
    )
    for line in lines:
        answers = list(line.answers.all())
        line.latest_answer = answers[-1] if answers else None
    return lines


def _code_labels() -> dict[str, str]:
    return {code: label for choices in active_codes().values() for code, label in choices}


def _proposal_view(proposal: dict, labels: dict[str, str]) -> dict | None:
    if not proposal:
        return None
    return {
        **proposal,
        "resolution_label": RESOLUTION_LABELS.get(proposal.get("resolution"), proposal.get("resolution")),
        "root_cause_label": labels.get(proposal.get("root_cause_code", ""), ""),
    }


def exception_panel(*, request, case) -> dict:
    labels = _code_labels()
    detail = ExceptionDetail.objects.filter(case=case).first()
    accepted = detail.accepted_resolution if detail else {}
    return {
        "detail": detail,
        "lines": _lines(case),
        "proposal": _proposal_view(latest_proposal(case), labels),
        "accepted": _proposal_view(accepted, labels),
        "resolution_label": labels.get(case.resolution_code, case.resolution_code),
    }


def customer_next_step(case, escalation) -> tuple[str, object]:
    """What the agent tells the customer next, and by when."""
    status = case.status
    if status == "plan_agreed" and escalation.plan:
        kind = PLAN_TYPE_LABELS.get(escalation.plan_type, escalation.plan_type).lower()
        return f"Tell the customer the plan ({kind}): {escalation.plan}", escalation.customer_update_due
    if status == "plan_proposed":
        return "Review the partner's plan, then tell the customer what happens next.", case.due_at
    if status == "info_needed":
        return "The partner needs information from you before it can go on.", case.due_at
    if not case.is_open:
        return "Nothing more: the escalation is closed.", None
    return "Tell the customer the partner is investigating; you will hear back.", case.due_at


def escalation_panel(*, request, case) -> dict:
    escalation = Escalation.objects.filter(case=case).first()
    next_step, by = customer_next_step(case, escalation) if escalation else ("", None)
    labels = _code_labels() if escalation and escalation.root_cause_code else {}
    return {
        "escalation": escalation,
        "lines": _lines(case),
        "next_step": next_step,
        "next_step_due": by if case.has_deadline or by != case.due_at else None,
        "root_cause_label": labels.get(escalation.root_cause_code, "") if escalation else "",
        "plan_type_label": PLAN_TYPE_LABELS.get(escalation.plan_type, "") if escalation else "",
    }
