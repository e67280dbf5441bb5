"""API keys: issued by administrators, stored hashed, scoped, revocable."""

import pytest

from apps.core.errors import NotAllowed
from apps.partners import services
from apps.partners.models import ApiKey

pytestmark = pytest.mark.django_db


def test_key_authenticates_as_its_partner_only(api_client, retail_admin, partner_a, partner_b):
    key, secret = services.api_key_issue(actor=retail_admin, organization=partner_a, name="ERP", scopes=["cases:read"])
    assert secret not in (key.secret_hash, key.prefix)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [o["id"] for o in api_client.get("/api/v1/organizations/").json()] == [partner_a.pk]
    assert api_client.get(f"/api/v1/organizations/{partner_b.pk}/").status_code == 404


def test_revoked_or_wrong_key_is_401(api_client, retail_admin, partner_a):
    key, secret = services.api_key_issue(actor=retail_admin, organization=partner_a, name="ERP", scopes=["cases:read"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret[:-3]}xyz")
    assert api_client.get("/api/v1/organizations/").status_code == 401
    services.api_key_revoke(actor=retail_admin, api_key=key)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api_client.get("/api/v1/organizations/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The API key is unknown or revoked."


def test_only_administrators_issue_keys(user_a, admin_a, partner_a):
    for actor in (user_a, admin_a):
        with pytest.raises(NotAllowed):
            services.api_key_issue(actor=actor, organization=partner_a, name="x", scopes=["cases:read"])
    assert not ApiKey.objects.exists()
