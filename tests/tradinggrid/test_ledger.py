"""The interchange ledger: control numbers, acknowledgement matching, deadlines, alerts, the page.

Helpers here are shared by the other connector tests (mirroring, inbound, faults, e2e).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.partners.roles import Channel, EdiStandard, Role
from apps.sync.delivery import deliver
from apps.sync.models import OutboxMessage, OutboxStatus
from apps.tradinggrid import selectors, services
from apps.tradinggrid.control_numbers import DatabaseControlNumberSource
from apps.tradinggrid.edi import (
    CollabCase,
    MemoryControlNumberSource,
    OutboundMessage,
    Party,
    build_997_for_collab,
    build_contrl,
    build_document,
    build_edifact_interchange,
    segment,
    validate_edifact,
    write_edifact,
    write_interchange,
)
from apps.tradinggrid.envelopes import read_envelope
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import (
    Alert,
    AlertKind,
    ControlNumberSequence,
    Direction,
    Interchange,
    PartnerProfile,
    Standard,
    Status,
)
from apps.tradinggrid.transport.base import delivery_name
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind
from apps.workspace.choices import Channel as CaseChannel
from tests.factories import OrganizationFactory, internal_user, member
from tests.support.threads import run_at_once

RETAILER = Party(qualifier="ZZ", id="CROSSDOCK")
FLOWING = (OutboxStatus.PENDING, OutboxStatus.RETRYING, OutboxStatus.IN_FLIGHT)


# --- Shared helpers ---------------------------------------------------------------------------


def tg_partner(name: str = "Northwind Apparel", tg_id: str = "SUP001", **extra):
    """A partner connected to Trading Grid (its id matches the simulator's demo network)."""
    extra.setdefault("channel", Channel.BOTH)
    return OrganizationFactory(name=name, tg_qualifier="ZZ", tg_id=tg_id, **extra)


class FolderMailbox:
    """The retailer's mailbox as two local folders: what we put, and what partners send us."""

    def __init__(self, root: Path) -> None:
        self.outbound, self.inbound = root / "outbound", root / "inbound"
        self.outbound.mkdir(parents=True, exist_ok=True)
        self.inbound.mkdir(parents=True, exist_ok=True)

    def sent(self) -> list[str]:
        return sorted(p.name for p in self.outbound.iterdir() if not p.name.startswith("."))

    def read(self, name: str) -> bytes:
        return (self.outbound / name).read_bytes()

    def arrive(self, name: str, data: bytes, *, via: str | None = None) -> None:
        """A document as Trading Grid delivers it: with the network's delivery metadata.

        The network reports the sending mailbox and its registered identity; by default the
        one the document claims (an honest partner), or `via` ("ZZ:SUP001") to send as
        another mailbox, as a partner spoofing a sender would.
        """
        claimed = read_envelope(data).sender
        identity = via or (f"{claimed.qualifier}:{claimed.id}" if claimed else "")
        if identity:
            meta = {
                "network": "tradinggrid",
                "sender_mailbox": identity.rpartition(":")[2],
                "sender_identities": [identity],
            }
            (self.inbound / delivery_name(name)).write_text(json.dumps(meta))
        (self.inbound / name).write_bytes(data)

    def waiting(self) -> list[str]:
        return sorted(p.name for p in self.inbound.iterdir() if not p.name.startswith("."))


def folder_mailbox(tmp_path: Path, settings) -> FolderMailbox:
    """Point the connector at a mailbox in two local folders (the `mailbox` fixtures)."""
    settings.TRADINGGRID_ENABLED = True
    settings.TRADINGGRID_TRANSPORT_URL = f"file://{tmp_path / 'mailbox'}"
    return FolderMailbox(tmp_path / "mailbox")


@pytest.fixture
def mailbox(tmp_path, settings) -> FolderMailbox:
    return folder_mailbox(tmp_path, settings)


def drain_outbox(*, now=None, rounds: int = 10) -> list[str]:
    """Deliver every due outbox row, oldest first, as the worker's tasks and sweeps would.

    (The tests run inside a transaction that never commits, so the on-commit kicks never fire.)
    """
    outcomes: list[str] = []
    for _ in range(rounds):
        ids = (
            OutboxMessage.objects.filter(status__in=FLOWING)
            .order_by("id")
            .values_list("id", flat=True)
        )
        done = [str(deliver(pk, now=now)) for pk in ids]
        done = [outcome for outcome in done if outcome != "skipped"]
        if not done:
            break
        outcomes += done
    return outcomes


def open_case(partner, *, actor=None, body: str = "Please confirm the new ship date.", **draft):
    actor = actor or internal_user(Role.AGENT)
    return workspace.case_create(
        actor=actor,
        channel=CaseChannel.WEB,
        draft=workspace.CaseDraft(
            kind=draft.pop("kind", CaseKind.GENERAL),
            partner=partner,
            subject=draft.pop("subject", "Order 1001 ships late"),
            body=body,
            **draft,
        ),
    )


def partner_document(
    partner,
    case,
    *,
    event_type: str = "message.posted",
    event_data: dict | None = None,
    start: int = 500,
    **extra,
) -> bytes:
    """A collaboration document as the partner's system would send it."""
    document = build_document(
        event_type=event_type,
        event_data=event_data
        if event_data is not None
        else {"message_id": "p-1", "body": "We ship on Friday."},
        case=CollabCase(public_id=str(case.public_id), kind=case.kind),
        sender=Party(qualifier=partner.tg_qualifier, id=partner.tg_id),
        receiver=RETAILER,
        control_numbers=MemoryControlNumberSource(start=start),
        **extra,
    )
    return document.to_bytes()


def partner_997(document: bytes, *, status_override: str | None = None) -> bytes:
    """The partner's 997 for one of our collaboration documents (as the simulator's bots send)."""
    data = write_interchange(
        build_997_for_collab(data=document, control_numbers=MemoryControlNumberSource(start=900))
    )
    if status_override:
        data = data.replace(b"AK5*A", f"AK5*{status_override}".encode()).replace(
            b"AK9*A", f"AK9*{status_override}".encode()
        )
    return data


def sent_document(case, event_type: str = "case.created") -> Interchange:
    return Interchange.objects.get(direction=Direction.OUTBOUND, case=case, event_type=event_type)


# --- Control numbers --------------------------------------------------------------------------


def test_control_numbers_count_per_sender_receiver_and_kind(db):
    source = DatabaseControlNumberSource()
    keys = {"sender": "ZZ:CROSSDOCK", "receiver": "ZZ:SUP001"}
    assert [source.next(**keys, kind="interchange") for _ in range(3)] == [1, 2, 3]
    assert source.next(**keys, kind="group") == 1
    assert source.next(sender="ZZ:CROSSDOCK", receiver="ZZ:SUP002", kind="interchange") == 1
    ControlNumberSequence.objects.filter(receiver="ZZ:SUP001", kind="group").update(
        last=999_999_999
    )
    assert source.next(**keys, kind="group") == 1  # wraps, as X12 allows
    with pytest.raises(ValueError):
        source.next(**keys, kind="bogus")


@pytest.mark.django_db(transaction=True)
def test_control_numbers_never_repeat_across_concurrent_drawers():
    if connection.vendor == "sqlite" and "memory" in (connection.settings_dict["NAME"] or ""):
        pytest.skip("threads need a shared database file")

    def draw() -> list[int]:
        source = DatabaseControlNumberSource()
        return [
            source.next(sender="ZZ:CROSSDOCK", receiver="ZZ:SUP009", kind="transaction")
            for _ in range(15)
        ]

    batches, errors = run_at_once(4, draw)
    assert errors == []
    drawn = [value for batch in batches for value in batch]
    assert sorted(drawn) == list(range(1, 61))


# --- Acknowledgement matching -----------------------------------------------------------------


@pytest.fixture
def partner(db):
    return tg_partner()


def test_a_997_from_the_partner_marks_our_document_accepted(partner, mailbox):
    case = open_case(partner)
    drain_outbox()
    ours = sent_document(case)
    assert ours.status == Status.SENT and ours.ack_due_at is not None
    mailbox.arrive("997-1.x12", partner_997(mailbox.read(ours.file_name)))

    result = poll_mailbox()

    ours.refresh_from_db()
    assert ours.status == Status.ACCEPTED
    assert ours.ack_status == "A" and ours.acknowledged_at is not None
    ack = ours.acknowledgement
    assert ack.direction == Direction.INBOUND and ack.document_type == "997"
    assert ack.status == Status.PROCESSED and "matched 1" in ack.status_detail
    assert result.applied == [ack.pk]
    assert mailbox.waiting() == []  # taken only after it was recorded
    assert not OutboxMessage.objects.filter(topic="ack").exists()  # acks are never acked


def test_a_rejecting_997_marks_the_document_rejected_and_alerts(partner, mailbox):
    case = open_case(partner)
    drain_outbox()
    ours = sent_document(case)
    mailbox.arrive("997-r.x12", partner_997(mailbox.read(ours.file_name), status_override="R"))
    poll_mailbox()
    ours.refresh_from_db()
    assert ours.status == Status.REJECTED and ours.ack_status == "R"
    alert = Alert.objects.get(interchange=ours)
    assert alert.kind == AlertKind.ACK_REJECTED and alert.partner == partner


def test_a_997_is_matched_by_partner_group_and_transaction_only(partner, mailbox):
    other = tg_partner(name="Alpine", tg_id="SUP002")
    mine, theirs = open_case(partner), open_case(other)
    drain_outbox()
    doc_mine, doc_theirs = sent_document(mine), sent_document(theirs)
    # Both got group 1 / transaction 0001 from their own sequences.
    assert (doc_mine.group_control, doc_mine.transaction_control) == (
        doc_theirs.group_control,
        doc_theirs.transaction_control,
    )
    mailbox.arrive("997.x12", partner_997(mailbox.read(doc_theirs.file_name)))
    poll_mailbox()
    doc_mine.refresh_from_db()
    doc_theirs.refresh_from_db()
    assert doc_theirs.status == Status.ACCEPTED
    assert doc_mine.status == Status.SENT and doc_mine.acknowledgement is None


def test_a_997_naming_nothing_we_sent_is_recorded_as_such(partner, mailbox):
    stranger = build_document(
        event_type="message.posted",
        event_data={"message_id": "x", "body": "hello"},
        case=CollabCase(public_id="1b7e5c1e-8d3f-4c1a-9a57-3f0f5a1c2d4e", kind="claim"),
        sender=RETAILER,
        receiver=Party(qualifier="ZZ", id="SUP001"),
        control_numbers=MemoryControlNumberSource(start=777),
    )
    mailbox.arrive("997.x12", partner_997(stranger.to_bytes()))
    poll_mailbox()
    ack = Interchange.objects.get(direction=Direction.INBOUND)
    assert ack.status == Status.PROCESSED and ack.partner == partner
    assert "acknowledges nothing we sent" in ack.status_detail


def test_a_contrl_is_matched_by_unb_and_unh(partner, mailbox):
    own_edifact = build_edifact_interchange(
        sender=RETAILER,
        recipient=Party(qualifier="ZZ", id="SUP001"),
        messages=[
            OutboundMessage(
                identifier=("ORDERS", "D", "96A", "UN"), body=[segment("BGM", "220", "PO1")]
            )
        ],
        control_numbers=DatabaseControlNumberSource(),
    )
    row = services.outbound_record(
        document=services.OutboundDocument(
            data=write_edifact(own_edifact),
            file_name="orders.edi",
            standard=Standard.EDIFACT,
            document_type="ORDERS",
            sender=RETAILER,
            receiver=Party(qualifier="ZZ", id="SUP001"),
            interchange_control=own_edifact.control_reference,
            transaction_control=own_edifact.messages[0].reference,
        ),
        partner=partner,
    )
    services.outbound_mark_sent(interchange=row)
    contrl = build_contrl(
        interchange=validate_edifact(write_edifact(own_edifact)),
        control_numbers=MemoryControlNumberSource(start=40),
    )
    mailbox.arrive("contrl.edi", write_edifact(contrl))
    poll_mailbox()
    row.refresh_from_db()
    assert row.status == Status.ACCEPTED and row.ack_status == "A"
    assert row.acknowledgement.document_type == "CONTRL"


# --- Deadlines and alerts ---------------------------------------------------------------------


def test_an_overdue_acknowledgement_raises_one_alert_which_a_late_997_settles(
    partner, mailbox, settings
):
    settings.TRADINGGRID_ACK_DEADLINE_MINUTES = 30
    case = open_case(partner)
    drain_outbox()
    ours = sent_document(case)
    assert services.ack_deadlines_check(now=timezone.now() + timedelta(minutes=29)) == 0
    later = timezone.now() + timedelta(minutes=31)
    assert services.ack_deadlines_check(now=later) == 1
    assert services.ack_deadlines_check(now=later) == 0  # one alert, however often we look
    alert = Alert.objects.get(kind=AlertKind.ACK_OVERDUE)
    assert alert.interchange == ours and alert.resolved_at is None
    assert selectors.alert_summary().open_alerts == 1

    mailbox.arrive("997.x12", partner_997(mailbox.read(ours.file_name)))
    poll_mailbox()
    alert.refresh_from_db()
    assert alert.resolved_at is not None and "after the deadline" in alert.resolution


def test_a_partner_deadline_overrides_the_default(partner, mailbox, settings):
    settings.TRADINGGRID_ACK_DEADLINE_MINUTES = 60
    PartnerProfile.objects.create(organization=partner, ack_deadline_minutes=5)
    case = open_case(partner)
    drain_outbox()
    ours = sent_document(case)
    assert ours.ack_due_at - ours.sent_at == timedelta(minutes=5)


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def operator(db):
    return internal_user(Role.OPERATIONS)


def test_the_ledger_page_lists_filters_and_alerts(client, operator, partner, mailbox):
    case = open_case(partner)
    drain_outbox()
    ours = sent_document(case)
    services.ack_deadlines_check(now=timezone.now() + timedelta(days=2))
    client.force_login(operator)

    page = client.get(reverse("tradinggrid:ledger"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "CXD case.created" in text and ours.control_label in text
    assert "Acknowledgement overdue" in text and f"#{ours.pk}" in text

    filtered = client.get(
        reverse("tradinggrid:ledger"),
        {"partner": partner.pk, "direction": "inbound", "status": "sent"},
    )
    assert "No documents match" in filtered.content.decode()
    # The form shows the filters it applied, the partner's id included.
    for option in (
        f'<option value="{partner.pk}" selected>{partner.name}</option>',
        '<option value="inbound" selected>',
        '<option value="sent" selected>',
    ):
        assert option in filtered.content.decode()
    by_type = client.get(
        reverse("tradinggrid:ledger"), {"type": "CXD case.created", "overdue": "on"}
    )
    assert f"#{ours.pk}" in by_type.content.decode()
    partial = client.get(reverse("tradinggrid:ledger"), {"status": "sent"}, HTTP_HX_REQUEST="true")
    assert (
        'id="ledger-rows"' in partial.content.decode() and "<html" not in partial.content.decode()
    )

    detail = client.get(reverse("tradinggrid:interchange_detail", args=[ours.pk]))
    assert detail.status_code == 200 and ours.document_id in detail.content.decode()
    raw = client.get(reverse("tradinggrid:interchange_raw", args=[ours.pk]))
    assert raw["Content-Type"] == "application/octet-stream"
    assert b"".join(raw.streaming_content) == mailbox.read(ours.file_name)

    alert = Alert.objects.get()
    resolved = client.post(
        reverse("tradinggrid:alert_resolve", args=[alert.pk]), {"resolution": "called them"}
    )
    assert resolved.status_code == 302
    alert.refresh_from_db()
    assert alert.resolved_by == operator and alert.resolution == "called them"


def test_the_ledger_is_for_operations_only(client, partner, mailbox):
    open_case(partner)
    drain_outbox()
    ours = Interchange.objects.get()
    urls = [
        reverse("tradinggrid:ledger"),
        reverse("tradinggrid:interchange_detail", args=[ours.pk]),
        reverse("tradinggrid:interchange_raw", args=[ours.pk]),
        reverse("tradinggrid:partner_list"),
        reverse("tradinggrid:partner_settings", args=[partner.pk]),
    ]
    client.force_login(member(partner, Role.PARTNER_ADMIN))
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    client.force_login(internal_user(Role.AGENT))
    assert [client.get(url).status_code for url in urls] == [403] * len(urls)


def test_partner_settings_choose_channels_standard_and_events(client, operator, partner, mailbox):
    client.force_login(operator)
    url = reverse("tradinggrid:partner_settings", args=[partner.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "channel": Channel.TRADING_GRID,
            "edi_standard": EdiStandard.EDIFACT,
            "edi_version": "D96A",
            "document_types": ["case.created", "case.transitioned"],
            "ack_deadline_minutes": "15",
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.channel, partner.edi_standard, partner.edi_version) == (
        Channel.TRADING_GRID,
        EdiStandard.EDIFACT,
        "D96A",
    )
    profile = partner.tradinggrid_profile
    assert profile.document_types == ["case.created", "case.transitioned"]
    assert profile.ack_deadline_minutes == 15

    # Replies are no longer sent to this partner; new cases still are.
    case = open_case(partner)
    workspace.message_post(
        actor=internal_user(Role.AGENT), channel=CaseChannel.WEB, case=case, body="Any news?"
    )
    topics = list(OutboxMessage.objects.filter(case=case).values_list("topic", flat=True))
    assert topics == ["collab.case.created"]

    without_id = OrganizationFactory(tg_id="", tg_qualifier="")
    refused = client.post(
        reverse("tradinggrid:partner_settings", args=[without_id.pk]),
        {"channel": Channel.BOTH, "edi_standard": "x12", "edi_version": "004010"},
    )
    assert refused.status_code == 400 and "Trading Grid ID" in refused.content.decode()
    assert client.get(reverse("tradinggrid:partner_list")).status_code == 200


def test_a_dead_delivery_marks_the_document_failed_and_alerts(partner, settings, tmp_path):
    settings.TRADINGGRID_TRANSPORT_URL = f"file://{tmp_path / 'missing'}"  # no such folders
    settings.SYNC_MAX_ATTEMPTS = 1
    case = open_case(partner)
    assert drain_outbox() == ["dead"]
    ours = sent_document(case)
    assert ours.status == Status.FAILED
    assert Alert.objects.get(interchange=ours).kind == AlertKind.DELIVERY_FAILED
    assert OutboxMessage.objects.get(case=case).status == OutboxStatus.DEAD


def test_the_ledger_page_costs_the_same_queries_for_more_rows(client, operator, partner, mailbox):
    from django.db import connection as db_connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(operator)

    def queries() -> int:
        with CaptureQueriesContext(db_connection) as captured:
            assert client.get(reverse("tradinggrid:ledger")).status_code == 200
        return len(captured)

    open_case(partner)
    drain_outbox()
    services.ack_deadlines_check(now=timezone.now() + timedelta(days=1))
    queries()  # the session's first request also settles the sign-in policy (MFA) once
    few = queries()
    for _ in range(4):
        open_case(partner)
    drain_outbox()
    services.ack_deadlines_check(now=timezone.now() + timedelta(days=1))
    assert queries() == few


@pytest.mark.django_db
def test_operations_page_points_at_open_trading_grid_alerts(client, settings):
    from apps.partners.roles import Role
    from apps.tradinggrid.models import Alert
    from tests.factories import internal_user

    operator = internal_user(Role.OPERATIONS)
    client.force_login(operator)
    assert "Trading Grid:" not in client.get("/operations/").text
    Alert.objects.create(kind="quarantined", message="Malformed file from SUP001")
    page = client.get("/operations/").text
    assert "Trading Grid:" in page and "1 open alert(s)" in page
