"""The SFCC simulator fixtures, for the milestones' end-to-end test (the real connector, real HTTP)."""

from tests.sfcc.conftest import launch, shared_sim, sim  # noqa: F401
