"""The SFCC simulator fixtures, for the claims' end-to-end tests (the real connector, real HTTP)."""

from tests.sfcc.conftest import launch, shared_sim, sim  # noqa: F401
