"""In the browser: a reply typed on a case goes back out to the partner's Trading Grid mailbox."""

from __future__ import annotations

import json

import pytest

from apps.partners.roles import Role
from apps.tradinggrid import conf
from apps.tradinggrid.models import Direction, Interchange
from apps.workspace.models import Case
from tests.factories import PASSWORD, internal_user
from tests.support.browser import login
from tests.support.worker import wait_for
from tests.tradinggrid.conftest import Simulator
from tests.tradinggrid.test_ledger import open_case, tg_partner

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TYPED = "Confirmed: we take the partial shipment, please send an ASN."


@pytest.fixture
def on_the_network(simulator: Simulator, settings):
    settings.TRADINGGRID_ENABLED = True
    settings.TRADINGGRID_TRANSPORT_URL = f"sftp://crossdock@{simulator.host}:{simulator.sftp_port}/"
    settings.TRADINGGRID_PASSWORD = "crossdock"
    settings.TRADINGGRID_PRIVATE_KEY_PATH = ""
    settings.TRADINGGRID_KNOWN_HOSTS_PATH = str(simulator.data_dir / "known_hosts")
    conf.forget_transport()
    yield simulator
    conf.forget_transport()


@pytest.mark.django_db(transaction=True)
def test_a_reply_typed_in_the_browser_reaches_the_partners_mailbox(on_the_network, page):
    simulator = on_the_network
    partner = tg_partner()
    agent = internal_user(Role.AGENT)
    case: Case = open_case(partner, actor=agent)

    login(page, agent.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.locator("#reply-body").fill(TYPED)
    page.get_by_role("button", name="Send").click()
    page.get_by_text(TYPED).first.wait_for()

    def sent_reply():
        return (
            Interchange.objects.filter(
                direction=Direction.OUTBOUND, case=case, event_type="message.posted"
            )
            .exclude(sent_at=None)
            .first()
        )

    ours = wait_for(sent_reply, timeout=30, message="the reply in the ledger, sent")
    document = json.loads(ours.raw.read())
    assert document["event"]["data"]["body"] == TYPED
    assert document["receiver"] == {"qualifier": "ZZ", "id": "SUP001"}
    assert document["event"]["actor"]["organization"] == "Crossdock"

    def delivered():
        return [
            e
            for e in simulator.log(status="delivered", sender="RETAILER", receiver="SUP-001")
            if e["file"] == ours.file_name
        ]

    [entry] = wait_for(delivered, timeout=30, message="the reply in SUP-001's mailbox")
    assert entry["reference"] == ours.document_id
