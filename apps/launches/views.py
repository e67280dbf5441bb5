"""The merchandiser's launch pages (list, calendar, new, board, PDF) and the share actions.

The launch pages are the retailer's: a partner gets its own shares on the list and 404 on a
launch. Actions on a share (review an item, resolve a constraint, upload materials) come
from the case page's panel and go back there.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.errors import DomainError
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.flows import kinds_for_role

from . import selectors, services
from .models import ChecklistItem, Constraint, LaunchDocument, LaunchStatus
from .page_forms import (
    DocumentForm,
    InviteForm,
    LaunchCreateForm,
    LaunchMoveForm,
    LaunchTransitionForm,
    MaterialForm,
    ResolveForm,
    ReviewForm,
)
from .pdf import board_pdf
from .states import LAUNCH


def _internal(request: HttpRequest) -> None:
    """Launch pages are the retailer's (404 for partners); roles that do not work launches get 403."""
    if not request.user.is_internal:
        raise Http404
    kinds = kinds_for_role(request.user.role)
    if kinds is not None and CaseKind.LAUNCH not in kinds:
        raise PermissionDenied("Your role does not work launches.")


def _beside_fields(form, error: DomainError) -> None:
    for name, errors in error.fields.items():
        form.add_error(name if name in form.fields else None, errors)
    if not error.fields:
        form.add_error(None, str(error))


@require_GET
def launch_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_internal:
        shares = list(selectors.shares_for_partner(actor=request.user))
        for share in shares:
            share.percent = selectors.percent(share.items_complete, share.items_total)
        return render(request, "launches/partner_list.html", {"shares": shares})
    _internal(request)
    status = request.GET.get("status") or ""
    launches = list(
        selectors.launches_for_actor(
            actor=request.user, status=status if status in LaunchStatus.values else None
        )
    )
    for launch in launches:
        launch.percent = selectors.percent(launch.items_complete, launch.items_total)
    view = "calendar" if request.GET.get("view") == "calendar" else "list"
    context = {
        "launches": launches,
        "view": view,
        "status": status,
        "statuses": LaunchStatus.choices,
    }
    if view == "calendar":
        try:
            month = date.fromisoformat((request.GET.get("month") or "") + "-01")
        except ValueError:
            month = date.today().replace(day=1)
        context["calendar"] = selectors.month_calendar(launches=launches, month=month)
    return render(request, "launches/launch_list.html", context)


@require_http_methods(["GET", "POST"])
def launch_create(request: HttpRequest) -> HttpResponse:
    _internal(request)
    initial = {"campaign_id": request.GET.get("campaign", "")}
    form = LaunchCreateForm(
        request.POST or None, request.FILES or None, actor=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            launch = services.launch_create(
                actor=request.user,
                channel=Channel.WEB,
                draft=services.LaunchDraft(
                    name=data["name"],
                    campaign_id=data["campaign_id"],
                    go_live_at=data["go_live_at"],
                    ends_at=data["ends_at"],
                    description=data["description"],
                    share_totals=data["share_totals"],
                    skus=data["skus"],
                    partners=tuple(data["partners"]),
                    templates=tuple(data["templates"]),
                    custom_items=data["custom_items"],
                ),
            )
            for kind in ("requirements", "packaging"):
                upload = data.get(kind)
                if upload:
                    services.document_add(
                        actor=request.user,
                        channel=Channel.WEB,
                        launch=launch,
                        kind=kind,
                        name=upload.name,
                        content=upload,
                    )
        except DomainError as exc:
            _beside_fields(form, exc)
        else:
            messages.success(
                request,
                f"Launch {launch.reference} created; {launch.shares.count()} partners invited.",
            )
            return redirect(launch.get_absolute_url())
    return render(
        request, "launches/launch_create.html", {"form": form}, status=400 if form.errors else 200
    )


def _render_detail(request, launch, *, status: int = 200, **forms) -> HttpResponse:
    board = selectors.launch_board(launch=launch)
    invited = [row.share.partner_id for row in board.rows]
    context = {
        "launch": launch,
        "board": board,
        "transitions": [t for t in LAUNCH.transitions if launch.status in t.sources],
        "transition_form": forms.get("transition_form") or LaunchTransitionForm(),
        "move_form": forms.get("move_form")
        or LaunchMoveForm(initial={"go_live_at": launch.go_live_at, "ends_at": launch.ends_at}),
        "invite_form": forms.get("invite_form") or InviteForm(actor=request.user, exclude=invited),
        "document_form": forms.get("document_form") or DocumentForm(),
        "documents": list(launch.documents.all()),
        "events": list(launch.events.all()[:50]),
        "error": forms.get("error", ""),
    }
    return render(request, "launches/launch_detail.html", context, status=status)


@require_GET
def launch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    return _render_detail(request, selectors.launch_detail(actor=request.user, pk=pk))


@require_GET
def launch_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    launch = selectors.launch_detail(actor=request.user, pk=pk)
    response = HttpResponse(
        board_pdf(selectors.launch_board(launch=launch)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{launch.reference}-go-no-go.pdf"'
    return response


@require_POST
def launch_transition(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    launch = selectors.launch_detail(actor=request.user, pk=pk)
    form = LaunchTransitionForm(request.POST)
    if form.is_valid():
        try:
            launch = services.launch_transition(
                actor=request.user, channel=Channel.WEB, launch=launch, **form.cleaned_data
            )
        except DomainError as exc:
            _beside_fields(form, exc)
        else:
            messages.success(request, f"The launch is now {launch.get_status_display().lower()}.")
            return redirect(launch.get_absolute_url())
    error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return _render_detail(
        request, launch, status=409 if form.is_bound else 400, transition_form=form, error=error
    )


@require_POST
def launch_move(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    launch = selectors.launch_detail(actor=request.user, pk=pk)
    form = LaunchMoveForm(request.POST)
    if form.is_valid():
        try:
            services.launch_move(
                actor=request.user, channel=Channel.WEB, launch=launch, **form.cleaned_data
            )
        except DomainError as exc:
            _beside_fields(form, exc)
        else:
            messages.success(request, "Go-live moved; every partner was told.")
            return redirect(launch.get_absolute_url())
    return _render_detail(
        request, launch, status=400, move_form=form, error="The dates were not changed."
    )


@require_POST
def launch_invite(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    launch = selectors.launch_detail(actor=request.user, pk=pk)
    form = InviteForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            share = services.share_invite(
                actor=request.user,
                channel=Channel.WEB,
                launch=launch,
                partner=form.cleaned_data["partner"],
                templates=form.cleaned_data["templates"],
            )
        except DomainError as exc:
            _beside_fields(form, exc)
        else:
            messages.success(request, f"{share.partner} invited as {share.case.reference}.")
            return redirect(launch.get_absolute_url())
    return _render_detail(
        request, launch, status=400, invite_form=form, error="Nobody was invited."
    )


@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    launch = selectors.launch_detail(actor=request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                actor=request.user,
                channel=Channel.WEB,
                launch=launch,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["file"].name,
                content=form.cleaned_data["file"],
            )
        except DomainError as exc:
            _beside_fields(form, exc)
        else:
            messages.success(request, "File added and shared with every invited partner.")
            return redirect(launch.get_absolute_url())
    return _render_detail(
        request, launch, status=400, document_form=form, error="The file was not added."
    )


@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    document = get_object_or_404(LaunchDocument.objects.for_actor(request.user), pk=pk)
    from django.http import FileResponse

    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )


# --- share actions, from the case page's panel ---------------------------------------------------


def _back(request, case_id: int, message: str = "", error: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect("workspace:case_detail", pk=case_id)


@require_POST
def item_review(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ChecklistItem.objects.for_actor(request.user).select_related("share__case"), pk=pk
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _back(request, item.share.case_id, error="Choose accept or reject.")
    try:
        services.item_review(
            actor=request.user,
            channel=Channel.WEB,
            item=item,
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return _back(request, item.share.case_id, error=str(exc))
    return _back(request, item.share.case_id, f"{item.title}: {form.cleaned_data['decision']}ed.")


@require_POST
def constraint_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    constraint = get_object_or_404(
        Constraint.objects.for_actor(request.user).select_related("share__case"), pk=pk
    )
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _back(request, constraint.share.case_id, error="Say how it was resolved.")
    try:
        services.constraint_resolve(
            actor=request.user,
            channel=Channel.WEB,
            constraint=constraint,
            resolution=form.cleaned_data["resolution"],
        )
    except DomainError as exc:
        return _back(request, constraint.share.case_id, error=str(exc))
    return _back(request, constraint.share.case_id, f"Constraint on {constraint.sku} resolved.")


@require_POST
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ChecklistItem.objects.for_actor(request.user).select_related("share__case"), pk=pk
    )
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        return _back(request, item.share.case_id, error="Choose a file to upload.")
    upload = form.cleaned_data["file"]
    try:
        services.material_upload(
            actor=request.user,
            channel=Channel.WEB,
            item=item,
            name=upload.name,
            content=upload,
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return _back(request, item.share.case_id, error=str(exc))
    return _back(
        request,
        item.share.case_id,
        f"{upload.name} uploaded for “{item.title}”; waiting for review.",
    )
