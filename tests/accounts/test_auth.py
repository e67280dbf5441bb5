"""Accounts: e-mail login, throttled failures, password reset, two-factor authentication."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_login_with_email_and_logout(client, user_a):
    response = client.post("/accounts/login/", {"login": user_a.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user_a.pk)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_throttled(client, user_a):
    for _ in range(6):
        client.post("/accounts/login/", {"login": user_a.email, "password": "wrong"})
    # Even the right password is refused while the limit holds, with a reason on the form.
    response = client.post("/accounts/login/", {"login": user_a.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.text


def test_password_reset_by_email(client, user_a):
    client.post("/accounts/password/reset/", {"email": user_a.email})
    assert mail.outbox and mail.outbox[-1].to == [user_a.email]
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_path, {"password1": "n3w-pass-phrase-x", "password2": "n3w-pass-phrase-x"})
    assert response.status_code == 302
    user_a.refresh_from_db()
    assert user_a.check_password("n3w-pass-phrase-x")


def test_two_factor_page_is_available(client, user_a):
    client.force_login(user_a)
    response = client.get("/accounts/2fa/")
    assert response.status_code == 200
    assert "Authenticator" in response.text


def test_unverified_email_cannot_sign_in(client, django_user_model):
    django_user_model.objects.create_user("new@example.test", PASSWORD)
    response = client.post("/accounts/login/", {"login": "new@example.test", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and "confirm-email" in response["Location"]
