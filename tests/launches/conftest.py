"""Fixtures of flow 6: a merchandiser and a launch with two partners."""

import pytest

from apps.partners.roles import Role
from tests.factories import internal_user

from .helpers import make_launch


@pytest.fixture
def merchandiser(db):
    return internal_user(Role.MERCHANDISER)


@pytest.fixture
def launch(merchandiser, partner_a, partner_b):
    return make_launch(merchandiser, [partner_a, partner_b])


@pytest.fixture
def share_a(launch, partner_a):
    return launch.shares.get(partner=partner_a)


@pytest.fixture
def share_b(launch, partner_b):
    return launch.shares.get(partner=partner_b)
