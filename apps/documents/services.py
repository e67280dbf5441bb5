"""Writes of flow 3: request documents (by hand or from requirements), submit, review, renew.

Opening goes through the workspace's `case_create` and adds the request row in the same
transaction. A submission stores the file as a new version of the request's file and takes
the `submit` step under one lock. The review steps are the case's transitions; their
effects (below) keep the request's own rows in step, inside the step's transaction.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError, NotAllowed
from apps.partners.actors import SystemActor
from apps.partners.models import Organization
from apps.workspace import events
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel, Side, Visibility
from apps.workspace.models import Case, FileVersion, Tag
from apps.workspace.services import CaseDraft
from apps.workspace.sides import side_of

from .models import (
    DocumentRequest,
    DocumentRequirement,
    DocumentSubmission,
    Outcome,
    type_code,
    type_label,
)

# The inbox marker (a tag: the inbox filters by it) on each request that holds its order back.
BLOCKED_TAG = "documents-blocked"
RENEWAL_ACTOR = "Crossdock renewals"


def renewal_days() -> int:
    return int(getattr(settings, "DOCUMENTS_RENEWAL_DAYS", 30))


# --- opening ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestDraft:
    partner: Organization
    order_number: str
    document_type: str
    custom_label: str = ""
    shipment_ref: str = ""
    needed_before_shipping: bool = True
    dated: bool = False
    instructions: str = ""
    due_days: int = 2
    priority: str = "normal"
    requirement: DocumentRequirement | None = None


# The request being opened: `case_create` announces the case (and SFCC's attributes are read)
# before the request row exists, so the announcement must already count the new document.
_opening: ContextVar[RequestDraft | None] = ContextVar("documents_opening", default=None)


def request_being_opened() -> RequestDraft | None:
    return _opening.get()


def request_open(*, actor, channel: str, draft: RequestDraft) -> Case:
    """Ask a partner for one document on an order (or one of its shipments)."""
    if side_of(actor) != Side.RETAILER:
        raise NotAllowed("Only the retailer requests documents; partners send them.")
    errors: dict[str, list[str]] = {}
    try:
        type_code(draft.document_type)
    except Exception:  # noqa: BLE001 - the validator's message is the field error
        errors["document_type"] = ["Choose a document type, or a code such as safety_data_sheet."]
    if not draft.order_number.strip():
        errors["order_number"] = ["Name the order."]
    if errors:
        raise DomainError("The request is incomplete.", fields=errors)
    label = type_label(draft.document_type, draft.custom_label)
    where = f"shipment {draft.shipment_ref} of order" if draft.shipment_ref else "order"
    body = (
        draft.instructions.strip()
        or f"Please upload the {label.lower()} for {where} {draft.order_number}."
    )
    token = _opening.set(draft)
    try:
        return _request_open(
            actor=actor, channel=channel, draft=draft, label=label, where=where, body=body
        )
    finally:
        _opening.reset(token)


def _request_open(
    *, actor, channel: str, draft: RequestDraft, label: str, where: str, body: str
) -> Case:
    with transaction.atomic():
        case = workspace.case_create(
            actor=actor,
            channel=channel,
            draft=CaseDraft(
                kind=CaseKind.TRADE_DOCUMENT,
                partner=draft.partner,
                subject=f"{label} for {where} {draft.order_number}",
                order_number=draft.order_number.strip(),
                shipment_ref=draft.shipment_ref.strip(),
                priority=draft.priority,
                body=body,
            ),
        )
        request = DocumentRequest.objects.create(
            case=case,
            partner=draft.partner,
            request_id=f"req-{uuid.uuid4().hex[:12]}",
            requirement=draft.requirement,
            document_type=draft.document_type,
            custom_label=draft.custom_label[:100],
            order_number=case.order_number,
            shipment_ref=case.shipment_ref,
            needed_before_shipping=draft.needed_before_shipping,
            dated=draft.dated,
        )
        _markers_set(case, request)
        due = timezone.now() + timedelta(days=draft.due_days)
        # What Trading Grid sends as document.requested; connectors read the event, not this app.
        events.publish(
            events.CaseEvent(
                case=case,
                type="document.requested",
                channel=channel,
                visibility=Visibility.PARTNER,
                actor_label=workspace.actor_label(actor),
                payload={
                    "request_id": request.request_id,
                    "document_type": request.document_type,
                    "description": body,
                    "due_at": due.isoformat(),
                },
            )
        )
    return case


def order_profile(order) -> tuple[str, str, str]:
    """(origin, order type, destination of the first shipment) as requirements read them."""
    custom = order.custom or {}
    origin = str(custom.get("c_originCountry") or "")
    order_type = str(custom.get("c_orderType") or order.channel_type or "")
    shipments = list(order.shipments.all())
    destination = shipments[0].country_code if shipments else ""
    return origin, order_type, destination


def requests_for_order(*, order, actor, channel: str) -> list[Case]:
    """Open the requests the requirements ask for on this order; idempotent per (partner,
    order, shipment, type), so a re-polled or replayed order opens nothing twice."""
    origin, order_type, destination = order_profile(order)
    shipments = {s.shipment_id: s for s in order.shipments.all()}
    partner_shipments: dict[int, set[str]] = {}
    for line in order.lines.all():
        if line.partner_id is not None:
            partner_shipments.setdefault(line.partner_id, set()).add(line.shipment_id)
    if not partner_shipments:
        return []
    opened = []
    requirements = (
        DocumentRequirement.objects.active()
        .filter(partner_id__in=partner_shipments, partner__is_active=True)
        .select_related("partner")
    )
    existing = set(
        DocumentRequest.objects.filter(
            order_number=order.order_no, requirement__isnull=False
        ).values_list("partner_id", "shipment_ref", "document_type")
    )
    for requirement in requirements:
        if requirement.per_shipment:
            targets = [
                (ref, shipments[ref].country_code if ref in shipments else destination)
                for ref in sorted(r for r in partner_shipments[requirement.partner_id] if r)
            ] or [("", destination)]
        else:
            targets = [("", destination)]
        for shipment_ref, country in targets:
            if not requirement.matches(origin=origin, destination=country, order_type=order_type):
                continue
            key = (requirement.partner_id, shipment_ref, requirement.document_type)
            if key in existing:
                continue
            existing.add(key)
            opened.append(
                request_open(
                    actor=actor,
                    channel=channel,
                    draft=RequestDraft(
                        partner=requirement.partner,
                        order_number=order.order_no,
                        document_type=requirement.document_type,
                        custom_label=requirement.custom_label,
                        shipment_ref=shipment_ref,
                        needed_before_shipping=requirement.needed_before_shipping,
                        dated=requirement.is_dated,
                        instructions=requirement.instructions,
                        due_days=requirement.due_days,
                        requirement=requirement,
                    ),
                )
            )
    return opened


def on_order_applied(applied) -> None:
    """orders.events subscriber: an order SFCC sent opens the documents its partners owe."""
    actor = SystemActor(applied.actor_label or "Crossdock")
    applied.opened.extend(
        requests_for_order(order=applied.order, actor=actor, channel=applied.channel)
    )


def read_attributes() -> list[str]:
    """The order attributes requirements read: connectors keep them when they reduce an order."""
    return ["c_originCountry", "c_orderType"]


# --- submitting ------------------------------------------------------------------------------


def document_submit(
    *,
    actor,
    channel: str,
    case: Case,
    name: str,
    content: IO[bytes],
    issue_date: date | None = None,
    expiry_date: date | None = None,
    note: str = "",
) -> Case:
    """The partner sends the document: a new version of the request's file, then `submit`."""
    if side_of(actor) != Side.PARTNER:
        raise NotAllowed("The partner submits its documents; the retailer reviews them.")
    payload = {
        "issue_date": issue_date.isoformat() if issue_date else None,
        "expiry_date": expiry_date.isoformat() if expiry_date else None,
        "note": note,
    }
    with transaction.atomic():
        case = workspace.case_lock(case=case, actor=actor)
        request = DocumentRequest.objects.select_for_update().get(case=case)
        # Refused before the file is stored: nothing is kept of a submission the table refuses.
        _check_submittable(case)
        version = workspace.file_upload(
            actor=actor,
            channel=channel,
            case=case,
            name=name,
            content=content,
            supersedes=request.attachment,
            note=note or request.label,
        )
        if request.attachment_id is None:
            request.attachment_id = version.attachment_id
            request.save(update_fields=["attachment"])
        workspace.transition_take(
            case=case, actor=actor, channel=channel, transition="submit", payload=payload
        )
    case.refresh_from_db()
    return case


def _check_submittable(case: Case) -> None:
    from apps.core.errors import Conflict
    from apps.workspace.states import workflow_for

    workflow = workflow_for(case.kind)
    if case.status not in workflow.transition("submit").sources:
        state = workflow.state(case.status).label.lower()
        raise Conflict(
            f"The document cannot be submitted while it is {state}.", code="invalid_transition"
        )


def submission_from_file(
    *, actor, channel: str, case: Case, name: str, content: IO[bytes], note: str = ""
) -> Case:
    """A file a partner's system sends for a request (Trading Grid `file.attached` with
    `document_request_id`): submitted when the request is owed, else kept as a new version.

    A certificate's dates do not fit in `file.attached`: its file is stored, and the partner
    submits with `case.transitioned` `submit` carrying `issue_date` and `expiry_date`.
    """
    from apps.workspace.states import workflow_for

    with transaction.atomic():
        locked = workspace.case_lock(case=case, actor=actor)
        request = DocumentRequest.objects.select_for_update().get(case=locked)
        owed = locked.status in workflow_for(locked.kind).transition("submit").sources
        if owed and not request.dated:
            return document_submit(
                actor=actor, channel=channel, case=locked, name=name, content=content, note=note
            )
        version = workspace.file_upload(
            actor=actor,
            channel=channel,
            case=locked,
            name=name,
            content=content,
            supersedes=request.attachment,
            note=note,
        )
        if request.attachment_id is None:
            request.attachment_id = version.attachment_id
            request.save(update_fields=["attachment"])
    return locked


# --- transition guards and effects (called by the workspace inside the step) -----------------


def _request(case: Case) -> DocumentRequest | None:
    # A case opened without a request row (the generic "new case" page) has nothing to check.
    return DocumentRequest.objects.filter(case=case).first()


def _newest_file(case: Case, request: DocumentRequest) -> FileVersion | None:
    """The newest partner-visible file on the case since the request last asked for one."""
    versions = FileVersion.objects.filter(
        attachment__case=case,
        attachment__visibility=Visibility.PARTNER,
        created_at__gte=request.open_since,
    )
    submitted = DocumentSubmission.objects.filter(request=request).values("file_version_id")
    return versions.exclude(pk__in=submitted).order_by("-created_at", "-id").first()


def _pending(request: DocumentRequest) -> DocumentSubmission | None:
    return request.submissions.filter(outcome=Outcome.PENDING).order_by("-number").first()


def guard_submit(case: Case, data: dict) -> str | None:
    request = _request(case)
    if request is None:
        return None
    if _newest_file(case, request) is None:
        return f"Upload the {request.label.lower()} first: there is no new file since it was requested."
    return None


def guard_accept(case: Case, data: dict) -> str | None:
    request = _request(case)
    if request is None:
        return None
    submission = _pending(request)
    if submission is None:
        return "There is no submission waiting for review."
    expiry = _date(data.get("expiry_date")) or submission.expiry_date
    if request.dated and expiry is None:
        return "A certificate needs its expiry date: enter it from the document."
    if expiry is not None and expiry < timezone.localdate():
        return f"The certificate expired on {expiry:%d %b %Y}: reject it and ask for a valid one."
    return None


def guard_expire(case: Case, data: dict) -> str | None:
    request = _request(case)
    if request is None:
        return None
    if request.expiry_date is None or request.expiry_date >= timezone.localdate():
        return "The document has not expired."
    return None


def _date(value) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _label(actor) -> str:
    return workspace.actor_label(actor)[:200]


def submission_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    request = _request(case)
    if request is None:
        return
    version = _newest_file(case, request)
    if version is None:  # pragma: no cover - the guard refused it already
        return
    previous = request.submissions.filter(outcome=Outcome.PENDING)
    previous.update(outcome=Outcome.SUPERSEDED)
    number = (
        request.submissions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    DocumentSubmission.objects.create(
        request=request,
        number=number,
        file_version=version,
        issue_date=_date(data.get("issue_date")),
        expiry_date=_date(data.get("expiry_date")),
        note=(data.get("note") or "")[:500],
        submitted_label=_label(actor),
        channel=channel,
    )
    if request.attachment_id is None:
        request.attachment_id = version.attachment_id
        request.save(update_fields=["attachment"])


def review_started(*, case: Case, data: dict, actor, channel: str) -> None:
    request = _request(case)
    submission = _pending(request) if request else None
    if submission is not None:
        submission.reviewed_label = _label(actor)
        submission.save(update_fields=["reviewed_label"])


def submission_accepted(*, case: Case, data: dict, actor, channel: str) -> None:
    request = _request(case)
    if request is None:
        return
    submission = _pending(request)
    now = timezone.now()
    submission.outcome = Outcome.ACCEPTED
    submission.reviewed_label = _label(actor)
    submission.reviewed_at = now
    submission.issue_date = _date(data.get("issue_date")) or submission.issue_date
    submission.expiry_date = _date(data.get("expiry_date")) or submission.expiry_date
    submission.save(
        update_fields=["outcome", "reviewed_label", "reviewed_at", "issue_date", "expiry_date"]
    )
    request.accepted_submission = submission
    request.issue_date, request.expiry_date = submission.issue_date, submission.expiry_date
    request.renewal_requested_at = None
    request.save(
        update_fields=["accepted_submission", "issue_date", "expiry_date", "renewal_requested_at"]
    )
    _markers_set(case, request)


def submission_rejected(*, case: Case, data: dict, actor, channel: str) -> None:
    from .forms import REJECTION_LABELS

    request = _request(case)
    if request is None:
        return
    submission = _pending(request)
    if submission is not None:
        submission.outcome = Outcome.REJECTED
        submission.reviewed_label = _label(actor)
        submission.reviewed_at = timezone.now()
        submission.rejection_code = data.get("reason", "")
        submission.rejection_reason = REJECTION_LABELS.get(data.get("reason", ""), "")
        submission.save(
            update_fields=[
                "outcome",
                "reviewed_label",
                "reviewed_at",
                "rejection_code",
                "rejection_reason",
            ]
        )
    # The correction must be a new file: one sent before the rejection does not count.
    request.open_since = timezone.now()
    request.save(update_fields=["open_since"])
    _markers_set(case, request)


def renewal_requested(*, case: Case, data: dict, actor, channel: str) -> None:
    request = _request(case)
    if request is None:
        return
    request.renewal_requested_at = request.open_since = timezone.now()
    request.save(update_fields=["renewal_requested_at", "open_since"])


def reopened_for_a_new_document(*, case: Case, data: dict, actor, channel: str) -> None:
    request = _request(case)
    if request is None:
        return
    request.open_since = timezone.now()
    request.save(update_fields=["open_since"])
    _markers_set(case, request)


def request_reset(*, case: Case, data: dict, actor, channel: str) -> None:
    """Asked again: what was accepted no longer counts (its submission stays on record)."""
    request = _request(case)
    if request is None:
        return
    request.accepted_submission = None
    request.issue_date = request.expiry_date = None
    request.open_since = timezone.now()
    request.save(update_fields=["accepted_submission", "issue_date", "expiry_date", "open_since"])
    _markers_set(case, request)


def markers_refresh(*, case: Case, data: dict, actor, channel: str) -> None:
    request = _request(case)
    if request is not None:
        _markers_set(case, request)


def blocks_order(case: Case, request: DocumentRequest) -> bool:
    return case.is_open and request.needed_before_shipping and not request.satisfied()


def _markers_set(case: Case, request: DocumentRequest) -> None:
    """A system marker, not a person's tag: it says "this document holds its order back"."""
    tag, _ = Tag.objects.get_or_create(name=BLOCKED_TAG)
    if blocks_order(case, request):
        case.tags.add(tag)
    else:
        case.tags.remove(tag)


# --- expiry and renewal (the beat task) ------------------------------------------------------


@dataclass
class SweepResult:
    renewals: int = 0
    expired: int = 0


def renewals_sweep(*, today: date | None = None) -> SweepResult:
    """Ask for renewal N days before a certificate expires, and expire it after its date.

    Idempotent: a request is moved only from the state that still needs the step, so a run
    repeated (or two beats at once, under the case lock) asks each partner once.
    """
    today = today or timezone.localdate()
    actor = SystemActor(RENEWAL_ACTOR)
    result = SweepResult()
    horizon = today + timedelta(days=renewal_days())
    due = DocumentRequest.objects.filter(
        case__status="accepted",
        expiry_date__isnull=False,
        expiry_date__lte=horizon,
        expiry_date__gte=today,
    ).select_related("case")
    for request in due:
        if _step_if(
            actor,
            request.case,
            "request_renewal",
            "accepted",
            comment=f"The certificate expires on {request.expiry_date:%d %b %Y}: please send the renewed one.",
        ):
            result.renewals += 1
    expired = DocumentRequest.objects.filter(
        case__status__in=["accepted", "renewal_requested"], expiry_date__lt=today
    ).select_related("case")
    for request in expired:
        if _step_if(
            actor,
            request.case,
            "expire",
            "accepted",
            "renewal_requested",
            comment=f"The certificate expired on {request.expiry_date:%d %b %Y}: please send a valid one.",
        ):
            result.expired += 1
    return result


def _step_if(actor, case: Case, transition: str, *states: str, comment: str = "") -> bool:
    with transaction.atomic():
        locked = workspace.case_lock(case=case, actor=actor)
        if locked.status not in states:
            return False  # another run took it already
        workspace.transition_take(
            case=locked, actor=actor, channel=Channel.SYSTEM, transition=transition, comment=comment
        )
    return True
