"""Sign-in attacks: the admin's own login form, and users who never set up a second factor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.partners.roles import Role
from tests.factories import (
    PASSWORD,
    InternalTeamFactory,
    MembershipFactory,
    OrganizationFactory,
    totp_code,
)

ENROL = "/accounts/2fa/totp/activate/"


def person(role: str, organization=None, *, mfa: bool = True, **user):
    organization = organization or (
        InternalTeamFactory() if role in (Role.AGENT, Role.ADMIN) else OrganizationFactory()
    )
    membership = MembershipFactory(organization=organization, role=role, mfa=mfa, **user)
    return membership.user


@pytest.mark.django_db
def test_the_admin_login_form_cannot_be_used_to_skip_mfa_and_rate_limits(client):
    staff = person(Role.ADMIN, user__is_staff=True, user__is_superuser=True)
    page = client.get("/admin/login/?next=/admin/partners/")
    assert page.status_code == 302
    assert page["Location"] == "/accounts/login/?next=%2Fadmin%2Fpartners%2F"
    posted = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session  # the password alone signed no one in


@pytest.mark.django_db
def test_the_admin_login_redirect_does_not_send_people_off_site(client):
    page = client.get("/admin/login/?next=https://evil.example/")
    assert page["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_staff_reach_the_admin_only_through_allauth_with_their_second_factor(client):
    staff = person(Role.ADMIN, user__is_staff=True, user__is_superuser=True)
    first = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert first.status_code == 302 and first["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/admin/").status_code == 302  # the password alone is not enough
    second = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert second.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN, Role.PARTNER_ADMIN])
def test_a_user_whom_policy_requires_mfa_cannot_use_the_portal_before_enrolling(client, role):
    client.force_login(person(role, mfa=False))
    page = client.get("/cases/?sort=due")
    assert page.status_code == 302
    assert page["Location"] == f"{ENROL}?next=%2Fcases%2F%3Fsort%3Ddue"
    # Enrolment stays open (after allauth asks for the password again).
    enrolment = client.get(ENROL, follow=True)
    assert enrolment.status_code == 200
    assert enrolment.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "mfa_required"


@pytest.mark.django_db
def test_partner_members_need_mfa_where_their_organization_asks_for_it(client):
    strict = OrganizationFactory(require_mfa=True)
    relaxed = OrganizationFactory()
    client.force_login(person(Role.PARTNER_MEMBER, strict, mfa=False))
    assert client.get("/cases/")["Location"].startswith(ENROL)
    client.force_login(person(Role.PARTNER_MEMBER, relaxed, mfa=False))
    assert client.get("/cases/").status_code == 200


@pytest.mark.django_db
def test_an_enrolled_user_uses_the_portal(client):
    client.force_login(person(Role.AGENT))
    assert client.get(reverse("workspace:inbox")).status_code == 200


@pytest.mark.django_db
def test_people_of_a_deactivated_organization_lose_their_browser_session(client):
    partner = OrganizationFactory()
    client.force_login(person(Role.PARTNER_MEMBER, partner))
    assert client.get("/cases/").status_code == 200
    partner.is_active = False
    partner.save(update_fields=["is_active"])
    page = client.get("/cases/")
    assert page.status_code == 302 and page["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_invitation_to_a_deactivated_organization_cannot_be_accepted(client, retail_admin):
    from apps.core.errors import DomainError
    from apps.partners import services

    partner = OrganizationFactory()
    invitation = services.invitation_create(
        actor=retail_admin, organization=partner, email="late@acme.test", role=Role.PARTNER_MEMBER
    )
    token = services.invitation_token(invitation)
    partner.is_active = False
    partner.save(update_fields=["is_active"])
    with pytest.raises(DomainError, match="no longer uses the portal"):
        services.invitation_accept(token=token, full_name="Late", password="a-long-pass-phrase-42")
