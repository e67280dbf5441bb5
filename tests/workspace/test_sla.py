"""SLA clocks: business hours in the right zone, whose turn it is, breaches and warnings."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.workspace import services
from apps.workspace.business_hours import Calendar, add_business_seconds, business_seconds_between
from apps.workspace.choices import Channel, Side, SlaState
from apps.workspace.clock import sla_state
from apps.workspace.models import Notification, SlaWait
from apps.workspace.tasks import sweep_sla

from .helpers import open_case

BERLIN = Calendar(time_zone="Europe/Berlin", weekdays=frozenset(range(5)), start=time(9), end=time(17))


def test_business_hours_skip_nights_and_weekends():
    friday_4pm_berlin = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
    due = add_business_seconds(friday_4pm_berlin, 3 * 3600, BERLIN)
    # One hour on Friday, two on Monday morning: Monday 11:00 Berlin = 10:00 UTC.
    assert due == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert business_seconds_between(friday_4pm_berlin, due, BERLIN) == 3 * 3600


def test_business_hours_start_counting_at_opening_time():
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert add_business_seconds(saturday, 1800, BERLIN) == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def test_business_hours_across_daylight_saving_change():
    new_york = Calendar(time_zone="America/New_York", weekdays=frozenset(range(5)), start=time(9), end=time(17))
    friday = datetime(2026, 10, 30, 20, 0, tzinfo=UTC)  # Friday 16:00 EDT
    due = add_business_seconds(friday, 2 * 3600, new_york)
    assert due == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 EST


@pytest.mark.django_db
def test_clock_runs_against_the_side_whose_turn_it_is_and_pauses_on_hold(agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    assert case.turn == Side.PARTNER and sla_state(case) in (SlaState.OK, SlaState.DUE_SOON)
    services.message_post(actor=user_a, channel=Channel.WEB, case=case, body="On it")
    case.refresh_from_db()
    assert case.turn == Side.RETAILER
    services.case_transition(actor=agent, channel=Channel.WEB, case=case, transition="hold")
    case.refresh_from_db()
    assert case.turn == Side.NONE and sla_state(case) == SlaState.PAUSED
    assert not SlaWait.objects.filter(case=case, ended_at__isnull=True).exists()
    assert [w.side for w in case.sla_waits.all()] == [Side.PARTNER, Side.RETAILER]


@pytest.mark.django_db
def test_sweep_warns_then_records_a_breach_once(agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    wait = SlaWait.objects.get(case=case, ended_at__isnull=True)
    almost = wait.due_at - timedelta(minutes=10)
    assert sweep_sla(almost.isoformat()) == {"breached": 0, "due_soon": 1}
    assert sweep_sla(almost.isoformat()) == {"breached": 0, "due_soon": 0}
    late = wait.due_at + timedelta(minutes=1)
    assert sweep_sla(late.isoformat()) == {"breached": 1, "due_soon": 0}
    assert sweep_sla(late.isoformat()) == {"breached": 0, "due_soon": 0}
    wait.refresh_from_db()
    assert wait.breached_at == wait.due_at
    kinds = set(Notification.objects.filter(user=user_a, case=case).values_list("event_type", flat=True))
    assert {"sla_due_soon", "sla_breached"} <= kinds


@pytest.mark.django_db
def test_late_answer_closes_the_wait_as_breached(agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    wait = SlaWait.objects.get(case=case)
    SlaWait.objects.filter(pk=wait.pk).update(due_at=timezone.now() - timedelta(hours=1))
    services.message_post(actor=user_a, channel=Channel.WEB, case=case, body="Sorry for the delay")
    wait.refresh_from_db()
    assert wait.ended_at is not None and wait.breached_at is not None
