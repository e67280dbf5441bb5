"""Business EDI: inbound documents routed by (standard, type) through the flow registry, the 855
of flow 1 turned into line answers, and outbound business documents through the deliverer.

Tests marked `needs_flow_1` use the real order-exception workflow (apps/exceptions/states.py)
and run once it is registered; the `exceptions_own_855` fixture stands in for the line of
apps/exceptions/flows.py that gives flow 1 the 855, and does nothing once that line exists.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from apps.core.errors import DomainError
from apps.sync.models import OutboxMessage
from apps.tradinggrid import services
from apps.tradinggrid.edi import (
    MemoryControlNumberSource,
    OutboundMessage,
    OutboundTransaction,
    Party,
    TransactionMapping,
    build_997,
    build_edifact_interchange,
    build_interchange,
    get_mapping,
    parse_interchange,
    segment,
    validate_interchanges,
    validate_x12_transaction,
    write_edifact,
    write_interchange,
)
from apps.tradinggrid.edi import mappings as edi_mappings
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Standard, Status
from apps.workspace import flows
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.models import LineAnswer, Message, TimelineEvent
from tests.factories import member
from tests.tradinggrid.conftest import ORDER_855, needs_flow_1
from tests.tradinggrid.test_inbound import our_ack
from tests.tradinggrid.test_ledger import (
    RETAILER,
    drain_outbox,
    folder_mailbox,
    open_case,
    tg_partner,
)


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


LINES = (
    workspace.LineDraft(sku="SKU-1", quantity=Decimal("10"), order_number="PO-4711"),
    workspace.LineDraft(sku="SKU-2", quantity=Decimal("3"), order_number="PO-4711"),
)


def po_line(number: str, sku: str, quantity: int, *acks: dict[str, Any]) -> dict[str, Any]:
    return {
        "line_number": number,
        "quantity": quantity,
        "unit": "EA",
        "unit_price": "9.99",
        "product_ids": [{"qualifier": "VN", "id": sku}],
        "acknowledgments": list(acks),
    }


def ack(status: str, quantity: int, ships: date | None = None, **extra) -> dict[str, Any]:
    return {
        "status": status,
        "quantity": quantity,
        "unit": "EA",
        "promised_ship_date": ships,
        **extra,
    }


def x12_from(partner, set_id: str, functional_id: str, body, *, start: int = 300) -> bytes:
    interchange = build_interchange(
        sender=Party(qualifier="ZZ", id=partner.tg_id),
        receiver=RETAILER,
        functional_id=functional_id,
        transactions=[OutboundTransaction(set_id=set_id, body=body)],
        control_numbers=MemoryControlNumberSource(start=start),
    )
    return write_interchange(interchange)


def partner_855(partner, *lines: dict[str, Any], po_number: str = "PO-4711", start=300) -> bytes:
    body = get_mapping(standard="x12", set_id="855").from_domain(
        {
            "purpose": "00",
            "acknowledgment_type": "AC",
            "po_number": po_number,
            "po_date": date(2026, 3, 1),
            "lines": list(lines),
            "line_count": len(lines),
        }
    )
    return x12_from(partner, "855", "PR", body, start=start)


ORDER_850 = {
    "set_id": "850",
    "purpose": "00",
    "order_type": "DS",
    "po_number": "PO-9001",
    "release_number": None,
    "po_date": date(2026, 3, 1),
    "references": [{"qualifier": "CO", "value": "SFCC-00012345", "description": None}],
    "dates": [{"qualifier": "002", "date": date(2026, 3, 6)}],
    "parties": [
        {
            "role": "ST",
            "name": "JANE CUSTOMER",
            "id_qualifier": None,
            "id": None,
            "additional_names": [],
            "address_lines": ["12 HIGH STREET", "APT 4B"],
            "city": "SPRINGFIELD",
            "state": "IL",
            "postal_code": "62701",
            "country": "US",
        }
    ],
    "lines": [
        {
            "line_number": "1",
            "quantity": Decimal("2"),
            "unit": "EA",
            "unit_price": Decimal("19.99"),
            "basis_of_price": None,
            "product_ids": [{"qualifier": "BP", "id": "SKU-1"}, {"qualifier": "VN", "id": "V-1"}],
            "description": "BLUE WIDGET",
        },
        {
            "line_number": "2",
            "quantity": Decimal("1"),
            "unit": "EA",
            "unit_price": Decimal("5.5"),
            "basis_of_price": None,
            "product_ids": [{"qualifier": "BP", "id": "SKU-2"}],
            "description": None,
        },
    ],
    "line_count": 2,
}


# --- Routing by (standard, type) -------------------------------------------------------------


def test_a_document_type_no_flow_owns_is_read_but_not_applied(partner, mailbox):
    body = get_mapping(standard="x12", set_id="850").from_domain(ORDER_850)
    mailbox.arrive("850.x12", x12_from(partner, "850", "PO", body))
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "X12 850 is read but not applied to cases yet." in inbound.status_detail
    status, _ = our_ack(inbound, mailbox)
    assert status == "E"


def test_x12_goes_to_the_handler_a_flow_registered_for_it(partner, mailbox, monkeypatch):
    case = open_case(partner, kind=CaseKind.GENERAL, order_number="PO-9001")
    seen = []

    def apply_850(*, actor, partner, payload, channel):
        seen.append((partner, payload, channel))
        message = workspace.message_post(actor=actor, channel=channel, case=case, body="got it")
        return case, f"850 {payload['po_number']} noted as message {message.pk}"

    flow = flows.flow_for(CaseKind.GENERAL)
    owned = dataclasses.replace(flow, inbound={("tradinggrid", ("x12", "850")): apply_850})
    monkeypatch.setitem(flows._FLOWS, flow.kind, owned)
    body = get_mapping(standard="x12", set_id="850").from_domain(ORDER_850)
    mailbox.arrive("850.x12", x12_from(partner, "850", "PO", body))

    poll_mailbox()

    [(who, payload, channel)] = seen
    assert who == partner and channel == Channel.TRADING_GRID
    assert payload == ORDER_850
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED and inbound.case == case
    assert "850 PO-9001 noted" in inbound.status_detail


class _OrderResponse(TransactionMapping):
    def to_domain(self, transaction):
        bgm = next(s for s in transaction.segments if s.id == "BGM")
        return {"message_type": "ORDRSP", "po_number": bgm.text(2), "function": bgm.text(3)}


def edifact_from(partner, *message_types: str) -> bytes:
    return write_edifact(
        build_edifact_interchange(
            sender=Party(qualifier="ZZ", id=partner.tg_id),
            recipient=RETAILER,
            messages=[
                OutboundMessage(
                    identifier=(kind, "D", "96A", "UN"),
                    body=[segment("BGM", "231", "PO-9001", "29")],
                )
                for kind in message_types
            ],
            control_numbers=MemoryControlNumberSource(start=70),
        )
    )


def test_edifact_is_routed_by_message_type(partner, mailbox, monkeypatch):
    case = open_case(partner, kind=CaseKind.GENERAL, order_number="PO-9001")
    seen = []

    def apply_ordrsp(*, actor, partner, payload, channel):
        seen.append(payload)
        return case, f"ORDRSP for {payload['po_number']}"

    monkeypatch.setitem(edi_mappings._REGISTRY, ("edifact", "ORDRSP"), _OrderResponse())
    flow = flows.flow_for(CaseKind.GENERAL)
    owned = dataclasses.replace(
        flow, inbound={("tradinggrid", ("edifact", "ORDRSP")): apply_ordrsp}
    )
    monkeypatch.setitem(flows._FLOWS, flow.kind, owned)
    mailbox.arrive("ordrsp.edi", edifact_from(partner, "ORDRSP"))
    mailbox.arrive("desadv.edi", edifact_from(partner, "DESADV"))

    poll_mailbox()

    assert seen == [{"message_type": "ORDRSP", "po_number": "PO-9001", "function": "29"}]
    applied = Interchange.objects.get(file_name="ordrsp.edi")
    assert applied.status == Status.ACCEPTED and applied.case == case
    unowned = Interchange.objects.get(file_name="desadv.edi")
    assert unowned.status == Status.ACCEPTED_WITH_ERRORS
    assert "no mapping for EDIFACT DESADV" in unowned.status_detail
    drain_outbox()
    for row in (applied, unowned):  # CONTRL answers the syntax, which is right either way
        row.refresh_from_db()
        assert row.ack_status == "A" and row.acknowledgement.document_type == "CONTRL"


# --- The 855 of flow 1 ---------------------------------------------------------------------------


def order_exception(partner, **draft):
    return open_case(
        partner, kind=CaseKind.ORDER_EXCEPTION, order_number="PO-4711", lines=LINES, **draft
    )


def answers_of(case) -> list[tuple]:
    return list(
        LineAnswer.objects.filter(line__case=case)
        .order_by("line__position")
        .values_list(
            "line__position", "status", "quantity", "date", "substitute_sku", "reason_code"
        )
    )


def test_an_855_becomes_a_proposal_with_line_answers(partner, mailbox, test_order_flow):
    case = order_exception(partner)
    mailbox.arrive(
        "855.x12",
        partner_855(
            partner,
            po_line(
                "1", "SKU-1", 10,
                ack("accepted", 6, date(2026, 3, 5)),
                ack("backordered", 4, date(2026, 3, 20)),
            ),
            po_line("2", "SKU-2", 3, ack("rejected", 3)),
        ),
    )  # fmt: skip

    poll_mailbox()

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    assert inbound.case == case and "proposed partial backorder" in inbound.status_detail
    case.refresh_from_db()
    assert case.status == "offered"
    assert answers_of(case) == [
        (1, "backordered", Decimal("4"), date(2026, 3, 20), "", ""),
        (2, "rejected", Decimal("3"), None, "", "IR"),
    ]
    proposal = TimelineEvent.objects.get(case=case, verb="transitioned")
    assert proposal.channel == Channel.TRADING_GRID
    assert proposal.data["resolution"] == "partial_backorder"
    assert proposal.data["ship_date"] == "2026-03-05"  # the earliest promised date
    assert "855: accepted 6 EA ships 2026-03-05" in proposal.data["lines"][0]["note"]
    status, data = our_ack(inbound, mailbox)
    assert status == "A" and b"AK2*855*" in data


def test_an_855_substitution_names_the_substitute_product(partner, mailbox, test_order_flow):
    case = order_exception(partner)
    substitute = ack("substituted", 3, product_ids=[{"qualifier": "VN", "id": "SKU-2B"}])
    mailbox.arrive(
        "855.x12",
        partner_855(
            partner,
            po_line("1", "SKU-1", 10, ack("accepted", 10)),
            po_line("2", "SKU-2", 3, substitute),
        ),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "offered"
    assert answers_of(case) == [
        (1, "accepted", Decimal("10"), None, "", ""),
        (2, "substituted", None, None, "SKU-2B", ""),
    ]
    answer = LineAnswer.objects.get(line__case=case, line__position=2)
    assert answer.substitute_quantity == Decimal("3")
    data = TimelineEvent.objects.get(case=case, verb="transitioned").data
    assert data["resolution"] == "substitute" and data.get("ship_date") is None


def test_an_855_substitution_without_the_substitute_is_refused(partner, mailbox, test_order_flow):
    case = order_exception(partner)
    mailbox.arrive("855.x12", partner_855(partner, po_line("2", "SKU-2", 3, ack("substituted", 3))))
    poll_mailbox()
    assert answers_of(case) == []
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "Name the substitute product." in inbound.status_detail


def test_an_855_rejecting_every_line_proposes_to_cancel_them(partner, mailbox, test_order_flow):
    case = order_exception(partner)
    mailbox.arrive(
        "855.x12",
        partner_855(
            partner,
            po_line("2", "SKU-2", 3, ack("rejected_reason_r2", 3)),
            po_line("1", "SKU-1", 10, ack("deleted", 10)),
        ),
    )
    poll_mailbox()
    data = TimelineEvent.objects.get(case=case, verb="transitioned").data
    assert data["resolution"] == "cancel_lines"
    assert [(a[0], a[1], a[5]) for a in answers_of(case)] == [
        (1, "rejected", "ID"),
        (2, "rejected", "R2"),
    ]


def test_an_855_the_form_refuses_is_accepted_with_errors(partner, mailbox, test_order_flow):
    case = order_exception(partner)
    # A backorder with no date (no ACK04/05): the line answer form asks for one.
    mailbox.arrive(
        "855.x12", partner_855(partner, po_line("1", "SKU-1", 10, ack("backordered", 4)))
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "with_partner" and answers_of(case) == []
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "A backorder needs the date the rest ships." in inbound.status_detail
    status, _ = our_ack(inbound, mailbox)
    assert status == "E"


def test_an_855_is_a_message_where_the_case_takes_no_proposal_now(
    partner, mailbox, test_order_flow
):
    case = order_exception(partner)
    workspace.case_transition(
        actor=member(partner),
        channel=Channel.WEB,
        case=case,
        transition="propose",
        payload={"resolution": "reship", "ship_date": "2026-03-09"},
    )
    mailbox.arrive(
        "855.x12",
        partner_855(partner, po_line("1", "SKU-1", 10, ack("backordered", 4, date(2026, 3, 20)))),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "offered" and answers_of(case) == []
    message = Message.objects.get(case=case, channel=Channel.TRADING_GRID)
    assert "X12 855" in message.body and "ships 2026-03-20" in message.body
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED and "posted on" in inbound.status_detail


def test_an_855_line_for_a_product_the_case_lacks_answers_nothing(
    partner, mailbox, test_order_flow
):
    case = order_exception(partner)
    mailbox.arrive(
        "855.x12", partner_855(partner, po_line("1", "OTHER-SKU", 1, ack("accepted", 1)))
    )
    poll_mailbox()
    case.refresh_from_db()
    # Line 1 of the PO is not the case's line 1: the answer is posted (a reply), not proposed.
    assert case.status == "with_us" and answers_of(case) == []
    assert Message.objects.filter(case=case, channel=Channel.TRADING_GRID).exists()


def test_an_855_reaches_only_the_senders_own_order_exception(partner, mailbox, test_order_flow):
    other = tg_partner(name="Alpine Outdoor Goods", tg_id="SUP002")
    theirs = order_exception(other)
    mailbox.arrive("855.x12", partner_855(partner, po_line("1", "SKU-1", 10, ack("accepted", 10))))
    poll_mailbox()
    theirs.refresh_from_db()
    assert theirs.status == "with_partner" and answers_of(theirs) == []
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "no order exception of Northwind Apparel is about order PO-4711" in inbound.status_detail


def test_an_855_on_an_order_exception_without_lines_is_posted(partner, mailbox, exceptions_own_855):
    case = open_case(partner, kind=CaseKind.ORDER_EXCEPTION, order_number="PO-4711")
    mailbox.arrive(
        "855.x12",
        partner_855(partner, po_line("1", "SKU-1", 10, ack("backordered", 4, date(2026, 3, 20)))),
    )
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED and inbound.case == case
    assert inbound.document_type == "855" and inbound.standard == "x12"
    message = Message.objects.get(case=case, channel=Channel.TRADING_GRID)
    assert "PO-4711" in message.body and "backordered" in message.body
    assert "2026-03-20" in message.body
    status, data = our_ack(inbound, mailbox)
    assert status == "A" and b"AK1*PR*" in data and b"AK2*855*" in data


def test_an_855_for_an_order_without_a_case_is_accepted_with_errors(
    partner, mailbox, exceptions_own_855
):
    mailbox.arrive(
        "855.x12",
        partner_855(partner, po_line("1", "SKU-1", 1, ack("accepted", 1)), po_number="PO-NONE"),
    )
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS and "PO-NONE" in inbound.status_detail
    status, _ = our_ack(inbound, mailbox)
    assert status == "E"


@needs_flow_1
def test_an_855_answers_flow_1_as_a_proposal_on_the_page_would(
    partner, mailbox, exceptions_own_855
):
    by_edi = order_exception(partner)
    mailbox.arrive(
        "855.x12",
        partner_855(
            partner,
            po_line(
                "1", "SKU-1", 10,
                ack("accepted", 6, date(2026, 3, 5)),
                ack("backordered", 4, date(2026, 3, 20)),
            ),
            po_line("2", "SKU-2", 3, ack("accepted", 3, date(2026, 3, 5))),
        ),
    )  # fmt: skip
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    by_edi.refresh_from_db()
    assert by_edi.status == "proposed"
    stored = TimelineEvent.objects.get(case=by_edi, verb="transitioned").data

    by_page = order_exception(partner, subject="The same, on the page")
    workspace.case_transition(
        actor=member(partner),
        channel=Channel.WEB,
        case=by_page,
        transition="propose",
        payload={k: v for k, v in stored.items() if v not in (None, "")},
    )
    assert TimelineEvent.objects.get(case=by_page, verb="transitioned").data == stored
    assert answers_of(by_edi) == answers_of(by_page)


def test_the_registration_flow_1_needs():
    """What apps/exceptions/flows.py declares for the 855: the shared dispatcher (flow 4 reads
    855s too), with flow 1's handler as the owner asked last."""
    from apps.exceptions.edi import apply_855
    from apps.orders import acknowledgements

    registered = flows.inbound_handler(*ORDER_855)
    if registered is None:
        pytest.skip('flows.py does not declare inbound={("tradinggrid", ("x12", "855")): ...} yet')
    assert registered is acknowledgements.apply_855
    last = acknowledgements.owners()[-1]
    assert last.apply is apply_855 and last.fallback


# --- Outbound business documents -------------------------------------------------------------


def test_a_flow_sends_the_business_documents_it_declares_in_the_partners_standard(
    partner, mailbox, monkeypatch
):
    built = []

    def build_850(*, event):
        built.append(event.type)
        return ORDER_850 if event.type == "case.created" else None

    flow = flows.flow_for(CaseKind.GENERAL)
    owned = dataclasses.replace(
        flow,
        outbound={
            ("tradinggrid", ("x12", "850")): build_850,
            ("tradinggrid", ("edifact", "ORDERS")): lambda *, event: pytest.fail("not EDIFACT"),
        },
    )
    monkeypatch.setitem(flows._FLOWS, flow.kind, owned)

    case = open_case(partner, kind=CaseKind.GENERAL, order_number="PO-9001")
    workspace.message_post(actor=member(partner), channel=Channel.WEB, case=case, body="Seen")

    assert built[0] == "case.created" and "message.posted" in built  # the reply moved the turn too
    [row] = OutboxMessage.objects.filter(topic="edi.business")
    assert row.case == case and row.payload["body"]["po_number"] == "PO-9001"
    drain_outbox()
    [sent] = Interchange.objects.filter(direction=Direction.OUTBOUND, document_type="850")
    assert sent.case == case and sent.file_name in mailbox.sent()


def test_a_portal_partner_gets_no_business_documents(partner, monkeypatch):
    partner.channel = "portal"
    partner.save()
    flow = flows.flow_for(CaseKind.GENERAL)
    owned = dataclasses.replace(
        flow, outbound={("tradinggrid", ("x12", "850")): lambda *, event: ORDER_850}
    )
    monkeypatch.setitem(flows._FLOWS, flow.kind, owned)

    open_case(partner, kind=CaseKind.GENERAL, order_number="PO-9001")

    assert not OutboxMessage.objects.filter(topic="edi.business").exists()


def test_an_850_is_written_enveloped_and_read_back_the_same(partner, mailbox):
    row = services.business_document_enqueue(
        partner=partner, standard="x12", set_id="850", body=ORDER_850
    )
    assert row.topic == "edi.business" and row.payload["body"]["po_date"] == "2026-03-01"

    drain_outbox()

    sent = Interchange.objects.get(direction=Direction.OUTBOUND, document_type="850")
    assert sent.status == Status.SENT and sent.expects_ack and sent.ack_due_at is not None
    assert (sent.standard, sent.functional_id) == (Standard.X12, "PO")
    assert (sent.receiver_qualifier, sent.receiver_id) == ("ZZ", "SUP001")
    [name] = mailbox.sent()
    assert name == sent.file_name and name.startswith("850-SUP001-")
    data = mailbox.read(name)
    [interchange] = validate_interchanges(data, validate=validate_x12_transaction)
    assert interchange.issues == [] and all(not t.issues for t in interchange.transactions)
    [transaction] = list(interchange.transactions)
    assert (interchange.control_number, transaction.control_number) == (
        sent.interchange_control,
        sent.transaction_control,
    )
    assert get_mapping(standard="x12", set_id="850").to_domain(transaction) == ORDER_850

    # The partner's 997 settles it, as for every document we send.
    ack = build_997(
        interchange=parse_interchange(data), control_numbers=MemoryControlNumberSource(start=900)
    )
    mailbox.arrive("997.x12", write_interchange(ack))
    poll_mailbox()
    sent.refresh_from_db()
    assert sent.ack_status == "A" and sent.status == Status.ACCEPTED


def test_business_documents_are_refused_before_they_are_queued(partner):
    stranger = tg_partner(name="Portal only", tg_id="SUP009", channel="portal")
    with pytest.raises(DomainError, match="not connected to Trading Grid"):
        services.business_document_enqueue(
            partner=stranger, standard="x12", set_id="850", body=ORDER_850
        )
    with pytest.raises(DomainError, match="lacks 'po_number'"):
        services.business_document_enqueue(
            partner=partner,
            standard="x12",
            set_id="850",
            body={k: v for k, v in ORDER_850.items() if k != "po_number"},
        )
    with pytest.raises(DomainError, match="X12 810 has no writer"):
        services.business_document_enqueue(partner=partner, standard="x12", set_id="810", body={})
    with pytest.raises(DomainError, match="X12 or EDIFACT, not collab"):
        services.business_document_enqueue(
            partner=partner, standard="collab", set_id="CXD", body={}
        )
    assert not OutboxMessage.objects.filter(topic="edi.business").exists()
