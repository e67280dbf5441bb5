"""What the case page shows above the conversation for this app's kinds."""

from django.db.models import OuterRef, Prefetch, Subquery

from apps.workspace.models import CaseLine, LineAnswer, TimelineEvent
from apps.workspace.states import workflow_for

from .codes import active_codes
from .forms import PLAN_TYPE_LABELS, RESOLUTION_LABELS
from .models import Escalation, ExceptionDetail
from .services import latest_proposal


def _answers_lines(kind: str) -> bool:
    """Whether a step of the kind's workflow answers lines: only such a step writes answers."""
    return any(
        step.payload_form is not None and step.payload_form.answers_lines
        for step in workflow_for(kind).transitions
    )


def _lines(case):
    """The case's lines, each with its latest answer (`latest_answer`) for the table."""
    lines = CaseLine.objects.filter(case=case)
    answered = _answers_lines(case.kind)
    if answered:  # an escalation's lines are never answered: no query for answers
        lines = lines.prefetch_related(
            Prefetch("answers", queryset=LineAnswer.objects.order_by("created_at", "id"))
        )
    lines = list(lines)
    for line in lines:
        answers = list(line.answers.all()) if answered else []
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


def _detail(case) -> tuple[ExceptionDetail | None, dict]:
    """The detail row and, read in the same query, the partner's latest proposal."""
    proposals = (
        TimelineEvent.objects.filter(
            case=OuterRef("case"), verb="transitioned", data__has_key="resolution"
        )
        .order_by("-id")
        .values("data")[:1]
    )
    detail = (
        ExceptionDetail.objects.filter(case=case)
        .annotate(latest_proposal=Subquery(proposals))
        .first()
    )
    if detail is None:
        return None, latest_proposal(case)
    return detail, detail.latest_proposal or {}


def exception_panel(*, request, case) -> dict:
    labels = _code_labels()
    detail, proposal = _detail(case)
    accepted = detail.accepted_resolution if detail else {}
    return {
        "detail": detail,
        "lines": _lines(case),
        "proposal": _proposal_view(proposal, labels),
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
