"""The operations page: who may see it, what it shows, retry and discard."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.partners.roles import Role
from apps.sync.delivery import Outcome, deliver
from apps.sync.models import InboxStatus, OutboxMessage, OutboxStatus
from apps.sync.services import inbox_apply, inbox_record, outbox_enqueue
from apps.workspace.choices import Channel, Visibility
from apps.workspace.models import TimelineEvent
from tests.factories import internal_user

from .conftest import TARGET

pytestmark = pytest.mark.django_db


def enqueue(key="testremote:order:1", case=None, **kwargs) -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(
            target=TARGET,
            topic="order.status",
            key=key,
            payload={"status": "late"},
            case=case,
            **kwargs,
        )


def dead_letter(remote, case=None) -> OutboxMessage:
    remote.fail_next(400)
    message = enqueue(case=case)
    deliver(message.pk)  # unless its commit was drained already (transactional tests)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    return message


def page_urls(message_id: int, event_id: int) -> list[str]:
    return [
        reverse("sync:operations"),
        reverse("sync:message_detail", args=[message_id]),
        reverse("sync:inbox"),
        reverse("sync:inbox_detail", args=[event_id]),
    ]


def action_urls(message_id: int, event_id: int) -> list[str]:
    return [
        reverse("sync:message_retry", args=[message_id]),
        reverse("sync:message_discard", args=[message_id]),
        reverse("sync:retry_dead", args=[TARGET]),
        reverse("sync:inbox_retry", args=[event_id]),
        reverse("sync:inbox_ignore", args=[event_id]),
    ]


def test_operations_page_lives_at_operations():
    assert reverse("sync:operations") == "/operations/"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("user_a", 404),
        ("admin_a", 404),
        ("agent", 403),
        ("merchandiser", 403),
        ("operator", 200),
        ("retail_admin", 200),
    ],
)
def test_access_by_role(client, request, remote, who, expected):
    user = (
        internal_user(Role.MERCHANDISER) if who == "merchandiser" else request.getfixturevalue(who)
    )
    message = dead_letter(remote)
    event, _ = inbox_record(source="unknown", source_id="1", payload={}, dispatch=False)
    client.force_login(user)
    for url in page_urls(message.pk, event.pk):
        assert client.get(url).status_code == expected, url
    if expected != 200:
        for url in action_urls(message.pk, event.pk):
            assert client.post(url, {"reason": "x"}).status_code == expected, url
        message.refresh_from_db()
        assert message.status == OutboxStatus.DEAD


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("sync:operations"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_empty_page_says_what_will_appear(client, operator):
    client.force_login(operator)
    response = client.get(reverse("sync:operations"))
    assert response.status_code == 200
    assert "Nothing has been sent yet" in response.text
    assert "No inbound sources yet" in response.text or "Inbound" in response.text


def test_page_shows_health_and_rows_with_next_steps(client, operator, remote, case):
    dead = dead_letter(remote, case=case)
    waiting = enqueue(key=dead.key)  # held behind the dead letter
    retrying = enqueue(key="testremote:order:2")
    remote.fail_next((503, 300))
    deliver(retrying.pk)
    sent = enqueue(key="testremote:order:3")
    deliver(sent.pk)
    event, _ = inbox_record(source="unknown", source_id="1", payload={}, dispatch=False)
    inbox_apply(event.pk)

    client.force_login(operator)
    text = client.get(reverse("sync:operations")).text
    assert f'href="{reverse("sync:message_detail", args=[dead.pk])}"' in text
    assert f'href="{case.get_absolute_url()}"' in text
    assert (
        "Nothing happens on its own" in text
        and "1 later message of the same key waits behind it" in text
    )
    assert f"Waiting for #{dead.pk}" in text
    assert "Next attempt in 5 min (attempt 2 of 12)" in text  # Retry-After: 300 s
    assert "Delivered" in text
    assert waiting.pk and "Retry all dead" in text
    assert 'href="/operations/inbox/?source=unknown&amp;status=failed"' in text


def test_filter_by_status_answers_htmx_with_the_rows_only(client, operator, remote):
    dead = dead_letter(remote)
    other = enqueue(key="other")
    client.force_login(operator)
    response = client.get(
        reverse("sync:operations"),
        {"status": "dead", "target": TARGET},
        headers={"HX-Request": "true", "HX-Target": "outbox-rows"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="outbox-rows"' in response.text
    assert f"#{dead.pk}<" in response.text and f"#{other.pk}<" not in response.text
    assert "HX-Request" in response["Vary"]


def test_health_refresh_answers_with_the_health_partial(client, operator):
    client.force_login(operator)
    response = client.get(
        reverse("sync:operations"), headers={"HX-Request": "true", "HX-Target": "sync-health"}
    )
    assert 'id="sync-health"' in response.text and 'id="outbox-rows"' not in response.text


def test_filter_that_matches_nothing_says_so(client, operator, remote):
    enqueue()
    client.force_login(operator)
    response = client.get(reverse("sync:operations"), {"status": "dead", "target": TARGET})
    assert "No messages match" in response.text
    # The form shows the filters it applied.
    assert f'<option value="{TARGET}" selected>{TARGET}</option>' in response.text
    assert '<option value="dead" selected>' in response.text


def test_list_query_count_does_not_grow_with_rows(
    client, operator, remote, case, django_assert_max_num_queries
):
    client.force_login(operator)
    for n in range(3):
        enqueue(key=f"k{n}", case=case)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("sync:operations"))
    for n in range(30):
        enqueue(key=f"more{n}", case=case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("sync:operations"))


def test_detail_shows_every_attempt(client, operator, remote):
    message = enqueue()
    remote.fail_next((429, 1))
    deliver(message.pk)
    message.refresh_from_db()
    deliver(message.pk, now=message.next_attempt_at)
    client.force_login(operator)
    text = client.get(reverse("sync:message_detail", args=[message.pk])).text
    assert str(message.idempotency_key) in text
    assert "429" in text and "200" in text and " ms<" in text
    assert "injected fault" in text  # the response excerpt
    assert "&quot;method&quot;: &quot;POST&quot;" in text  # the request summary


# Transactional: each step commits, so the retry's drain is queued by a commit of its own.
@pytest.mark.django_db(transaction=True)
def test_retry_sends_a_dead_letter_again_with_the_same_key(client, operator, remote, case):
    message = dead_letter(remote, case=case)
    client.force_login(operator)
    response = client.post(reverse("sync:message_retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT  # drained on commit by the (eager) task
    assert remote.keys() == [str(message.idempotency_key)] * 2
    assert message.attempt_limit == 1 + 12  # a fresh budget after a person looked at it
    event = TimelineEvent.objects.get(case=case, verb="sync_retried")
    assert event.visibility == Visibility.INTERNAL


def test_retry_of_a_sent_message_is_refused(client, operator, remote):
    message = enqueue()
    deliver(message.pk)
    client.force_login(operator)
    response = client.post(reverse("sync:message_retry", args=[message.pk]), follow=True)
    assert "cannot be retried" in response.text
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_discard_needs_a_reason(client, operator, remote, case):
    message = dead_letter(remote, case=case)
    client.force_login(operator)
    response = client.post(reverse("sync:message_discard", args=[message.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "field__error" in response.text
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert not TimelineEvent.objects.filter(case=case, verb="sync_discarded").exists()


@pytest.mark.django_db(transaction=True)
def test_discard_writes_the_reason_to_the_internal_timeline_and_releases_the_key(
    client, operator, user_a, remote, case
):
    message = dead_letter(remote, case=case)
    behind = enqueue(key=message.key)
    assert deliver(behind.pk) == Outcome.SKIPPED  # held behind the dead letter
    client.force_login(operator)
    response = client.post(
        reverse("sync:message_discard", args=[message.pk]),
        {"reason": "SFCC order was cancelled by the customer"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.DISCARDED
    assert message.discard_reason == "SFCC order was cancelled by the customer"
    event = TimelineEvent.objects.get(case=case, verb="sync_discarded")
    assert event.channel == Channel.SYSTEM and event.visibility == Visibility.INTERNAL
    assert event.actor == operator
    assert "SFCC order was cancelled by the customer" in event.summary
    behind.refresh_from_db()
    assert behind.status == OutboxStatus.SENT
    # The case's partner never sees it.
    assert not TimelineEvent.objects.for_actor(user_a).filter(verb="sync_discarded").exists()
    assert TimelineEvent.objects.for_actor(operator).filter(verb="sync_discarded").exists()


@pytest.mark.django_db(transaction=True)
def test_retry_all_dead_letters_of_a_target(client, operator, remote):
    dead_letter(remote)
    remote.fail_next(400)
    enqueue(key="other")
    assert OutboxMessage.objects.filter(status=OutboxStatus.DEAD).count() == 2
    client.force_login(operator)
    response = client.post(reverse("sync:retry_dead", args=[TARGET]))
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 2


def test_inbox_page_retry_and_ignore(client, operator, django_capture_on_commit_callbacks):
    event, _ = inbox_record(source="unknown", source_id="evt-9", payload={"a": 1}, dispatch=False)
    inbox_apply(event.pk)
    client.force_login(operator)
    listing = client.get(reverse("sync:inbox"), {"status": "failed"}).text
    assert "evt-9" in listing and "No applier" in listing
    detail = client.get(reverse("sync:inbox_detail", args=[event.pk])).text
    assert "Apply again now" in detail and "&quot;a&quot;: 1" in detail

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sync:inbox_retry", args=[event.pk]))
    event.refresh_from_db()
    assert (event.status, event.attempts) == (InboxStatus.FAILED, 2)

    assert (
        client.post(reverse("sync:inbox_ignore", args=[event.pk]), {"reason": ""}).status_code
        == 400
    )
    client.post(reverse("sync:inbox_ignore", args=[event.pk]), {"reason": "Not a real order"})
    event.refresh_from_db()
    assert event.status == InboxStatus.IGNORED


def test_operations_is_in_the_navigation_for_operators_only(client, operator, agent):
    client.force_login(operator)
    assert 'href="/operations/"' in client.get(reverse("sync:operations")).text
    client.force_login(agent)
    assert 'href="/operations/"' not in client.get("/organizations/").text


def test_an_inbound_source_without_failures_says_so_in_words(client, operator):
    inbox_record(source="sfcc", source_id="evt-1", payload={}, dispatch=False)
    client.force_login(operator)
    page = client.get(reverse("sync:operations")).text
    assert "No failures" in page and ">None<" not in page
