"""The inbox: tenancy, filters, search, htmx, saved views, bulk actions and query counts."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.errors import NotAllowed
from apps.partners.roles import Role
from apps.workspace import flows, services
from apps.workspace.choices import CaseKind, Channel, Priority, Side, SlaState, Visibility
from apps.workspace.clock import sla_state
from apps.workspace.filters import CaseFilterSet
from apps.workspace.models import Case, Notification, SavedView, Tag, TimelineEvent
from apps.workspace.models.case import NO_DEADLINE
from apps.workspace.selectors import cases_for_actor
from apps.workspace.states import workflow_for
from tests.factories import OrganizationFactory, internal_user, member

from .helpers import PLAIN_KIND, open_case

pytestmark = pytest.mark.django_db

INBOX = reverse("workspace:inbox")
BULK = reverse("workspace:inbox_bulk")


def make_case(
    partner,
    *,
    kind=PLAIN_KIND,
    status: str | None = None,
    subject="Late shipment",
    due_in: timedelta | None = timedelta(days=1),
    started_ago: timedelta = timedelta(hours=8),
    last_activity_at=None,
    tags=(),
    **fields,
) -> Case:
    """A case row with its SLA fields as the services would leave them, without the services.

    Fast enough to make dozens per test; the flows themselves are tested through services.
    """
    now = timezone.now()
    workflow = workflow_for(kind)
    if status is None:  # waiting on the partner: the default conversation's word, or the flow's start
        names = {s.name for s in workflow.states}
        status = "awaiting_partner" if "awaiting_partner" in names else workflow.initial
    state = workflow.state(status)
    running = state.open and state.turn != Side.NONE and due_in is not None
    case = Case.objects.create(
        kind=kind,
        partner=partner,
        subject=subject,
        status=status,
        turn=state.turn if state.open else Side.NONE,
        is_open=state.open,
        turn_started_at=now - started_ago,
        due_at=now + due_in if running else NO_DEADLINE,
        search_document=" ".join(p for p in (subject, fields.get("order_number", "")) if p),
        **fields,
    )
    if last_activity_at is not None:
        Case.objects.filter(pk=case.pk).update(last_activity_at=last_activity_at)
        case.last_activity_at = last_activity_at
    for name in tags:
        case.tags.add(Tag.objects.get_or_create(name=name)[0])
    return case


def listed(client, **params) -> set[int]:
    """Primary keys of the cases on the inbox page for `params`."""
    response = client.get(INBOX, params)
    assert response.status_code == 200
    return {c.pk for c in response.context["cases"]}


# --- tenancy ---------------------------------------------------------------------------------


def test_partner_sees_only_own_cases_in_list_and_search(
    client, agent, user_a, partner_a, partner_b
):
    mine = open_case(agent, partner_a, subject="Pallet damaged in transit")
    theirs = open_case(agent, partner_b, subject="Pallet damaged at dock")
    client.force_login(user_a)
    assert listed(client, turn="any") == {mine.pk}
    assert listed(client, q="pallet", turn="any") == {mine.pk}
    assert listed(client, partner=partner_b.pk, turn="any") == {
        mine.pk
    }  # out-of-scope choice ignored
    html = client.get(INBOX, {"turn": "any"}).text
    assert theirs.subject not in html and partner_b.name not in html


def test_internal_roles_see_their_kinds(client, partner_a):
    allocation = make_case(partner_a, kind=CaseKind.ALLOCATION)
    claim = make_case(partner_a, kind=CaseKind.CLAIM)
    trade = make_case(partner_a, kind=CaseKind.TRADE_DOCUMENT)
    for role, expected in (
        (Role.AGENT, {claim.pk, trade.pk}),
        (Role.MERCHANDISER, {allocation.pk, trade.pk}),
        (Role.OPERATIONS, {allocation.pk, claim.pk, trade.pk}),
        (Role.ADMIN, {allocation.pk, claim.pk, trade.pk}),
    ):
        client.force_login(internal_user(role))
        assert listed(client) == expected, role
        # Asking for a kind outside the role does not widen the scope.
        assert listed(client, kind=CaseKind.ALLOCATION) <= expected


def test_bulk_is_for_internal_users_and_stays_in_scope(
    client, agent, user_a, partner_a, partner_b, monkeypatch
):
    # The kind is worked by agents only, as most flows' kinds are.
    flow = flows.flow_for(PLAIN_KIND)
    monkeypatch.setitem(flows._FLOWS, flow.kind, replace(flow, roles=frozenset({Role.AGENT})))
    other = open_case(agent, partner_b)
    client.force_login(user_a)
    response = client.post(BULK, {"ids": [other.pk], "action": "assign", "owner": "none"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.owner == agent

    # A merchandiser cannot reach an agent's kind by id: the case is simply not found.
    merch = internal_user(Role.MERCHANDISER)
    client.force_login(merch)
    response = client.post(
        BULK, {"ids": [other.pk], "action": "assign", "owner": "none"}, follow=True
    )
    assert "0 assigned to nobody, 1 skipped: 1 not found." in response.text
    other.refresh_from_db()
    assert other.owner == agent


# --- filters ---------------------------------------------------------------------------------


def test_each_filter(client, partner_a, partner_b):
    agent = internal_user(Role.ADMIN)
    colleague = internal_user(Role.AGENT)
    claim = make_case(partner_a, kind=CaseKind.CLAIM, priority=Priority.URGENT, owner=agent)
    waiting_us = make_case(partner_b, status="awaiting_retailer", owner=colleague, tags=["damaged"])
    unowned = make_case(partner_b, status="on_hold")
    overdue = make_case(partner_a, due_in=-timedelta(hours=1))
    closed = make_case(partner_a, status="closed")
    client.force_login(agent)

    everything_open = {claim.pk, waiting_us.pk, unowned.pk, overdue.pk}
    assert listed(client) == everything_open
    assert listed(client, kind=CaseKind.CLAIM) == {claim.pk}
    assert listed(client, status="on_hold") == {unowned.pk}
    assert listed(client, status="closed") == {closed.pk}  # naming a status shows it, open or not
    assert listed(client, partner=partner_b.pk) == {waiting_us.pk, unowned.pk}
    assert listed(client, priority=Priority.URGENT) == {claim.pk}
    assert listed(client, owner="me") == {claim.pk}
    assert listed(client, owner=colleague.pk) == {waiting_us.pk}
    assert listed(client, owner="none") == {unowned.pk, overdue.pk}
    assert listed(client, turn=Side.RETAILER) == {waiting_us.pk}
    assert listed(client, turn=Side.NONE) == {unowned.pk}
    assert listed(client, overdue="true") == {overdue.pk}
    assert listed(client, overdue="false") == everything_open - {overdue.pk}
    assert listed(client, tag="damaged") == {waiting_us.pk}
    assert listed(client, open="false") == {closed.pk}
    assert listed(client, open="all") == everything_open | {closed.pk}
    # Filters combine.
    assert listed(client, partner=partner_a.pk, overdue="true", kind=PLAIN_KIND) == {
        overdue.pk
    }


def test_partner_defaults_to_what_is_waiting_on_them(client, partner_a, user_a):
    on_us = make_case(partner_a, status="awaiting_partner", due_in=timedelta(hours=30))
    sooner = make_case(partner_a, status="awaiting_partner", due_in=timedelta(hours=3))
    on_them = make_case(partner_a, status="awaiting_retailer")
    client.force_login(user_a)
    response = client.get(INBOX)
    assert [c.pk for c in response.context["cases"]] == [sooner.pk, on_us.pk]  # due first
    assert "Your turn" in response.text
    assert listed(client, turn="any") == {on_us.pk, sooner.pk, on_them.pk}
    assert listed(client, turn=Side.RETAILER) == {on_them.pk}


def test_internal_default_sort_is_due_and_sort_can_change(client, partner_a, agent):
    later = make_case(partner_a, due_in=timedelta(hours=30), last_activity_at=timezone.now())
    sooner = make_case(
        partner_a, due_in=timedelta(hours=3), last_activity_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(agent)
    assert [c.pk for c in client.get(INBOX).context["cases"]] == [sooner.pk, later.pk]
    by_activity = client.get(INBOX, {"sort": "activity"}).context["cases"]
    assert [c.pk for c in by_activity] == [later.pk, sooner.pk]


def test_tag_filter_is_ignored_for_partners(client, partner_a, user_a):
    tagged = make_case(partner_a, tags=["watchlist"])
    plain = make_case(partner_a)
    client.force_login(user_a)
    assert listed(client, tag="watchlist") == {tagged.pk, plain.pk}
    assert "watchlist" not in client.get(INBOX).text


def test_due_soon_filter_agrees_with_the_sla_clock(partner_a, agent):
    cases = [
        make_case(
            partner_a, due_in=timedelta(hours=1), started_ago=timedelta(hours=10)
        ),  # due soon
        make_case(
            partner_a, due_in=timedelta(minutes=10), started_ago=timedelta(hours=1)
        ),  # due soon
        make_case(
            partner_a, due_in=timedelta(hours=1), started_ago=timedelta(hours=1)
        ),  # short wait: ok
        make_case(partner_a, due_in=timedelta(hours=3), started_ago=timedelta(hours=20)),  # ok
        make_case(partner_a, due_in=-timedelta(minutes=5)),  # breached
        make_case(partner_a, status="on_hold"),  # paused
    ]
    now = timezone.now()
    filterset = CaseFilterSet(
        {"due_soon": "true"}, queryset=cases_for_actor(actor=agent), actor=agent, now=now
    )
    expected = {c.pk for c in cases if sla_state(c, now=now) == SlaState.DUE_SOON}
    assert len(expected) == 2
    assert set(filterset.qs.values_list("pk", flat=True)) == expected


def test_filterset_reports_invalid_values(agent):
    filterset = CaseFilterSet({"owner": "somebody", "kind": "nope"}, actor=agent)
    assert set(filterset.errors) == {"owner", "kind"}


def test_plain_get_form_with_empty_fields_works(client, agent, partner_a):
    case = make_case(partner_a)
    client.force_login(agent)
    empty = dict.fromkeys(["q", "kind", "status", "partner", "priority", "owner", "tag"], "")
    response = client.get(INBOX, {**empty, "turn": "any", "open": "true", "sort": "due"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["cases"]] == [case.pk]
    assert not response.context["filter_errors"]


# --- search ----------------------------------------------------------------------------------


def test_search_covers_subject_order_number_and_shared_messages(client, agent, partner_a):
    by_subject = open_case(agent, partner_a, subject="Carton crushed on arrival")
    by_order = open_case(agent, partner_a, subject="Short shipment", order_number="SO-77123")
    by_message = open_case(agent, partner_a, subject="Question")
    services.message_post(
        actor=agent, channel=Channel.WEB, case=by_message, body="The forklift tipped it"
    )
    client.force_login(agent)
    assert listed(client, q="crushed") == {by_subject.pk}
    assert listed(client, q="SO-77123") == {by_order.pk}
    assert listed(client, q="forklift") == {by_message.pk}
    assert listed(client, q="carton -crushed") == set()


def test_search_finds_a_case_by_its_reference(client, agent, partner_a, partner_b, user_a):
    ours = open_case(agent, partner_a, subject="Damaged pallet")
    theirs = open_case(agent, partner_b, subject="Damaged pallet too")
    client.force_login(agent)
    number = f"{ours.pk:06d}"
    for typed in (ours.reference, ours.reference.lower(), f"CX{number}", number):
        assert listed(client, q=typed, turn="any") == {ours.pk}, typed
    assert listed(client, q="7", turn="any") == set()  # a bare number is not a reference
    client.force_login(user_a)
    assert listed(client, q=theirs.reference, turn="any") == set()  # still only one's own


def test_partner_search_never_matches_internal_notes(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a, subject="Invoice mismatch")
    services.message_post(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        body="Supplier is unreliable zebracrossing",
        visibility=Visibility.INTERNAL,
    )
    client.force_login(user_a)
    assert listed(client, q="zebracrossing", turn="any") == set()
    assert listed(client, q="invoice", turn="any") == {case.pk}
    client.force_login(agent)
    assert listed(client, q="zebracrossing") == set()  # notes are not in the index for anyone


def test_no_results_says_why(client, agent, partner_a):
    make_case(partner_a)
    client.force_login(agent)
    response = client.get(INBOX, {"q": "nothing-like-this"})
    assert "No cases match “nothing-like-this”" in response.text
    assert "Clear the search" in response.text


def test_empty_partner_inbox_says_what_to_do(client, user_a):
    client.force_login(user_a)
    response = client.get(INBOX)
    assert "Nothing is waiting on you" in response.text
    assert "?turn=any" in response.text


# --- htmx ------------------------------------------------------------------------------------


def test_htmx_request_gets_the_partial_with_a_clean_url(client, agent, partner_a):
    make_case(partner_a, kind=CaseKind.CLAIM)
    client.force_login(agent)
    response = client.get(INBOX, {"kind": "claim", "q": "", "sort": "due"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="case-list"' in response.text
    assert 'hx-swap-oob="true"' in response.text  # the tabs and the save form follow the filters
    assert response["HX-Push-Url"] == f"{INBOX}?kind=claim&sort=due"
    assert "HX-Request" in response["Vary"]

    full = client.get(INBOX, {"kind": "claim"})
    assert "<html" in full.text and 'id="search"' in full.text and "data-keynav" in full.text


def test_filtering_to_the_address_already_shown_adds_no_history_entry(client, agent):
    client.force_login(agent)
    response = client.get(
        INBOX,
        {"kind": "claim", "q": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{INBOX}?kind=claim",
    )
    assert response["HX-Push-Url"] == "false"


# --- saved views -----------------------------------------------------------------------------


def test_saving_under_an_existing_name_asks_before_replacing(client, agent):
    client.force_login(agent)
    create = reverse("workspace:saved_view_create")
    client.post(create, {"name": "Mine", "query": "priority=high"})

    asked = client.post(create, {"name": "Mine", "query": "priority=low"})

    assert asked.status_code == 409 and "Replace the saved view “Mine”?" in asked.text
    assert SavedView.objects.get(user=agent, name="Mine").query == "priority=high"
    client.post(create, {"name": "Mine", "query": "priority=low", "replace": "1"})
    assert SavedView.objects.get(user=agent, name="Mine").query == "priority=low"


def test_saved_views_are_per_user(client, agent, partner_a):
    other = internal_user(Role.AGENT)
    client.force_login(agent)
    response = client.post(
        reverse("workspace:saved_view_create"),
        {"name": "Urgent claims", "query": "kind=claim&priority=urgent&cursor=abc&junk=1"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(user=agent)
    assert view.query == "kind=claim&priority=urgent"
    assert "Urgent claims" in client.get(INBOX).text

    client.force_login(other)
    assert "Urgent claims" not in client.get(INBOX).text
    response = client.post(reverse("workspace:saved_view_delete", args=[view.pk]))
    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()

    client.force_login(agent)
    client.post(reverse("workspace:saved_view_delete", args=[view.pk]))
    assert not SavedView.objects.filter(pk=view.pk).exists()


# --- bulk actions ----------------------------------------------------------------------------


def test_bulk_assign_goes_through_the_service(client, agent, partner_a):
    colleague = internal_user(Role.AGENT)
    cases = [open_case(agent, partner_a, subject=f"Case {i}") for i in range(3)]
    client.force_login(agent)
    response = client.post(
        BULK,
        {
            "ids": [c.pk for c in cases[:2]],
            "action": "assign",
            "owner": colleague.pk,
            "next": "sort=due",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}?sort=due"
    assert set(Case.objects.filter(owner=colleague).values_list("pk", flat=True)) == {
        cases[0].pk,
        cases[1].pk,
    }
    assert TimelineEvent.objects.filter(case__in=cases[:2], verb="updated").count() == 2


def test_bulk_transition_reports_refusals_per_case(client, agent, partner_a):
    waiting = [open_case(agent, partner_a, subject=f"Waiting {i}") for i in range(3)]
    for case in waiting:
        services.case_transition(
            actor=agent, channel=Channel.WEB, case=case, transition="resolve", comment="ok"
        )
    fresh = [open_case(agent, partner_a, subject=f"Fresh {i}") for i in range(2)]
    client.force_login(agent)
    response = client.post(
        BULK,
        {"ids": [c.pk for c in waiting + fresh], "action": "transition", "transition": "close"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    refs = ", ".join(c.reference for c in fresh)
    assert (
        f"3 updated, 2 skipped: “Close” is not possible while the case is open ({refs})."
        in response.text
    )
    assert set(Case.objects.filter(status="closed").values_list("pk", flat=True)) == {
        c.pk for c in waiting
    }
    assert (
        TimelineEvent.objects.filter(verb="transitioned", summary__startswith="Close").count() == 3
    )


def test_bulk_tags_all_on_page(client, agent, partner_a):
    cases = [open_case(agent, partner_a, subject=f"Case {i}") for i in range(2)]
    client.force_login(agent)
    post = {"page_ids": [c.pk for c in cases], "all_on_page": "1", "tag": "Recall 2026"}
    client.post(BULK, {**post, "action": "tag_add"})
    for case in cases:
        assert list(case.tags.values_list("name", flat=True)) == ["recall-2026"]
    assert TimelineEvent.objects.filter(verb="tagged", visibility=Visibility.INTERNAL).count() == 2
    client.post(BULK, {**post, "ids": [cases[0].pk], "all_on_page": "", "action": "tag_remove"})
    assert not cases[0].tags.exists() and cases[1].tags.exists()


def test_a_tag_with_markup_or_symbols_is_refused_with_the_reason(client, agent, partner_a):
    case = open_case(agent, partner_a)
    client.force_login(agent)
    post = {"ids": [case.pk], "action": "tag_add", "tag": "<b>vip</b> ☃"}
    response = client.post(BULK, post, follow=True)
    assert "A tag holds letters, digits" in response.text
    assert not case.tags.exists()  # not "bvipb"
    client.post(BULK, {**post, "tag": "Café Crème"})
    assert list(case.tags.values_list("name", flat=True)) == ["café-crème"]


def test_bulk_without_selection_says_so(client, agent):
    client.force_login(agent)
    response = client.post(BULK, {"action": "assign", "owner": "none"}, follow=True)
    assert "Select at least one case." in response.text


# --- query counts ----------------------------------------------------------------------------


def _fill(partner, n: int, owner, assignee):
    for i in range(n):
        make_case(partner, subject=f"Row {i}", owner=owner, assignee=assignee, tags=["a", f"t{i}"])


@pytest.mark.parametrize("who", ["internal", "partner"])
def test_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, settings, who):
    partner = OrganizationFactory()
    owner = internal_user(Role.ADMIN)
    assignee = member(partner)
    _fill(partner, 60, owner, assignee)
    client.force_login(owner if who == "internal" else assignee)
    params = {"turn": "any"}
    settings.INBOX_PAGE_SIZE = 5
    client.get(INBOX, params)  # warm what is cached across requests
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(INBOX, params).context["cases"]) == 5
    settings.INBOX_PAGE_SIZE = 50
    with django_assert_max_num_queries(len(five)):
        assert len(client.get(INBOX, params).context["cases"]) == 50


def test_row_and_option_text_is_escaped(client, agent):
    partner = OrganizationFactory(name="<b>Bold</b> & Co")
    make_case(partner, subject="<script>alert(1)</script>", tags=["x"])
    client.force_login(agent)
    html = client.get(INBOX).text
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html


def test_postgresql_search_uses_the_gin_index(partner_a):
    if connection.vendor != "postgresql":
        pytest.skip("The GIN index exists on PostgreSQL only.")
    from apps.workspace.search import search_cases

    make_case(partner_a, subject="Pallet collapsed")
    with connection.cursor() as cursor:
        # A tiny table would be scanned anyway, and a plain index walk in sort order can win
        # too; leave the planner only bitmap scans, which is what a large table gets.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = search_cases(Case.objects.order_by(), "pallet").explain()
    assert "case_search_idx" in plan


def test_filters_never_add_distinct(agent, partner_a):
    data = {
        "kind": ["claim", "launch"],
        "status": ["open"],
        "partner": [partner_a.pk],
        "priority": ["high"],
        "tag": "x",
    }
    sql = str(CaseFilterSet(data, actor=agent).qs.query).upper()
    assert "DISTINCT" not in sql  # (the tag filter is a subquery, not a join on the list)


def test_bulk_request_update_nudges_the_partner_without_moving_the_case(client, agent, partner_a, user_a, user_b):
    cases = [open_case(agent, partner_a, subject=f"Late {i}") for i in range(2)]
    before = {c.pk: (c.status, c.turn, c.due_at) for c in Case.objects.filter(pk__in=[c.pk for c in cases])}
    client.force_login(agent)
    response = client.post(
        BULK, {"ids": [c.pk for c in cases], "action": "request_update", "comment": "Any news on the tracking?"}
    )
    assert response.status_code == 302
    after = {c.pk: (c.status, c.turn, c.due_at) for c in Case.objects.filter(pk__in=[c.pk for c in cases])}
    assert after == before
    assert TimelineEvent.objects.filter(case__in=cases, verb="update_requested").count() == 2
    assert Notification.objects.filter(user=user_a, title__contains="asks for an update").count() == 2
    assert not Notification.objects.filter(user=user_b).exists()
    with pytest.raises(NotAllowed):
        services.case_request_update(actor=user_a, channel=Channel.WEB, case=cases[0])
