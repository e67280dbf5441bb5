"""Writes of flow 4: dispatch an order to its partner, the steps' guards and effects, the
agreements, and the acknowledgement deadlines.

Opening goes through the workspace's `case_create` and `transition_take`, so the timeline,
the case events (and through them the 850 and the SFCC write-back) and the notifications are
the workspace's own. The effects run inside `transition_take`, after the case moved, so what
the partner committed is stored with the step that carried it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError, NotAllowed
from apps.partners.actors import SystemActor
from apps.partners.models import Organization
from apps.partners.roles import OPERATIONS_ROLES
from apps.partners.selectors import active_members
from apps.partners.tenancy import scope_of
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel, Priority, Visibility
from apps.workspace.models import Case, CaseLine, LineStatus
from apps.workspace.models.notifications import EventType
from apps.workspace.notify import notify, partner_members, stakeholders
from apps.workspace.services import CaseDraft, LineDraft

from .models import Answer, ChangeKind, ChangeOutcome, ChangeRequest, Dispatch, PartnerAgreement

DEFAULT_AGREEMENT = PartnerAgreement(ack_hours=24, reminder_hours=4, ship_days=2)
AGREEMENT_FIELDS = (
    "ack_hours",
    "reminder_hours",
    "ship_days",
    "dispatch_all_lines",
    "is_active",
    "notes",
)


def po_number_for(case: Case) -> str:
    """The purchase-order reference of the 850: Crossdock's own, so the 855 finds its case."""
    return f"DS{case.pk:08d}"


# --- agreements -----------------------------------------------------------------------------


def agreement_for(partner: Organization) -> PartnerAgreement:
    """The partner's active agreement, else the house terms (not saved)."""
    agreement = PartnerAgreement.objects.filter(partner=partner, is_active=True).first()
    return agreement or DEFAULT_AGREEMENT


def agreement_save(*, actor, partner: Organization, **values) -> PartnerAgreement:
    """Create or change a partner's agreement; the retailer's operations people and admins only."""
    scope = scope_of(actor)
    if not scope.internal or scope.role not in OPERATIONS_ROLES:
        raise NotAllowed("Only operations sets partner agreements.")
    unknown = set(values) - set(AGREEMENT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown agreement fields: {', '.join(sorted(unknown))}.")
    if values.get("ack_hours") is not None and values["ack_hours"] < 1:
        raise DomainError(
            "The deadline is at least one hour.", fields={"ack_hours": ["At least 1."]}
        )
    ack_hours = values.get("ack_hours")
    reminder = values.get("reminder_hours")
    with transaction.atomic():
        agreement = PartnerAgreement.objects.select_for_update().filter(partner=partner).first()
        if agreement is None:
            agreement = PartnerAgreement(partner=partner)
        for name, value in values.items():
            if value is not None:
                setattr(agreement, name, value)
        ack_hours = agreement.ack_hours if ack_hours is None else ack_hours
        reminder = agreement.reminder_hours if reminder is None else reminder
        if reminder >= ack_hours:
            raise DomainError(
                "The reminder must come before the deadline.",
                fields={"reminder_hours": [f"Fewer than the {ack_hours} hours of the deadline."]},
            )
        agreement.updated_at = timezone.now()
        agreement.save()
    return agreement


# --- dispatch -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchDraft:
    partner: Organization
    order_number: str
    fulfillment_type: str
    lines: tuple[LineDraft, ...]
    site_id: str = ""
    ship_to: dict = field(default_factory=dict)
    shipping_method: str = ""
    service_level: str = ""
    delivery_requirements: dict = field(default_factory=dict)
    priority: str = Priority.NORMAL


def address_text(ship_to: dict) -> str:
    place = " ".join(p for p in (ship_to.get("state_code"), ship_to.get("postal_code")) if p)
    parts = [
        ship_to.get("name"),
        ship_to.get("address1"),
        ship_to.get("address2"),
        ship_to.get("city"),
        place,
        ship_to.get("country_code"),
    ]
    return ", ".join(p for p in parts if p)


def _opening_text(draft: DispatchDraft, *, ack_due_at: datetime, ship_by: date) -> str:
    lines = "\n".join(
        f"- {line.sku} {line.description} × {line.quantity.normalize():f}".replace("  ", " ")
        for line in draft.lines
    )
    paragraphs = [f"New order {draft.order_number} to ship to the customer.", f"Lines:\n{lines}"]
    if draft.ship_to:
        paragraphs.append(f"Ship to: {address_text(draft.ship_to)}")
    shipping = ", ".join(
        p
        for p in (
            draft.shipping_method,
            draft.service_level and f"service level {draft.service_level}",
        )
        if p
    )
    if shipping:
        paragraphs.append(f"Shipping: {shipping}")
    if draft.delivery_requirements:
        paragraphs.append(
            "Delivery requirements:\n"
            + "\n".join(
                f"- {label}: {value}" for label, value in draft.delivery_requirements.items()
            )
        )
    paragraphs.append(
        f"Please accept or reject by {timezone.localtime(ack_due_at):%Y-%m-%d %H:%M %Z} "
        f"and ship by {ship_by:%Y-%m-%d}."
    )
    return "\n\n".join(paragraphs)


def dispatch_open(*, actor, channel: str, draft: DispatchDraft) -> Case:
    """Send an order's drop-ship or marketplace lines to their partner, with the agreement's deadlines."""
    if not draft.lines:
        raise DomainError("A dispatch needs at least one line.", fields={"lines": ["Add a line."]})
    if not draft.order_number.strip():
        raise DomainError("Name the order.", fields={"order_number": ["Required."]})
    agreement = agreement_for(draft.partner)
    now = timezone.now()
    ack_due_at = now + timedelta(hours=agreement.ack_hours)
    remind_at = ack_due_at - timedelta(hours=min(agreement.reminder_hours, agreement.ack_hours))
    ship_by = timezone.localdate(now) + timedelta(days=agreement.ship_days)
    label = "Marketplace" if draft.fulfillment_type == "marketplace" else "Drop-ship"
    with transaction.atomic():
        if Dispatch.objects.filter(
            site_id=draft.site_id, order_number=draft.order_number, partner=draft.partner
        ).exists():
            raise DomainError(
                f"Order {draft.order_number} is dispatched to {draft.partner} already.",
                code="already_dispatched",
            )
        case = workspace.case_create(
            actor=actor,
            channel=channel,
            draft=CaseDraft(
                kind=CaseKind.DROPSHIP,
                partner=draft.partner,
                subject=f"{label} order {draft.order_number}: {len(draft.lines)} line(s)",
                order_number=draft.order_number,
                sku=draft.lines[0].sku,
                priority=draft.priority,
                body=_opening_text(draft, ack_due_at=ack_due_at, ship_by=ship_by),
                lines=draft.lines,
            ),
        )
        Dispatch.objects.create(
            case=case,
            partner=draft.partner,
            order_number=draft.order_number,
            site_id=draft.site_id,
            po_number=po_number_for(case),
            fulfillment_type=draft.fulfillment_type,
            ship_to=draft.ship_to,
            shipping_method=draft.shipping_method[:100],
            service_level=draft.service_level[:100],
            delivery_requirements=draft.delivery_requirements,
            dispatched_at=now,
            ack_due_at=ack_due_at,
            remind_at=remind_at,
            ship_by=ship_by,
        )
        # A step of its own: the 850 and the partner's document are written from the stored row.
        case = workspace.case_lock(case=case, actor=actor)
        workspace.transition_take(case=case, actor=actor, channel=channel, transition="dispatch")
    return case


# --- guards (refusals that depend on the case) ----------------------------------------------


def _statuses(data: dict) -> dict[int, str]:
    return {int(a["line"]): a["status"] for a in data.get("lines") or []}


def pending_change(case: Case) -> ChangeRequest | None:
    return (
        ChangeRequest.objects.filter(case=case, outcome=ChangeOutcome.PENDING)
        .order_by("-number")
        .first()
    )


def _full_or_part(
    statuses: dict[int, str], *, want_full: bool, full_step: str, part_step: str
) -> str | None:
    if not statuses:
        return None  # a case without lines: nothing to tell full from part
    not_accepted = [p for p, s in sorted(statuses.items()) if s != LineStatus.ACCEPTED]
    if want_full and not_accepted:
        status = LineStatus(statuses[not_accepted[0]]).label.lower()
        return f"Line {not_accepted[0]} is {status}: use “{part_step}”."
    if not want_full:
        if not not_accepted:
            return f"Every line is accepted: use “{full_step}”."
        if statuses and all(s == LineStatus.REJECTED for s in statuses.values()):
            return "Every line is rejected: reject the order instead, saying why."
    return None


def guard_all_accepted(case: Case, data: dict) -> str | None:
    return _full_or_part(
        _statuses(data), want_full=True, full_step="Accept the order", part_step="Accept in part"
    )


def guard_in_part(case: Case, data: dict) -> str | None:
    return _full_or_part(
        _statuses(data), want_full=False, full_step="Accept the order", part_step="Accept in part"
    )


def _change_lines(
    case: Case, data: dict
) -> tuple[ChangeRequest | None, dict[int, str], str | None]:
    """The pending change and the line answers that are not about lines it cancels."""
    change = pending_change(case)
    if change is None:
        # Nothing recorded to contradict the step (a change asked before this app kept them).
        return None, _statuses(data), None
    if change.cancels:
        return (
            change,
            {},
            "This is a cancellation of the order: accept the cancellation or refuse it.",
        )
    statuses = _statuses(data)
    cancelled = set(change.lines.get("cancelled") or [])
    for position in sorted(cancelled):
        if statuses.get(position) not in (None, LineStatus.REJECTED):
            return change, {}, f"Line {position} is cancelled by the change: answer it rejected."
    return change, {p: s for p, s in statuses.items() if p not in cancelled}, None


def guard_change_all_accepted(case: Case, data: dict) -> str | None:
    _change, statuses, refusal = _change_lines(case, data)
    return refusal or _full_or_part(
        statuses,
        want_full=True,
        full_step="Accept the change",
        part_step="Accept the change, lines in part",
    )


def guard_change_in_part(case: Case, data: dict) -> str | None:
    _change, statuses, refusal = _change_lines(case, data)
    return refusal or _full_or_part(
        statuses,
        want_full=False,
        full_step="Accept the change",
        part_step="Accept the change, lines in part",
    )


def guard_cancellation(case: Case, data: dict) -> str | None:
    change = pending_change(case)
    if change is not None and not change.cancels:
        return (
            "The change asked is not a cancellation of the order: accept the change or refuse it."
        )
    return None


# --- effects (called by the workspace inside the step's transaction) ------------------------


def _dispatch(case: Case) -> Dispatch | None:
    """The case's dispatch row; None for a DROPSHIP case opened as a bare case (no order sent)."""
    return Dispatch.objects.select_for_update().filter(case=case).first()


def answer_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    """The partner's answer and committed ship date, on the dispatch row."""
    dispatch = _dispatch(case)
    if dispatch is None:
        return
    dispatch.answer = Answer.ACCEPTED if case.status == "accepted" else Answer.ACCEPTED_IN_PART
    dispatch.answered_at = timezone.now()
    dispatch.committed_ship_date = data.get("ship_date") or None
    dispatch.save(update_fields=["answer", "answered_at", "committed_ship_date"])


def rejection_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    """The partner rejects the order: the retailer gets an order exception to re-route it.

    Opened through the workspace with the order exception kind (this app does not import
    the exceptions app), by the partner who rejected, so it starts on the retailer's turn.
    """
    dispatch = _dispatch(case)
    if dispatch is None:
        return
    from .forms import REJECT_REASON_LABELS

    reason = REJECT_REASON_LABELS.get(data.get("reason", ""), data.get("reason", ""))
    note = (data.get("note") or "").strip()
    lines = tuple(
        LineDraft(
            sku=line.sku,
            quantity=line.quantity,
            description=line.description,
            unit=line.unit,
            order_number=line.order_number,
            line_ref=line.line_ref,
        )
        for line in CaseLine.objects.filter(case=case).order_by("position")
    )
    body = (
        f"{case.partner} rejected {case.reference} (purchase order {dispatch.po_number}) "
        f"for order {case.order_number}: {reason}."
        + (f"\n\n{note}" if note else "")
        + "\n\nRe-route the lines to another partner or cancel them in SFCC."
    )
    reroute = workspace.case_create(
        actor=actor,
        channel=channel,
        draft=CaseDraft(
            kind=CaseKind.ORDER_EXCEPTION,
            partner=case.partner,
            subject=f"Re-route order {case.order_number}: rejected by {case.partner}"[:200],
            order_number=case.order_number,
            sku=case.sku,
            priority=Priority.HIGH,
            body=body,
            lines=lines,
        ),
    )
    dispatch.answer = Answer.REJECTED
    dispatch.answered_at = timezone.now()
    dispatch.reject_reason = data.get("reason", "")[:40]
    dispatch.reject_note = note
    dispatch.reroute_case_id = reroute.pk
    dispatch.save(
        update_fields=["answer", "answered_at", "reject_reason", "reject_note", "reroute_case_id"]
    )


def exception_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    dispatch = _dispatch(case)
    if dispatch is None:
        return
    dispatch.answer = Answer.EXCEPTION
    dispatch.answered_at = timezone.now()
    dispatch.exception_type = data.get("exception_type", "")[:40]
    dispatch.exception_detail = data.get("detail", "")
    dispatch.save(update_fields=["answer", "answered_at", "exception_type", "exception_detail"])


def change_requested(*, case: Case, data: dict, actor, channel: str) -> None:
    dispatch = _dispatch(case)
    if dispatch is None:
        return
    positions = [int(p) for p in (data.get("positions") or "").split(",") if p]
    kind = data["change"]
    lines: dict = {}
    if kind == ChangeKind.CANCEL_LINES:
        lines["cancelled"] = positions
    elif kind == ChangeKind.CHANGE_QUANTITY:
        quantities = [q.strip() for q in (data.get("quantities") or "").split(",") if q.strip()]
        lines["quantities"] = dict(zip(map(str, positions), quantities, strict=False))
    number = ChangeRequest.objects.filter(dispatch=dispatch).count() + 1
    ChangeRequest.objects.create(
        dispatch=dispatch,
        case=case,
        number=number,
        kind=kind,
        detail=data.get("detail", ""),
        lines=lines,
        ship_to={"text": data["ship_to"].strip()} if data.get("ship_to") else {},
    )
    if kind == ChangeKind.CHANGE_SERVICE and data.get("shipping_method"):
        lines["shipping_method"] = data["shipping_method"]
        ChangeRequest.objects.filter(dispatch=dispatch, number=number).update(lines=lines)


def change_accepted(*, case: Case, data: dict, actor, channel: str) -> None:
    change = pending_change(case)
    if change is None:  # guarded: a change is pending whenever this step is open
        return
    change.outcome = ChangeOutcome.ACCEPTED
    change.outcome_note = data.get("note", "")
    change.answered_at = timezone.now()
    change.save(update_fields=["outcome", "outcome_note", "answered_at"])
    dispatch = _dispatch(case)
    if dispatch is None:
        return
    fields = []
    if change.kind == ChangeKind.CHANGE_ADDRESS and change.ship_to:
        dispatch.ship_to = {**dispatch.ship_to, "amended": change.ship_to["text"]}
        fields.append("ship_to")
    if change.kind == ChangeKind.CHANGE_SERVICE and change.lines.get("shipping_method"):
        dispatch.shipping_method = change.lines["shipping_method"][:100]
        fields.append("shipping_method")
    if fields:
        dispatch.save(update_fields=fields)
    if data.get("lines"):
        answer_recorded(case=case, data=data, actor=actor, channel=channel)


def change_refused(*, case: Case, data: dict, actor, channel: str) -> None:
    change = pending_change(case)
    if change is None:
        return
    change.outcome = ChangeOutcome.REFUSED
    change.outcome_note = data.get("note", "")
    change.answered_at = timezone.now()
    change.save(update_fields=["outcome", "outcome_note", "answered_at"])


# --- acknowledgement deadlines --------------------------------------------------------------

WAITING = ("dispatched",)
SYSTEM = SystemActor("Crossdock")


def deadlines_check(*, now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Remind partners before the deadline, escalate to operations after it; each once.

    Idempotent: each dispatch is claimed by a conditional update of its own timestamp, so
    two sweeps at the same moment (or a retried task) remind and escalate once.
    """
    now = now or timezone.now()
    reminded = escalated = 0
    due = Dispatch.objects.filter(
        case__status__in=WAITING, remind_at__lte=now, ack_due_at__gt=now, reminded_at__isnull=True
    ).values_list("pk", flat=True)[:limit]
    for pk in list(due):
        reminded += _remind(pk, now=now)
    late = Dispatch.objects.filter(
        case__status__in=WAITING, ack_due_at__lte=now, escalated_at__isnull=True
    ).values_list("pk", flat=True)[:limit]
    for pk in list(late):
        escalated += _escalate(pk, now=now)
    return reminded, escalated


def _remind(pk: int, *, now: datetime) -> int:
    with transaction.atomic():
        if not Dispatch.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
            return 0
        dispatch = Dispatch.objects.select_related("case").get(pk=pk)
        case = dispatch.case
        due = timezone.localtime(dispatch.ack_due_at)
        workspace.timeline_record(
            case=case,
            actor=SYSTEM,
            channel=Channel.SYSTEM,
            verb="reminder",
            summary=f"Reminder sent: the answer to {dispatch.po_number} is due {due:%Y-%m-%d %H:%M}",
        )
        notify(
            case=case,
            event_type=EventType.SLA_DUE_SOON,
            recipients=list(partner_members(case)),
            title=f"Answer due {due:%Y-%m-%d %H:%M}: {case.reference} {case.subject}",
            body="Accept, accept in part or reject the order before the deadline of your agreement.",
        )
    return 1


def _escalate(pk: int, *, now: datetime) -> int:
    with transaction.atomic():
        if not Dispatch.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now):
            return 0
        dispatch = Dispatch.objects.select_related("case").get(pk=pk)
        case = dispatch.case
        workspace.timeline_record(
            case=case,
            actor=SYSTEM,
            channel=Channel.SYSTEM,
            verb="escalated",
            summary=f"No answer by the agreed deadline: escalated to operations ({dispatch.po_number})",
            visibility=Visibility.INTERNAL,
        )
        notify(
            case=case,
            event_type=EventType.SLA_BREACHED,
            recipients=list(active_members(roles=OPERATIONS_ROLES)) + stakeholders(case),
            title=f"{case.partner} has not answered {case.reference} ({case.order_number}) in time",
            body=f"The answer was due {timezone.localtime(dispatch.ack_due_at):%Y-%m-%d %H:%M}.",
            visibility=Visibility.INTERNAL,
        )
        if case.priority in (Priority.LOW, Priority.NORMAL):
            workspace.case_update(
                actor=SYSTEM, channel=Channel.SYSTEM, case=case, priority=Priority.HIGH
            )
    return 1
