"""Pages every visitor meets: login redirect, error pages, security headers, API docs."""

import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/organizations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_renders_with_csp(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_404_page_shares_the_layout(client, user_a):
    client.force_login(user_a)
    response = client.get("/organizations/no-such-partner/")
    assert response.status_code == 404
    assert "Crossdock" in response.text


def test_api_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/organizations/" in response.content
