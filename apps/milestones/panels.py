"""What the case page shows above the conversation for a milestone case: its shipments' progress."""

from django.urls import reverse

from .selectors import case_progress


def milestone_panel(*, request, case) -> dict:
    return {
        "progress": case_progress(actor=request.user, case=case),
        "report_url": reverse("milestones:report", args=[case.pk]),
        "order_url": reverse("milestones:order_progress") + f"?order={case.order_number}",
        "may_report": case.is_open,
    }
