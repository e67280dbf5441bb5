"""Idempotency-Key on API writes: the work once, the first answer again, per caller, under races."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.models import IdempotencyRecord
from apps.core.tasks import purge_idempotency_records
from apps.workspace import services
from apps.workspace.api.idempotency import LEASE
from apps.workspace.choices import CaseKind
from apps.workspace.models import Case, FileVersion, Message

from .helpers import PDF_BYTES, open_case
from .test_api import error_of, issue_key, key_client, named, session_client

KEY = "9b2f6f0e-3c1a-4d8e-a1f0-6c7b2d9e4a11"


def post(client, url, data, *, key=KEY, fmt="json"):
    return client.post(url, data, format=fmt, HTTP_IDEMPOTENCY_KEY=key)


def assert_replayed(first, second):
    assert second.status_code == first.status_code
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first


@pytest.mark.django_db
class TestReplay:
    def test_case_create_runs_once_and_replays_the_first_answer(self, retail_admin, partner_a):
        client = key_client(issue_key(retail_admin, partner_a))
        body = {"kind": CaseKind.GENERAL, "subject": "Damaged pallet"}
        first = post(client, "/api/v1/cases/", body)
        assert first.status_code == 201
        # Later changes to the case do not change the replayed answer: it is the first one.
        services.message_post(actor=retail_admin, channel="web", case=Case.objects.get(), body="Looking.")
        second = post(client, "/api/v1/cases/", body)
        assert_replayed(first, second)
        assert Case.objects.count() == 1

    def test_message_and_transition_replay(self, retail_admin, partner_a):
        case = open_case(retail_admin, partner_a)
        client = key_client(issue_key(retail_admin, partner_a))
        url = f"/api/v1/cases/{case.pk}/messages/"
        first = post(client, url, {"body": "Shipped."})
        assert_replayed(first, post(client, url, {"body": "Shipped."}))
        assert Message.objects.filter(case=case, body="Shipped.").count() == 1
        url = f"/api/v1/cases/{case.pk}/transitions/"
        transitions = case.timeline.filter(verb="transitioned").count()
        body = {"transition": "resolve", "comment": "Delivered."}
        first = post(client, url, body, key="t-1")
        assert first.status_code == 200 and first.json()["status"] == "resolved"
        # Without the key, doing it again would be refused (409); with it, the first answer.
        assert_replayed(first, post(client, url, body, key="t-1"))
        assert case.timeline.filter(verb="transitioned").count() == transitions + 1

    def test_an_error_answer_is_the_first_answer_too(self, retail_admin, partner_a):
        case = open_case(retail_admin, partner_a)
        client = key_client(issue_key(retail_admin, partner_a))
        url = f"/api/v1/cases/{case.pk}/transitions/"
        first = post(client, url, {"transition": "close"})
        assert first.status_code == 403
        assert_replayed(first, post(client, url, {"transition": "close"}))

    def test_upload_replays_and_stores_one_version(self, retail_admin, partner_a):
        case = open_case(retail_admin, partner_a)
        client = key_client(issue_key(retail_admin, partner_a))
        url = f"/api/v1/cases/{case.pk}/files/"
        first = post(client, url, {"file": named(PDF_BYTES, "a.pdf")}, fmt="multipart")
        assert first.status_code == 201
        assert_replayed(first, post(client, url, {"file": named(PDF_BYTES, "a.pdf")}, fmt="multipart"))
        assert FileVersion.objects.filter(attachment__case=case).count() == 1
        # Other bytes under the same name are another request.
        other = post(client, url, {"file": named(PDF_BYTES + b"\n", "a.pdf")}, fmt="multipart")
        assert other.status_code == 422

    def test_patch_replays(self, retail_admin, agent, partner_a):
        case = open_case(retail_admin, partner_a)
        client = session_client(retail_admin)
        first = client.patch(f"/api/v1/cases/{case.pk}/", {"owner": agent.pk}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
        second = client.patch(f"/api/v1/cases/{case.pk}/", {"owner": agent.pk}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
        assert first.status_code == 200
        assert_replayed(first, second)
        assert case.timeline.filter(verb="updated").count() == 1


@pytest.mark.django_db
class TestRefusals:
    def test_same_key_with_another_body_is_422_and_does_nothing(self, retail_admin, partner_a):
        case = open_case(retail_admin, partner_a)
        client = key_client(issue_key(retail_admin, partner_a))
        url = f"/api/v1/cases/{case.pk}/messages/"
        assert post(client, url, {"body": "One"}).status_code == 201
        response = post(client, url, {"body": "Two"})
        assert response.status_code == 422
        error = error_of(response)
        assert error["code"] == "idempotency_key_reused" and "different request" in error["message"]
        assert not Message.objects.filter(body="Two").exists()

    def test_same_key_on_another_endpoint_is_422(self, retail_admin, partner_a):
        case = open_case(retail_admin, partner_a)
        client = key_client(issue_key(retail_admin, partner_a))
        assert post(client, f"/api/v1/cases/{case.pk}/messages/", {"body": "One"}).status_code == 201
        response = post(client, "/api/v1/cases/", {"kind": CaseKind.GENERAL, "subject": "x"})
        assert response.status_code == 422
        assert Case.objects.count() == 1

    @pytest.mark.parametrize("key", ["", "x" * 256, "with space", "naïve"])
    def test_malformed_key_is_400(self, key, retail_admin, partner_a):
        client = key_client(issue_key(retail_admin, partner_a))
        response = post(client, "/api/v1/cases/", {"kind": CaseKind.GENERAL, "subject": "x"}, key=key)
        assert response.status_code == 400
        assert error_of(response)["code"] == "invalid_idempotency_key"
        assert not Case.objects.exists()

    def test_a_request_still_running_is_409_until_its_lease_runs_out(self, retail_admin, partner_a):
        case = open_case(retail_admin, partner_a)
        secret = issue_key(retail_admin, partner_a)
        client = key_client(secret)
        url = f"/api/v1/cases/{case.pk}/messages/"
        assert post(client, url, {"body": "One"}).status_code == 201
        record = IdempotencyRecord.objects.get()
        # As if the first request had claimed the key and were still working.
        IdempotencyRecord.objects.filter(pk=record.pk).update(completed_at=None, response_status=None)
        response = post(client, url, {"body": "One"})
        assert response.status_code == 409 and error_of(response)["code"] == "idempotency_in_progress"
        # A claim older than the lease belongs to a request that died: a retry takes it over.
        IdempotencyRecord.objects.filter(pk=record.pk).update(locked_at=timezone.now() - LEASE - timedelta(seconds=1))
        assert post(client, url, {"body": "One"}).status_code == 201
        assert IdempotencyRecord.objects.get().response_status == 201


@pytest.mark.django_db
class TestScopeAndLifetime:
    def test_keys_are_per_caller(self, retail_admin, partner_a, partner_b, user_a):
        case_a, case_b = open_case(retail_admin, partner_a), open_case(retail_admin, partner_b)
        a_key, b_key = key_client(issue_key(retail_admin, partner_a)), key_client(issue_key(retail_admin, partner_b))
        assert post(a_key, f"/api/v1/cases/{case_a.pk}/messages/", {"body": "From A"}).status_code == 201
        # The same key from another partner is its own request, never A's answer.
        response = post(b_key, f"/api/v1/cases/{case_b.pk}/messages/", {"body": "From B"})
        assert response.status_code == 201 and response.json()["case"] == case_b.pk
        # Nor does one partner's person share a key with its own system.
        response = post(session_client(user_a), f"/api/v1/cases/{case_a.pk}/messages/", {"body": "From A"})
        assert response.status_code == 201 and "Idempotent-Replayed" not in response
        assert Message.objects.filter(body="From A").count() == 2
        assert IdempotencyRecord.objects.filter(key=KEY).count() == 3

    def test_a_crash_releases_the_key(self, retail_admin, partner_a, monkeypatch):
        case = open_case(retail_admin, partner_a)
        client = key_client(issue_key(retail_admin, partner_a))
        url = f"/api/v1/cases/{case.pk}/messages/"

        def broken(**kwargs):
            raise RuntimeError("database went away")

        with monkeypatch.context() as patch:
            patch.setattr(services, "message_post", broken)
            crashed = post(client, url, {"body": "One"})
        # Answered in the API's shape (not the HTML page), and the key is free for a retry.
        assert crashed.status_code == 500 and crashed.json()["error"]["code"] == "server_error"
        assert not IdempotencyRecord.objects.exists()
        assert post(client, url, {"body": "One"}).status_code == 201

    def test_records_expire_after_a_day(self, retail_admin, partner_a):
        case = open_case(retail_admin, partner_a)
        client = key_client(issue_key(retail_admin, partner_a))
        url = f"/api/v1/cases/{case.pk}/messages/"
        assert post(client, url, {"body": "One"}).status_code == 201
        assert post(client, url, {"body": "Two"}, key="fresh").status_code == 201
        IdempotencyRecord.objects.filter(key=KEY).update(created_at=timezone.now() - timedelta(hours=25))
        # An expired key is a new request even before the purge runs.
        again = post(client, url, {"body": "One"})
        assert again.status_code == 201 and "Idempotent-Replayed" not in again
        IdempotencyRecord.objects.filter(key="fresh").update(created_at=timezone.now() - timedelta(hours=25))
        assert purge_idempotency_records.delay().get() == 1
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [KEY]


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_do_the_work_once(retail_admin, partner_a, monkeypatch):
    case = open_case(retail_admin, partner_a)
    secret = issue_key(retail_admin, partner_a)
    url = f"/api/v1/cases/{case.pk}/messages/"
    original = services.message_post

    def slow_message_post(**kwargs):
        # Keep the first request inside its work while the duplicate arrives.
        message = original(**kwargs)
        time.sleep(0.5)
        return message

    monkeypatch.setattr(services, "message_post", slow_message_post)
    barrier = threading.Barrier(2)
    answers: list = []

    def send():
        try:
            client = key_client(secret)
            barrier.wait(timeout=10)
            response = post(client, url, {"body": "Exactly once"})
            answers.append((response.status_code, response.json(), response.get("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 2
    assert Message.objects.filter(case=case, body="Exactly once").count() == 1
    statuses = sorted(status for status, _body, _replayed in answers)
    # PostgreSQL: the duplicate finds the claim in progress (409) at once. SQLite has one
    # writer, so the duplicate's claim waits for the first to commit and replays its answer.
    assert statuses in ([201, 201], [201, 409]), answers
    done = [body for status, body, replayed in answers if status == 201 and not replayed]
    assert len(done) == 1
    retry = post(key_client(secret), url, {"body": "Exactly once"})
    assert retry.status_code == 201 and retry.json() == done[0]
