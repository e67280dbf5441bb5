"""The agent's page that opens a claim from an order, and the evidence-pack download.

The claim page reads the order through the orders app's selectors and opens the claim through
this app's services. It is the retailer's: a partner gets 404, an internal role that does not
work claims 403. Its POST carries photos, so the workspace's upload limit goes in front of
the body, as on the case page. The evidence pack is served to anyone who may see the case.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.errors import DomainError
from apps.orders.selectors import order_detail
from apps.partners.models import Organization
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.flows import kinds_for_role
from apps.workspace.uploads import UploadRefused, install_upload_limit, upload_refusal

from . import evidence, services
from .page_forms import ClaimPageForm


def _may_open(request: HttpRequest) -> None:
    user = request.user
    if not user.is_internal:
        raise Http404
    kinds = kinds_for_role(user.role)
    if kinds is not None and CaseKind.CLAIM not in kinds:
        raise PermissionDenied("Your role does not work claims.")


def _form_kwargs(request: HttpRequest) -> dict:
    order_no = (request.GET.get("order") or "").strip()
    if not order_no:
        raise Http404("Which order?")
    order = order_detail(
        actor=request.user, order_no=order_no, site_id=request.GET.get("site") or None
    )
    if order is None:
        raise Http404("No such order.")
    lines = list(order.lines.all())
    partner = None
    partner_id = request.GET.get("partner") or ""
    if partner_id.isdigit():
        partner = Organization.objects.for_actor(request.user).filter(pk=int(partner_id)).first()
        mine = [line for line in lines if partner is not None and line.partner_id == partner.pk]
        lines = mine or lines
    return {"actor": request.user, "order": order, "lines": lines, "partner": partner}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def claim_create(request: HttpRequest) -> HttpResponse:
    _may_open(request)
    if request.method == "POST":
        install_upload_limit(request)  # before CSRF reads the body
        return csrf_protect(_claim_create)(request)
    return _claim_create(request)


def _claim_create(request: HttpRequest) -> HttpResponse:
    kwargs = _form_kwargs(request)
    if request.method != "POST":
        return _render(
            request, ClaimPageForm(initial={"claim_type": request.GET.get("type", "")}, **kwargs)
        )
    if refusal := upload_refusal(request):
        return _render(
            request, ClaimPageForm(request.POST or None, **kwargs), refusal=refusal, status=413
        )
    form = ClaimPageForm(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.claim_open(
                actor=request.user,
                channel=Channel.WEB,
                draft=services.ClaimDraft(
                    partner=data["partner"],
                    order_number=form.order.order_no,
                    site_id=form.order.site_id,
                    claim_type=data["claim_type"],
                    reason_code=data["reason_code"],
                    description=data["description"],
                    currency=data["currency"],
                    lines=form.line_drafts(),
                ),
                evidence=[(f.name, f) for f in data["evidence"]],
            )
        except DomainError as exc:
            if isinstance(exc, UploadRefused):
                form.add_error("evidence", str(exc))
            else:
                for name, errors in (exc.fields or {None: [str(exc)]}).items():
                    form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"Claim sent to {case.partner} as {case.reference}.")
            return redirect(case.get_absolute_url())
    return _render(request, form, status=400)


def _render(request, form: ClaimPageForm, *, refusal: str = "", status: int = 200) -> HttpResponse:
    order = form.order
    context = {
        "form": form,
        "order": order,
        "order_url": reverse("orders:order_detail", args=[order.order_no]),
        "refusal": refusal,
        "evidence_dropped": bool(refusal)
        or (form.is_bound and bool(request.FILES.getlist("evidence"))),
    }
    return render(request, "claims/claim_open.html", context, status=status)


@require_GET
def evidence_pack(request: HttpRequest, case_id: int) -> HttpResponse:
    case = evidence.pack_case(actor=request.user, case_id=case_id)
    return evidence.pack_response(actor=request.user, case=case)
