"""Flow 6's services: a launch fans out to one case per partner; answers, guards, moves, reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.launches import services
from apps.launches.models import ChecklistItem, Constraint, ItemStatus, LaunchEvent, ReminderSent
from apps.launches.selectors import launch_board
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel, Side
from apps.workspace.models import Message, Notification
from tests.factories import member

from .helpers import flag, make_launch, tick

pytestmark = pytest.mark.django_db


def test_a_launch_fans_out_to_one_case_per_partner_with_its_own_checklist_and_skus(
    launch, partner_a, share_a, share_b
):
    assert launch.shares.count() == 2
    case = share_a.case
    assert (case.kind, case.partner, case.status, case.turn) == (
        CaseKind.LAUNCH,
        partner_a,
        "invited",
        Side.PARTNER,
    )
    assert case.launch_ref == launch.reference
    assert list(share_a.items.values_list("code", flat=True)) == [
        "packaging",
        "materials",
        "inventory",
        "fulfilment",
    ]
    assert [line.sku for line in case.lines.all()] == [
        f"SKU-{partner_a.code}-1",
        f"SKU-{partner_a.code}-2",
    ]
    assert share_a.case_id != share_b.case_id
    due = {i.code: i.due_date for i in share_a.items.all()}
    assert due["fulfilment"] == timezone.localtime(launch.go_live_at).date() - timedelta(days=3)


def test_custom_items_join_the_templates(merchandiser, partner_a):
    from apps.launches.checklists import CustomItem

    launch = make_launch(
        merchandiser,
        [partner_a],
        templates=("inventory",),
        custom_items=(CustomItem("Store staff trained"),),
    )
    assert list(launch.shares.get().items.values_list("code", flat=True)) == [
        "inventory",
        "custom-store-staff-trained",
    ]


def test_partner_ticks_an_item_and_the_board_counts_it(share_a, user_a, launch):
    tick(user_a, share_a, "inventory")
    item = share_a.items.get(code="inventory")
    assert (item.status, item.is_complete) == (ItemStatus.DONE, True)
    share_a.case.refresh_from_db()
    assert share_a.case.status == "preparing"
    row = next(r for r in launch_board(launch=launch).rows if r.share == share_a)
    assert (row.complete, row.total, row.percent) == (1, 4, 25)


def test_an_item_that_needs_review_is_complete_only_when_accepted(share_a, user_a, merchandiser):
    tick(user_a, share_a, "packaging")
    item = share_a.items.get(code="packaging")
    assert (item.status, item.is_complete) == (ItemStatus.DONE, False)
    with pytest.raises(DomainError, match="Say what is wrong"):
        services.item_review(actor=merchandiser, channel=Channel.WEB, item=item, accept=False)
    services.item_review(
        actor=merchandiser, channel=Channel.WEB, item=item, accept=False, note="Wrong barcode"
    )
    item.refresh_from_db()
    assert (item.status, item.is_complete) == (ItemStatus.REJECTED, False)
    assert Message.objects.filter(case=share_a.case, body__contains="Wrong barcode").exists()
    tick(user_a, share_a, "packaging")
    services.item_review(actor=merchandiser, channel=Channel.WEB, item=item, accept=True)
    item.refresh_from_db()
    assert (item.status, item.is_complete) == (ItemStatus.ACCEPTED, True)
    with pytest.raises(NotAllowed):
        services.item_review(actor=user_a, channel=Channel.WEB, item=item, accept=True)


def test_an_unknown_item_or_another_partners_sku_is_refused_beside_the_field(
    share_a, user_a, partner_b
):
    with pytest.raises(DomainError) as refused:
        tick(user_a, share_a, "teleporter")
    assert refused.value.fields == {"item": ["That requirement is not on your checklist."]}
    with pytest.raises(DomainError) as refused:
        flag(user_a, share_a, f"SKU-{partner_b.code}-1")
    assert "is not one of your SKUs" in refused.value.fields["sku"][0]


def test_a_constraint_turns_the_cell_red_and_the_summary_no_go(share_a, user_a, partner_a, launch):
    flag(user_a, share_a, f"SKU-{partner_a.code}-1")
    share_a.case.refresh_from_db()
    assert (share_a.case.status, share_a.case.turn) == ("constrained", Side.RETAILER)
    board = launch_board(launch=launch)
    row = next(r for r in board.rows if r.share == share_a)
    cell = dict(zip([code for code, _ in board.columns], row.cells, strict=True))["inventory"]
    assert (cell.state, cell.tone) == ("constrained", "danger")
    assert board.summary.verdict == "no_go"
    assert "1 open supply constraint" in board.summary.reasons


def test_ready_is_refused_while_anything_is_open_and_taken_when_all_is_done(
    share_a, user_a, merchandiser
):
    with pytest.raises(Conflict, match="4 items still open"):
        workspace.case_transition(
            actor=user_a, channel=Channel.WEB, case=share_a.case, transition="mark_ready"
        )
    for code in ("packaging", "materials", "inventory", "fulfilment"):
        tick(user_a, share_a, code)
    for item in share_a.items.filter(requires_review=True):
        services.item_review(actor=merchandiser, channel=Channel.WEB, item=item, accept=True)
    workspace.case_transition(
        actor=user_a, channel=Channel.WEB, case=share_a.case, transition="mark_ready"
    )
    workspace.case_transition(
        actor=merchandiser, channel=Channel.WEB, case=share_a.case, transition="confirm"
    )
    share_a.case.refresh_from_db()
    assert share_a.case.status == "confirmed" and share_a.case.resolved_at is not None


def test_resolving_the_last_constraint_hands_the_turn_back(
    share_a, user_a, partner_a, merchandiser
):
    flag(user_a, share_a, f"SKU-{partner_a.code}-1")
    constraint = Constraint.objects.get()
    with pytest.raises(DomainError):
        services.constraint_resolve(
            actor=merchandiser, channel=Channel.WEB, constraint=constraint, resolution=" "
        )
    services.constraint_resolve(
        actor=merchandiser,
        channel=Channel.WEB,
        constraint=constraint,
        resolution="Air freight booked",
    )
    share_a.case.refresh_from_db()
    assert (share_a.case.status, share_a.case.turn) == ("preparing", Side.PARTNER)
    with pytest.raises(Conflict, match="already resolved"):
        services.constraint_resolve(
            actor=merchandiser, channel=Channel.WEB, constraint=constraint, resolution="x"
        )


def test_go_is_refused_with_open_blockers_unless_an_override_with_a_reason_is_recorded(
    launch, merchandiser
):
    with pytest.raises(Conflict, match="Record an override"):
        services.launch_transition(
            actor=merchandiser, channel=Channel.WEB, launch=launch, transition="mark_go"
        )
    launch.refresh_from_db()
    assert launch.status == "planning"
    services.launch_transition(
        actor=merchandiser,
        channel=Channel.WEB,
        launch=launch,
        transition="mark_go",
        override_reason="Packaging is signed off by phone; paperwork follows.",
    )
    launch.refresh_from_db()
    assert launch.status == "go" and launch.override_reason.startswith("Packaging")
    assert LaunchEvent.objects.filter(
        launch=launch, summary__contains="override over 8 blockers"
    ).exists()


def test_going_live_closes_every_share_and_cancelling_needs_a_reason(launch, merchandiser, share_a):
    with pytest.raises(DomainError, match="comment"):
        services.launch_transition(
            actor=merchandiser, channel=Channel.WEB, launch=launch, transition="cancel"
        )
    services.launch_transition(
        actor=merchandiser,
        channel=Channel.WEB,
        launch=launch,
        transition="mark_go",
        override_reason="Accepted risk",
    )
    services.launch_transition(
        actor=merchandiser, channel=Channel.WEB, launch=launch, transition="go_live"
    )
    share_a.case.refresh_from_db()
    assert (share_a.case.status, share_a.case.is_open) == ("launched", False)
    with pytest.raises(Conflict):
        services.launch_transition(
            actor=merchandiser,
            channel=Channel.WEB,
            launch=launch,
            transition="mark_no_go",
            comment="late",
        )


def test_partners_cannot_create_or_decide_launches(user_a, partner_a, launch):
    with pytest.raises(NotAllowed):
        make_launch(user_a, [partner_a])
    with pytest.raises(NotAllowed):
        services.launch_transition(
            actor=user_a,
            channel=Channel.WEB,
            launch=launch,
            transition="mark_go",
            override_reason="x",
        )


def test_moving_go_live_moves_open_due_dates_and_tells_each_partner(
    launch, merchandiser, share_a, share_b, user_a
):
    tick(user_a, share_a, "inventory")
    before = {i.pk: i.due_date for i in ChecklistItem.objects.filter(share__launch=launch)}
    services.launch_move(
        actor=merchandiser,
        channel=Channel.WEB,
        launch=launch,
        go_live_at=launch.go_live_at + timedelta(days=7),
        ends_at=None,
        reason="Supplier holiday.",
    )
    for item in ChecklistItem.objects.filter(share__launch=launch):
        expected = before[item.pk] if item.is_complete else before[item.pk] + timedelta(days=7)
        assert item.due_date == expected
    for share in (share_a, share_b):
        assert Message.objects.filter(case=share.case, body__contains="moved: go-live").count() == 1


def test_reminders_go_once_per_window_to_partners_with_open_items(
    merchandiser, partner_a, partner_b
):
    launch = make_launch(merchandiser, [partner_a, partner_b], days=6)
    a, b = launch.shares.get(partner=partner_a), launch.shares.get(partner=partner_b)
    user_a, user_b = member(partner_a), member(partner_b)
    ChecklistItem.objects.filter(share=b).update(status="accepted", is_complete=True)
    first = services.reminders_send()
    again = services.reminders_send()
    assert first.reminded == [a.pk] and again.reminded == []
    assert ReminderSent.objects.get().days_before == 7
    assert Notification.objects.filter(user=user_a, title__contains="items still open").count() == 1
    assert not Notification.objects.filter(user=user_b, title__contains="still open").exists()


def test_overdue_items_turn_the_launch_at_risk_once(merchandiser, partner_a):
    launch = make_launch(
        merchandiser, [partner_a], days=10
    )  # packaging was due 21 days before: overdue
    first, again = services.reminders_send(), services.reminders_send()
    launch.refresh_from_db()
    assert launch.at_risk_since is not None
    assert first.at_risk == [launch.pk] and again.at_risk == []
    assert launch.events.filter(verb="at_risk").count() == 1
    assert launch_board(launch=launch).summary.overdue_items == 2  # packaging and materials
