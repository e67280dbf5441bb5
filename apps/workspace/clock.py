"""The SLA clock: whose turn it is, until when, and the history of waits and breaches."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .business_hours import Calendar, add_business_seconds
from .choices import Priority, Side, SlaState
from .models import Case, SlaTarget, SlaWait
from .models.case import NO_DEADLINE

# Business hours to first response and to resolution, used when no SlaTarget row is set.
DEFAULT_TARGETS = {
    Priority.URGENT: (1, 8),
    Priority.HIGH: (4, 16),
    Priority.NORMAL: (8, 40),
    Priority.LOW: (16, 80),
}


def targets_for(case: Case) -> tuple[float, float]:
    row = SlaTarget.objects.filter(kind=case.kind, priority=case.priority).first()
    if row is not None:
        return float(row.first_response_hours), float(row.resolution_hours)
    first, resolution = DEFAULT_TARGETS[Priority(case.priority)]
    return float(first), float(resolution)


def retailer_calendar() -> Calendar:
    return Calendar(
        time_zone=settings.RETAILER_TIME_ZONE,
        weekdays=frozenset(settings.RETAILER_BUSINESS_WEEKDAYS),
        start=settings.RETAILER_BUSINESS_START,
        end=settings.RETAILER_BUSINESS_END,
    )


def calendar_for(case: Case, side: str) -> Calendar:
    return Calendar.of(case.partner) if side == Side.PARTNER else retailer_calendar()


def clock_start(case: Case, *, at: datetime) -> None:
    """Set the deadlines of a new case (not yet saved fields) and open its first wait."""
    first_hours, resolution_hours = targets_for(case)
    partner_calendar = Calendar.of(case.partner)
    case.first_response_due_at = add_business_seconds(at, first_hours * 3600, partner_calendar)
    case.resolution_due_at = add_business_seconds(at, resolution_hours * 3600, partner_calendar)


def clock_hand_over(case: Case, *, turn: str, at: datetime, is_open: bool = True) -> list[str]:
    """Stop the running wait and start one for `turn`; returns the case fields it changed."""
    open_wait = SlaWait.objects.filter(case=case, ended_at__isnull=True).order_by("-started_at").first()
    if open_wait is not None:
        if open_wait.side == turn and is_open:
            return []  # still the same side's turn: the clock keeps running
        open_wait.ended_at = at
        fields = ["ended_at"]
        if at > open_wait.due_at and open_wait.breached_at is None:
            open_wait.breached_at = open_wait.due_at
            fields.append("breached_at")
        open_wait.save(update_fields=fields)

    case.turn = turn if is_open else Side.NONE
    case.turn_started_at = at
    case.due_at = NO_DEADLINE
    if is_open and turn != Side.NONE:
        first_hours, _ = targets_for(case)
        due = add_business_seconds(at, first_hours * 3600, calendar_for(case, turn))
        is_first = turn == Side.PARTNER and case.first_responded_at is None
        if is_first and case.first_response_due_at:
            due = case.first_response_due_at
        SlaWait.objects.create(
            case=case, side=turn, started_at=at, due_at=due, is_first_response=is_first
        )
        case.due_at = due
    return ["turn", "turn_started_at", "due_at"]


def sla_state(case: Case, *, now: datetime | None = None) -> SlaState:
    now = now or timezone.now()
    if not case.is_open or case.turn == Side.NONE or case.due_at >= NO_DEADLINE:
        return SlaState.PAUSED
    if now >= case.due_at:
        return SlaState.BREACHED
    window = case.due_at - (case.turn_started_at or case.created_at)
    if case.due_at - now <= min(timedelta(hours=2), window / 4):
        return SlaState.DUE_SOON
    return SlaState.OK


def due_soon_threshold(wait: SlaWait) -> datetime:
    window = wait.due_at - wait.started_at
    return wait.due_at - min(timedelta(hours=2), window / 4)
