"""Writes to the workspace: every channel (page, API, SFCC, Trading Grid, tasks) comes here.

Each service has one shape: atomic → lock what it changes → validate → save named fields →
timeline row with actor and channel → case event (outbox) → notifications → e-mail on commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.partners.models import Organization
from apps.partners.roles import OrganizationKind
from apps.partners.tenancy import scope_of

from . import clock, events
from .choices import Priority, Side, Visibility
from .formatting import mentioned_emails, plain_text, render_body
from .models import (
    Attachment,
    Case,
    CaseLine,
    FileVersion,
    Message,
    Notification,
    Tag,
    TimelineEvent,
    Watch,
)
from .models.notifications import EventType
from .notify import can_see, notify, partner_members, stakeholders
from .payloads import LINES_KEY, line_answers_store, validate_payload
from .sides import side_of
from .states import Transition, workflow_for
from .uploads import UploadRefused, UploadTooLarge, checksum, detect_type, safe_filename

SEARCH_DOCUMENT_LIMIT = 20_000
NOTIFICATION_PREVIEW = 500  # characters of a message in a notification and its e-mail


def actor_label(actor) -> str:
    return actor.get_full_name() if hasattr(actor, "get_full_name") else str(actor)


def _person(actor):
    """The user row behind an actor, or None for systems."""
    return actor if getattr(actor, "pk", None) else None


def case_lock(*, case: Case, actor) -> Case:
    """Re-read the case under a row lock, through the actor's scope: out of scope is 404.

    Flow services call it inside their own transaction before changing their detail rows,
    then take a step with `transition_take`, so the case and the flow's data change together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_lock is called inside the caller's transaction.")
    locked = Case.objects.for_actor(actor).select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise Case.DoesNotExist("No such case.")
    return locked


def timeline_record(
    *,
    case: Case,
    actor,
    channel: str,
    verb: str,
    summary: str,
    changes: Iterable[tuple[str, object, object]] = (),
    visibility: str = Visibility.PARTNER,
    data: dict | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        data=data or {},
        case=case,
        actor=_person(actor),
        actor_label=actor_label(actor),
        channel=channel,
        verb=verb,
        summary=summary[:300],
        changes=[{"field": f, "from": _plain(old), "to": _plain(new)} for f, old, new in changes],
        visibility=visibility,
    )


def _plain(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _publish(case: Case, type_: str, *, actor, channel: str, visibility=Visibility.PARTNER, **payload) -> None:
    events.publish(
        events.CaseEvent(
            case=case,
            type=type_,
            channel=channel,
            visibility=visibility,
            actor_label=actor_label(actor),
            payload=payload,
        )
    )


def _search_document(case: Case, *extra: str) -> str:
    parts = [case.subject, case.order_number, case.sku, case.shipment_ref, case.launch_ref]
    doc = " ".join(p for p in parts + list(extra) if p)
    return doc[:SEARCH_DOCUMENT_LIMIT]


# --- cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineDraft:
    """A line the case is about; SFCC lines by natural key (order number, item id)."""

    sku: str
    quantity: Decimal
    description: str = ""
    unit: str = "EA"
    order_number: str = ""
    line_ref: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CaseDraft:
    kind: str
    partner: Organization
    subject: str
    order_number: str = ""
    sku: str = ""
    shipment_ref: str = ""
    launch_ref: str = ""
    priority: str = Priority.NORMAL
    body: str = ""
    lines: tuple[LineDraft, ...] = ()


def case_create(
    *,
    actor,
    channel: str,
    draft: CaseDraft,
    owner=None,
    tags: Iterable[str] = (),
) -> Case:
    """Open a case with a partner; the partner's people hear of it."""
    side = side_of(actor)
    if draft.partner.kind == OrganizationKind.INTERNAL or not draft.partner.is_active:
        raise DomainError("Cases are opened with an active partner.", fields={"partner": ["Choose a partner."]})
    if not Organization.objects.for_actor(actor).filter(pk=draft.partner.pk).exists():
        raise Organization.DoesNotExist("No such partner.")
    workflow = workflow_for(draft.kind)
    if not draft.subject.strip():
        raise DomainError("A subject is required.", fields={"subject": ["Required."]})
    if owner is not None and not scope_of(owner).internal:
        raise DomainError("The owner must be one of the retailer's people.", fields={"owner": ["Not internal."]})

    now = timezone.now()
    with transaction.atomic():
        # A partner who raises a case hands the first turn to the retailer.
        status = workflow.opening_state(side)
        case = Case(
            kind=draft.kind,
            partner=draft.partner,
            subject=draft.subject.strip()[:200],
            order_number=draft.order_number.strip(),
            sku=draft.sku.strip(),
            shipment_ref=draft.shipment_ref.strip(),
            launch_ref=draft.launch_ref.strip(),
            status=status,
            priority=draft.priority,
            owner=owner or (_person(actor) if side == Side.RETAILER else None),
            created_by=_person(actor),
            last_activity_at=now,
            turn_started_at=now,
        )
        case.search_document = _search_document(case, draft.body)
        clock.clock_start(case, at=now)
        case.save()
        clock.clock_hand_over(case, turn=workflow.state(status).turn, at=now)
        case.save(update_fields=["turn", "turn_started_at", "due_at"])
        _lines_create(case, draft.lines)
        for name in tags:
            case.tags.add(Tag.objects.get_or_create(name=name)[0])
        for user in {u for u in (_person(actor), case.owner) if u is not None}:
            Watch.objects.get_or_create(case=case, user=user)
        timeline_record(case=case, actor=actor, channel=channel, verb="created", summary=f"Opened: {case.subject}")
        if draft.body.strip():
            # The opening message travels inside case.created, so it is not announced twice.
            _message_create(
                case=case, actor=actor, channel=channel, body=draft.body,
                visibility=Visibility.PARTNER, announce=False,
            )
        _publish(case, "case.created", actor=actor, channel=channel, status=status, body=draft.body)
        recipients = list(partner_members(case)) if side == Side.RETAILER else stakeholders(case)
        notify(
            case=case,
            event_type=EventType.CASE_CREATED,
            recipients=recipients,
            title=f"New case {case.reference}: {case.subject}",
            body=plain_text(draft.body, NOTIFICATION_PREVIEW),
            actor=actor,
        )
    return case


def _lines_create(case: Case, lines: Iterable[LineDraft]) -> None:
    rows = []
    for position, line in enumerate(lines, start=1):
        if not line.sku.strip() or line.quantity is None or line.quantity <= 0:
            raise DomainError(
                f"Line {position} needs a SKU and a quantity above zero.", fields={"lines": [f"Line {position}."]}
            )
        rows.append(
            CaseLine(
                case=case, position=position, sku=line.sku.strip()[:100], description=line.description[:200],
                quantity=line.quantity, unit=line.unit[:10] or "EA", order_number=line.order_number[:50],
                line_ref=line.line_ref[:64], data=line.data,
            )
        )
    CaseLine.objects.bulk_create(rows)


def case_transition(
    *, actor, channel: str, case: Case, transition: str, comment: str = "", payload: dict | None = None
) -> Case:
    """Move a case along its kind's table; nothing outside the table is possible."""
    side_of(actor)  # refuse actors with no side before touching anything
    with transaction.atomic():
        case = case_lock(case=case, actor=actor)
        transition_take(case=case, actor=actor, channel=channel, transition=transition, comment=comment, payload=payload)
    return case


def transition_take(
    *, case: Case, actor, channel: str, transition: str, comment: str = "", payload: dict | None = None
) -> dict:
    """Check and take one step on a case the caller has locked (`case_lock`), in its transaction.

    The payload is validated by the step's form whatever the channel; it is stored on the
    timeline, carried in the case event, and handed to the flow's effect. Returns it as stored.
    """
    side = side_of(actor)
    workflow = workflow_for(case.kind)
    step = workflow.transition(transition)
    if step is None:
        raise DomainError(f"Unknown transition “{transition}”.", code="unknown_transition")
    if side not in step.sides:
        raise NotAllowed(f"“{step.label}” is not yours to take.")
    if case.status not in step.sources:
        raise Conflict(
            f"“{step.label}” is not possible while the case is {workflow.state(case.status).label.lower()}.",
            code="invalid_transition",
        )
    if step.needs_comment and not comment.strip():
        raise DomainError("Say why in a comment.", fields={"comment": ["A comment is required."]})
    data: dict = {}
    if step.payload_form is not None:
        form = validate_payload(form_class=step.payload_form, case=case, data=payload)
        if form.errors:
            fields = {k if k != "__all__" else "payload": list(v) for k, v in form.errors.items()}
            first = next(iter(form.errors.values()))[0]
            raise DomainError(f"“{step.label}”: {first}", fields=fields, code="invalid_payload")
        data = form.payload()
        codes = {f: data[f] for f in form.case_fields if data.get(f)}
        if codes:
            for name, value in codes.items():
                setattr(case, name, value)
            Case.objects.filter(pk=case.pk).update(**codes)
    elif payload:
        raise DomainError(f"“{step.label}” carries no data.", code="invalid_payload")
    if step.guard is not None and (refusal := step.guard(case, data)):
        raise Conflict(refusal, code="guard_refused")
    _apply_transition(case=case, step=step, actor=actor, channel=channel, comment=comment, data=data)
    return data


def _apply_transition(
    *, case: Case, step: Transition, actor, channel: str, comment: str = "", data: dict | None = None
) -> None:
    workflow = workflow_for(case.kind)
    now = timezone.now()
    old_state, new_state = workflow.state(case.status), workflow.state(step.target)
    case.status = step.target
    case.is_open = new_state.open
    case.last_activity_at = now
    fields = ["status", "is_open", "last_activity_at"]
    if side_of(actor) == Side.PARTNER and case.first_responded_at is None:
        case.first_responded_at = now
        fields.append("first_responded_at")
    if new_state.resolved and case.resolved_at is None:
        case.resolved_at = now
        fields.append("resolved_at")
    elif new_state.open and not new_state.resolved and case.resolved_at is not None:
        case.resolved_at = None
        fields.append("resolved_at")
    fields += clock.clock_hand_over(case, turn=new_state.turn, at=now, is_open=new_state.open)
    case.save(update_fields=fields)
    timeline_record(
        case=case,
        actor=actor,
        channel=channel,
        verb="transitioned",
        summary=f"{step.label}: {old_state.label} → {new_state.label}",
        changes=[("status", old_state.label, new_state.label)],
        data=data,
    )
    if data and data.get(LINES_KEY):
        line_answers_store(
            case=case, answers=data[LINES_KEY], actor=actor, person=_person(actor),
            label=actor_label(actor), channel=channel,
        )
    if step.effect is not None:
        step.effect(case=case, data=data or {}, actor=actor, channel=channel)
    if comment.strip():
        _message_create(case=case, actor=actor, channel=channel, body=comment, visibility=Visibility.PARTNER)
    _publish(
        case, "case.transitioned", actor=actor, channel=channel,
        transition=step.name, from_status=old_state.name, to_status=new_state.name, comment=comment,
        resolves=step.resolves, reopens=step.reopens, data=data or {},
    )
    notify(
        case=case,
        event_type=EventType.STATUS,
        recipients=stakeholders(case) + list(partner_members(case)),
        title=f"{case.reference} is now {new_state.label.lower()}",
        body=comment[:500],
        actor=actor,
    )


def case_update(
    *,
    actor,
    channel: str,
    case: Case,
    owner=...,
    assignee=...,
    priority: str | None = None,
) -> Case:
    """Assign, re-assign or re-prioritise. `...` means "leave as it is"."""
    side = side_of(actor)
    with transaction.atomic():
        case = case_lock(case=case, actor=actor)
        changes = []
        if owner is not ...:
            if side != Side.RETAILER:
                raise NotAllowed("Only the retailer assigns the internal owner.")
            if owner is not None and not scope_of(owner).internal:
                raise DomainError("The owner must be one of the retailer's people.", fields={"owner": ["Not internal."]})
            if owner != case.owner:
                changes.append(("owner", case.owner, owner))
                case.owner = owner
        if assignee is not ...:
            if assignee is not None and scope_of(assignee).partner_id != case.partner_id:
                raise DomainError(
                    "The assignee must belong to the case's partner.", fields={"assignee": ["Not a partner member."]}
                )
            if side == Side.PARTNER and scope_of(actor).partner_id != case.partner_id:
                raise NotAllowed("You may not assign this case.")
            if assignee != case.assignee:
                changes.append(("assignee", case.assignee, assignee))
                case.assignee = assignee
        if priority is not None and priority != case.priority:
            if side != Side.RETAILER:
                raise NotAllowed("Only the retailer sets the priority.")
            if priority not in Priority.values:
                raise DomainError("Unknown priority.", fields={"priority": ["Unknown."]})
            changes.append(("priority", case.priority, priority))
            case.priority = priority
        if not changes:
            return case
        case.last_activity_at = timezone.now()
        case.save(update_fields=["owner", "assignee", "priority", "last_activity_at"])
        summary = "; ".join(f"{field} → {new or 'nobody'}" for field, _old, new in changes)
        timeline_record(case=case, actor=actor, channel=channel, verb="updated", summary=summary, changes=changes)
        for field, _old, new in changes:
            if field in {"owner", "assignee"} and new is not None:
                Watch.objects.get_or_create(case=case, user=new)
                notify(
                    case=case,
                    event_type=EventType.ASSIGNED,
                    recipients=[new],
                    title=f"{case.reference} was assigned to you",
                    actor=actor,
                )
        _publish(case, "case.updated", actor=actor, channel=channel, changes=[c[0] for c in changes])
    return case


def case_request_update(*, actor, channel: str, case: Case, note: str = "") -> Case:
    """Nudge the partner for news without touching the state or the clock: the agent's
    "any update?" that used to be an e-mail."""
    if side_of(actor) != Side.RETAILER:
        raise NotAllowed("Only the retailer asks the partner for an update.")
    with transaction.atomic():
        case = case_lock(case=case, actor=actor)
        if not case.is_open:
            raise Conflict("The case is closed: there is nothing to update.", code="invalid_transition")
        text = note.strip() or "Please post an update on this case."
        timeline_record(
            case=case, actor=actor, channel=channel, verb="update_requested",
            summary=f"Update requested: {text}"[:300],
        )
        _publish(case, "case.update_requested", actor=actor, channel=channel, note=text)
        notify(
            case=case,
            event_type=EventType.STATUS,
            recipients=[case.assignee] if case.assignee else list(partner_members(case)),
            title=f"{actor_label(actor)} asks for an update on {case.reference}",
            body=text[:500],
            actor=actor,
        )
    return case


TAG_MAX_LENGTH = 50


def tag_name(text: str) -> str:
    """The tag as stored: lower case, words joined by "-". Anything else is refused with the
    reason, never silently rewritten (`<b>vip</b>` is not the tag "bvipb")."""
    typed = " ".join((text or "").split()).lower()
    if not typed:
        raise DomainError("Type a tag.")
    name = typed.replace(" ", "-")
    if slugify(name, allow_unicode=True) != name:
        raise DomainError(
            f"A tag holds letters, digits, \"-\" and \"_\" only (like vip or peak-2026); "
            f"“{text.strip()[:60]}” has other characters."
        )
    if len(name) > TAG_MAX_LENGTH:
        raise DomainError(f"A tag is at most {TAG_MAX_LENGTH} characters.")
    return name


def case_set_tags(*, actor, channel: str, case: Case, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Case:
    if side_of(actor) != Side.RETAILER:
        raise NotAllowed("Only the retailer tags cases.")
    with transaction.atomic():
        case = case_lock(case=case, actor=actor)
        add = [tag_name(t) for t in add]
        added = [t for t in add if not case.tags.filter(name=t).exists()]
        for name in added:
            case.tags.add(Tag.objects.get_or_create(name=name)[0])
        removed = list(case.tags.filter(name__in=list(remove)).values_list("name", flat=True))
        case.tags.remove(*Tag.objects.filter(name__in=removed))
        if added or removed:
            timeline_record(
                case=case, actor=actor, channel=channel, verb="tagged",
                summary=" ".join([f"+{t}" for t in added] + [f"-{t}" for t in removed]),
                visibility=Visibility.INTERNAL,
            )
    return case


def case_watch(*, actor, case: Case, watching: bool) -> None:
    person = _person(actor)
    if person is None or not Case.objects.for_actor(actor).filter(pk=case.pk).exists():
        raise Case.DoesNotExist("No such case.")
    if watching:
        Watch.objects.get_or_create(case=case, user=person)
    else:
        Watch.objects.filter(case=case, user=person).delete()


def notifications_read(*, actor, case: Case) -> int:
    """The actor opened the case: its notifications to them are read (one UPDATE)."""
    person = _person(actor)
    if person is None:
        return 0
    return Notification.objects.filter(user=person, case=case, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- conversation ---------------------------------------------------------------------------


def message_post(
    *,
    actor,
    channel: str,
    case: Case,
    body: str,
    visibility: str = Visibility.PARTNER,
    files: Iterable[tuple[str, IO[bytes]]] = (),
) -> Message:
    """Reply on a case (with files); a reply hands the turn over where the table says so."""
    side = side_of(actor)
    if visibility == Visibility.INTERNAL and side != Side.RETAILER:
        raise NotAllowed("Only the retailer writes internal notes.")
    if not body.strip() and not files:
        raise DomainError("Write a message or attach a file.", fields={"body": ["Required."]})
    uploads = [_checked_upload(name, fh) for name, fh in files]  # read before taking the lock
    with transaction.atomic():
        case = case_lock(case=case, actor=actor)
        message = _message_create(case=case, actor=actor, channel=channel, body=body, visibility=visibility)
        for upload in uploads:
            _file_store(case=case, actor=actor, channel=channel, upload=upload, message=message, visibility=visibility)
        if visibility == Visibility.PARTNER:
            if side == Side.PARTNER and case.first_responded_at is None:
                case.first_responded_at = timezone.now()
                case.save(update_fields=["first_responded_at"])
            step = workflow_for(case.kind).reply_transition(status=case.status, side=side)
            if step is not None:
                _apply_transition(case=case, step=step, actor=actor, channel=channel)
    return message


def _message_create(
    *, case: Case, actor, channel: str, body: str, visibility: str, announce: bool = True
) -> Message:
    person = _person(actor)
    organization = getattr(actor, "organization", None)
    message = Message.objects.create(
        case=case,
        author=person,
        author_label="" if person else actor_label(actor),
        author_organization=organization if organization and not organization.is_internal else None,
        channel=channel,
        visibility=visibility,
        body=body,
        body_html=render_body(body),
    )
    if visibility == Visibility.PARTNER:
        # Only shared messages count, bump the activity time and become searchable: a partner
        # must not be able to infer, sort by or search for an internal note.
        now = timezone.now()
        case.search_document = (case.search_document + " " + body)[:SEARCH_DOCUMENT_LIMIT]
        Case.objects.filter(pk=case.pk).update(
            message_count=F("message_count") + 1, last_activity_at=now, search_document=case.search_document
        )
        case.last_activity_at = now

    label = "Internal note" if visibility == Visibility.INTERNAL else "Reply"
    timeline_record(
        case=case, actor=actor, channel=channel, verb="message",
        summary=f"{label} from {actor_label(actor)}", visibility=visibility,
    )
    person_pk = getattr(person, "pk", None)
    if person is not None and not Watch.objects.filter(case=case, user=person).exists():
        Watch.objects.create(case=case, user=person)

    User = get_user_model()
    mentioned = list(User.objects.filter(email__in=mentioned_emails(body), is_active=True))
    visible_mentions = [u for u in mentioned if can_see(u, case, visibility)]
    if visible_mentions:
        message.mentions.add(*visible_mentions)
        notify(
            case=case, event_type=EventType.MENTION, recipients=visible_mentions,
            title=f"{actor_label(actor)} mentioned you on {case.reference}",
            body=plain_text(body, NOTIFICATION_PREVIEW), actor=actor, visibility=visibility,
        )
    notify(
        case=case,
        event_type=EventType.REPLY,
        recipients=[u for u in stakeholders(case) if u.pk != person_pk and u not in visible_mentions],
        title=f"{actor_label(actor)} replied on {case.reference}: {case.subject}",
        body=plain_text(body, NOTIFICATION_PREVIEW),
        actor=actor,
        visibility=visibility,
    )
    if announce:
        _publish(
            case, "message.posted", actor=actor, channel=channel, visibility=visibility,
            message_id=message.pk, body=body,
        )
    return message


# --- files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Upload:
    """A file read through once, before any lock: its checksum, size and type by content."""

    name: str
    content: IO[bytes]
    sha256: str
    size: int
    content_type: str


def _checked_upload(name: str, content: IO[bytes], max_bytes: int | None = None) -> _Upload:
    from django.conf import settings

    limit = max_bytes or settings.FILE_UPLOAD_MAX_BYTES
    sha256, size = checksum(content)
    if size > limit:
        raise UploadTooLarge(f"The file is larger than the {limit // (1024 * 1024)} MB limit.")
    detected = detect_type(content)
    return _Upload(safe_filename(name), content, sha256, size, detected.content_type)


def file_upload(
    *,
    actor,
    channel: str,
    case: Case,
    name: str,
    content: IO[bytes],
    message: Message | None = None,
    supersedes: Attachment | None = None,
    visibility: str = Visibility.PARTNER,
    note: str = "",
    max_bytes: int | None = None,
) -> FileVersion:
    """Store a file (or a new version of one): checked by content, checksummed, never overwritten."""
    side = side_of(actor)
    if visibility == Visibility.INTERNAL and side != Side.RETAILER:
        raise NotAllowed("Only the retailer uploads internal files.")
    upload = _checked_upload(name, content, max_bytes)
    with transaction.atomic():
        case = case_lock(case=case, actor=actor)
        return _file_store(
            case=case, actor=actor, channel=channel, upload=upload, message=message,
            supersedes=supersedes, visibility=visibility, note=note,
        )


def _file_store(
    *,
    case: Case,
    actor,
    channel: str,
    upload: _Upload,
    message: Message | None = None,
    supersedes: Attachment | None = None,
    visibility: str = Visibility.PARTNER,
    note: str = "",
) -> FileVersion:
    """Write a checked upload on a case the caller has locked, in the caller's transaction."""
    filename = upload.name
    if supersedes is not None:
        attachment = Attachment.objects.for_actor(actor).select_for_update().filter(pk=supersedes.pk, case=case).first()
        if attachment is None:
            raise Attachment.DoesNotExist("No such file on this case.")
    else:
        attachment = Attachment.objects.create(case=case, message=message, name=filename, visibility=visibility)
    version = FileVersion(
        attachment=attachment,
        number=attachment.version_count + 1,
        original_name=filename,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        uploaded_by=_person(actor),
        uploaded_label=actor_label(actor),
        channel=channel,
        note=note[:500],
    )
    upload.content.seek(0)
    version.file.save(f"{filename}", File(upload.content), save=False)
    version.save()
    attachment.current_version = version
    attachment.version_count = version.number
    attachment.save(update_fields=["current_version", "version_count"])
    verb = "file_version" if version.number > 1 else "file"
    timeline_record(
        case=case, actor=actor, channel=channel, verb=verb,
        summary=f"{'New version' if version.number > 1 else 'File'}: {filename} (v{version.number})",
        changes=[("file", None, f"{filename} v{version.number}")],
        visibility=attachment.visibility,
    )
    if attachment.visibility == Visibility.PARTNER:
        Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())
    _publish(
        case, "file.attached", actor=actor, channel=channel, visibility=attachment.visibility,
        file_version_id=version.pk, name=filename, sha256=upload.sha256, size=upload.size, version=version.number,
    )
    return version


__all__ = [
    "CaseDraft",
    "LineDraft",
    "Conflict",
    "DomainError",
    "NotAllowed",
    "UploadRefused",
    "case_create",
    "case_lock",
    "case_request_update",
    "case_set_tags",
    "tag_name",
    "case_transition",
    "case_update",
    "case_watch",
    "file_upload",
    "message_post",
    "timeline_record",
    "transition_take",
]
