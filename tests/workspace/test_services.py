"""Services: cases, conversation, watchers, mentions, and what partners never see."""

import pytest
from django.core import mail

from apps.core.errors import DomainError, NotAllowed
from apps.workspace import events, services
from apps.workspace.choices import Channel, Side, Visibility
from apps.workspace.models import Case, Message, Notification, TimelineEvent

from .helpers import open_case

pytestmark = pytest.mark.django_db


def test_case_create_notifies_the_partner_and_starts_the_clock(agent, partner_a, user_a, user_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(agent, partner_a, body="Please confirm stock for SKU 123.")
    assert case.turn == Side.PARTNER and case.has_deadline
    assert case.first_response_due_at is not None and case.resolution_due_at > case.first_response_due_at
    assert Notification.objects.filter(user=user_a, case=case, event_type="case_created").exists()
    assert not Notification.objects.filter(user=user_b).exists()
    assert [m.to for m in mail.outbox] == [[user_a.email]]
    assert case.messages.get().body == "Please confirm stock for SKU 123."


def test_partner_reply_hands_the_turn_to_the_retailer(agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    services.message_post(actor=user_a, channel=Channel.WEB, case=case, body="We can ship Friday.")
    case.refresh_from_db()
    assert case.status == "awaiting_retailer" and case.turn == Side.RETAILER
    assert case.first_responded_at is not None
    waits = list(case.sla_waits.order_by("started_at"))
    assert [w.side for w in waits] == [Side.PARTNER, Side.RETAILER]
    assert waits[0].ended_at is not None and waits[1].ended_at is None


def test_internal_note_never_reaches_the_partner(agent, partner_a, user_a, django_capture_on_commit_callbacks):
    case = open_case(agent, partner_a)
    services.case_watch(actor=user_a, case=case, watching=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(
            actor=agent, channel=Channel.WEB, case=case, body="Supplier is unreliable, secret-word",
            visibility=Visibility.INTERNAL,
        )
    assert not Message.objects.for_actor(user_a).filter(body__contains="secret-word").exists()
    assert not TimelineEvent.objects.for_actor(user_a).filter(verb="message").exists()
    assert not Notification.objects.filter(user=user_a, event_type="reply").exists()
    assert all("secret-word" not in m.body for m in mail.outbox if user_a.email in m.to)
    stored = Case.objects.get(pk=case.pk)
    assert "secret-word" not in stored.search_document
    assert (stored.message_count, stored.last_activity_at) == (case.message_count, case.last_activity_at)
    # The internal note does not hand the turn over.
    case.refresh_from_db()
    assert case.turn == Side.PARTNER


def test_partner_cannot_write_internal_notes(agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    with pytest.raises(NotAllowed):
        services.message_post(actor=user_a, channel=Channel.WEB, case=case, body="x", visibility=Visibility.INTERNAL)


def test_mentions_notify_only_people_who_can_see(agent, partner_a, user_a, user_b):
    case = open_case(agent, partner_a)
    services.message_post(
        actor=agent, channel=Channel.WEB, case=case, body=f"@{user_a.email} and @{user_b.email} please look"
    )
    assert Notification.objects.filter(user=user_a, event_type="mention").exists()
    assert not Notification.objects.filter(user=user_b).exists()


def test_formatting_is_sanitized(agent, partner_a):
    case = open_case(agent, partner_a)
    message = services.message_post(
        actor=agent, channel=Channel.WEB, case=case,
        body='**Bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.com)',
    )
    assert "<strong>Bold</strong>" in message.body_html
    assert "<script" not in message.body_html  # shown as text, never as markup
    assert "&lt;script&gt;" in message.body_html
    assert 'href="javascript' not in message.body_html
    assert 'href="https://example.com"' in message.body_html


def test_numbered_lists_headings_and_bare_tracking_links_render(agent, partner_a):
    case = open_case(agent, partner_a)
    message = services.message_post(
        actor=agent, channel=Channel.WEB, case=case,
        body="# Next steps\n\n1. Repack\n2. Reship\n\nTrack it: https://www.ups.com/track?tracknum=1Z999AA1",
    )
    html = message.body_html
    assert "<h3>Next steps</h3>" in html  # never outranks the page's headings
    assert "<ol>" in html and "<li>Reship</li>" in html
    assert '<a href="https://www.ups.com/track?tracknum=1Z999AA1"' in html


def test_notifications_carry_the_words_not_the_markdown(agent, partner_a, user_a):
    open_case(agent, partner_a, body="**Urgent**: see [the label](https://x.example/l)")
    [note] = Notification.objects.filter(user=user_a)
    assert note.body == "Urgent: see the label"


def test_events_are_published_inside_the_transaction(agent, partner_a):
    seen = []
    handler = events.subscribe(lambda event: seen.append(event.type))
    try:
        case = open_case(agent, partner_a, body="hello")
        services.case_transition(actor=agent, channel=Channel.WEB, case=case, transition="hold")
    finally:
        events._handlers.remove(handler)
    assert seen == ["case.created", "case.transitioned"]


def test_assignee_must_belong_to_the_partner(agent, partner_a, user_a, user_b):
    case = open_case(agent, partner_a)
    with pytest.raises(DomainError):
        services.case_update(actor=agent, channel=Channel.WEB, case=case, assignee=user_b)
    services.case_update(actor=agent, channel=Channel.WEB, case=case, assignee=user_a)
    case.refresh_from_db()
    assert case.assignee == user_a
    assert Notification.objects.filter(user=user_a, event_type="assigned").exists()


def test_timeline_is_append_only(agent, partner_a):
    case = open_case(agent, partner_a)
    event = TimelineEvent.objects.filter(case=case).first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        TimelineEvent.objects.filter(case=case).delete()
    with pytest.raises(TypeError):
        TimelineEvent.objects.filter(case=case).update(summary="x")


def test_partner_opened_case_waits_on_the_retailer(partner_a, user_a):
    case = open_case(user_a, partner_a, subject="Supply constraint on SKU 9")
    assert case.status == "awaiting_retailer" and case.turn == Side.RETAILER


def test_partner_cannot_open_case_for_another_partner(user_a, partner_b):
    from apps.partners.models import Organization

    with pytest.raises(Organization.DoesNotExist):
        open_case(user_a, partner_b)
