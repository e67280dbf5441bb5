"""Flow 3's pages: the partner's upload of a requested document, and the ZIP of an order's.

Both reach their rows through `for_actor`: another partner's request is a 404. The upload
goes through the workspace's size limit before anything reads the body, like the case page.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.errors import DomainError
from apps.workspace.choices import Channel
from apps.workspace.uploads import install_upload_limit, upload_refusal

from . import services
from .downloads import documents_zip
from .models import DocumentRequest
from .page_forms import SubmitPageForm


def _request_for(request: HttpRequest, pk: int) -> DocumentRequest:
    document = (
        DocumentRequest.objects.for_actor(request.user)
        .select_related("case")
        .filter(case_id=pk)
        .first()
    )
    if document is None:
        raise Http404("No such document request.")
    return document


@csrf_exempt
@require_http_methods(["GET", "POST"])
def document_submit(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        install_upload_limit(request)
    return csrf_protect(_document_submit)(request, pk)


def _document_submit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _request_for(request, pk)
    case = document.case
    if request.method == "GET":
        form = SubmitPageForm(dated=document.dated)
        return render(
            request, "documents/submit.html", {"document": document, "case": case, "form": form}
        )
    refusal = upload_refusal(request)
    form = SubmitPageForm(request.POST, request.FILES, dated=document.dated)
    if refusal:
        form.is_valid()
        form.add_error("file", refusal)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.document_submit(
                actor=request.user,
                channel=Channel.WEB,
                case=case,
                name=data["file"].name,
                content=data["file"],
                issue_date=data.get("issue_date"),
                expiry_date=data.get("expiry_date"),
                note=data["note"],
            )
        except DomainError as exc:
            for field, errors in (exc.fields or {}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, str(exc))
        else:
            messages.success(request, f"{document.label} submitted for review.")
            return redirect(case.get_absolute_url())
    context = {"document": document, "case": case, "form": form}
    return render(request, "documents/submit.html", context, status=400)


@require_GET
def order_zip(request: HttpRequest, order_no: str) -> HttpResponse:
    shipment = (request.GET.get("shipment") or "").strip()
    stream, count = documents_zip(actor=request.user, order_number=order_no, shipment_ref=shipment)
    if not count:
        raise Http404("No accepted documents you may download on this order.")
    name = f"{order_no}{'-' + shipment if shipment else ''}-documents.zip"
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
