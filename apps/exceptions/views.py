"""The agent's pages that open flow 7 (escalate) and flow 1 (post an exception) from an order.

Both read the order through the orders app's selectors and open the case through this app's
services; the page only parses, calls and renders. They are the retailer's: a partner gets 404,
an internal role that does not work the kind 403. The escalation takes photos, so its POST
goes through the workspace's upload limit before anything reads the body, as the case page's
replies and uploads do.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from apps.core.errors import DomainError
from apps.orders.models import Order, OrderLine, Shipment
from apps.orders.selectors import order_detail
from apps.partners.models import Organization
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.flows import kinds_for_role
from apps.workspace.uploads import UploadRefused, install_upload_limit, upload_refusal

from . import services
from .page_forms import EscalationPageForm, ExceptionPageForm, OrderCaseForm


def _may_open(request: HttpRequest, kind: str) -> None:
    """Partners do not open these (404: the page does not exist for them); an internal role
    opens the kinds it works, as its inbox shows them."""
    user = request.user
    if not user.is_internal:
        raise Http404
    kinds = kinds_for_role(user.role)
    if kinds is not None and kind not in kinds:
        raise PermissionDenied("Your role does not work this kind of case.")


def _order_parts(request: HttpRequest) -> tuple[Order, list[OrderLine], list[Shipment], Organization | None]:
    """The order named in the query string, the lines of the partner it names (all lines when
    it names none, or a partner without lines), its shipments, and that partner."""
    order_no = (request.GET.get("order") or "").strip()
    if not order_no:
        raise Http404("Which order?")
    order = order_detail(actor=request.user, order_no=order_no, site_id=request.GET.get("site") or None)
    if order is None:
        raise Http404("No such order.")
    lines = list(order.lines.all())
    partner = None
    partner_id = request.GET.get("partner") or ""
    if partner_id.isdigit():
        mine = [line for line in lines if line.partner_id == int(partner_id)]
        if mine:
            lines, partner = mine, mine[0].partner
        else:
            partner = Organization.objects.for_actor(request.user).filter(pk=int(partner_id)).first()
    return order, lines, list(order.shipments.all()), partner


def _put_beside_fields(form: OrderCaseForm, error: DomainError, *, files_field: str | None = None) -> None:
    """A refusal from the service, beside the fields it names (above the form otherwise)."""
    if isinstance(error, UploadRefused) and files_field:
        form.add_error(files_field, str(error))
        return
    for name, errors in error.fields.items():
        form.add_error(name if name in form.fields else None, errors)
    if not error.fields:
        form.add_error(None, str(error))


def _order_url(request: HttpRequest, order: Order) -> str:
    url = reverse("orders:order_detail", args=[order.order_no])
    return f"{url}?site={order.site_id}" if request.GET.get("site") else url


def _form_kwargs(request: HttpRequest) -> dict:
    order, lines, shipments, partner = _order_parts(request)
    return {"actor": request.user, "order": order, "lines": lines, "shipments": shipments, "partner": partner}


# --- escalate -------------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def escalation_create(request: HttpRequest) -> HttpResponse:
    _may_open(request, CaseKind.ESCALATION)
    if request.method == "POST":
        # The size limit sits in front of Django's upload handlers, before CSRF reads the body.
        install_upload_limit(request)
        return csrf_protect(_escalation_create)(request)
    return _escalation_create(request)


def _escalation_create(request: HttpRequest) -> HttpResponse:
    kwargs = _form_kwargs(request)
    if request.method != "POST":
        initial = {"reason": request.GET.get("reason", "")}
        return _render_escalation(request, EscalationPageForm(initial=initial, **kwargs))
    if refusal := upload_refusal(request):
        # What was parsed before the refusal is kept; a body refused whole kept nothing.
        form = EscalationPageForm(request.POST or None, **kwargs)
        return _render_escalation(request, form, refusal=refusal, status=413)
    form = EscalationPageForm(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.escalation_open(
                actor=request.user,
                channel=Channel.WEB,
                draft=services.EscalationDraft(
                    partner=data["partner"],
                    order_number=form.order.order_no,
                    reason=data["reason"],
                    customer_words=data["customer_words"],
                    lines=form.line_drafts(),
                    shipment_id=data["shipment"],
                    carrier=data["carrier"],
                    tracking_number=data["tracking_number"],
                ),
                photos=[(photo.name, photo) for photo in data["photos"]],
            )
        except DomainError as exc:
            _put_beside_fields(form, exc, files_field="photos")
        else:
            messages.success(request, f"Escalated to {case.partner} as {case.reference}.")
            return redirect(case.get_absolute_url())
    return _render_escalation(request, form, status=400)


def _render_escalation(request, form: EscalationPageForm, *, refusal: str = "", status: int = 200):
    context = {
        "form": form,
        "order": form.order,
        "order_url": _order_url(request, form.order),
        "refusal": refusal,
        # A browser never sends a file twice: after a refusal the photos must be chosen again.
        "photos_dropped": bool(refusal) or (form.is_bound and bool(request.FILES.getlist("photos"))),
    }
    return render(request, "exceptions/escalate.html", context, status=status)


# --- post an exception ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def exception_create(request: HttpRequest) -> HttpResponse:
    _may_open(request, CaseKind.ORDER_EXCEPTION)
    kwargs = _form_kwargs(request)
    initial = {"exception_type": request.GET.get("type", "")}
    form = ExceptionPageForm(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.exception_open(
                actor=request.user,
                channel=Channel.WEB,
                draft=services.ExceptionDraft(
                    partner=data["partner"],
                    order_number=form.order.order_no,
                    exception_type=data["exception_type"],
                    subject=data["subject"],
                    body=data["body"],
                    lines=form.line_drafts(),
                    **{name: data[name] for name in services.STRUCTURED_FIELDS},
                ),
            )
        except DomainError as exc:
            _put_beside_fields(form, exc)
        else:
            messages.success(request, f"Exception posted to {case.partner} as {case.reference}.")
            return redirect(case.get_absolute_url())
    context = {"form": form, "order": form.order, "order_url": _order_url(request, form.order)}
    return render(request, "exceptions/exception_open.html", context, status=400 if form.errors else 200)
