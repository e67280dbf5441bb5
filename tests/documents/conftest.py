"""The SFCC simulator fixtures, for flow 3's browser journey (the real connector, real HTTP)."""

from tests.sfcc.conftest import launch, shared_sim, sim  # noqa: F401
