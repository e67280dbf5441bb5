"""The partner's answer, the retailer's changes and the agreement's deadlines."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, DomainError
from apps.fulfillment import services
from apps.fulfillment.models import ChangeRequest, Dispatch
from apps.fulfillment.sfcc_fields import dispatch_attributes
from apps.partners.roles import Role
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel, Side
from apps.workspace.models import Case, LineAnswer, Notification, TimelineEvent
from tests.factories import internal_user

from .conftest import dispatch_case, dropship_order, line

pytestmark = pytest.mark.django_db

PART = {
    "ship_date": "2026-12-08",
    "lines": [
        {"line": 1, "status": "accepted"},
        {"line": 2, "status": "backordered", "quantity": "1", "date": "2026-12-20"},
    ],
}


@pytest.fixture
def case(supplier):
    dropship_order("DS-2001", line("SKU-1", 2), line("SKU-2", 2))
    return dispatch_case("DS-2001")


def take(case, actor, transition, payload=None, comment=""):
    return workspace.case_transition(
        actor=actor,
        channel=Channel.WEB,
        case=case,
        transition=transition,
        payload=payload,
        comment=comment,
    )


def test_accept_in_part_stores_lines_and_committed_date_and_tells_sfcc(case, supplier_user):
    case = take(case, supplier_user, "accept_in_part", PART)
    dispatch = Dispatch.objects.get(case=case)
    assert case.status == "partially_accepted" and case.turn == Side.NONE
    assert (dispatch.answer, dispatch.committed_ship_date.isoformat()) == (
        "accepted_in_part",
        "2026-12-08",
    )
    latest = [
        (a.line.position, a.status, a.date and a.date.isoformat())
        for a in LineAnswer.objects.filter(line__case=case).order_by("line__position")
    ]
    assert latest == [(1, "accepted", None), (2, "backordered", "2026-12-20")]
    attributes = dispatch_attributes(case=case, event_payload={})
    assert attributes["c_crossdockDispatchAnswer"] == "Accepted in part"
    assert attributes["c_crossdockCommittedShipDate"] == "2026-12-08"
    assert (
        attributes["c_crossdockLineStatuses"]
        == "SKU-1 × 2 accepted; SKU-2 × 1 backordered until 2026-12-20"
    )
    assert attributes["c_crossdockBackorderDates"] == "2026-12-20"


def test_the_wrong_button_is_refused_with_the_right_one_named(case, supplier_user):
    with pytest.raises(Conflict, match="Line 2 is backordered: use “Accept in part”"):
        take(case, supplier_user, "accept", PART)
    full = {
        "ship_date": "2026-12-08",
        "lines": [{"line": 1, "status": "accepted"}, {"line": 2, "status": "accepted"}],
    }
    with pytest.raises(Conflict, match="Every line is accepted: use “Accept the order”"):
        take(case, supplier_user, "accept_in_part", full)
    with pytest.raises(DomainError, match="Answer every line; unanswered: 2"):
        take(
            case,
            supplier_user,
            "accept",
            {"ship_date": "2026-12-08", "lines": [{"line": 1, "status": "accepted"}]},
        )
    with pytest.raises(DomainError, match="A backorder needs the date"):
        take(
            case,
            supplier_user,
            "accept_in_part",
            {**PART, "lines": [PART["lines"][0], {"line": 2, "status": "backordered"}]},
        )
    assert Case.objects.get(pk=case.pk).status == "dispatched"
    assert take(case, supplier_user, "accept", full).status == "accepted"


def test_a_rejection_opens_an_order_exception_for_the_retailer_to_reroute(case, supplier_user):
    case = take(
        case, supplier_user, "reject", {"reason": "discontinued", "note": "Line retired in May."}
    )
    dispatch = Dispatch.objects.get(case=case)
    reroute = Case.objects.get(pk=dispatch.reroute_case_id)
    assert case.status == "rejected" and not case.is_open
    assert reroute.kind == CaseKind.ORDER_EXCEPTION and reroute.order_number == "DS-2001"
    assert reroute.turn == Side.RETAILER and reroute.priority == "high"
    assert [li.sku for li in reroute.lines.order_by("position")] == ["SKU-1", "SKU-2"]
    assert "Product discontinued" in reroute.messages.get().body
    with pytest.raises(DomainError, match="Say why the order is rejected"):
        take(dispatch_case_for_new_order(), supplier_user, "reject", {"reason": "other"})


def dispatch_case_for_new_order():
    dropship_order("DS-2002", line("SKU-9"))
    return dispatch_case("DS-2002")


def test_cancellation_asked_and_accepted(case, supplier_user, agent):
    take(case, supplier_user, "accept_in_part", PART)
    take(case, agent, "request_change", {"change": "cancel", "detail": "The customer cancelled."})
    change = ChangeRequest.objects.get(case=case)
    assert (change.kind, change.outcome, change.number) == ("cancel", "pending", 1)
    with pytest.raises(Conflict, match="This is a cancellation"):
        take(case, supplier_user, "accept_change", PART)
    case = take(case, supplier_user, "accept_cancellation", {"note": "Stopped before picking."})
    change.refresh_from_db()
    assert case.status == "cancelled" and change.outcome == "accepted"


def test_line_cancellation_accepted_with_lines_reanswered_or_refused(case, supplier_user, agent):
    take(case, agent, "request_change", {"change": "cancel_lines", "positions": "2"})
    with pytest.raises(Conflict, match="Line 2 is cancelled by the change: answer it rejected"):
        take(
            case,
            supplier_user,
            "accept_change",
            {
                "ship_date": "2026-12-08",
                "lines": [{"line": 1, "status": "accepted"}, {"line": 2, "status": "accepted"}],
            },
        )
    case = take(
        case,
        supplier_user,
        "accept_change",
        {
            "ship_date": "2026-12-08",
            "lines": [
                {"line": 1, "status": "accepted"},
                {"line": 2, "status": "rejected", "reason_code": "cancelled"},
            ],
        },
    )
    assert case.status == "accepted"
    take(
        case,
        agent,
        "request_change",
        {"change": "change_address", "ship_to": "1 Elm St, Austin TX 78702"},
    )
    case = take(case, supplier_user, "refuse_change", {"note": "Label printed already."})
    assert case.status == "change_refused" and case.turn == Side.RETAILER
    assert [c.outcome for c in ChangeRequest.objects.filter(case=case)] == ["accepted", "refused"]


def test_change_request_form_says_what_is_wrong(case, agent):
    with pytest.raises(DomainError) as refused:
        take(case, agent, "request_change", {"change": "change_quantity", "positions": "1,7"})
    assert refused.value.fields == {"positions": ["The order has no line 7."]}
    with pytest.raises(DomainError) as refused:
        take(
            case,
            agent,
            "request_change",
            {"change": "change_quantity", "positions": "1", "quantities": "5"},
        )
    assert "at most 2" in refused.value.fields["quantities"][0]


def test_reminder_before_the_deadline_and_escalation_after_it_each_once(case, supplier_user):
    operations = internal_user(Role.OPERATIONS)
    dispatch = Dispatch.objects.get(case=case)
    assert services.deadlines_check(now=dispatch.remind_at - timedelta(minutes=1)) == (0, 0)
    assert services.deadlines_check(now=dispatch.remind_at + timedelta(minutes=1)) == (1, 0)
    assert services.deadlines_check(now=dispatch.remind_at + timedelta(minutes=2)) == (0, 0)
    assert (
        Notification.objects.filter(
            user=supplier_user, case=case, event_type="sla_due_soon"
        ).count()
        == 1
    )

    late = dispatch.ack_due_at + timedelta(minutes=1)
    assert services.deadlines_check(now=late) == (0, 1)
    assert services.deadlines_check(now=late + timedelta(hours=1)) == (0, 0)
    assert (
        Notification.objects.filter(user=operations, case=case, event_type="sla_breached").count()
        == 1
    )
    assert not Notification.objects.filter(user=supplier_user, event_type="sla_breached").exists()
    case.refresh_from_db()
    assert case.priority == "high"
    assert (
        TimelineEvent.objects.filter(case=case, verb="escalated", visibility="internal").count()
        == 1
    )


def test_an_answered_dispatch_is_neither_reminded_nor_escalated(case, supplier_user):
    take(case, supplier_user, "accept_in_part", PART)
    later = timezone.now() + timedelta(days=30)
    assert services.deadlines_check(now=later) == (0, 0)
