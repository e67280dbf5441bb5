"""Attacks on inbound Trading Grid: one file must not stop the others, and a partner must not
write as another. Each test is named after the attack it stops (see docs/security.md)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from apps.partners.roles import Role
from apps.sync.models import OutboxMessage
from apps.tradinggrid.edi import read_acknowledgement
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Alert, AlertKind, Direction, Interchange, Status
from apps.workspace.choices import Channel
from apps.workspace.models import Message
from simulators.tradinggrid.mailboxes import MailboxStore
from simulators.tradinggrid.participants import Directory, default_participants
from simulators.tradinggrid.router import Router, RouterLog
from tests.factories import internal_user
from tests.tradinggrid.test_business import (
    ack,
    order_exception,
    partner_855,
    po_line,
)
from tests.tradinggrid.test_ledger import (
    drain_outbox,
    folder_mailbox,
    open_case,
    partner_document,
    tg_partner,
)


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


@pytest.fixture
def harbor(db):
    return tg_partner(name="Harbor Logistics Centre", tg_id="WH001")


def nested_document(partner, case, depth: int = 1000) -> bytes:
    text = partner_document(partner, case).decode()
    return text.replace('"We ship on Friday."', "[" * depth + "]" * depth).encode()


def arrive_first(mailbox, name: str, data: bytes) -> None:
    """A file older than anything else waiting, so it heads the listing."""
    mailbox.arrive(name, data)
    os.utime(mailbox.inbound / name, (1_000_000, 1_000_000))


def inbound(name: str) -> Interchange:
    return Interchange.objects.get(direction=Direction.INBOUND, file_name__startswith=name[:50])


# --- One file must not stop inbound EDI for every partner ------------------------------------------


def test_a_document_nested_1000_deep_is_quarantined_and_the_others_flow(partner, mailbox):
    case = open_case(partner)
    arrive_first(mailbox, "deep.json", nested_document(partner, case))
    mailbox.arrive("reply.json", partner_document(partner, case, start=700))

    first = poll_mailbox()
    second = poll_mailbox()

    assert first.error == "" and first.quarantined + len(first.applied) == 2
    assert second.listed == 0 and mailbox.waiting() == []
    deep = inbound("deep.json")
    assert deep.status == Status.QUARANTINED and "deeper than" in deep.status_detail
    assert Alert.objects.filter(interchange=deep, kind=AlertKind.QUARANTINED).exists()
    assert Message.objects.filter(case=case, body="We ship on Friday.").count() == 1


@pytest.mark.parametrize(
    "name",
    ["x" * 236 + ".x12", "reply\u00a0from partner.json"],
    ids=["240-characters", "non-breaking-space"],
)
def test_a_file_name_the_fetch_refuses_is_quarantined_moved_aside_and_alerted(
    partner, mailbox, name
):
    case = open_case(partner)
    arrive_first(mailbox, name, partner_document(partner, case))
    mailbox.arrive("reply.json", partner_document(partner, case, start=700))

    result = poll_mailbox()
    poll_mailbox()

    assert result.quarantined == 1 and len(result.applied) == 1
    assert mailbox.waiting() == []  # moved aside under a hidden name, not left to block the poll
    refused = Interchange.objects.get(direction=Direction.INBOUND, status=Status.QUARANTINED)
    assert "file name" in refused.status_detail and "moved aside" in refused.status_detail
    assert Alert.objects.open().filter(kind=AlertKind.QUARANTINED).count() == 1
    assert Message.objects.filter(case=case, body="We ship on Friday.").count() == 1


def test_a_file_over_the_size_limit_is_quarantined_from_the_listing_without_being_fetched(
    partner, mailbox, settings
):
    settings.TRADINGGRID_MAX_DOCUMENT_BYTES = 4096
    case = open_case(partner)
    arrive_first(mailbox, "huge.x12", b"ISA" + b"*" * 10_000)
    mailbox.arrive("reply.json", partner_document(partner, case, start=700))

    result = poll_mailbox()

    assert result.quarantined == 1 and len(result.applied) == 1 and mailbox.waiting() == []
    huge = inbound("huge.x12")
    assert huge.status == Status.QUARANTINED and huge.size == 10_003
    assert huge.sha256 == "" and "over the limit" in huge.status_detail  # never fetched


def test_quarantined_documents_show_on_the_operations_page_as_needing_attention(
    partner, mailbox, client
):
    case = open_case(partner)
    arrive_first(mailbox, "deep.json", nested_document(partner, case))
    poll_mailbox()
    client.force_login(internal_user(Role.ADMIN))
    page = client.get(reverse("sync:operations")).content.decode()
    assert "1 quarantined file(s)" in page


def test_a_resent_interchange_with_the_same_control_numbers_is_answered_not_applied_twice(
    partner, mailbox, test_order_flow
):
    from apps.workspace import services as workspace
    from tests.factories import member

    case = order_exception(partner)
    workspace.case_transition(
        actor=member(partner),
        channel=Channel.WEB,
        case=case,
        transition="propose",
        payload={"resolution": "reship", "ship_date": "2026-03-09"},
    )
    original = partner_855(
        partner, po_line("1", "SKU-1", 10, ack("backordered", 4, date(2026, 3, 20)))
    )
    for attempt, isa_date in enumerate(("260301", "260302", "260303")):
        elements = original.split(b"*")
        elements[9] = isa_date.encode()  # only the ISA date changes, as a resend does
        mailbox.arrive(f"855-{attempt}.x12", b"*".join(elements))
        poll_mailbox()

    assert Message.objects.filter(case=case, channel=Channel.TRADING_GRID).count() == 1
    rows = list(Interchange.objects.filter(direction=Direction.INBOUND).order_by("id"))
    assert [row.status for row in rows] == [Status.ACCEPTED, Status.DUPLICATE, Status.DUPLICATE]
    drain_outbox()
    for row in rows:
        row.refresh_from_db()
        assert row.acknowledgement is not None and row.ack_status == "A"


def test_a_test_interchange_never_changes_a_live_case_and_its_997_is_a_test(
    partner, mailbox, test_order_flow
):
    case = order_exception(partner)
    data = partner_855(partner, po_line("1", "SKU-1", 10, ack("accepted", 10, date(2026, 3, 5))))
    elements = data.split(b"*")
    elements[15] = b"T"  # ISA15: test
    mailbox.arrive("855-test.x12", b"*".join(elements))

    poll_mailbox()

    case.refresh_from_db()
    assert case.status != "offered"
    assert not Message.objects.filter(case=case, channel=Channel.TRADING_GRID).exists()
    row = inbound("855-test.x12")
    assert row.status == Status.TEST and row.usage == "T" and row.ack_status == "A"
    drain_outbox()
    row.refresh_from_db()
    ours = mailbox.read(row.acknowledgement.file_name)
    assert ours.split(b"*")[15] == b"T"
    assert read_acknowledgement(ours).groups[0].status == "A"


# --- One partner must not write on another partner's case -----------------------------------


def test_a_partner_cannot_post_on_another_partners_case_by_claiming_its_sender(
    partner, harbor, mailbox
):
    harbors_case = open_case(harbor)
    # From SUP-001's mailbox, a document claiming to be Harbor Logistics (ZZ/WH001).
    mailbox.arrive("spoof.json", partner_document(harbor, harbors_case), via="ZZ:SUP001")

    poll_mailbox()
    drain_outbox()

    assert not Message.objects.filter(case=harbors_case, body="We ship on Friday.").exists()
    row = inbound("spoof.json")
    assert row.status == Status.QUARANTINED and row.partner is None
    assert row.delivered_by == "SUP001" and row.delivered_for == ["ZZ:SUP001"]
    assert "claims to be from ZZ:WH001" in row.status_detail
    assert Alert.objects.filter(interchange=row, kind=AlertKind.SENDER_MISMATCH).exists()
    # No acknowledgement goes to the claimed sender (nor to anyone).
    assert row.acknowledgement is None
    assert not OutboxMessage.objects.filter(payload__interchange_id=row.pk).exists()


def test_a_partner_cannot_answer_for_another_partner_with_a_forged_isa06(
    partner, harbor, mailbox, test_order_flow
):
    harbors_case = order_exception(harbor)
    data = partner_855(harbor, po_line("1", "SKU-1", 10, ack("accepted", 10, date(2026, 3, 5))))
    mailbox.arrive("forged.x12", data, via="ZZ:SUP001")

    poll_mailbox()

    harbors_case.refresh_from_db()
    assert harbors_case.status != "offered"
    row = inbound("forged.x12")
    assert row.status == Status.QUARANTINED and row.ack_status == ""


def test_a_document_without_the_networks_delivery_metadata_is_not_trusted(partner, mailbox):
    case = open_case(partner)
    (mailbox.inbound / "dropped.json").write_bytes(partner_document(partner, case))

    poll_mailbox()

    assert (
        not Message.objects.filter(case=case)
        .exclude(body="Please confirm the new ship date.")
        .exists()
    )
    assert inbound("dropped.json").status == Status.QUARANTINED


def test_a_partners_own_connection_carries_only_that_partner(partner, harbor, mailbox, settings):
    settings.TRADINGGRID_TRANSPORT_OPTIONS = {"carries": ["ZZ:SUP001"]}
    own, harbors = open_case(partner), open_case(harbor)
    (mailbox.inbound / "mine.json").write_bytes(partner_document(partner, own))
    (mailbox.inbound / "theirs.json").write_bytes(partner_document(harbor, harbors, start=900))

    poll_mailbox()

    assert Message.objects.filter(case=own, body="We ship on Friday.").count() == 1
    assert not Message.objects.filter(case=harbors, body="We ship on Friday.").exists()
    assert inbound("theirs.json").status == Status.QUARANTINED


# --- The simulator: one file must not stop the network ----------------------------------------


@pytest.fixture
def network(tmp_path):
    participants = default_participants()
    store = MailboxStore(tmp_path / "net", [p.id for p in participants])
    router = Router(
        directory=Directory(participants),
        store=store,
        log=RouterLog(tmp_path / "router.log"),
        is_being_written=lambda path: False,
    )
    return store, router


def collab_to_retailer(sender_id: str, body: str = '"hello"') -> bytes:
    document = {
        "sender": {"qualifier": "ZZ", "id": sender_id},
        "receiver": {"qualifier": "ZZ", "id": "CROSSDOCK"},
        "document_id": "d-1",
        "event": {"type": "message.posted", "data": {"body": "__BODY__"}},
    }
    return json.dumps(document).replace('"__BODY__"', body).encode()


def test_a_document_nested_1000_deep_does_not_stop_the_simulators_router(network):
    store, router = network
    deep = store.folder("SUP-001", "outbound") / "deep.json"
    deep.write_bytes(collab_to_retailer("SUP001", "[" * 1000 + "]" * 1000))
    os.utime(deep, (1_000_000, 1_000_000))
    store.write("WH-001", "outbound", "reply.json", collab_to_retailer("WH001"))

    router.route_pending()

    assert [p.name for p in store.complete_files("RETAILER", "inbound")] == ["reply.json"]
    assert any("deep.json" in entry["name"] for entry in store.rejected())


def test_the_router_reports_the_real_sender_beside_each_delivered_document(network):
    store, router = network
    store.write("SUP-001", "outbound", "spoof.json", collab_to_retailer("WH001"))
    router.route_pending()
    inbound_dir = store.folder("RETAILER", "inbound")
    [meta] = [p for p in Path(inbound_dir).iterdir() if p.name.startswith(".delivery-")]
    delivery = json.loads(meta.read_text())
    assert delivery["sender_mailbox"] == "SUP-001"
    assert delivery["sender_identities"] == ["ZZ:SUP001"]
    assert delivery["document_sender"] == "ZZ:WH001"


def test_a_file_name_that_is_not_utf8_does_not_break_the_senders_mailbox_listing(network):
    store, router = network
    outbound = os.fsencode(store.folder("SUP-001", "outbound"))
    with open(os.path.join(outbound, b"bad\xff.json"), "wb") as handle:
        handle.write(collab_to_retailer("SUP001"))
    store.write("SUP-001", "outbound", "good.json", collab_to_retailer("SUP001"))

    listing = json.dumps(store.listing("SUP-001"))  # what the control API answers
    router.route_pending()

    assert "bad\\\\xff.json" in listing
    assert [p.name for p in store.complete_files("RETAILER", "inbound")] == ["good.json"]
