"""Invitations: administrators invite partners' first administrators, who invite colleagues."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.core.errors import NotAllowed
from apps.partners import services
from apps.partners.models import Invitation, Membership
from apps.partners.roles import Role

pytestmark = pytest.mark.django_db


def _link_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+/organizations/join/\S+/", body).group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _accept(client, url, name="New Person", password="a-long-pass-phrase-42"):
    return client.post(_path(url), {"full_name": name, "password1": password, "password2": password})


def test_admin_invites_partner_admin_who_joins_once(client, retail_admin, partner_a, django_capture_on_commit_callbacks):
    client.force_login(retail_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:invitation_create", args=[partner_a.slug]),
            {"email": "First@Acme.test", "role": Role.PARTNER_ADMIN},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["first@acme.test"]
    link = _link_from_mail()
    client.logout()

    response = _accept(client, link)
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="first@acme.test")
    assert membership.organization == partner_a and membership.role == Role.PARTNER_ADMIN
    # Signed in straight away, and sent to set up two-factor sign-in first (a partner
    # administrator must have it); the invitation is spent.
    page = client.get(reverse("partners:organization_detail", args=[partner_a.slug]))
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/totp/activate/")
    client.logout()
    again = _accept(client, link, name="Someone Else")
    assert again.status_code == 400
    assert "already been used" in again.text


def test_partner_admin_invites_colleague_but_member_cannot(client, partner_a, admin_a, user_a, django_capture_on_commit_callbacks):
    client.force_login(user_a)
    response = client.post(
        reverse("partners:invitation_create", args=[partner_a.slug]),
        {"email": "x@acme.test", "role": Role.PARTNER_MEMBER},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()

    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("partners:invitation_create", args=[partner_a.slug]),
            {"email": "x@acme.test", "role": Role.PARTNER_MEMBER},
        )
    assert Invitation.objects.get().email == "x@acme.test"


def test_partner_admin_cannot_invite_internal_roles(partner_a, admin_a):
    with pytest.raises(NotAllowed):
        services.invitation_create(actor=admin_a, organization=partner_a, email="x@a.test", role=Role.ADMIN)


def test_partner_admin_cannot_invite_into_another_partner(client, admin_a, partner_b):
    client.force_login(admin_a)
    response = client.post(
        reverse("partners:invitation_create", args=[partner_b.slug]),
        {"email": "x@b.test", "role": Role.PARTNER_MEMBER},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_expired_and_tampered_links_are_refused(client, retail_admin, partner_a):
    invitation = services.invitation_create(
        actor=retail_admin, organization=partner_a, email="late@acme.test", role=Role.PARTNER_ADMIN
    )
    token = services.invitation_token(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(reverse("partners:invitation_accept", args=[tampered]))
    assert response.status_code == 400
    assert "not valid" in response.text

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("partners:invitation_accept", args=[token]))
    assert response.status_code == 400
    assert not Membership.objects.filter(user__email="late@acme.test").exists()


def test_accept_form_shows_errors_and_keeps_the_link_usable(client, retail_admin, partner_a):
    invitation = services.invitation_create(
        actor=retail_admin, organization=partner_a, email="p@acme.test", role=Role.PARTNER_ADMIN
    )
    url = reverse("partners:invitation_accept", args=[services.invitation_token(invitation)])
    response = client.post(url, {"full_name": "P", "password1": "short", "password2": "other"})
    assert response.status_code == 200
    assert "The two passwords differ." in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_partner_admin_removes_colleague_who_can_no_longer_sign_in(client, admin_a, user_a):
    client.force_login(admin_a)
    membership = Membership.objects.get(user=user_a)
    response = client.post(reverse("partners:membership_remove", args=[membership.pk]))
    assert response.status_code == 302
    user_a.refresh_from_db()
    assert not user_a.is_active
    client.logout()
    from tests.factories import PASSWORD

    response = client.post(reverse("account_login"), {"login": user_a.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.text.lower()
    response = client.post(
        reverse("account_signup"),
        {"email": "walkin@example.test", "password1": "a-long-pass-42", "password2": "a-long-pass-42"},
    )
    from apps.accounts.models import User

    assert not User.objects.filter(email="walkin@example.test").exists()
