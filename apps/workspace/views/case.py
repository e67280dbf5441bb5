"""The case page and its actions: reply, upload, transition, assign, watch."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.errors import DomainError, NotAllowed
from apps.core.pages import wants_partial

from .. import selectors, services
from ..choices import Channel, Visibility
from ..clock import sla_state
from ..flows import flow_for
from ..forms import CaseCreateForm, CaseUpdateForm, ReplyForm, TransitionForm, UploadForm
from ..models import Attachment, Case
from ..payloads import payload_from_post, validate_payload
from ..sides import side_of
from ..states import workflow_for
from ..uploads import UploadTooLarge, declared_too_large, install_upload_limit, upload_refusal


def _transition_rows(case: Case, transitions, bound: dict) -> list[tuple]:
    """(step, payload form or None): a refused form comes back as it was sent."""
    rows = []
    for t in transitions:
        form = None
        if t.payload_form is not None:
            form = bound.get(t.name) or t.payload_form(case=case)
            # Two steps of one state may ask the same fields (accept, accept in part): ids differ.
            form.auto_id = f"id_{t.name}-%s"
        rows.append((t, form))
    return rows


def _case_context(request, case: Case, **extra) -> dict:
    actor = request.user
    flow = flow_for(case.kind)
    workflow = flow.workflow
    side = side_of(actor)
    state = workflow.state(case.status)
    transitions = workflow.available(status=case.status, side=side)
    bound = extra.pop("bound_transition", None)
    panel = {}
    if flow.panel_context is not None:
        panel = flow.panel_context(request=request, case=case)
    return {
        "flow_panel": flow.panel,
        **panel,
        "transition_rows": _transition_rows(case, transitions, dict([bound]) if bound else {}),
        "open_transition": bound[0] if bound else "",
        "case": case,
        "state": state,
        "sla": sla_state(case),
        "transitions": transitions,
        "case_messages": selectors.case_messages(actor=actor, case=case),
        "attachments": selectors.case_attachments(actor=actor, case=case),
        "timeline": selectors.case_timeline(actor=actor, case=case)[:100],
        "related": selectors.related_cases(actor=actor, case=case),
        "watching": any(w.pk == actor.pk for w in case.watchers.all()),
        "reply_form": extra.pop("reply_form", None) or ReplyForm(internal=actor.is_internal),
        "upload_form": extra.pop("upload_form", None) or UploadForm(),
        "update_form": extra.pop("update_form", None)
        or CaseUpdateForm(
            case=case,
            internal=actor.is_internal,
            initial={"owner": case.owner_id, "assignee": case.assignee_id, "priority": case.priority},
        ),
        "is_internal": actor.is_internal,
        **extra,
    }


def _render_case(request, case: Case, *, status: int = 200, fresh: bool = False, **extra) -> HttpResponse:
    """Draw the page; after a write the case is read again (`fresh` says it was just read)."""
    if not fresh:
        case = selectors.case_detail(actor=request.user, pk=case.pk)
    template = "workspace/case_detail.html"
    if wants_partial(request):
        template += "#case"
    return render(request, template, _case_context(request, case, **extra), status=status)


def _after_action(request, case: Case, message: str) -> HttpResponse:
    if wants_partial(request):
        return _render_case(request, case, flash=message)
    messages.success(request, message)
    return redirect(case.get_absolute_url())


def _refused(request, case: Case, error: DomainError, **extra) -> HttpResponse:
    if isinstance(error, NotAllowed):
        status = 403
    else:
        status = error.http_status if 400 <= error.http_status < 500 else 400
    if not wants_partial(request) and not extra:
        messages.error(request, str(error))
        return redirect(case.get_absolute_url())
    return _render_case(request, case, status=status, error=str(error), **extra)


@vary_on_headers("HX-Request")
def case_detail(request, pk: int):
    case = selectors.case_detail(actor=request.user, pk=pk)
    # Opening the case is reading what was said about it: its notifications stop counting.
    services.notifications_read(actor=request.user, case=case)
    return _render_case(request, case, fresh=True)


def case_create(request):
    if not request.user.is_internal:
        raise Http404("Partners raise cases through their own case pages or the API.")
    form = CaseCreateForm(request.POST or None, actor=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(
                actor=request.user,
                channel=Channel.WEB,
                draft=services.CaseDraft(
                    kind=data["kind"],
                    partner=data["partner"],
                    subject=data["subject"],
                    order_number=data["order_number"],
                    sku=data["sku"],
                    shipment_ref=data["shipment_ref"],
                    launch_ref=data["launch_ref"],
                    priority=data["priority"],
                    body=data["body"],
                ),
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            if not exc.fields:
                form.add_error(None, str(exc))
        else:
            messages.success(request, f"Case {case.reference} opened with {case.partner}.")
            return redirect(case.get_absolute_url())
    return render(request, "workspace/case_create.html", {"form": form}, status=400 if form.errors else 200)


@csrf_exempt
@require_POST
def case_reply(request, pk: int):
    # The size limit must sit in front of Django's upload handlers, before CSRF reads the body;
    # a body declared too large is refused before anything reads it.
    install_upload_limit(request)
    if declared_too_large(request.META.get("CONTENT_LENGTH")):
        case = selectors.case_detail(actor=request.user, pk=pk)
        return _refused(request, case, UploadTooLarge(upload_refusal(request)), reply_form=ReplyForm(internal=request.user.is_internal))
    return csrf_protect(_case_reply)(request, pk)


def _case_reply(request, pk: int):
    case = selectors.case_detail(actor=request.user, pk=pk)
    if refusal := upload_refusal(request):
        return _refused(request, case, services.UploadRefused(refusal), reply_form=ReplyForm(internal=request.user.is_internal))
    form = ReplyForm(request.POST, request.FILES, internal=request.user.is_internal)
    if not form.is_valid():
        return _render_case(request, case, status=400, reply_form=form)
    try:
        services.message_post(
            actor=request.user,
            channel=Channel.WEB,
            case=case,
            body=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"],
            files=[(f.name, f) for f in form.cleaned_data["files"]],
        )
    except DomainError as exc:
        form.add_error("files" if isinstance(exc, services.UploadRefused) else None, str(exc))
        return _refused(request, case, exc, reply_form=form)
    label = "Internal note added." if form.cleaned_data["visibility"] == Visibility.INTERNAL else "Reply sent."
    return _after_action(request, case, label)


@csrf_exempt
@require_POST
def case_upload(request, pk: int):
    install_upload_limit(request)
    if declared_too_large(request.META.get("CONTENT_LENGTH")):
        case = selectors.case_detail(actor=request.user, pk=pk)
        return _refused(request, case, UploadTooLarge(upload_refusal(request)), upload_form=UploadForm())
    return csrf_protect(_case_upload)(request, pk)


def _case_upload(request, pk: int):
    case = selectors.case_detail(actor=request.user, pk=pk)
    if refusal := upload_refusal(request):
        return _refused(request, case, services.UploadRefused(refusal), upload_form=UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_case(request, case, status=400, upload_form=form)
    supersedes = None
    if form.cleaned_data["supersedes"]:
        supersedes = Attachment.objects.for_actor(request.user).filter(case=case, pk=form.cleaned_data["supersedes"]).first()
        if supersedes is None:
            raise Http404("No such file on this case.")
    upload = form.cleaned_data["file"]
    try:
        version = services.file_upload(
            actor=request.user,
            channel=Channel.WEB,
            case=case,
            name=upload.name,
            content=upload,
            supersedes=supersedes,
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        form.add_error("file", str(exc))
        return _refused(request, case, exc, upload_form=form)
    return _after_action(request, case, f"Uploaded {version.original_name} (version {version.number}).")


@require_POST
def case_transition(request, pk: int):
    case = selectors.case_detail(actor=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, DomainError("Choose an action."))
    name = form.cleaned_data["transition"]
    step = workflow_for(case.kind).transition(name)
    carries_data = step is not None and step.payload_form is not None
    try:
        case = services.case_transition(
            actor=request.user,
            channel=Channel.WEB,
            case=case,
            transition=name,
            comment=form.cleaned_data["comment"],
            payload=payload_from_post(request.POST) if carries_data else None,
        )
    except DomainError as exc:
        if carries_data:
            # Show the form again as it was sent, with what is wrong beside each field.
            sent = validate_payload(form_class=step.payload_form, case=case, data=payload_from_post(request.POST))
            return _refused(request, case, exc, transition_error=str(exc), bound_transition=(name, sent))
        return _refused(request, case, exc, transition_error=str(exc))
    return _after_action(request, case, f"Case is now {workflow_for(case.kind).state(case.status).label.lower()}.")


@require_POST
def case_update(request, pk: int):
    case = selectors.case_detail(actor=request.user, pk=pk)
    form = CaseUpdateForm(request.POST, case=case, internal=request.user.is_internal)
    if not form.is_valid():
        return _render_case(request, case, status=400, update_form=form)
    changes = {"assignee": form.cleaned_data["assignee"]}
    if request.user.is_internal:
        changes["owner"] = form.cleaned_data["owner"]
        changes["priority"] = form.cleaned_data["priority"] or None
    try:
        services.case_update(actor=request.user, channel=Channel.WEB, case=case, **changes)
    except DomainError as exc:
        return _refused(request, case, exc, update_form=form)
    return _after_action(request, case, "Case updated.")


@require_POST
def case_watch(request, pk: int):
    case = selectors.case_detail(actor=request.user, pk=pk)
    watching = request.POST.get("watch") == "1"
    services.case_watch(actor=request.user, case=case, watching=watching)
    return _after_action(request, case, "You are watching this case." if watching else "You stopped watching this case.")
