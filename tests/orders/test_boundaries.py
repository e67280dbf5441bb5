"""The import directions around the mirror, beyond the layers contract in pyproject.toml.

The layers let a connector import any flow below it; this one may not: SFCC hears from the
flows only through the flow registry and the case events, so a flow can change or go
without the connector noticing.
"""

import grimp
import pytest

FORBIDDEN = [
    # (importer, imported): the importer must not reach the imported, directly or not.
    ("apps.orders", "apps.sfcc"),
    ("apps.orders", "apps.exceptions"),
    ("apps.exceptions", "apps.sfcc"),
    ("apps.exceptions", "apps.tradinggrid"),
    ("apps.sfcc", "apps.exceptions"),
]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("apps")


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_no_import_chain(graph, importer, imported):
    chain = graph.find_shortest_chain(importer=importer, imported=imported, as_packages=True)
    assert chain is None, " → ".join(chain)
