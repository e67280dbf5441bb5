"""The case page and its actions, as each side sees them."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.workspace import services
from apps.workspace.choices import Channel, Side, Visibility
from apps.workspace.models import Case, Message, Notification
from apps.workspace.states import workflow_for

from .helpers import open_case, pdf

pytestmark = pytest.mark.django_db


def test_page_shows_turn_clock_and_only_the_allowed_buttons(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    workflow = workflow_for(case.kind)
    for user, side in ((agent, Side.RETAILER), (user_a, Side.PARTNER)):
        client.force_login(user)
        html = client.get(case.get_absolute_url()).text
        allowed = {t.name for t in workflow.available(status=case.status, side=side)}
        shown = set(re.findall(r'name="transition" value="([a-z_]+)"', html))
        assert shown == allowed
        assert ("Your turn" in html) == (side == Side.PARTNER)


def test_page_refuses_a_transition_outside_the_table(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    client.force_login(user_a)
    url = reverse("workspace:case_transition", args=[case.pk])
    response = client.post(url, {"transition": "reopen", "comment": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409  # not from this state
    response = client.post(url, {"transition": "close"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403  # not this side's to take
    case.refresh_from_db()
    assert case.status == "open"


def test_partner_reply_with_pdf_through_htmx(client, agent, partner_a, user_a, django_capture_on_commit_callbacks):
    case = open_case(agent, partner_a)
    client.force_login(user_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workspace:case_reply", args=[case.pk]),
            {"body": "Proof attached", "files": [pdf("pod.pdf")]},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="case"' in response.text
    assert "Proof attached" in response.text and "pod.pdf" in response.text
    case.refresh_from_db()
    assert case.turn == Side.RETAILER
    assert Notification.objects.filter(user=agent, event_type="reply", case=case).exists()
    assert any(agent.email in m.to for m in mail.outbox)


def test_partner_page_never_shows_internal_notes(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    services.message_post(actor=agent, channel=Channel.WEB, case=case, body="note-for-us-only", visibility=Visibility.INTERNAL)
    client.force_login(user_a)
    html = client.get(case.get_absolute_url()).text
    assert "note-for-us-only" not in html and "Internal note" not in html
    client.force_login(agent)
    assert "note-for-us-only" in client.get(case.get_absolute_url()).text


def test_partner_cannot_post_internal_note_through_the_form(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    client.force_login(user_a)
    client.post(reverse("workspace:case_reply", args=[case.pk]), {"body": "hi", "visibility": "internal"})
    assert Message.objects.get(case=case).visibility == Visibility.PARTNER


def test_every_case_route_is_404_for_another_partner(client, agent, partner_a, user_b):
    case = open_case(agent, partner_a)
    version = services.file_upload(actor=agent, channel=Channel.WEB, case=case, name="a.pdf", content=pdf())
    client.force_login(user_b)
    get_routes = [case.get_absolute_url(), version.download_url, reverse("workspace:file_preview", args=[version.pk])]
    post_routes = ["case_reply", "case_upload", "case_transition", "case_update", "case_watch"]
    for url in get_routes:
        assert client.get(url).status_code == 404, url
    for name in post_routes:
        url = reverse(f"workspace:{name}", args=[case.pk])
        response = client.post(url, {"body": "x", "transition": "respond", "watch": "1"})
        assert response.status_code == 404, url
    assert Case.objects.get(pk=case.pk).message_count == 0


def test_empty_reply_shows_an_error_and_keeps_nothing(client, agent, partner_a):
    case = open_case(agent, partner_a)
    client.force_login(agent)
    response = client.post(reverse("workspace:case_reply", args=[case.pk]), {"body": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Write a message or attach a file." in response.text


def test_case_page_query_count_does_not_grow_with_messages(client, agent, partner_a, django_assert_max_num_queries):
    case = open_case(agent, partner_a)
    client.force_login(agent)
    for i in range(3):
        services.message_post(actor=agent, channel=Channel.WEB, case=case, body=f"m{i}")
    with django_assert_max_num_queries(40) as few:
        client.get(case.get_absolute_url())
    for i in range(30):
        services.message_post(actor=agent, channel=Channel.WEB, case=case, body=f"n{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(case.get_absolute_url())


def test_internal_user_opens_a_case_from_the_form(client, agent, partner_a, partner_b):
    client.force_login(agent)
    response = client.post(
        reverse("workspace:case_create"),
        {"kind": "order_exception", "partner": partner_a.pk, "subject": "", "priority": "high"},
    )
    assert response.status_code == 400 and "This field is required." in response.text
    response = client.post(
        reverse("workspace:case_create"),
        {"kind": "order_exception", "partner": partner_a.pk, "subject": "Address issue", "priority": "high", "body": "Zip code missing"},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.priority == "high" and case.partner == partner_a


def test_notification_link_opens_the_case_after_login(client, agent, partner_a, user_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(agent, partner_a)
    link = re.search(r"http://\S+/n/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(user_a)
    response = client.get(path)
    assert response["Location"] == case.get_absolute_url()
    assert Notification.objects.get(user=user_a).read_at is not None


def test_opening_a_case_reads_its_notifications_and_the_bell_counts_down(
    client, agent, partner_a, user_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = open_case(agent, partner_a, subject="First")
        open_case(agent, partner_a, subject="Second")
    client.force_login(user_a)
    assert "Notifications, 2 unread" in client.get("/cases/").text

    page = client.get(first.get_absolute_url()).text

    assert "Notifications, 1 unread" in page
    unread = Notification.objects.filter(user=user_a, read_at__isnull=True)
    assert [n.case.subject for n in unread] == ["Second"]


def test_notification_link_grants_nothing_to_someone_else(client, agent, partner_a, user_a, user_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_case(agent, partner_a)
    link = re.search(r"http://\S+/n/\S+/", mail.outbox[-1].body).group(0)
    client.force_login(user_b)
    response = client.get("/" + link.split("/", 3)[3], follow=True)
    assert "not yours" in response.text


def test_notification_preferences_send_digest_instead(client, agent, partner_a, user_a, django_capture_on_commit_callbacks):
    from apps.workspace.tasks import send_daily_digests

    client.force_login(user_a)
    client.post(reverse("workspace:notification_preferences"), {"case_created": "digest"})
    with django_capture_on_commit_callbacks(execute=True):
        open_case(agent, partner_a, subject="First")
        open_case(agent, partner_a, subject="Second")
    assert not [m for m in mail.outbox if user_a.email in m.to]
    assert send_daily_digests() == 1
    digest = [m for m in mail.outbox if user_a.email in m.to]
    assert len(digest) == 1 and "First" in digest[0].body and "Second" in digest[0].body
    assert send_daily_digests() == 0


def test_a_case_the_partner_resolved_says_resolved_not_waiting_or_on_track(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    services.case_transition(
        actor=user_a, channel=Channel.WEB, case=case, transition="resolve", comment="Reshipped."
    )
    client.force_login(user_a)
    head = re.search(r'<header class="case-head">.*?</header>', client.get(case.get_absolute_url()).text, re.S)
    text = re.sub(r"<[^>]+>", " ", head.group(0))
    assert "Resolved: the retailer confirms" in text
    assert "Waiting on retailer" not in text and "On track" not in text
