"""What the case page shows above the conversation for a drop-ship dispatch."""

from django.db.models import Prefetch
from django.utils import timezone

from apps.workspace.models import CaseLine, LineAnswer

from .forms import EXCEPTION_TYPE_LABELS, REJECT_REASON_LABELS
from .models import ChangeRequest, Dispatch
from .services import address_text


def _lines(case) -> list[CaseLine]:
    lines = list(
        CaseLine.objects.filter(case=case).prefetch_related(
            Prefetch("answers", queryset=LineAnswer.objects.order_by("created_at", "id"))
        )
    )
    for line in lines:
        answers = list(line.answers.all())
        line.latest_answer = answers[-1] if answers else None
    return lines


def dispatch_panel(*, request, case) -> dict:
    dispatch = Dispatch.objects.filter(case=case).first()
    if dispatch is None:
        return {"dispatch": None, "lines": _lines(case)}
    waiting = case.status == "dispatched"
    return {
        "dispatch": dispatch,
        "lines": _lines(case),
        "ship_to_text": address_text(dispatch.ship_to),
        "changes": list(ChangeRequest.objects.filter(dispatch=dispatch).order_by("-number")),
        "answer_overdue": waiting and dispatch.ack_due_at <= timezone.now(),
        "waiting": waiting,
        "reject_reason_label": REJECT_REASON_LABELS.get(
            dispatch.reject_reason, dispatch.reject_reason
        ),
        "exception_type_label": EXCEPTION_TYPE_LABELS.get(
            dispatch.exception_type, dispatch.exception_type
        ),
    }
