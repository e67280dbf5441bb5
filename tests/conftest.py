"""Fixtures shared by the whole suite: two partners with users, and internal users."""

import pytest

from apps.partners.roles import Role
from tests.factories import OrganizationFactory, internal_user, member


@pytest.fixture
def partner_a(db):
    return OrganizationFactory(name="Acme Supplies")


@pytest.fixture
def partner_b(db):
    return OrganizationFactory(name="Borealis Freight")


@pytest.fixture
def user_a(partner_a):
    return member(partner_a, Role.PARTNER_MEMBER)


@pytest.fixture
def admin_a(partner_a):
    return member(partner_a, Role.PARTNER_ADMIN)


@pytest.fixture
def user_b(partner_b):
    return member(partner_b, Role.PARTNER_MEMBER)


@pytest.fixture
def agent(db):
    return internal_user(Role.AGENT)


@pytest.fixture
def retail_admin(db):
    return internal_user(Role.ADMIN)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


pytest_plugins = ["tests.support.worker", "tests.support.browser"]


@pytest.fixture(autouse=True)
def _fresh_code_lists():
    """Code lists are cached for a minute; each test reads the ones its own database holds."""
    from apps.exceptions import codes

    codes.forget()
