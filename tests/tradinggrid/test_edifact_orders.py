"""EDIFACT orders: ORDERS written for an order (and read back), ORDRSP read into the 855's
domain shape, both through the mapping registry, the business outbox and the deliverer."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from apps.core.errors import DomainError
from apps.partners.roles import EdiStandard
from apps.tradinggrid import services
from apps.tradinggrid.edi import (
    MemoryControlNumberSource,
    OutboundMessage,
    Party,
    build_contrl,
    build_edifact_interchange,
    get_mapping,
    parse_edifact,
    parse_interchange,
    write_edifact,
)
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, PartnerProfile, Standard, Status
from apps.workspace import flows
from apps.workspace.choices import CaseKind
from tests.tradinggrid.test_business import ORDER_850
from tests.tradinggrid.test_ledger import drain_outbox, folder_mailbox, open_case, tg_partner

BUILT = Path(__file__).resolve().parents[1] / "data" / "edi-built"
ORDRSP = BUILT / "ordrsp-d96a.edi"


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner(edi_standard=EdiStandard.EDIFACT, edi_version="D96A")


def read_back(data: bytes) -> dict:
    [message] = parse_edifact(data).messages
    return get_mapping(standard="edifact", set_id="ORDERS").to_domain(message)


def test_an_orders_written_for_an_order_reads_back_as_the_same_order():
    body = get_mapping(standard="edifact", set_id="ORDERS").from_domain(ORDER_850)
    interchange = build_edifact_interchange(
        sender=Party(qualifier="ZZZ", id="CROSSDOCK"),
        recipient=Party(qualifier="ZZZ", id="SUP001"),
        messages=[OutboundMessage(identifier=("ORDERS", "D", "96A", "UN"), body=body)],
        control_numbers=MemoryControlNumberSource(start=7),
    )
    data = write_edifact(interchange)
    assert b"BGM+220+PO-9001+9'DTM+137:20260301:102'DTM+2:20260306:102'" in data
    assert b"NAD+ST+++JANE CUSTOMER+12 HIGH STREET:APT 4B+SPRINGFIELD+IL+62701+US'" in data
    assert b"LIN+1++SKU-1:IN'PIA+5+V-1:SA'IMD+F++:::BLUE WIDGET'QTY+21:2:EA'PRI+AAA:19.99'" in data
    assert b"UNS+S'CNT+2:2'UNT+" in data
    # The 850's order type has no place in BGM: an ORDERS reads back as a stand-alone order.
    assert read_back(data) == {**ORDER_850, "order_type": "SA"}


def test_the_built_ordrsp_maps_to_the_domain_shape_of_the_855():
    [message] = parse_edifact(ORDRSP).messages
    response = get_mapping(standard="edifact", set_id="ORDRSP").to_domain(message)
    x12 = get_mapping(standard="x12", set_id="855").to_domain(
        next(parse_interchange(BUILT / "855-csh.edi").transactions)
    )
    assert set(response) == set(x12)
    assert {k for line in response["lines"] for k in line} == {
        k for line in x12["lines"] for k in line
    }
    assert (response["po_number"], response["po_date"], response["acknowledgment_type"]) == (
        "PO-4711",
        date(2026, 3, 1),
        "AC",
    )
    assert response["seller_order_number"] == "SO-88"
    assert response["parties"][1]["name"] == "MUELLER + SOHN"  # a released "+"
    first, second = response["lines"]
    assert first["product_ids"] == [{"qualifier": "VN", "id": "SKU-1"}]
    assert [
        (a["status"], a["quantity"], a["promised_ship_date"]) for a in first["acknowledgments"]
    ] == [
        ("accepted", Decimal("6"), date(2026, 3, 5)),
        ("backordered", Decimal("4"), date(2026, 3, 5)),
    ]
    assert [(a["status"], a["quantity"]) for a in second["acknowledgments"]] == [
        ("rejected", Decimal("3"))
    ]
    assert response["line_count"] == 2


def test_an_edifact_partner_gets_an_orders_enveloped_and_acknowledged_by_contrl(partner, mailbox):
    PartnerProfile.objects.create(organization=partner, encoding="iso8859-1")
    order = {**ORDER_850, "parties": [{**ORDER_850["parties"][0], "name": "CAFÉ MÜLLER"}]}
    services.business_document_enqueue(
        partner=partner, standard="edifact", set_id="ORDERS", body=order
    )

    drain_outbox()

    sent = Interchange.objects.get(direction=Direction.OUTBOUND, document_type="ORDERS")
    assert (sent.standard, sent.status) == (Standard.EDIFACT, Status.SENT) and sent.expects_ack
    [name] = mailbox.sent()
    assert name == sent.file_name and name.startswith("orders-SUP001-")
    data = mailbox.read(name)
    assert b"UNB+UNOC:3+CROSSDOCK:ZZZ+SUP001:ZZZ+" in data
    assert "CAFÉ MÜLLER".encode("latin-1") in data
    interchange = parse_edifact(data)
    [message] = interchange.messages
    assert message.identifier == ("ORDERS", "D", "96A", "UN")
    assert (interchange.control_reference, message.reference) == (
        sent.interchange_control,
        sent.transaction_control,
    )
    assert read_back(data) == {**order, "order_type": "SA"}

    contrl = build_contrl(
        interchange=interchange, control_numbers=MemoryControlNumberSource(start=900)
    )
    mailbox.arrive("contrl.edi", write_edifact(contrl))
    poll_mailbox()
    sent.refresh_from_db()
    assert (sent.ack_status, sent.status) == ("A", Status.ACCEPTED)


def test_edifact_business_documents_are_refused_before_they_are_queued(partner):
    with pytest.raises(DomainError, match="EDIFACT ORDERS: ORDERS payload lacks 'po_number'"):
        services.business_document_enqueue(
            partner=partner,
            standard="edifact",
            set_id="ORDERS",
            body={k: v for k, v in ORDER_850.items() if k != "po_number"},
        )
    with pytest.raises(DomainError, match="EDIFACT ORDRSP has no writer"):
        services.business_document_enqueue(
            partner=partner, standard="edifact", set_id="ORDRSP", body={}
        )
    with pytest.raises(DomainError, match="EDIFACT DESADV has no writer"):
        services.business_document_enqueue(
            partner=partner, standard="edifact", set_id="DESADV", body={}
        )


def test_an_ordrsp_reaches_the_flow_that_owns_it_as_the_855_domain(partner, mailbox, monkeypatch):
    case = open_case(partner)
    seen = []

    def apply_answer(*, actor, partner, payload, channel):
        seen.append(payload)
        return case, f"ORDRSP for {payload['po_number']}"

    flow = flows.flow_for(CaseKind.GENERAL)
    owned = dataclasses.replace(
        flow, inbound={("tradinggrid", ("edifact", "ORDRSP")): apply_answer}
    )
    monkeypatch.setitem(flows._FLOWS, flow.kind, owned)
    mailbox.arrive("ordrsp.edi", ORDRSP.read_bytes())

    poll_mailbox()

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    assert inbound.case == case and inbound.document_type == "ORDRSP"
    [payload] = seen
    assert payload["po_number"] == "PO-4711" and payload["set_id"] == "ORDRSP"
    assert [a["status"] for a in payload["lines"][0]["acknowledgments"]] == [
        "accepted",
        "backordered",
    ]
    drain_outbox()
    inbound.refresh_from_db()
    assert inbound.acknowledgement.document_type == "CONTRL" and inbound.ack_status == "A"
