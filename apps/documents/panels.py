"""What the case page and the order page show of flow 3."""

from django.urls import reverse

from apps.workspace.choices import Side
from apps.workspace.sides import side_of

from . import selectors
from .models import DocumentRequest
from .page_forms import SubmitPageForm


def request_panel(*, request, case) -> dict:
    document = (
        DocumentRequest.objects.filter(case=case).select_related("accepted_submission").first()
    )
    if document is None:
        return {"document": None}
    submissions = list(document.submissions.select_related("file_version").order_by("-number"))
    checklist = selectors.order_checklist(actor=request.user, order_number=case.order_number)
    from .states import TRADE_DOCUMENT

    partner = side_of(request.user, default=None) == Side.PARTNER
    may_submit = partner and case.status in TRADE_DOCUMENT.transition("submit").sources
    return {
        "document": document,
        "submissions": submissions,
        "order_checklist": checklist,
        # Its own ids: the page also holds the "submit" step's dialog, with fields of the same names.
        "submit_form": SubmitPageForm(dated=document.dated, auto_id="document_%s")
        if may_submit
        else None,
        "submit_url": reverse("documents:submit", args=[case.pk]),
    }


def order_section(*, request, order) -> dict | None:
    checklist = selectors.order_checklist(actor=request.user, order_number=order.order_no)
    if not checklist.items:
        return None
    shipments = sorted(
        {item.request.shipment_ref for item in checklist.items if item.request.shipment_ref}
    )
    return {
        "checklist": checklist,
        "zip_url": reverse("documents:order_zip", args=[order.order_no]),
        "shipment_zips": [
            (ref, reverse("documents:order_zip", args=[order.order_no]) + f"?shipment={ref}")
            for ref in shipments
        ],
    }
