"""Requests crafted to crash the API answer 4xx with a reason in the API's JSON shape, and an
unexpected failure answers JSON too, never the HTML error page (see docs/security.md)."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework.views import APIView

from apps.workspace.models import Case
from tests.workspace.helpers import open_case
from tests.workspace.test_api import error_of, issue_key, key_client, session_client

DEEP = "[" * 1000 + "]" * 1000  # 2 KB


@pytest.mark.django_db
def test_a_partner_id_past_the_64_bit_range_is_refused_not_a_server_error(retail_admin, partner_a):
    client = session_client(retail_admin)
    response = client.get("/api/v1/cases/?partner=9223372036854775808")
    assert response.status_code == 400
    assert "partner" in error_of(response)["fields"]


@pytest.mark.django_db
def test_the_inbox_page_ignores_a_partner_id_past_the_64_bit_range(client, retail_admin, partner_a):
    client.force_login(retail_admin)
    assert client.get("/cases/?partner=9223372036854775808").status_code == 200


@pytest.mark.django_db
def test_a_crafted_cursor_with_a_date_out_of_range_is_refused_not_a_server_error(
    retail_admin, partner_a
):
    open_case(retail_admin, partner_a)
    raw = json.dumps(["due", "after", ["0001-01-01T00:00:00+01:00", 1]]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    response = session_client(retail_admin).get(f"/api/v1/cases/?sort=due&cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]


@pytest.mark.django_db
def test_a_json_body_nested_1000_deep_is_refused_on_every_write(retail_admin, partner_a):
    case = open_case(retail_admin, partner_a)
    client = key_client(issue_key(retail_admin, partner_a))
    for url in (
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/messages/",
        f"/api/v1/cases/{case.pk}/transitions/",
    ):
        response = client.post(url, DEEP, content_type="application/json")
        assert response.status_code == 400, url
        assert "nested deeper" in error_of(response)["message"]


@pytest.mark.django_db
def test_a_json_body_nested_1000_deep_with_an_idempotency_key_is_refused(retail_admin, partner_a):
    client = key_client(issue_key(retail_admin, partner_a))
    response = client.post(
        "/api/v1/cases/", DEEP, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-deep"
    )
    assert response.status_code == 400 and "nested deeper" in error_of(response)["message"]
    assert Case.objects.count() == 0


class Broken(APIView):
    """A view that fails the way an unforeseen bug does."""

    permission_classes: list = []

    def get(self, request):
        raise ZeroDivisionError("a bug")


urlpatterns = [path("api/v1/broken/", Broken.as_view())]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_unexpected_api_failure_answers_json_without_the_exception(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/broken/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "server_error", "message": "An unexpected error occurred."}
    }
    assert "a bug" not in response.content.decode()
