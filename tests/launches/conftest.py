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


@pytest.fixture(scope="session")
def sfcc_process(tmp_path_factory):
    """The SFCC simulator as a real process (its own fixture: `launch` here is a Launch)."""
    from tests.sfcc.conftest import SimulatorProcess

    process = SimulatorProcess(log_path=tmp_path_factory.mktemp("sfcc") / "stderr.log")
    yield process
    process.stop()


@pytest.fixture
def sfcc(sfcc_process, settings):
    """The simulator, emptied, with the portal's SFCC settings pointing at it."""
    from apps.sfcc import campaigns

    sfcc_process.ctl("POST", "/reset")
    settings.SFCC_ENABLED = True
    settings.SFCC_BASE_URL = sfcc_process.url
    settings.SFCC_AUTH_URL = ""
    settings.SFCC_OCAPI_BASE_URL = ""
    yield sfcc_process
    campaigns.close_clients()
