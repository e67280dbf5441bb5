"""Inbound: partner documents go through the same services and checks as a partner in the browser."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import date

import pytest

from apps.partners.roles import Role
from apps.sync.models import InboxEvent, OutboxMessage
from apps.tradinggrid.edi import (
    CollabFile,
    MemoryControlNumberSource,
    OutboundTransaction,
    Party,
    build_interchange,
    get_mapping,
    read_acknowledgement,
    write_interchange,
)
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Alert, AlertKind, Direction, Interchange, Status
from apps.tradinggrid.transport import LocalFolderTransport, TransportUnavailable
from apps.workspace.choices import Channel
from apps.workspace.models import Attachment, Message, TimelineEvent
from tests.factories import internal_user
from tests.tradinggrid.test_ledger import (
    RETAILER,
    drain_outbox,
    folder_mailbox,
    open_case,
    partner_document,
    sent_document,
    tg_partner,
)

PDF = b"%PDF-1.4\n% proof of delivery\n%%EOF\n"


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


@pytest.fixture
def other(db):
    return tg_partner(name="Alpine Outdoor Goods", tg_id="SUP002")


def our_ack(inbound: Interchange, box) -> tuple[str, bytes]:
    """Deliver the acknowledgement we queued for `inbound`; return its status and bytes."""
    drain_outbox()
    inbound.refresh_from_db()
    ack = inbound.acknowledgement
    assert ack is not None and ack.direction == Direction.OUTBOUND and ack.answers_id == inbound.pk
    data = box.read(ack.file_name)
    result = read_acknowledgement(data)
    [group] = result.groups
    assert group.control_number == inbound.group_control
    return group.transactions[0].status if group.transactions else group.status, data


def test_a_partner_reply_lands_on_its_case_through_the_trading_grid_channel(partner, mailbox):
    case = open_case(partner)
    drain_outbox()
    ours = sent_document(case)
    mailbox.arrive("reply.json", partner_document(partner, case, in_reply_to=ours.document_id))

    poll_mailbox()

    message = Message.objects.get(case=case, body="We ship on Friday.")
    assert message.channel == Channel.TRADING_GRID and message.author is None
    assert message.author_organization == partner
    assert TimelineEvent.objects.filter(
        case=case, channel=Channel.TRADING_GRID, verb="message"
    ).exists()
    case.refresh_from_db()
    assert case.status == "awaiting_retailer"  # the reply handed the turn over, as in the browser
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED and inbound.case == case and inbound.partner == partner
    ours.refresh_from_db()
    assert ours.status == Status.ANSWERED and inbound.answers == ours
    status, data = our_ack(inbound, mailbox)
    assert status == "A" and b"AK2*CXD*" in data
    # Nothing the partner's system said is echoed back to it.
    assert not OutboxMessage.objects.filter(topic__startswith="collab.", status="pending").exists()


def test_a_document_naming_another_partners_case_changes_nothing(partner, other, mailbox, caplog):
    theirs = open_case(other, subject="Alpine's own case")
    drain_outbox()
    before = (
        Message.objects.filter(case=theirs).count(),
        TimelineEvent.objects.filter(case=theirs).count(),
        theirs.status,
    )
    mailbox.arrive("sneaky.json", partner_document(partner, theirs))

    with caplog.at_level(logging.WARNING, logger="apps.tradinggrid"):
        poll_mailbox()

    theirs.refresh_from_db()
    after = (
        Message.objects.filter(case=theirs).count(),
        TimelineEvent.objects.filter(case=theirs).count(),
        theirs.status,
    )
    assert after == before
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.REJECTED and inbound.case is None
    assert inbound.partner == partner
    assert str(theirs.public_id) in inbound.status_detail
    assert Alert.objects.get(interchange=inbound).kind == AlertKind.REFUSED
    assert any("Refused Trading Grid document" in r.getMessage() for r in caplog.records)
    status, _ = our_ack(inbound, mailbox)
    assert status == "R"
    # Refused the same way as a case that does not exist at all: nothing tells them apart.
    assert "not one of its cases" in inbound.status_detail


def test_a_transition_the_state_table_refuses_is_accepted_with_errors(partner, mailbox):
    case = open_case(partner)
    mailbox.arrive(
        "close.json",
        partner_document(
            partner,
            case,
            event_type="case.transitioned",
            event_data={"to_status": "closed", "transition": "close"},
        ),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "open"
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "not yours to take" in inbound.status_detail
    assert Alert.objects.get(interchange=inbound).kind == AlertKind.APPLICATION_ERROR
    status, data = our_ack(inbound, mailbox)
    assert status == "E" and b"AK9*E*1*1*1" in data


def test_an_allowed_transition_moves_the_case(partner, mailbox):
    case = open_case(partner)
    mailbox.arrive(
        "respond.json",
        partner_document(
            partner,
            case,
            event_type="case.transitioned",
            event_data={"to_status": "awaiting_retailer"},  # the target alone is enough
        ),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "awaiting_retailer"
    assert TimelineEvent.objects.filter(
        case=case, verb="transitioned", channel=Channel.TRADING_GRID
    ).exists()


def test_a_file_from_the_partner_is_stored_on_the_case(partner, mailbox):
    case = open_case(partner)
    data = partner_document(
        partner,
        case,
        event_type="file.attached",
        event_data={"file_names": ["pod.pdf"], "description": "Signed POD"},
        files=[CollabFile(name="pod.pdf", content_type="application/pdf", content=PDF)],
    )
    mailbox.arrive("pod.json", data)
    poll_mailbox()
    attachment = Attachment.objects.get(case=case)
    version = attachment.current_version
    assert attachment.name == "pod.pdf" and version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.channel == Channel.TRADING_GRID and version.note == "Signed POD"
    assert Interchange.objects.get(direction=Direction.INBOUND).status == Status.ACCEPTED


def test_unknown_senders_are_refused(db, mailbox):
    stranger = tg_partner(name="Not connected", tg_id="SUP003", channel="portal")
    case = open_case(stranger)
    mailbox.arrive("x.json", partner_document(stranger, case))
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.REJECTED and "not a partner connected" in inbound.status_detail
    assert not Message.objects.filter(case=case, channel=Channel.TRADING_GRID).exists()


def test_an_invalid_document_is_quarantined_with_a_negative_997(partner, mailbox):
    case = open_case(partner)
    document = json.loads(partner_document(partner, case))
    document["files"] = [
        {
            "name": "x.pdf",
            "content_type": "application/pdf",
            "size": 3,
            "sha256": "0" * 64,  # wrong
            "content_base64": base64.b64encode(b"abc").decode(),
        }
    ]
    mailbox.arrive("broken.json", json.dumps(document).encode())
    mailbox.arrive("good.json", partner_document(partner, case, start=600))
    poll_mailbox()
    broken = Interchange.objects.get(file_name="broken.json")
    assert broken.status == Status.QUARANTINED and "sha256" in broken.status_detail
    assert Alert.objects.get(interchange=broken).kind == AlertKind.QUARANTINED
    status, data = our_ack(broken, mailbox)
    assert status == "R" and b"AK5*R*5" in data
    # The other file kept flowing.
    assert Interchange.objects.get(file_name="good.json").status == Status.ACCEPTED
    assert broken.raw.read() == json.dumps(document).encode()  # kept as received


def test_a_file_fetched_twice_is_recorded_and_applied_once(partner, mailbox, monkeypatch):
    case = open_case(partner)
    mailbox.arrive("reply.json", partner_document(partner, case))
    transport = LocalFolderTransport(outbound_dir=mailbox.outbound, inbound_dir=mailbox.inbound)
    monkeypatch.setattr(
        transport, "mark_taken", lambda name: (_ for _ in ()).throw(TransportUnavailable("gone"))
    )
    first = poll_mailbox(transport=transport)
    assert first.recorded == 1 and first.error == "gone" and mailbox.waiting() == ["reply.json"]

    second = poll_mailbox()  # the real transport: removes it this time
    assert second.recorded == 0 and second.replayed == 1 and mailbox.waiting() == []
    assert Interchange.objects.filter(direction=Direction.INBOUND).count() == 1
    assert InboxEvent.objects.count() == 1
    assert Message.objects.filter(case=case, body="We ship on Friday.").count() == 1


def test_a_replayed_document_id_is_answered_but_not_applied_twice(partner, mailbox):
    case = open_case(partner)
    original = partner_document(partner, case)
    mailbox.arrive("reply.json", original)
    poll_mailbox()
    resent = json.loads(original)
    resent["sent_at"] = "2030-01-01T00:00:00Z"  # other bytes, same document
    mailbox.arrive("reply-again.json", json.dumps(resent).encode())
    poll_mailbox()
    assert Message.objects.filter(case=case, body="We ship on Friday.").count() == 1
    replay = Interchange.objects.get(file_name="reply-again.json")
    assert replay.status == Status.DUPLICATE
    status, _ = our_ack(replay, mailbox)
    assert status == "A"


def _partner_855(partner, *, po_number: str) -> bytes:
    mapping = get_mapping(standard="x12", set_id="855")
    body = mapping.from_domain(
        {
            "purpose": "00",
            "acknowledgment_type": "AC",
            "po_number": po_number,
            "po_date": date(2026, 3, 1),
            "lines": [
                {
                    "line_number": "1",
                    "quantity": 10,
                    "unit": "EA",
                    "unit_price": "9.99",
                    "product_ids": [{"qualifier": "VN", "id": "SKU-1"}],
                    "acknowledgments": [
                        {
                            "status": "backordered",
                            "quantity": 4,
                            "unit": "EA",
                            "promised_ship_date": date(2026, 3, 20),
                        }
                    ],
                }
            ],
            "line_count": 1,
        }
    )
    interchange = build_interchange(
        sender=Party(qualifier="ZZ", id=partner.tg_id),
        receiver=RETAILER,
        functional_id="PR",
        transactions=[OutboundTransaction(set_id="855", body=body)],
        control_numbers=MemoryControlNumberSource(start=300),
    )
    return write_interchange(interchange)


def test_a_broken_x12_file_is_quarantined_with_a_997_rejecting_it(partner, mailbox):
    data = _partner_855(partner, po_number="PO-1").replace(b"BAK*", b"%%GARBLED%%*", 1)
    mailbox.arrive("garbled.x12", data)
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.QUARANTINED and inbound.partner == partner
    status, ack = our_ack(inbound, mailbox)
    assert status == "R" and b"AK2*855*" in ack and b"AK9*R*1*1*0" in ack


def test_internal_users_see_the_tradinggrid_reply_on_the_case_page(client, partner, mailbox):
    case = open_case(partner)
    mailbox.arrive("reply.json", partner_document(partner, case))
    poll_mailbox()
    client.force_login(internal_user(Role.AGENT))
    page = client.get(case.get_absolute_url()).content.decode()
    assert "We ship on Friday." in page and "Trading Grid" in page


def test_documents_with_no_one_to_answer_are_quarantined_without_an_answer(partner, mailbox):
    mailbox.arrive("truncated.json", b'{"schema": "crossdock.collaboration", "sender": ')
    no_control = {
        "sender": {"qualifier": "ZZ", "id": "SUP001"},
        "receiver": {"qualifier": "ZZ", "id": "CROSSDOCK"},
    }
    mailbox.arrive("no-control.json", json.dumps(no_control).encode())
    mailbox.arrive("mystery.bin", b"\x00\x01 not a document")
    poll_mailbox()
    drain_outbox()
    rows = {row.file_name: row for row in Interchange.objects.filter(direction=Direction.INBOUND)}
    assert {row.status for row in rows.values()} == {Status.QUARANTINED}
    assert all(row.acknowledgement is None and row.ack_status == "" for row in rows.values())
    assert Alert.objects.filter(kind=AlertKind.QUARANTINED).count() == 3
    assert mailbox.sent() == []
