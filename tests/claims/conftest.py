"""The SFCC simulator fixtures, for the claims' end-to-end tests (the real connector, real HTTP)."""

from tests.exceptions.conftest import reason_codes  # noqa: F401
from tests.sfcc.conftest import launch, shared_sim, sim  # noqa: F401
from tests.sfcc.test_e2e_browser import sfcc_env  # noqa: F401
from tests.sfcc.test_mirror import default_rules  # noqa: F401
