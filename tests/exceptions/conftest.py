"""The SFCC simulator fixtures, for the flows' end-to-end tests (the real connector, real HTTP)."""

import importlib

import pytest
from django.apps import apps

from tests.sfcc.conftest import launch, shared_sim, sim  # noqa: F401


@pytest.fixture
def reason_codes(transactional_db) -> None:
    """The code lists exceptions 0004 seeds, again: transactional tests flush them with the rest
    (and once Playwright has started, serialized_rollback no longer restores them)."""
    from apps.exceptions import codes

    importlib.import_module("apps.exceptions.migrations.0004_escalation_and_reason_codes").seed(apps, None)
    codes.forget()
