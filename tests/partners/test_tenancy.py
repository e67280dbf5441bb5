"""Tenancy: a partner's users see their own organization only, by page and by API."""

import pytest
from django.apps import apps
from django.urls import reverse

from apps.partners.models import Invitation, Membership, Organization
from apps.partners.tenancy import TenantQuerySet

pytestmark = pytest.mark.django_db


def test_partner_user_sees_only_own_organization(user_a, partner_a, partner_b):
    assert list(Organization.objects.for_actor(user_a)) == [partner_a]


def test_internal_user_sees_every_organization(agent, partner_a, partner_b):
    visible = set(Organization.objects.for_actor(agent))
    assert {partner_a, partner_b} <= visible


def test_anonymous_and_memberless_users_see_nothing(partner_a, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    lonely = django_user_model.objects.create_user("nobody@example.test", "x")
    assert not Organization.objects.for_actor(AnonymousUser()).exists()
    assert not Organization.objects.for_actor(lonely).exists()
    assert not Organization.objects.for_actor(None).exists()


def test_page_of_other_partner_is_404(client, user_a, partner_b):
    client.force_login(user_a)
    response = client.get(reverse("partners:organization_detail", args=[partner_b.slug]))
    assert response.status_code == 404


def test_own_page_lists_own_members_only(client, user_a, user_b, partner_a):
    client.force_login(user_a)
    response = client.get(reverse("partners:organization_detail", args=[partner_a.slug]))
    assert response.status_code == 200
    assert user_a.email in response.text
    assert user_b.email not in response.text


def test_partner_directory_redirects_partner_to_own_page(client, user_a, partner_a, partner_b):
    client.force_login(user_a)
    response = client.get(reverse("partners:organization_list"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("partners:organization_detail", args=[partner_a.slug])
    assert partner_b.name not in response.text


def test_api_object_of_other_partner_is_404(api_client, user_a, partner_a, partner_b):
    api_client.force_authenticate(user_a)
    assert api_client.get(f"/api/v1/organizations/{partner_a.pk}/").status_code == 200
    response = api_client.get(f"/api/v1/organizations/{partner_b.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_list_is_scoped(api_client, user_a, partner_a, partner_b):
    api_client.force_authenticate(user_a)
    ids = [row["id"] for row in api_client.get("/api/v1/organizations/").json()]
    assert ids == [partner_a.pk]


def test_api_requires_authentication(api_client, partner_a):
    response = api_client.get("/api/v1/organizations/")
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_member_removal_of_other_partner_is_404(client, partner_a, partner_b, user_b):
    from tests.factories import member

    admin_a = member(partner_a, "partner_admin")
    client.force_login(admin_a)
    membership_b = Membership.objects.get(user=user_b)
    response = client.post(reverse("partners:membership_remove", args=[membership_b.pk]))
    assert response.status_code == 404
    user_b.refresh_from_db()
    assert user_b.is_active


def test_every_partner_owned_model_has_a_scoped_manager():
    """Guard: any model that points at an organization must offer `for_actor`."""
    unscoped = []
    for model in apps.get_models():
        if model is Organization:
            continue
        for field in model._meta.get_fields():
            points_at_partner = (
                getattr(field, "many_to_one", False)
                and field.related_model is Organization
                and field.concrete
            )
            if points_at_partner and not isinstance(model._default_manager.all(), TenantQuerySet):
                unscoped.append(model.__name__)
    assert unscoped == []
    assert isinstance(Invitation.objects.all(), TenantQuerySet)
