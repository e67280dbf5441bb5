"""Flow 8's pages: the order's progress line, the phone-first milestone form, opening tracking.

Every read goes through the actor's scope (a partner sees its own shipments; another's case
is a 404), every write through the services; the pages parse, call and render.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.errors import DomainError
from apps.orders.selectors import order_detail
from apps.partners.models import Organization
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.flows import kinds_for_role
from apps.workspace.models import Case
from apps.workspace.states import workflow_for
from apps.workspace.uploads import UploadRefused, install_upload_limit, upload_refusal

from . import selectors, services
from .models import TrackedShipment
from .page_forms import ReportPageForm, TrackPageForm, next_step


def _put_beside_fields(form, error: DomainError) -> None:
    if isinstance(error, UploadRefused):
        form.add_error("photos", str(error))
        return
    for name, errors in (error.fields or {}).items():
        form.add_error(name if name in form.fields else None, errors)
    if not error.fields:
        form.add_error(None, str(error))


@require_GET
def order_progress(request: HttpRequest) -> HttpResponse:
    """One order's shipments and milestones as a progress line, for anyone who would otherwise ask."""
    order_no = (request.GET.get("order") or "").strip()
    if not order_no:
        raise Http404("Which order?")
    rows = selectors.order_progress(actor=request.user, order_number=order_no)
    order = order_detail(
        actor=request.user, order_no=order_no, site_id=request.GET.get("site") or None
    )
    if not rows and order is None:
        raise Http404("No such order.")
    cases = {row.case.pk: row.case for row in rows}
    for case in cases.values():
        state = workflow_for(case.kind).state(case.status)
        case.state_label, case.state_tone = state.label, state.tone
    context = {
        "order_no": order_no,
        "order": order,
        "progress": rows,
        "cases": list(cases.values()),
        "late": sum(1 for row in rows if row.late),
        "track_url": _track_url(request, order_no) if order is not None else "",
    }
    return render(request, "milestones/order_progress.html", context)


def _may_track(user) -> bool:
    if not user.is_internal:
        return False
    kinds = kinds_for_role(user.role)
    return kinds is None or CaseKind.MILESTONE in kinds


def _track_url(request, order_no: str) -> str:
    return reverse("milestones:track") + f"?order={order_no}" if _may_track(request.user) else ""


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """The agent asks a partner for an order's milestones: one case per order and partner."""
    if not request.user.is_internal:
        raise Http404
    if not _may_track(request.user):
        raise PermissionDenied("Your role does not work milestone cases.")
    order = order_detail(
        actor=request.user, order_no=(request.GET.get("order") or "").strip(), site_id=None
    )
    if order is None:
        raise Http404("No such order.")
    routed = {line.partner_id for line in order.lines.all() if line.partner_id}
    partners = list(
        Organization.objects.for_actor(request.user)
        .partners()
        .filter(is_active=True)
        .order_by("name")
    )
    partners.sort(key=lambda p: p.pk not in routed)  # the order's own partners first
    form = TrackPageForm(
        request.POST or None, partners=partners, initial={"partner": request.GET.get("partner")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.tracking_open(
                actor=request.user,
                channel=Channel.WEB,
                order_number=order.order_no,
                partner=data["partner"],
                references=[r for r in data["references"].split(",")],
                body=data["body"],
            )
        except DomainError as exc:
            _put_beside_fields(form, exc)
        else:
            messages.success(
                request,
                f"{case.partner} will report the milestones of order {order.order_no} on {case.reference}.",
            )
            return redirect(case.get_absolute_url())
    context = {
        "form": form,
        "order": order,
        "order_url": reverse("orders:order_detail", args=[order.order_no]),
    }
    return render(request, "milestones/track.html", context, status=400 if form.errors else 200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method == "POST":
        # The size limit sits in front of Django's upload handlers, before CSRF reads the body.
        install_upload_limit(request)
        return csrf_protect(_report)(request, case_id)
    return _report(request, case_id)


def _report(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.for_actor(request.user).filter(kind=CaseKind.MILESTONE), pk=case_id
    )
    shipments = list(TrackedShipment.objects.for_actor(request.user).filter(case=case))
    chosen = next(
        (s for s in shipments if s.reference == request.GET.get("shipment")),
        shipments[0] if shipments else None,
    )
    initial = {
        "shipment": chosen.reference if chosen else "",
        "step": next_step(chosen),
        "carrier": chosen.carrier if chosen else "",
        "tracking_number": chosen.tracking_number if chosen else "",
    }
    refusal = upload_refusal(request) if request.method == "POST" else None
    if request.method != "POST" or refusal:
        form = ReportPageForm(request.POST or None, initial=initial, shipments=shipments)
        if refusal:
            form.add_error("photos", refusal)
        return _render_report(request, case, form, status=413 if refusal else 200)
    form = ReportPageForm(request.POST, request.FILES, initial=initial, shipments=shipments)
    if form.is_valid():
        try:
            milestone = services.milestone_record(
                actor=request.user,
                channel=Channel.WEB,
                case=case,
                data=form.payload(),
                files=form.proof_files(),
            )
        except DomainError as exc:
            _put_beside_fields(form, exc)
        else:
            messages.success(
                request,
                f"Shipment {milestone.shipment.reference}: {milestone.get_step_display().lower()} recorded.",
            )
            return redirect(case.get_absolute_url())
    return _render_report(request, case, form, status=400)


def _render_report(request, case, form, *, status: int = 200) -> HttpResponse:
    context = {
        "case": case,
        "form": form,
        "closed": not case.is_open,
        "progress_url": reverse("milestones:order_progress") + f"?order={case.order_number}",
        "files_dropped": form.is_bound and bool(request.FILES),
    }
    return render(request, "milestones/report.html", context, status=status)
