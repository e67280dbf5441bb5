"""The merchandiser's pages of flow 2 (plans, the allocation view, priority requests) and the
partner's answer upload on a share's case page.

Plan pages are reached through `DemandPlan.objects.for_actor`: for a partner or an agent a
plan does not exist (404). Views parse, call the services and render.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import DomainError
from apps.workspace.choices import Channel
from apps.workspace.models import Case

from . import exports, selectors, services
from .models import PlanLine, PlanStatus
from .page_forms import AnswersUploadForm, ImportForm, LineForm, PlanForm, PriorityRequestForm


def _page_urls(request: HttpRequest, page) -> dict:
    """The pager's links: this page's query string with another page number."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}"

    return {
        "prev_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
        "summary": f"Page {page.number} of {page.paginator.num_pages}",
    }


def _plan(request: HttpRequest, pk: int):
    plan = selectors.plan_get(actor=request.user, pk=pk)
    if plan is None:
        raise Http404("No such plan.")
    return plan


def _planner(request: HttpRequest) -> None:
    if not services._plans_allowed(request.user):
        raise Http404


def _errors_to_form(form, error: DomainError) -> None:
    for name, errors in error.fields.items():
        form.add_error(name if name in form.fields else None, errors)
    if not error.fields:
        form.add_error(None, str(error))


def plan_list(request: HttpRequest) -> HttpResponse:
    _planner(request)
    plans = selectors.plans_for_actor(actor=request.user)
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "allocations/plan_list.html",
        {"page": page, "plans": page.object_list, **_page_urls(request, page)},
    )


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    _planner(request)
    form = PlanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.pop("file")
        try:
            with transaction.atomic():
                plan = services.plan_create(actor=request.user, draft=services.PlanDraft(**data))
                if upload is not None:
                    services.plan_lines_import(
                        actor=request.user, plan=plan, name=upload.name, content=upload.file
                    )
        except DomainError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request, f"Plan {plan.reference} created" + (" with its lines." if upload else ".")
            )
            return redirect(plan.get_absolute_url())
    return render(
        request, "allocations/plan_form.html", {"form": form}, status=400 if form.errors else 200
    )


def plan_detail(
    request: HttpRequest, pk: int, *, import_form=None, line_form=None, status: int = 200
) -> HttpResponse:
    """The allocation view: requested against confirmed against reserved, per partner and per line."""
    plan = _plan(request, pk)
    show = request.GET.get("show", "")
    partner = request.GET.get("partner", "")
    partner_id = int(partner) if partner.isdigit() else None
    lines = selectors.lines_filtered(
        plan=plan, show=show if show in selectors.FILTERS else "", partner_id=partner_id
    )
    page = Paginator(lines, selectors.LINES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "plan": plan,
        "totals": selectors.plan_totals(plan=plan),
        # The partners with the largest shortfall first; all of them on request.
        "partners": selectors.partner_summary(
            plan=plan,
            limit=None if request.GET.get("partners") == "all" else selectors.PARTNERS_SHOWN,
        ),
        "partners_shown": selectors.PARTNERS_SHOWN,
        "all_partners": request.GET.get("partners") == "all",
        "page": page,
        "lines": page.object_list,
        **_page_urls(request, page),
        "show": show,
        "partner_id": partner_id,
        "filters": selectors.FILTERS,
        "is_draft": plan.status == PlanStatus.DRAFT,
        "import_form": import_form or ImportForm(),
        "line_form": line_form or LineForm(actor=request.user),
        "writes_to_sfcc": services.catalog.writes_product_attributes(),
    }
    template = "allocations/plan_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#lines"
    return render(request, template, context, status=status)


@require_POST
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lines = services.plan_lines_import(
                actor=request.user, plan=plan, name=upload.name, content=upload.file
            )
        except DomainError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"{len(lines)} lines imported.")
            return redirect(plan.get_absolute_url())
    return plan_detail(request, pk, import_form=form, status=400)


@require_POST
def plan_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = LineForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            services.plan_line_add(
                actor=request.user, plan=plan, line=services.LineInput(**form.cleaned_data)
            )
        except DomainError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "Line added.")
            return redirect(plan.get_absolute_url())
    return plan_detail(request, pk, line_form=form, status=400)


@require_POST
def plan_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        count = services.plan_inventory_refresh(actor=request.user, plan=plan)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Reserved and in-stock quantities read from SFCC for {count} lines."
        )
    return redirect(plan.get_absolute_url())


@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        cases = services.plan_publish(actor=request.user, channel=Channel.WEB, plan=plan)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Published to {len(cases)} partner{'s' if len(cases) != 1 else ''}."
        )
    return redirect(plan.get_absolute_url())


def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    plan = _plan(request, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    name = f"{plan.reference}-allocation"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(plan),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            exports.csv_stream(plan), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
def substitution_decide(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    line = get_object_or_404(PlanLine, pk=line_pk, plan=plan)
    accept = request.POST.get("decision") == "accept"
    try:
        services.substitution_decide(
            actor=request.user, channel=Channel.WEB, line=line, accept=accept
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Substitute {line.substitute_sku} for {line.sku} {'accepted' if accept else 'refused'}"
            + (
                " and sent to SFCC."
                if accept and services.catalog.writes_product_attributes()
                else "."
            ),
        )
    back = request.POST.get("next") or plan.get_absolute_url()
    return redirect(
        back if back.startswith("/") and not back.startswith("//") else plan.get_absolute_url()
    )


@require_http_methods(["GET", "POST"])
def priority_request(request: HttpRequest) -> HttpResponse:
    _planner(request)
    form = PriorityRequestForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.priority_request_open(
                actor=request.user,
                channel=Channel.WEB,
                request=services.PriorityRequest(**form.cleaned_data),
            )
        except DomainError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"Priority request {case.reference} sent to {case.partner}.")
            return redirect(case.get_absolute_url())
    return render(
        request,
        "allocations/priority_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def share_answers_upload(request: HttpRequest, case_pk: int) -> HttpResponse:
    """A partner answers its share with a file; refused rows come back on the case page."""
    case = Case.objects.for_actor(request.user).filter(pk=case_pk, kind="allocation").first()
    if case is None:
        raise Http404
    form = AnswersUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.share_answers_import(
                actor=request.user,
                channel=Channel.WEB,
                case=case,
                name=upload.name,
                content=upload.file,
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            for line in error.fields.get("file", [str(error)]):
                messages.error(request, line)
        else:
            messages.success(request, "Your answers were recorded.")
    else:
        messages.error(request, "Attach the CSV or XLSX file of your answers.")
    return redirect(reverse("workspace:case_detail", args=[case.pk]))


def share_answers_template(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The share's lines as a CSV to fill in (the columns the upload reads)."""
    case = Case.objects.for_actor(request.user).filter(pk=case_pk, kind="allocation").first()
    if case is None:
        raise Http404
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "line",
            "sku",
            "description",
            "requested",
            "need_by",
            "answer",
            "quantity",
            "date",
            "substitute_sku",
            "substitute_quantity",
            "reason",
        ]
    )
    for line in case.lines.all():
        writer.writerow(
            [
                line.position,
                line.sku,
                line.description,
                f"{line.quantity.normalize():f}",
                line.data.get("need_by", ""),
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-answers.csv"'
    return response
