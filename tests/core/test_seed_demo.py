"""The demo seed: every role and partner kind, and safe to run twice."""

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.partners import demo
from apps.partners.models import Membership, Organization
from apps.partners.roles import OrganizationKind, Role

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_complete(client):
    call_command("seed_demo")
    call_command("seed_demo")
    assert Organization.objects.partners().count() == len(demo.PARTNERS)
    assert {o.kind for o in Organization.objects.partners()} == set(OrganizationKind) - {OrganizationKind.INTERNAL}
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role)
    assert User.objects.count() == len(demo.INTERNAL_USERS) + len(demo.partner_users())
    response = client.post("/accounts/login/", {"login": "admin@sup-001.test", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
