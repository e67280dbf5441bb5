"""Mirroring: partner-visible case events leave as collaboration documents; internal ones never do."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import pytest

from apps.partners.actors import PartnerSystemActor
from apps.partners.roles import Channel, Role
from apps.sync.models import OutboxMessage, OutboxStatus
from apps.tradinggrid import deliverer
from apps.tradinggrid.edi import parse_document
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, PartnerProfile, Status
from apps.tradinggrid.transport import TransportUnavailable
from apps.workspace import services as workspace
from apps.workspace.choices import Channel as CaseChannel
from apps.workspace.choices import Visibility
from tests.factories import OrganizationFactory, internal_user, member
from tests.tradinggrid.test_ledger import (
    FolderMailbox,
    drain_outbox,
    folder_mailbox,
    open_case,
    partner_997,
    sent_document,
    tg_partner,
)

PDF = b"%PDF-1.4\n% packing list\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
SECRET = "Margin on this order is 4%; do not tell them."


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


@pytest.fixture
def agent(db):
    return internal_user(Role.AGENT)


def documents(box) -> list[dict]:
    return [json.loads(box.read(name)) for name in box.sent()]


def test_every_partner_visible_event_is_an_outbox_row_for_the_partners_identity(partner, agent):
    case = open_case(partner, actor=agent)
    workspace.message_post(actor=agent, channel=CaseChannel.WEB, case=case, body="Any news?")
    rows = list(OutboxMessage.objects.filter(case=case).order_by("id"))
    assert [r.topic for r in rows] == ["collab.case.created", "collab.message.posted"]
    assert {r.target for r in rows} == {"tradinggrid"}
    assert {r.key for r in rows} == {f"tradinggrid:case:{case.pk}"}
    created = rows[0].payload
    assert created["receiver"] == {"qualifier": "ZZ", "id": "SUP001"}
    assert created["case"]["public_id"] == str(case.public_id)
    assert created["event_data"]["subject"] == case.subject
    assert created["event_data"]["description"] == "Please confirm the new ship date."


def test_internal_notes_and_files_never_leave(partner, agent, mailbox):
    case = open_case(partner, actor=agent)
    workspace.message_post(
        actor=agent,
        channel=CaseChannel.WEB,
        case=case,
        body=SECRET,
        visibility=Visibility.INTERNAL,
        files=[("margin.pdf", io.BytesIO(PDF))],
    )
    workspace.file_upload(
        actor=agent,
        channel=CaseChannel.WEB,
        case=case,
        name="costing.pdf",
        content=io.BytesIO(PDF),
        visibility=Visibility.INTERNAL,
    )
    workspace.message_post(actor=agent, channel=CaseChannel.WEB, case=case, body="Any news?")

    payloads = json.dumps([row.payload for row in OutboxMessage.objects.all()])
    assert SECRET not in payloads and "margin.pdf" not in payloads and "costing.pdf" not in payloads
    drain_outbox()
    sent = mailbox.sent()
    assert sent and all(not name.startswith(".") for name in sent)
    delivered = b"".join(mailbox.read(name) for name in sent)
    assert SECRET.encode() not in delivered
    assert b"margin.pdf" not in delivered and b"costing.pdf" not in delivered
    assert base64.b64encode(PDF) not in delivered
    events = [d["event"]["type"] for d in documents(mailbox)]
    assert "file.attached" not in events and "message.posted" in events


def test_the_delivered_document_is_valid_ledgered_and_addressed(partner, agent, mailbox):
    case = open_case(partner, actor=agent)
    drain_outbox()
    ours = sent_document(case)
    data = mailbox.read(ours.file_name)
    document = parse_document(data)
    assert document.receiver.id == "SUP001" and document.sender.id == "CROSSDOCK"
    assert document.event_type == "case.created"
    assert document.case.public_id == str(case.public_id)
    assert document.control.key == (
        ours.interchange_control,
        ours.group_control,
        ours.transaction_control,
    )
    assert document.document_id == ours.document_id
    assert ours.sha256 == hashlib.sha256(data).hexdigest() and ours.size == len(data)
    assert ours.raw.read() == data  # the ledger keeps exactly what was sent
    assert ours.status == Status.SENT and ours.expects_ack
    assert OutboxMessage.objects.get(case=case, topic="collab.case.created").status == "sent"


def test_files_travel_embedded_with_their_checksum(partner, agent, mailbox):
    case = open_case(partner, actor=agent)
    workspace.message_post(
        actor=agent,
        channel=CaseChannel.WEB,
        case=case,
        body="The packing list.",
        files=[("packing-list.pdf", io.BytesIO(PDF))],
    )
    drain_outbox()
    attached = sent_document(case, "file.attached")
    document = parse_document(mailbox.read(attached.file_name))  # checks size and sha256
    [embedded] = document.files
    assert embedded.name == "packing-list.pdf" and embedded.content == PDF
    assert embedded.content_type == "application/pdf"
    assert document.event_data["file_names"] == ["packing-list.pdf"]


def test_a_file_too_large_to_embed_is_announced_instead(partner, agent, mailbox, monkeypatch):
    monkeypatch.setattr("apps.tradinggrid.conf.MAX_EMBEDDED_FILE_BYTES", 10)
    case = open_case(partner, actor=agent)
    workspace.file_upload(
        actor=agent, channel=CaseChannel.WEB, case=case, name="big.pdf", content=io.BytesIO(PDF)
    )
    drain_outbox()
    [notice] = [
        d
        for d in documents(mailbox)
        if d["event"]["data"].get("message_id", "").startswith("file-")
    ]
    assert notice["event"]["type"] == "message.posted" and notice["files"] == []
    assert "big.pdf" in notice["event"]["data"]["body"]


def test_only_partners_on_trading_grid_and_only_the_chosen_events(db, agent):
    portal_only = OrganizationFactory(channel=Channel.PORTAL)
    open_case(portal_only, actor=agent)
    assert not OutboxMessage.objects.exists()

    partner = tg_partner(name="Kestrel", tg_id="SUP004", channel=Channel.TRADING_GRID)
    PartnerProfile.objects.create(organization=partner, document_types=["case.transitioned"])
    case = open_case(partner, actor=agent)
    workspace.message_post(actor=agent, channel=CaseChannel.WEB, case=case, body="Any news?")
    assert set(OutboxMessage.objects.values_list("topic", flat=True)) <= {
        "collab.case.transitioned"
    }


def test_what_the_partner_system_sent_is_not_echoed_but_its_peoples_browser_replies_are(
    partner,
    agent,
    mailbox,
):
    case = open_case(partner, actor=agent)
    drain_outbox()
    OutboxMessage.objects.all().delete()

    system = PartnerSystemActor(partner, "Northwind ERP via Trading Grid")
    workspace.message_post(
        actor=system, channel=CaseChannel.TRADING_GRID, case=case, body="From EDI"
    )
    assert not OutboxMessage.objects.exists()

    person = member(partner, Role.PARTNER_MEMBER)
    workspace.message_post(
        actor=person, channel=CaseChannel.WEB, case=case, body="Typed in the portal"
    )
    row = OutboxMessage.objects.get(topic="collab.message.posted")
    assert row.payload["event_data"]["body"] == "Typed in the portal"
    # The partner's system can tell its own people's actions from the retailer's.
    assert row.payload["actor"]["organization"] == partner.name


def test_redelivery_sends_the_same_document_never_a_second_one(
    partner, agent, mailbox, monkeypatch
):
    case = open_case(partner, actor=agent)
    message = OutboxMessage.objects.get(case=case)
    calls = {"n": 0}
    real_transport = deliverer.conf.transport

    class Flaky:
        def put(self, *, name, data):
            calls["n"] += 1
            if calls["n"] == 1:
                raise TransportUnavailable("connection refused")
            return real_transport().put(name=name, data=data)

    monkeypatch.setattr(deliverer.conf, "transport", lambda: Flaky())
    assert drain_outbox() == ["retrying"]
    first = Interchange.objects.get(outbox_message_id=message.pk)
    assert first.status == Status.CREATED and mailbox.sent() == []

    message.refresh_from_db()
    assert drain_outbox(now=message.next_attempt_at) == ["sent"]
    again = Interchange.objects.get(outbox_message_id=message.pk)
    assert again.pk == first.pk and again.status == Status.SENT
    assert [first.file_name] == mailbox.sent()
    assert (
        parse_document(mailbox.read(first.file_name)).document_id == message.payload["document_id"]
    )

    # A worker that lost its lease after the put redelivers: same bytes, same name, one row.
    deliverer.deliver(message)
    assert Interchange.objects.filter(direction=Direction.OUTBOUND).count() == 1
    assert mailbox.sent() == [first.file_name]


def test_the_connector_works_against_opensshs_sftp_server(
    db, openssh, openssh_mailbox, settings, tmp_path
):
    key = tmp_path / "retailer_key"
    key.write_text(openssh.client_key.private_pem)
    key.chmod(0o600)
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(openssh.known_hosts_line + "\n")
    settings.TRADINGGRID_TRANSPORT_URL = (
        f"sftp://{openssh.username}@{openssh.host}:{openssh.port}{openssh_mailbox}/"
    )
    settings.TRADINGGRID_PASSWORD = ""
    settings.TRADINGGRID_PRIVATE_KEY_PATH = str(key)
    settings.TRADINGGRID_KNOWN_HOSTS_PATH = str(known_hosts)
    partner = tg_partner()
    case = open_case(partner)

    assert drain_outbox() == ["sent"]
    ours = sent_document(case)
    delivered = Path(openssh_mailbox, "outbound", ours.file_name).read_bytes()
    assert parse_document(delivered).document_id == ours.document_id

    # Playing the network: the 997 arrives with Trading Grid's delivery metadata beside it.
    FolderMailbox(Path(openssh_mailbox)).arrive("997-sup001.x12", partner_997(delivered))
    result = poll_mailbox()
    assert result.error == "" and len(result.applied) == 1
    ours.refresh_from_db()
    assert ours.status == Status.ACCEPTED
    assert list((Path(openssh_mailbox) / "inbound").iterdir()) == []
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 1
