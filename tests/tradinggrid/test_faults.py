"""Faults against the Trading Grid simulator as a real subprocess over SFTP.

Time is simulated: delivery and polling are driven with an advancing `now` instead of
sleeping, so a ten-minute outage takes seconds. Only the simulator's own bots run in real
time (they answer within a second), which the tests wait for.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.partners.roles import Role
from apps.sync.models import OutboxMessage, OutboxStatus
from apps.tradinggrid import conf, services
from apps.tradinggrid.edi import read_acknowledgement
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Alert, AlertKind, Direction, Interchange, Standard, Status
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from apps.workspace.models import Message
from tests.factories import internal_user
from tests.tradinggrid.conftest import Simulator, wait_for, x12_interchange
from tests.tradinggrid.test_ledger import drain_outbox, open_case, partner_document, tg_partner

pytestmark = pytest.mark.slow


@pytest.fixture
def network(simulator: Simulator, settings):
    """The portal pointed at the simulator's SFTP server, as `make run` points it."""
    settings.TRADINGGRID_ENABLED = True
    settings.TRADINGGRID_TRANSPORT_URL = f"sftp://crossdock@{simulator.host}:{simulator.sftp_port}/"
    settings.TRADINGGRID_PASSWORD = "crossdock"
    settings.TRADINGGRID_PRIVATE_KEY_PATH = ""
    settings.TRADINGGRID_KNOWN_HOSTS_PATH = str(simulator.data_dir / "known_hosts")
    settings.TRADINGGRID_TRANSPORT_OPTIONS = {"connect_timeout": 3.0, "operation_timeout": 10.0}
    conf.forget_transport()
    yield simulator
    conf.forget_transport()


def our_collab_documents() -> list[Interchange]:
    return list(
        Interchange.objects.filter(direction=Direction.OUTBOUND, standard=Standard.COLLAB).order_by(
            "id"
        )
    )


def delivered_to(simulator: Simulator, participant: str, prefix: str) -> list[str]:
    return [
        entry["file"]
        for entry in simulator.log(status="delivered", sender="RETAILER", receiver=participant)
        if entry["file"].startswith(prefix)
    ]


def test_ten_minutes_of_refused_connections_lose_nothing_and_duplicate_nothing(network, db):
    simulator = network
    partner = tg_partner()
    agent = internal_user(Role.AGENT)
    start = timezone.now()
    simulator.faults(refuse_connections=True)

    cases = [open_case(partner, actor=agent, subject=f"Order {n} is late") for n in range(3)]
    workspace.message_post(actor=agent, channel=Channel.WEB, case=cases[0], body="Any news?")
    # The partner answers one case meanwhile; its document waits in our inbound folder.
    simulator.inject("SUP-001", partner_document(partner, cases[1]), name="reply-in-outage.json")
    queued = OutboxMessage.objects.count()
    assert queued == 4

    now = start
    while now < start + timedelta(minutes=10):
        drain_outbox(now=now)
        assert poll_mailbox(now=now).error  # refused: nothing taken, nothing lost
        now += timedelta(seconds=20)

    rows = list(OutboxMessage.objects.all())
    assert {row.status for row in rows} <= {OutboxStatus.RETRYING, OutboxStatus.PENDING}
    heads = {}
    for row in sorted(rows, key=lambda r: r.pk):
        heads.setdefault(row.key, row)
    # The first row of each case kept trying without giving up; later ones wait their turn.
    assert all(row.attempts >= 2 for row in heads.values())
    assert not Interchange.objects.filter(status=Status.SENT).exists()
    assert delivered_to(simulator, "SUP-001", "cxd-") == []
    assert simulator.files("RETAILER", "inbound") == ["reply-in-outage.json"]

    simulator.faults(refuse_connections=False)
    for _ in range(40):
        if not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists():
            break
        now += timedelta(minutes=1)
        drain_outbox(now=now)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}

    def everything_answered() -> bool:
        poll_mailbox()
        drain_outbox()  # our own 997s for the partner's replies
        replies = Message.objects.filter(channel=Channel.TRADING_GRID).count()
        # A reply from the bot to each case.created and to "Any news?", plus the injected one.
        return replies == 5 and all(doc.acknowledged_at for doc in our_collab_documents())

    wait_for(everything_answered, what="the partner's 997s and replies", timeout=30)

    documents = our_collab_documents()
    assert len(documents) == queued
    assert len({(d.group_control, d.transaction_control) for d in documents}) == queued
    assert {d.ack_status for d in documents} == {"A"}
    # Each document reached the partner's mailbox exactly once.
    delivered = delivered_to(simulator, "SUP-001", "cxd-")
    assert sorted(delivered) == sorted(d.file_name for d in documents)
    # The document that waited out the outage was applied once.
    assert Message.objects.filter(case=cases[1], body="We ship on Friday.").count() == 1
    time.sleep(0.5)  # anything still on its way would arrive now
    assert poll_mailbox().recorded == 0
    assert Message.objects.filter(channel=Channel.TRADING_GRID).count() == 5
    inbound = Interchange.objects.filter(direction=Direction.INBOUND)
    assert inbound.count() == len(set(inbound.values_list("sha256", flat=True)))


def test_a_malformed_file_is_quarantined_answered_and_alerted_while_others_flow(
    network, db, client
):
    simulator = network
    partner = tg_partner()
    case = open_case(partner)
    # The partner's next document (its 997 for our case.created) arrives broken.
    simulator.faults(malformed_next=1)
    assert drain_outbox() == ["sent"]
    ours = Interchange.objects.get(direction=Direction.OUTBOUND, case=case)
    # And a broken business document of its own, sent beside it.
    broken_855 = x12_interchange(
        sender="SUP001", receiver="CROSSDOCK", functional_id="PR", transaction_sets=("855",)
    )
    broken_855 = broken_855.replace(b"BEG*", b"%%GARBLED%%*", 1)
    simulator.inject("SUP-001", broken_855, name="garbled-855.x12")

    def all_arrived() -> bool:
        poll_mailbox()
        inbound = Interchange.objects.filter(direction=Direction.INBOUND)
        return (
            inbound.filter(status=Status.QUARANTINED).count() == 2
            and Message.objects.filter(case=case, channel=Channel.TRADING_GRID).exists()
        )

    wait_for(all_arrived, what="the malformed 997, the garbled 855 and the bot's reply", timeout=30)

    malformed = Interchange.objects.get(file_name__startswith="malformed-")
    garbled = Interchange.objects.get(file_name="garbled-855.x12")
    for row in (malformed, garbled):
        assert row.status == Status.QUARANTINED and row.partner == partner
        assert row.raw.read()  # kept as received
        assert Alert.objects.get(interchange=row).kind == AlertKind.QUARANTINED

    # The garbled 855 is answered with a negative 997; the broken 997 is not (acks are never acked).
    drain_outbox()
    garbled.refresh_from_db()
    malformed.refresh_from_db()
    assert malformed.acknowledgement is None
    answer = garbled.acknowledgement
    assert answer is not None and answer.status == Status.SENT
    verdict = read_acknowledgement(answer.raw.read())
    assert [g.status for g in verdict.groups] == ["R"]
    wait_for(
        lambda: answer.file_name in delivered_to(simulator, "SUP-001", "997-"),
        what="our negative 997 to reach the partner",
    )

    # Other files kept flowing: the partner's reply is on the case.
    reply = Message.objects.get(case=case, channel=Channel.TRADING_GRID)
    assert "Northwind Apparel here" in reply.body
    # Our document never got its 997: the deadline makes that visible too.
    ours.refresh_from_db()
    assert ours.acknowledged_at is None and ours.status == Status.ANSWERED
    assert services.ack_deadlines_check(now=timezone.now() + timedelta(hours=2)) == 1

    client.force_login(internal_user(Role.OPERATIONS))
    page = client.get(reverse("tradinggrid:ledger")).content.decode()
    assert page.count("Quarantined document") >= 2 and "Acknowledgement overdue" in page


def test_the_poll_rides_out_a_dropped_connection(network, db):
    simulator = network
    partner = tg_partner()
    case = open_case(partner)
    assert drain_outbox() == ["sent"]
    simulator.call("POST", "/connections/drop", {})

    def acknowledged():
        poll_mailbox()
        return Interchange.objects.get(case=case, direction=Direction.OUTBOUND).acknowledged_at

    wait_for(acknowledged, what="the 997 after a dropped connection", timeout=20)
