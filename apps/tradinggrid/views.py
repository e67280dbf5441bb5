"""The EDI ledger page, a document's story, its raw bytes, alerts, and per-partner settings.

Open to the operations and administrator roles, like the operations page: other internal
users get 403 (a retailer tool they may ask for), partner users 404 (for them it does not
exist, the same answer as anything outside their tenancy).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.errors import DomainError
from apps.core.pages import internal_roles_required, keyset_page_url, template_for
from apps.partners.models import Organization
from apps.partners.roles import OPERATIONS_ROLES

from . import selectors, services
from .forms import AlertResolveForm, LedgerFilterForm, PartnerSettingsForm
from .models import Alert, Direction, Interchange, Standard, Status

PREVIEW_BYTES = 64 * 1024
BASE64_SHOWN = 80


operations_required = internal_roles_required(
    OPERATIONS_ROLES, refusal="The EDI ledger is for the operations and admin roles."
)


@require_GET
@operations_required
@vary_on_headers("HX-Request")
def ledger(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    filters = {
        "partner": data.get("partner") or None,
        "status": data.get("status") or "",
        "direction": data.get("direction") or "",
        "type": data.get("type") or "",
        "overdue": bool(data.get("overdue")),
        "case": data.get("case") or None,
    }
    page = selectors.ledger_page(
        actor=request.user,
        partner=filters["partner"],
        status=filters["status"],
        direction=filters["direction"],
        document_type=filters["type"],
        overdue=filters["overdue"],
        case=filters["case"],
        before=data.get("before"),
    )
    context = {
        "page": page,
        "filters": filters,
        "alerts": selectors.open_alerts(actor=request.user),
        "summary": selectors.alert_summary(),
        "partner_choices": selectors.partner_choices(),
        "status_choices": Status.choices,
        "direction_choices": Direction.choices,
        "type_choices": selectors.document_type_choices(),
        "resolve_form": AlertResolveForm(),
        "next_url": keyset_page_url("tradinggrid:ledger", filters, page.next_before)
        if page.next_before
        else "",
        "first_url": keyset_page_url("tradinggrid:ledger", filters) if data.get("before") else "",
        "is_filtered": any(filters.values()),
    }
    return render(request, template_for(request, "tradinggrid/ledger.html", "rows"), context)


def _interchange(request: HttpRequest, pk: int) -> Interchange:
    try:
        return selectors.interchange_detail(actor=request.user, pk=pk)
    except Interchange.DoesNotExist as exc:
        raise Http404 from exc


def _preview(interchange: Interchange) -> tuple[str, bool]:
    """The document as text for the page: JSON pretty-printed with file contents cut short."""
    with interchange.raw.open("rb") as handle:
        data = (
            handle.read(PREVIEW_BYTES + 1)
            if interchange.standard != Standard.COLLAB
            else handle.read()
        )
    if interchange.standard == Standard.COLLAB:
        try:
            document = json.loads(data)
            for entry in document.get("files") or []:
                content = entry.get("content_base64")
                if isinstance(content, str) and len(content) > BASE64_SHOWN:
                    entry["content_base64"] = (
                        content[:BASE64_SHOWN] + f"… ({len(content)} characters)"
                    )
            text = json.dumps(document, indent=2, ensure_ascii=False)
            return text[:PREVIEW_BYTES], len(text) > PREVIEW_BYTES
        except (ValueError, AttributeError, TypeError):
            pass
    text = data[:PREVIEW_BYTES].decode("utf-8", "replace")
    if interchange.standard == Standard.X12 and "\n" not in text[:400]:
        text = text.replace("~", "~\n")  # one segment a line, as people read X12
    return text, len(data) > PREVIEW_BYTES


@require_GET
@operations_required
def interchange_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interchange = _interchange(request, pk)
    preview, truncated = _preview(interchange)
    context = {
        "interchange": interchange,
        "preview": preview,
        "truncated": truncated,
        "alerts": list(interchange.alerts.select_related("resolved_by").order_by("-created_at")),
        "answered_by": list(interchange.answered_by.order_by("id")),
        "resolve_form": AlertResolveForm(),
    }
    return render(request, "tradinggrid/interchange_detail.html", context)


@require_GET
@operations_required
def interchange_raw(request: HttpRequest, pk: int) -> FileResponse:
    interchange = _interchange(request, pk)
    # Always a download of opaque bytes: partner-made content never renders in our origin.
    response = FileResponse(
        interchange.raw.open("rb"),
        as_attachment=True,
        filename=interchange.file_name or f"interchange-{interchange.pk}",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@operations_required
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = Alert.objects.for_actor(request.user).filter(pk=pk).first()
    if alert is None:
        raise Http404
    form = AlertResolveForm(request.POST)
    form.is_valid()
    try:
        services.alert_resolve(
            actor=request.user, alert=alert, resolution=form.cleaned_data.get("resolution", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Alert resolved: {alert.get_kind_display().lower()}.")
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("tradinggrid:ledger")


@require_GET
@operations_required
def partner_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tradinggrid/partner_list.html",
        {"rows": selectors.partner_settings_rows()},
    )


@require_http_methods(["GET", "POST"])
@operations_required
def partner_settings(request: HttpRequest, pk: int) -> HttpResponse:
    organization = Organization.objects.for_actor(request.user).partners().filter(pk=pk).first()
    if organization is None:
        raise Http404
    profile = selectors.partner_profile(organization)
    initial = {
        "channel": organization.channel,
        "edi_standard": organization.edi_standard,
        "edi_version": organization.edi_version,
        "document_types": profile.document_types,
        "ack_deadline_minutes": profile.ack_deadline_minutes,
        "encoding": profile.encoding,
    }
    form = PartnerSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_settings_update(
                actor=request.user,
                organization=organization,
                channel=data["channel"],
                edi_standard=data["edi_standard"],
                edi_version=data["edi_version"],
                document_types=data["document_types"],
                ack_deadline_minutes=data["ack_deadline_minutes"],
                encoding=data["encoding"] or None,
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            if not exc.fields:
                form.add_error(None, str(exc))
        else:
            messages.success(request, f"Trading Grid settings of {organization} saved.")
            return redirect("tradinggrid:partner_settings", pk=organization.pk)
    return render(
        request,
        "tradinggrid/partner_settings.html",
        {"organization": organization, "form": form, "profile": profile},
        status=400 if form.errors else 200,
    )
