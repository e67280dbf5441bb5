"""The operations page: sync health, outbox rows and inbox events, retry and discard.

Open to the operations and administrator roles. Other internal users get 403: they know
the page exists (it is a retailer tool) and may ask for the role. Partner users get 404:
to them the page does not exist, the same answer as for anything outside their tenancy.
"""

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.errors import DomainError
from apps.core.pages import internal_roles_required, keyset_page_url, template_for
from apps.partners.roles import OPERATIONS_ROLES

from . import selectors, services
from .forms import DiscardForm, IgnoreForm, InboxFilterForm, OutboxFilterForm
from .models import InboxEvent, InboxStatus, OutboxMessage, OutboxStatus
from .registry import attention

operations_required = internal_roles_required(
    OPERATIONS_ROLES, refusal="The operations page is for the operations and admin roles."
)


def _get_object(model, pk: int):
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@operations_required
@vary_on_headers("HX-Request")
def operations(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET)
    form.is_valid()
    filters = {
        "target": form.cleaned_data.get("target") or "",
        "status": form.cleaned_data.get("status") or "",
        "key": form.cleaned_data.get("key") or "",
    }
    page = selectors.outbox_message_page(**filters, before=form.cleaned_data.get("before"))
    context = {
        "targets": selectors.target_health(),
        "sources": selectors.source_health(),
        "attention": [attention.get(name)() for name in attention.names()],
        "page": page,
        "filters": filters,
        "target_choices": [(target, target) for target in selectors.outbox_targets()],
        "status_choices": OutboxStatus.choices,
        "next_url": keyset_page_url("sync:operations", filters, page.next_before)
        if page.next_before
        else "",
        "first_url": keyset_page_url("sync:operations", filters)
        if form.cleaned_data.get("before")
        else "",
        "is_filtered": any(filters.values()),
    }
    template = template_for(
        request, "sync/operations.html", "outbox", by_target={"sync-health": "health"}
    )
    return render(request, template, context)


def _pretty(data) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def _message_context(message: OutboxMessage, *, discard_form: DiscardForm | None = None) -> dict:
    attempts = list(message.delivery_attempts.all())
    for attempt in attempts:
        attempt.request_json = _pretty(attempt.request_summary) if attempt.request_summary else ""
    return {
        "message": message,
        "payload_json": _pretty(message.payload),
        "attempts": attempts,
        "discard_form": discard_form or DiscardForm(),
        "key_url": keyset_page_url("sync:operations", {"key": message.key}),
    }


@require_GET
@operations_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        message = selectors.outbox_message_detail(pk=pk)
    except OutboxMessage.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "sync/message_detail.html", _message_context(message))


@require_POST
@operations_required
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = _get_object(OutboxMessage, pk)
    try:
        services.outbox_retry(message=message, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Message #{pk} queued again with the same idempotency key.")
    return redirect("sync:message_detail", pk=pk)


@require_POST
@operations_required
def message_discard(request: HttpRequest, pk: int) -> HttpResponse:
    message = _get_object(OutboxMessage, pk)
    form = DiscardForm(request.POST)
    if form.is_valid():
        try:
            services.outbox_discard(
                message=message, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error("reason" if exc.fields else None, str(exc))
        else:
            messages.success(
                request, f"Message #{pk} discarded; the reason is on the case timeline."
            )
            return redirect("sync:message_detail", pk=pk)
    message = selectors.outbox_message_detail(pk=pk)
    context = _message_context(message, discard_form=form)
    context["discard_open"] = True
    return render(request, "sync/message_detail.html", context, status=400)


@require_POST
@operations_required
def retry_dead(request: HttpRequest, target: str) -> HttpResponse:
    count = services.outbox_retry_dead(target=target, actor=request.user)
    if count:
        messages.success(
            request, f"{count} dead letter{'s' if count != 1 else ''} of {target} queued again."
        )
    else:
        messages.info(request, f"{target} has no dead letters.")
    return redirect(keyset_page_url("sync:operations", {"target": target}))


@require_GET
@operations_required
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    form.is_valid()
    filters = {
        "source": form.cleaned_data.get("source") or "",
        "status": form.cleaned_data.get("status") or "",
    }
    page = selectors.inbox_event_page(**filters, before=form.cleaned_data.get("before"))
    context = {
        "sources": selectors.source_health(),
        "page": page,
        "filters": filters,
        "source_choices": [(source, source) for source in selectors.inbox_sources()],
        "status_choices": InboxStatus.choices,
        "next_url": keyset_page_url("sync:inbox", filters, page.next_before) if page.next_before else "",
        "first_url": keyset_page_url("sync:inbox", filters)
        if form.cleaned_data.get("before")
        else "",
        "is_filtered": any(filters.values()),
    }
    return render(request, template_for(request, "sync/inbox.html", "events"), context)


def _event_context(event: InboxEvent, *, ignore_form: IgnoreForm | None = None) -> dict:
    return {
        "event": event,
        "payload_json": _pretty(event.payload),
        "ignore_form": ignore_form or IgnoreForm(),
    }


@require_GET
@operations_required
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = selectors.inbox_event_detail(pk=pk)
    except InboxEvent.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "sync/inbox_detail.html", _event_context(event))


@require_POST
@operations_required
def inbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_object(InboxEvent, pk)
    try:
        services.inbox_retry(event=event, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Event {event.source}:{event.source_id} queued to apply again.")
    return redirect("sync:inbox_detail", pk=pk)


@require_POST
@operations_required
def inbox_ignore(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_object(InboxEvent, pk)
    form = IgnoreForm(request.POST)
    if form.is_valid():
        try:
            services.inbox_ignore(
                event=event, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error("reason" if exc.fields else None, str(exc))
        else:
            messages.success(request, f"Event {event.source}:{event.source_id} ignored.")
            return redirect("sync:inbox_detail", pk=pk)
    context = _event_context(selectors.inbox_event_detail(pk=pk), ignore_form=form)
    context["ignore_open"] = True
    return render(request, "sync/inbox_detail.html", context, status=400)
