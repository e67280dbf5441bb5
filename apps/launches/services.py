"""Writes of flow 6: launches, invitations, checklist answers, reviews, constraints, moves, reminders.

Every partner-facing change goes through the share's case (`apps.workspace.services`), so
each share keeps its own timeline, clock and conversation, and Trading Grid hears of it.
The launch's own changes are the retailer's and are kept in `LaunchEvent`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.orders import campaigns
from apps.partners.actors import SystemActor
from apps.partners.models import Organization
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel, Priority, Side
from apps.workspace.models import Case
from apps.workspace.models.notifications import EventType
from apps.workspace.notify import notify, partner_members
from apps.workspace.sides import side_of
from apps.workspace.uploads import checksum, detect_type, safe_filename

from .checklists import TEMPLATE_BY_CODE, CustomItem, completes, custom_code, due_for
from .models import (
    OPEN_LAUNCH_STATUSES,
    ChecklistItem,
    Constraint,
    ConstraintStatus,
    ItemStatus,
    Launch,
    LaunchDocument,
    LaunchEvent,
    LaunchShare,
    LaunchSku,
    ReminderSent,
)

SFCC_ACTOR = SystemActor("SFCC")
CROSSDOCK = SystemActor("Crossdock")
# Reminders go out when go-live is this many days away (or less), once per window.
REMINDER_WINDOWS = (14, 7, 3, 1)


def _person(actor):
    return actor if getattr(actor, "pk", None) else None


def _require_retailer(actor) -> None:
    if side_of(actor) != Side.RETAILER:
        raise NotAllowed("Only the retailer's people manage launches.")


def launch_event(
    *, launch: Launch, actor, channel: str, verb: str, summary: str, data: dict | None = None
) -> None:
    LaunchEvent.objects.create(
        launch=launch,
        actor=_person(actor),
        actor_label=workspace.actor_label(actor),
        channel=channel,
        verb=verb,
        summary=summary[:300],
        data=data or {},
    )


# --- creating a launch ----------------------------------------------------------------------


@dataclass(frozen=True)
class SkuDraft:
    sku: str
    forecast_quantity: Decimal
    partner: Organization | None = None
    description: str = ""
    unit: str = "EA"


@dataclass(frozen=True)
class LaunchDraft:
    name: str = ""
    campaign_id: str = ""
    go_live_at: datetime | None = None
    ends_at: datetime | None = None
    description: str = ""
    share_totals: bool = False
    skus: tuple[SkuDraft, ...] = ()
    # Partners invited besides those named on SKUs.
    partners: tuple[Organization, ...] = ()
    templates: tuple[str, ...] = tuple(TEMPLATE_BY_CODE)
    custom_items: tuple[CustomItem, ...] = ()


def _campaign(campaign_id: str) -> campaigns.Campaign:
    try:
        campaign = campaigns.campaign_get(campaign_id)
    except campaigns.CampaignsUnavailable as exc:
        raise DomainError(
            f"SFCC could not be read: {exc}", fields={"campaign_id": [str(exc)]}
        ) from exc
    if campaign is None:
        raise DomainError(
            f"SFCC has no campaign “{campaign_id}”.",
            fields={"campaign_id": ["No such campaign in SFCC."]},
        )
    return campaign


def launch_create(*, actor, channel: str, draft: LaunchDraft) -> Launch:
    """A merchandiser creates a launch (from an SFCC campaign when one is named) and invites partners."""
    _require_retailer(actor)
    name, go_live, ends, modified = draft.name.strip(), draft.go_live_at, draft.ends_at, None
    campaign_id = draft.campaign_id.strip()
    if campaign_id:
        campaign = _campaign(campaign_id)
        if campaign.start is None:
            raise DomainError(
                f"Campaign “{campaign_id}” has no start date in SFCC.",
                fields={"campaign_id": ["The campaign has no start date; set one in SFCC."]},
            )
        go_live, ends, modified = campaign.start, campaign.end, campaign.last_modified
        name = name or campaign.description or campaign_id
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the launch a name."]
    if go_live is None:
        errors["go_live_at"] = ["Give a go-live date, or an SFCC campaign to read it from."]
    if go_live and ends and ends <= go_live:
        errors["ends_at"] = ["The end must come after go-live."]
    skus = [s for s in draft.skus if s.sku.strip()]
    seen: set[str] = set()
    for position, sku in enumerate(skus, start=1):
        code = sku.sku.strip()
        if code in seen:
            errors.setdefault("skus", []).append(f"Line {position}: {code} is listed twice.")
        if sku.forecast_quantity is None or sku.forecast_quantity <= 0:
            errors.setdefault("skus", []).append(
                f"Line {position}: the forecast must be above zero."
            )
        seen.add(code)
    unknown = [t for t in draft.templates if t not in TEMPLATE_BY_CODE]
    if unknown:
        errors["templates"] = [f"Unknown checklist templates: {', '.join(unknown)}."]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        launch = Launch.objects.create(
            name=name[:200],
            campaign_id=campaign_id,
            description=draft.description.strip(),
            go_live_at=go_live,
            ends_at=ends,
            share_totals=draft.share_totals,
            campaign_modified_at=modified,
            created_by=_person(actor),
        )
        LaunchSku.objects.bulk_create(
            LaunchSku(
                launch=launch,
                partner=s.partner,
                sku=s.sku.strip()[:100],
                description=s.description[:200],
                forecast_quantity=s.forecast_quantity,
                unit=s.unit[:10] or "EA",
            )
            for s in skus
        )
        source = f" from SFCC campaign {campaign_id}" if campaign_id else ""
        launch_event(
            launch=launch, actor=actor, channel=channel, verb="created", summary=f"Created{source}"
        )
        partners = {s.partner.pk: s.partner for s in skus if s.partner is not None}
        partners.update({p.pk: p for p in draft.partners})
        for partner in sorted(partners.values(), key=lambda p: p.name):
            share_invite(
                actor=actor,
                channel=channel,
                launch=launch,
                partner=partner,
                templates=draft.templates,
                custom_items=draft.custom_items,
            )
    return launch


def _opening_body(launch: Launch, items: list[ChecklistItem], skus: list[LaunchSku]) -> str:
    lines = [
        f"You are invited to prepare for the launch “{launch.name}”, going live on "
        f"{timezone.localtime(launch.go_live_at):%d %b %Y, %H:%M}.",
    ]
    if launch.description:
        lines += ["", launch.description]
    lines += [
        "",
        "Please confirm each requirement, upload your launch materials and flag any supply constraint:",
    ]
    lines += [
        f"- {item.title} (by {item.due_date:%d %b %Y})" if item.due_date else f"- {item.title}"
        for item in items
    ]
    if skus:
        lines += ["", f"Your SKUs for this launch: {len(skus)} (forecasts on the case's lines)."]
    return "\n".join(lines)


def share_invite(
    *,
    actor,
    channel: str,
    launch: Launch,
    partner: Organization,
    templates: Iterable[str] = tuple(TEMPLATE_BY_CODE),
    custom_items: Iterable[CustomItem] = (),
) -> LaunchShare:
    """Invite one partner: its own case, checklist, SKU lines and a copy of the launch's files."""
    _require_retailer(actor)
    if not launch.is_open:
        raise Conflict("The launch is closed; nobody more can be invited.")
    if LaunchShare.objects.filter(launch=launch, partner=partner).exists():
        raise Conflict(f"{partner} is already invited.", code="already_invited")
    go_live = timezone.localtime(launch.go_live_at).date()
    items = [
        ChecklistItem(
            code=t.code,
            title=t.title,
            requires_review=t.requires_review,
            due_date=due_for(t, go_live),
        )
        for t in (TEMPLATE_BY_CODE[c] for c in templates)
    ]
    for custom in custom_items:
        code = custom_code(custom.title)
        if code and code not in {i.code for i in items}:
            items.append(
                ChecklistItem(
                    code=code,
                    title=custom.title[:200],
                    requires_review=custom.requires_review,
                    due_date=custom.due_date or go_live,
                )
            )
    items.sort(key=lambda i: (i.due_date or date.max, i.title))
    skus = list(LaunchSku.objects.filter(launch=launch, partner=partner).order_by("sku"))
    with transaction.atomic():
        case = workspace.case_create(
            actor=actor,
            channel=channel,
            draft=workspace.CaseDraft(
                kind=CaseKind.LAUNCH,
                partner=partner,
                subject=f"Launch readiness: {launch.name}"[:200],
                launch_ref=launch.reference,
                priority=Priority.HIGH
                if launch.go_live_at - timezone.now() < timedelta(days=14)
                else Priority.NORMAL,
                body=_opening_body(launch, items, skus),
                lines=tuple(
                    workspace.LineDraft(
                        sku=s.sku,
                        quantity=s.forecast_quantity,
                        description=s.description,
                        unit=s.unit,
                        data={"forecast": True},
                    )
                    for s in skus
                ),
            ),
        )
        share = LaunchShare.objects.create(launch=launch, case=case, partner=partner)
        for position, item in enumerate(items, start=1):
            item.share, item.position = share, position
        ChecklistItem.objects.bulk_create(items)
        for document in launch.documents.all():
            with document.file.open("rb") as fh:
                workspace.file_upload(
                    actor=actor,
                    channel=channel,
                    case=case,
                    name=document.name,
                    content=io.BytesIO(fh.read()),
                    note=document.get_kind_display(),
                )
        launch_event(
            launch=launch,
            actor=actor,
            channel=channel,
            verb="invited",
            summary=f"Invited {partner} ({len(items)} items, {len(skus)} SKUs)",
            data={"case": case.pk},
        )
    return share


def document_add(
    *, actor, channel: str, launch: Launch, kind: str, name: str, content: IO[bytes]
) -> LaunchDocument:
    """A requirements or packaging file for the launch; every invited partner's case gets a copy."""
    _require_retailer(actor)
    from django.conf import settings
    from django.core.files import File

    sha256, size = checksum(content)
    if size > settings.FILE_UPLOAD_MAX_BYTES:
        raise DomainError("The file is over the size limit.", fields={"file": ["Too large."]})
    detected = detect_type(content)
    filename = safe_filename(name)
    with transaction.atomic():
        content.seek(0)
        document = LaunchDocument(
            launch=launch,
            kind=kind,
            name=filename,
            sha256=sha256,
            size=size,
            content_type=detected.content_type,
            uploaded_label=workspace.actor_label(actor),
        )
        document.file.save(filename, File(content), save=False)
        document.save()
        for share in LaunchShare.objects.filter(launch=launch, case__is_open=True).select_related(
            "case"
        ):
            content.seek(0)
            workspace.file_upload(
                actor=actor,
                channel=channel,
                case=share.case,
                name=filename,
                content=io.BytesIO(content.read()),
                note=document.get_kind_display(),
            )
        launch_event(
            launch=launch,
            actor=actor,
            channel=channel,
            verb="document",
            summary=f"File: {filename}",
        )
    return document


# --- the share's steps: effects and guards (called inside the workspace's step) --------------


def _share_of(case: Case) -> LaunchShare | None:
    return LaunchShare.objects.filter(case=case).first()


def open_blockers(share: LaunchShare | None) -> tuple[list[ChecklistItem], list[Constraint]]:
    if share is None:
        return [], []
    items = list(ChecklistItem.objects.filter(share=share, is_complete=False))
    constraints = list(Constraint.objects.filter(share=share, status=ConstraintStatus.OPEN))
    return items, constraints


def nothing_open(case: Case, data: dict) -> str | None:
    """Guard of "ready" and "confirmed": every item complete and no open constraint."""
    items, constraints = open_blockers(_share_of(case))
    reasons = []
    if items:
        reasons.append(
            f"{len(items)} item{'s' if len(items) != 1 else ''} still open ({', '.join(i.title for i in items[:4])})"
        )
    if constraints:
        reasons.append(
            f"{len(constraints)} open supply constraint{'s' if len(constraints) != 1 else ''}"
        )
    return f"Not yet: {' and '.join(reasons)}." if reasons else None


def item_answered(*, case: Case, data: dict, actor, channel: str) -> None:
    share = _share_of(case)
    if share is None:
        return
    item = ChecklistItem.objects.select_for_update().get(share=share, code=data["item"])
    item.status = ItemStatus.DONE if data["status"] == "done" else ItemStatus.OPEN
    item.is_complete = completes(status=item.status, requires_review=item.requires_review)
    item.note = data.get("note") or ""
    item.updated_label = workspace.actor_label(actor)
    item.updated_at = timezone.now()
    item.review_note = ""
    item.save(
        update_fields=[
            "status",
            "is_complete",
            "note",
            "updated_label",
            "updated_at",
            "review_note",
        ]
    )


def constraint_flagged(*, case: Case, data: dict, actor, channel: str) -> None:
    share = _share_of(case)
    if share is None:
        return
    Constraint.objects.create(
        share=share,
        sku=data["sku"].strip(),
        quantity_at_risk=Decimal(str(data["quantity_at_risk"])),
        date=data["date"],
        item_code=data.get("item") or "inventory",
        note=data.get("note") or "",
        raised_label=workspace.actor_label(actor),
        channel=channel,
    )


# --- the partner's materials, the retailer's review, constraints resolved ---------------------


def material_upload(
    *, actor, channel: str, item: ChecklistItem, name: str, content: IO[bytes], note: str = ""
) -> ChecklistItem:
    """The partner uploads a file for an item: stored on its case, and the item is done (for review)."""
    if side_of(actor) != Side.PARTNER:
        raise NotAllowed("Partners upload their own materials.")
    with transaction.atomic():
        case = workspace.case_lock(case=item.share.case, actor=actor)
        version = workspace.file_upload(
            actor=actor, channel=channel, case=case, name=name, content=content, note=item.title
        )
        workspace.transition_take(
            case=case,
            actor=actor,
            channel=channel,
            transition="update_checklist",
            payload={
                "item": item.code,
                "status": "done",
                "note": note or f"Uploaded {version.original_name}",
            },
        )
        ChecklistItem.objects.filter(pk=item.pk).update(attachment=version.attachment)
    item.refresh_from_db()
    return item


def item_review(
    *, actor, channel: str, item: ChecklistItem, accept: bool, note: str = ""
) -> ChecklistItem:
    """The retailer accepts or rejects what a partner submitted for an item that needs review."""
    _require_retailer(actor)
    if not accept and not note.strip():
        raise DomainError(
            "Say what is wrong, so the partner can fix it.", fields={"note": ["Required."]}
        )
    with transaction.atomic():
        case = workspace.case_lock(case=item.share.case, actor=actor)
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        if not item.requires_review:
            raise Conflict(f"“{item.title}” needs no review.")
        if item.status != ItemStatus.DONE:
            raise Conflict(f"“{item.title}” has nothing waiting for review.")
        item.status = ItemStatus.ACCEPTED if accept else ItemStatus.REJECTED
        item.is_complete = accept
        item.review_note = note.strip()[:1000]
        item.save(update_fields=["status", "is_complete", "review_note"])
        verdict = "Accepted" if accept else "Rejected"
        body = f"{verdict}: {item.title}." + (f"\n\n{note.strip()}" if note.strip() else "")
        workspace.message_post(actor=actor, channel=channel, case=case, body=body)
        case.refresh_from_db()
        if not accept and case.status in ("ready", "confirmed"):
            workspace.transition_take(
                case=case,
                actor=actor,
                channel=channel,
                transition="send_back",
                comment=f"{item.title}: {note.strip()}",
            )
    return item


def constraint_resolve(
    *, actor, channel: str, constraint: Constraint, resolution: str
) -> Constraint:
    """Either side records how a constraint was settled; the last one hands the turn back."""
    if not resolution.strip():
        raise DomainError("Say how it was resolved.", fields={"resolution": ["Required."]})
    with transaction.atomic():
        case = workspace.case_lock(case=constraint.share.case, actor=actor)
        constraint = Constraint.objects.select_for_update().get(pk=constraint.pk)
        if constraint.status != ConstraintStatus.OPEN:
            raise Conflict("The constraint is already resolved.")
        constraint.status = ConstraintStatus.RESOLVED
        constraint.resolution = resolution.strip()[:1000]
        constraint.resolved_at = timezone.now()
        constraint.save(update_fields=["status", "resolution", "resolved_at"])
        workspace.timeline_record(
            case=case,
            actor=actor,
            channel=channel,
            verb="constraint_resolved",
            summary=f"Constraint on {constraint.sku} resolved: {constraint.resolution}",
        )
        still_open = Constraint.objects.filter(
            share=constraint.share, status=ConstraintStatus.OPEN
        ).exists()
        if case.status == "constrained" and not still_open:
            workspace.transition_take(
                case=case,
                actor=actor,
                channel=channel,
                transition="constraints_cleared",
                comment=f"Constraint on {constraint.sku} resolved: {constraint.resolution}",
            )
        else:
            workspace.message_post(
                actor=actor,
                channel=channel,
                case=case,
                body=f"Constraint on {constraint.sku} resolved: {constraint.resolution}",
            )
    return constraint


# --- the launch's own steps ------------------------------------------------------------------


def launch_blockers(launch: Launch) -> dict[str, int]:
    """Open items, overdue items and open constraints over every share still working."""
    today = timezone.localdate()
    working = Q(share__launch=launch, share__case__is_open=True)
    items = ChecklistItem.objects.filter(working, is_complete=False).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today))
    )
    constraints = Constraint.objects.filter(working, status=ConstraintStatus.OPEN).count()
    return {
        "open_items": items["open"],
        "overdue_items": items["overdue"],
        "open_constraints": constraints,
    }


def launch_transition(
    *,
    actor,
    channel: str,
    launch: Launch,
    transition: str,
    comment: str = "",
    override_reason: str = "",
) -> Launch:
    """Take a step of the launch's own table; "go" over open blockers needs an override with a reason."""
    from .states import LAUNCH

    _require_retailer(actor)
    step = LAUNCH.transition(transition)
    if step is None:
        raise DomainError(f"Unknown transition “{transition}”.", code="unknown_transition")
    with transaction.atomic():
        launch = Launch.objects.for_actor(actor).select_for_update().get(pk=launch.pk)
        if launch.status not in step.sources:
            raise Conflict(
                f"“{step.label}” is not possible while the launch is {launch.get_status_display().lower()}.",
                code="invalid_transition",
            )
        if step.needs_comment and not comment.strip():
            raise DomainError(
                "Say why in a comment.", fields={"comment": ["A comment is required."]}
            )
        fields = ["status"]
        summary = f"{step.label}: {launch.get_status_display()} → {LAUNCH.state(step.target).label}"
        if transition == "mark_go":
            blockers = launch_blockers(launch)
            open_count = blockers["open_items"] + blockers["open_constraints"]
            if open_count and not override_reason.strip():
                raise Conflict(
                    f"{blockers['open_items']} open items and {blockers['open_constraints']} open constraints "
                    "block this launch. Record an override with a reason to mark it go anyway.",
                    code="guard_refused",
                )
            launch.override_reason = override_reason.strip() if open_count else ""
            if open_count:
                summary += f" (override over {open_count} blockers: {launch.override_reason})"
            launch.decided_by, launch.decided_at = _person(actor), timezone.now()
            fields += ["override_reason", "decided_by", "decided_at"]
        elif transition == "mark_no_go":
            launch.decided_by, launch.decided_at = _person(actor), timezone.now()
            fields += ["decided_by", "decided_at"]
        launch.status = step.target
        launch.save(update_fields=fields)
        launch_event(
            launch=launch,
            actor=actor,
            channel=channel,
            verb="transitioned",
            summary=summary,
            data={
                "transition": transition,
                "comment": comment,
                "override_reason": launch.override_reason,
            },
        )
        share_step = {"go_live": "close", "cancel": "withdraw"}.get(transition)
        if share_step:
            note = comment or (
                "The launch is live." if transition == "go_live" else "The launch is cancelled."
            )
            for share in LaunchShare.objects.filter(
                launch=launch, case__is_open=True
            ).select_related("case"):
                case = workspace.case_lock(case=share.case, actor=actor)
                workspace.transition_take(
                    case=case, actor=actor, channel=channel, transition=share_step, comment=note
                )
    return launch


def launch_move(
    *,
    actor,
    channel: str,
    launch: Launch,
    go_live_at: datetime,
    ends_at: datetime | None,
    reason: str,
    campaign_modified_at: datetime | None = None,
) -> Launch:
    """Move go-live (and the end): due dates of open items move with it, and every partner is told."""
    _require_retailer(actor)
    with transaction.atomic():
        launch = Launch.objects.select_for_update().get(pk=launch.pk)
        if not launch.is_open:
            raise Conflict("The launch is closed; its dates no longer move.")
        old = launch.go_live_at
        if ends_at and ends_at <= go_live_at:
            raise DomainError(
                "The end must come after go-live.", fields={"ends_at": ["Before go-live."]}
            )
        shift = timezone.localtime(go_live_at).date() - timezone.localtime(old).date()
        launch.go_live_at, launch.ends_at = go_live_at, ends_at
        fields = ["go_live_at", "ends_at"]
        if campaign_modified_at is not None:
            launch.campaign_modified_at = campaign_modified_at
            fields.append("campaign_modified_at")
        launch.save(update_fields=fields)
        if shift:
            moved = list(
                ChecklistItem.objects.filter(
                    share__launch=launch, is_complete=False, due_date__isnull=False
                )
            )
            for item in moved:
                item.due_date += shift
            ChecklistItem.objects.bulk_update(moved, ["due_date"], batch_size=500)
        # The earlier reminders were about the old date.
        ReminderSent.objects.filter(share__launch=launch).delete()
        when = (
            f"{timezone.localtime(old):%d %b %Y} → {timezone.localtime(go_live_at):%d %b %Y, %H:%M}"
        )
        launch_event(
            launch=launch,
            actor=actor,
            channel=channel,
            verb="moved",
            summary=f"Go-live moved: {when}. {reason}",
        )
        body = f"The launch “{launch.name}” moved: go-live {when}. {reason}".strip()
        if shift:
            body += f"\n\nThe due dates of your open items moved by {shift.days} days."
        for share in LaunchShare.objects.filter(launch=launch, case__is_open=True).select_related(
            "case"
        ):
            workspace.message_post(actor=actor, channel=channel, case=share.case, body=body)
    return launch


def on_campaign_read(*, campaign: campaigns.Campaign) -> None:
    """The SFCC sync read a campaign we follow: move each open launch of it whose dates differ."""
    if campaign.start is None:
        return
    for launch in Launch.objects.filter(
        campaign_id=campaign.campaign_id, status__in=OPEN_LAUNCH_STATUSES
    ):
        if launch.go_live_at == campaign.start and launch.ends_at == campaign.end:
            continue
        launch_move(
            actor=SFCC_ACTOR,
            channel=Channel.SFCC,
            launch=launch,
            go_live_at=campaign.start,
            ends_at=campaign.end,
            reason=f"The dates of SFCC campaign {campaign.campaign_id} changed.",
            campaign_modified_at=campaign.last_modified,
        )


def followed_campaign_ids() -> list[str]:
    return list(
        Launch.objects.filter(status__in=OPEN_LAUNCH_STATUSES)
        .exclude(campaign_id="")
        .values_list("campaign_id", flat=True)
    )


# --- reminders and risk (the beat task) ------------------------------------------------------


@dataclass
class ReminderRun:
    reminded: list[int] = field(default_factory=list)
    at_risk: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)


def reminders_send(*, now: datetime | None = None) -> ReminderRun:
    """Remind partners with open items as go-live nears; flag launches with overdue items at risk.

    Idempotent: one reminder per share and window (`ReminderSent`), and the risk flag changes
    (and is recorded) only when it flips.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    run = ReminderRun()
    horizon = now + timedelta(days=max(REMINDER_WINDOWS) + 1)
    for launch in Launch.objects.filter(status__in=OPEN_LAUNCH_STATUSES):
        days_left = (timezone.localtime(launch.go_live_at).date() - today).days
        if launch.go_live_at <= horizon and days_left >= 0:
            window = (
                min(w for w in REMINDER_WINDOWS if days_left <= w)
                if days_left <= max(REMINDER_WINDOWS)
                else None
            )
            if window is not None:
                run.reminded += _remind(launch, window, days_left)
        overdue = ChecklistItem.objects.filter(
            share__launch=launch, share__case__is_open=True, is_complete=False, due_date__lt=today
        ).count()
        with transaction.atomic():
            locked = Launch.objects.select_for_update().get(pk=launch.pk)
            if overdue and locked.at_risk_since is None:
                locked.at_risk_since = now
                locked.save(update_fields=["at_risk_since"])
                launch_event(
                    launch=locked,
                    actor=CROSSDOCK,
                    channel=Channel.SYSTEM,
                    verb="at_risk",
                    summary=f"At risk: {overdue} overdue item{'s' if overdue != 1 else ''}",
                )
                run.at_risk.append(launch.pk)
            elif not overdue and locked.at_risk_since is not None:
                locked.at_risk_since = None
                locked.save(update_fields=["at_risk_since"])
                launch_event(
                    launch=locked,
                    actor=CROSSDOCK,
                    channel=Channel.SYSTEM,
                    verb="recovered",
                    summary="No longer at risk: no overdue items",
                )
                run.recovered.append(launch.pk)
    return run


def _remind(launch: Launch, window: int, days_left: int) -> list[int]:
    reminded = []
    shares = (
        LaunchShare.objects.filter(launch=launch, case__is_open=True)
        .annotate(open_items=Count("items", filter=Q(items__is_complete=False)))
        .filter(open_items__gt=0)
        .select_related("case")
    )
    for share in shares:
        with transaction.atomic():
            _, created = ReminderSent.objects.get_or_create(
                share=share, days_before=window, defaults={"open_items": share.open_items}
            )
            if not created:
                continue
            case = share.case
            when = (
                "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
            )
            title = f"{launch.name} goes live {when}: {share.open_items} item{'s' if share.open_items != 1 else ''} still open"
            workspace.timeline_record(
                case=case, actor=CROSSDOCK, channel=Channel.SYSTEM, verb="reminder", summary=title
            )
            notify(
                case=case,
                event_type=EventType.SLA_DUE_SOON,
                recipients=list(partner_members(case)),
                title=title,
            )
            reminded.append(share.pk)
    return reminded
