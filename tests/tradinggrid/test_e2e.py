"""End to end: the web process, a real Celery worker and the Trading Grid simulator, all separate.

A case opened in the browser's form reaches the partner's mailbox as a collaboration
document; the partner's 997 comes back and the ledger shows it acknowledged; the partner
bot's reply appears on the case's timeline through the Trading Grid channel.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from apps.partners.roles import Role
from apps.tradinggrid import conf
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.tradinggrid.tasks import poll_inbound
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.models import Case, Message, TimelineEvent
from tests.factories import PASSWORD, internal_user
from tests.support.worker import wait_for
from tests.tradinggrid.conftest import Simulator
from tests.tradinggrid.test_ledger import tg_partner

pytestmark = pytest.mark.slow

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _point_at(simulator: Simulator) -> dict[str, str]:
    return {
        "TRADINGGRID_ENABLED": "1",
        "TRADINGGRID_TRANSPORT_URL": f"sftp://crossdock@{simulator.host}:{simulator.sftp_port}/",
        "TRADINGGRID_PASSWORD": "crossdock",
        "TRADINGGRID_PRIVATE_KEY_PATH": "",
        "TRADINGGRID_KNOWN_HOSTS_PATH": str(simulator.data_dir / "known_hosts"),
    }


@pytest.fixture
def tradinggrid_env(simulator: Simulator, monkeypatch, settings):
    """Worker (by environment, read when it starts) and this process (settings) on the simulator."""
    for name, value in _point_at(simulator).items():
        monkeypatch.setenv(name, value)
        setattr(settings, name, True if name == "TRADINGGRID_ENABLED" else value)
    conf.forget_transport()
    yield simulator
    conf.forget_transport()


def _login(client: httpx.Client, email: str) -> None:
    page = client.get("/accounts/login/")
    token = CSRF.search(page.text).group(1)
    answer = client.post(
        "/accounts/login/",
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{client.base_url}/accounts/login/"},
    )
    assert answer.status_code in (200, 302) and "sessionid" in client.cookies
    if answer.status_code == 302 and "/accounts/2fa/authenticate/" in answer.headers["location"]:
        # Internal users sign in with a second factor (the MFA policy): enter the code.
        from django.core.cache import cache

        from tests.factories import TOTP_SECRET, totp_code

        cache.clear()  # allauth refuses a code reused by the same user id; ids repeat across tests
        step = client.get("/accounts/2fa/authenticate/")
        answer = client.post(
            "/accounts/2fa/authenticate/",
            data={"code": totp_code(TOTP_SECRET), "csrfmiddlewaretoken": CSRF.search(step.text).group(1)},
            headers={"Referer": f"{client.base_url}/accounts/2fa/authenticate/"},
        )
        assert answer.status_code == 302, answer.text[:500]


@pytest.mark.django_db(transaction=True)
def test_a_case_travels_to_the_partner_and_its_answer_comes_back(
    tradinggrid_env, celery_worker_process, live_server
):
    simulator = tradinggrid_env
    partner = tg_partner()
    agent = internal_user(Role.AGENT)

    with httpx.Client(base_url=live_server.url, follow_redirects=False, timeout=30) as client:
        _login(client, agent.email)
        form = client.get("/cases/new/")
        token = CSRF.search(form.text).group(1)
        created = client.post(
            "/cases/new/",
            data={
                "csrfmiddlewaretoken": token,
                "kind": CaseKind.GENERAL,
                "partner": partner.pk,
                "subject": "Order 2001: two lines short",
                "priority": "high",
                "order_number": "2001",
                "body": "Can you ship the missing lines by Friday?",
            },
            headers={"Referer": f"{live_server.url}/cases/new/"},
        )
        assert created.status_code == 302, created.text[:500]
        case = Case.objects.get(subject="Order 2001: two lines short")

        # The worker delivers it: the router hands it to the partner's mailbox.
        def delivered():
            return [
                e
                for e in simulator.log(status="delivered", sender="RETAILER", receiver="SUP-001")
                if e["file"].startswith("cxd-")
            ]

        [entry] = wait_for(delivered, timeout=60, message="the document in SUP-001's mailbox")
        ours = Interchange.objects.get(direction=Direction.OUTBOUND, case=case)
        assert entry["file"] == ours.file_name and entry["reference"] == ours.document_id
        assert ours.event_type == "case.created" and ours.receiver_id == "SUP001"

        # The worker polls (as beat would every TRADINGGRID_POLL_SECONDS).
        def answered():
            poll_inbound.delay()
            time.sleep(0.5)
            ours.refresh_from_db()
            reply = Message.objects.filter(case=case, channel=Channel.TRADING_GRID).first()
            return ours.acknowledged_at is not None and reply

        reply = wait_for(answered, timeout=60, message="the 997 and the partner's reply")
        ours.refresh_from_db()
        assert ours.ack_status == "A"
        assert ours.status in (Status.ACCEPTED, Status.ANSWERED)
        assert ours.acknowledgement.document_type == "997"
        assert "Northwind Apparel here" in reply.body
        assert TimelineEvent.objects.filter(
            case=case, channel=Channel.TRADING_GRID, verb="message"
        ).exists()

        # The web process shows it on the case page.
        page = client.get(f"/cases/{case.pk}/")
        assert page.status_code == 200
        assert "Northwind Apparel here" in page.text and "Trading Grid" in page.text

        # And the retailer answered the partner's reply with a 997, through the worker.
        inbound = Interchange.objects.get(
            direction=Direction.INBOUND, case=case, event_type="message.posted"
        )
        wait_for(
            lambda: Interchange.objects.filter(answers=inbound, status=Status.SENT).exists(),
            timeout=30,
            message="our 997 for the partner's reply",
        )
