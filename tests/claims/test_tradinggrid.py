"""Claims over Trading Grid: the X12 180 both ways, and collaboration documents (schema 1.1).

A claim answered by a partner's system reaches the same state, with the same stored decision,
as one answered by the supplier in the browser.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from apps.claims.models import Claim
from apps.sync.models import OutboxMessage
from apps.tradinggrid.edi import (
    MemoryControlNumberSource,
    OutboundTransaction,
    Party,
    build_interchange,
    get_mapping,
    parse_document,
    parse_interchange,
    write_interchange,
)
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from apps.workspace.models import TimelineEvent
from tests.factories import member
from tests.tradinggrid.test_ledger import (
    RETAILER,
    drain_outbox,
    folder_mailbox,
    partner_document,
    tg_partner,
)

from .helpers import DENIAL, open_claim, photo, step

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "claims" / "x12-180-partial-credit.edi"


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def x12_partner(db):
    return tg_partner(edi_standard="x12")


def response_180(case, **fields) -> dict:
    return {
        "set_id": "180",
        "purpose": "11",
        "reference": "RMA-1",
        "date": date(2026, 12, 5),
        "original_reference": case.reference,
        "order_number": case.order_number,
        **fields,
    }


def x12(partner, payload: dict, *, start: int = 300) -> bytes:
    body = get_mapping(standard="x12", set_id="180").from_domain(payload)
    interchange = build_interchange(
        sender=Party(qualifier="ZZ", id=partner.tg_id),
        receiver=RETAILER,
        functional_id="AN",
        transactions=[OutboundTransaction(set_id="180", body=body)],
        control_numbers=MemoryControlNumberSource(start=start),
    )
    return write_interchange(interchange)


def decision(case) -> dict:
    return TimelineEvent.objects.get(case=case, verb="transitioned").data


# --- the 180 mapping ----------------------------------------------------------------------------


REQUEST = {
    "set_id": "180",
    "purpose": "00",
    "reference": "CX-000042",
    "date": date(2026, 12, 1),
    "time": None,
    "original_reference": None,
    "disposition": "RA",
    "reason": None,
    "response": None,
    "description": "Pole snapped",
    "order_number": "00004711",
    "currency": "USD",
    "claimed_amount": Decimal("557.00"),
    "credit_amount": None,
    "references": [{"qualifier": "RZ", "value": "CX-000042", "description": None}],
    "parties": [
        {
            "role": "SU",
            "name": "Acme",
            "id_qualifier": None,
            "id": None,
            "additional_names": [],
            "address_lines": [],
            "city": None,
            "state": None,
            "postal_code": None,
            "country": None,
        }
    ],
    "lines": [
        {
            "product_qualifier": "SK",
            "sku": "TENT-2P",
            "quantity": Decimal("2"),
            "unit": "EA",
            "unit_price": Decimal("249.00"),
            "name": "Tent",
            "disposition": None,
            "reason": "DT",
            "response": None,
            "description": None,
        },
    ],
}


def test_a_180_round_trips_through_an_interchange():
    mapping = get_mapping(standard="x12", set_id="180")
    body = mapping.from_domain(REQUEST)
    interchange = build_interchange(
        sender=RETAILER,
        receiver=Party(qualifier="ZZ", id="SUP001"),
        functional_id="AN",
        transactions=[OutboundTransaction(set_id="180", body=body)],
        control_numbers=MemoryControlNumberSource(),
    )
    data = write_interchange(interchange)
    assert b"GS*AN*" in data and b"BLI*SK*TENT-2P*2*EA*RTL*249.00~" in data.replace(b"\n", b"")
    transaction = next(parse_interchange(data).transactions)
    assert mapping.to_domain(transaction) == REQUEST
    assert mapping.validate(transaction) == []


def test_the_constructed_180_sample_reads_and_writes_back_the_same_body():
    mapping = get_mapping(standard="x12", set_id="180")
    transaction = next(parse_interchange(SAMPLE).transactions)
    doc = mapping.to_domain(transaction)
    assert (
        doc["purpose"],
        doc["disposition"],
        doc["response"],
        doc["credit_amount"],
        doc["currency"],
    ) == ("11", "PA", "FR", Decimal("95.50"), "USD")
    assert doc["original_reference"] == "CX-000001" and doc["order_number"] == "00001001"
    assert doc["lines"][0]["sku"] == "JKT-1" and doc["lines"][0]["disposition"] == "KA"
    assert mapping.from_domain(doc) == transaction.body
    assert mapping.validate(transaction) == []


def test_a_180_without_bgn_or_with_reason_and_response_together_is_refused():
    from apps.tradinggrid.edi import MappingError

    mapping = get_mapping(standard="x12", set_id="180")
    with pytest.raises(MappingError, match="lacks 'reference'"):
        mapping.from_domain({k: v for k, v in REQUEST.items() if k != "reference"})
    with pytest.raises(MappingError, match="not both"):
        mapping.from_domain({**REQUEST, "reason": "DT", "response": "FR"})


# --- outbound: a new claim is sent as a 180 ------------------------------------------------------


def test_a_new_claim_goes_to_an_x12_partner_as_a_180_request(agent, x12_partner, mailbox):
    case = open_claim(agent, x12_partner, photos=0)
    [row] = OutboxMessage.objects.filter(topic="edi.business", case=case)
    body = row.payload["body"]
    assert (body["purpose"], body["reference"], body["disposition"], body["currency"]) == (
        "00",
        case.reference,
        "RA",
        "USD",
    )
    assert body["claimed_amount"] == "557.00"
    assert [
        (line["sku"], line["quantity"], line["unit_price"], line["reason"])
        for line in body["lines"]
    ] == [
        ("TENT-2P", "2", "249.00", "DT"),
        ("MAT-1", "1", "59.00", "DT"),
    ]
    drain_outbox()
    [sent] = Interchange.objects.filter(direction=Direction.OUTBOUND, document_type="180")
    assert sent.case == case and b"ST*180*" in mailbox.read(sent.file_name)


def test_a_partner_on_edifact_gets_no_180(agent, mailbox):
    case = open_claim(agent, tg_partner(edi_standard="edifact"), photos=0)
    assert not OutboxMessage.objects.filter(topic="edi.business", case=case).exists()


# --- inbound: the partner's 180 is the supplier's decision ---------------------------------------


def test_a_180_credit_reaches_the_state_and_decision_of_a_browser_credit(
    agent, x12_partner, mailbox
):
    by_edi = open_claim(agent, x12_partner, photos=0)
    mailbox.arrive(
        "180.x12",
        x12(
            x12_partner,
            response_180(
                by_edi,
                disposition="PA",
                currency="USD",
                credit_amount="95.50",
                description="Torn seam",
            ),
        ),
    )
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    by_edi.refresh_from_db()
    assert by_edi.status == "credit_approved"

    by_page = open_claim(agent, x12_partner, photos=0, order_number="00004712")
    step(member(x12_partner), by_page, "approve_credit", payload=decision(by_edi))
    by_page.refresh_from_db()
    assert by_page.status == by_edi.status and decision(by_page) == decision(by_edi)
    edi_claim, page_claim = Claim.objects.get(case=by_edi), Claim.objects.get(case=by_page)
    assert (
        (edi_claim.decision, edi_claim.credit_amount)
        == (page_claim.decision, page_claim.credit_amount)
        == ("credit", Decimal("95.50"))
    )


def test_a_180_credit_above_the_claimed_value_changes_nothing_and_says_why(
    agent, x12_partner, mailbox
):
    case = open_claim(agent, x12_partner, photos=0)
    mailbox.arrive(
        "180.x12", x12(x12_partner, response_180(case, disposition="KA", credit_amount="999"))
    )
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert (
        inbound.status == Status.ACCEPTED_WITH_ERRORS
        and "claimed lines' value" in inbound.status_detail
    )
    case.refresh_from_db()
    assert case.status == "submitted"


def test_a_180_replacement_names_its_lines(agent, x12_partner, mailbox):
    case = open_claim(agent, x12_partner, photos=0)
    mailbox.arrive(
        "180.x12",
        x12(
            x12_partner,
            response_180(
                case,
                disposition="RA",
                lines=[{"sku": "TENT-2P", "quantity": "1"}],
            ),
        ),
    )
    poll_mailbox()
    assert Claim.objects.get(case=case).replacement == [
        {"line": 1, "sku": "TENT-2P", "quantity": "1"}
    ]


def test_a_180_denial_and_the_upheld_denial_after_a_dispute(agent, x12_partner, mailbox):
    case = open_claim(agent, x12_partner, photos=0)
    mailbox.arrive(
        "deny.x12", x12(x12_partner, response_180(case, disposition="RD", response="RT"))
    )
    poll_mailbox()
    case.refresh_from_db()
    claim = Claim.objects.get(case=case)
    assert (case.status, claim.denial_reason_code) == ("denied", "outside_warranty")
    workspace.file_upload(
        actor=agent, channel=Channel.WEB, case=case, name="receipt.png", content=photo()
    )
    step(agent, case, "dispute", payload={"dispute_statement": "Bought in March; see the receipt."})
    mailbox.arrive(
        "uphold.x12",
        x12(
            x12_partner,
            response_180(
                case,
                disposition="RD",
                response="EW",
                description="Worn through use",
            ),
            start=400,
        ),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "denial_upheld"
    assert Claim.objects.get(case=case).denial_reason == "Worn through use"


def test_a_180_for_another_partners_claim_reaches_nothing(agent, x12_partner, mailbox):
    case = open_claim(agent, tg_partner(name="Other", tg_id="SUP002"), photos=0)
    mailbox.arrive("180.x12", x12(x12_partner, response_180(case, disposition="KA")))
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "submitted"
    assert Interchange.objects.get(direction=Direction.INBOUND).status != Status.ACCEPTED


# --- collaboration documents (schema 1.1) ---------------------------------------------------------


def test_a_decision_made_in_the_browser_leaves_as_a_collab_document_that_carries_it(agent, mailbox):
    partner = tg_partner()
    case = open_claim(agent, partner, photos=0)
    step(
        member(partner),
        case,
        "approve_credit",
        payload={"credit": "partial", "amount": "120", "currency": "USD"},
    )
    drain_outbox()
    sent = Interchange.objects.get(
        direction=Direction.OUTBOUND, case=case, event_type="case.transitioned"
    )
    document = parse_document(mailbox.read(sent.file_name))
    assert document.schema_version == "1.1"
    assert document.event_data["transition"] == "approve_credit"
    assert document.event_data["payload"] == decision(case)


def test_a_decision_sent_as_a_collab_document_reaches_the_same_state(agent, mailbox):
    partner = tg_partner()
    by_page = open_claim(agent, partner, photos=0)
    step(member(partner), by_page, "deny", payload=DENIAL)
    by_tg = open_claim(agent, partner, photos=0, order_number="00004712")
    mailbox.arrive(
        "deny.json",
        partner_document(
            partner,
            by_tg,
            event_type="case.transitioned",
            event_data={"transition": "deny", "to_status": "denied", "payload": DENIAL},
        ),
    )
    poll_mailbox()
    by_tg.refresh_from_db()
    by_page.refresh_from_db()
    assert by_tg.status == by_page.status == "denied"
    assert decision(by_tg) == decision(by_page)
    tg_event = TimelineEvent.objects.get(case=by_tg, verb="transitioned")
    assert tg_event.channel == Channel.TRADING_GRID
    assert (
        Claim.objects.get(case=by_tg).denial_reason == Claim.objects.get(case=by_page).denial_reason
    )


def test_a_collab_credit_above_the_claimed_value_is_refused(agent, mailbox):
    partner = tg_partner()
    case = open_claim(agent, partner, photos=0)
    mailbox.arrive(
        "credit.json",
        partner_document(
            partner,
            case,
            event_type="case.transitioned",
            event_data={
                "transition": "approve_credit",
                "to_status": "credit_approved",
                "payload": {"credit": "partial", "amount": "9999", "currency": "USD"},
            },
        ),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "submitted"
    assert (
        "claimed lines' value" in Interchange.objects.get(direction=Direction.INBOUND).status_detail
    )


# --- the simulator's partner bots answer claims -----------------------------------------------------


def test_the_bots_answer_claims_in_every_way_and_never_credit_more_than_claimed():
    from simulators.tradinggrid import answers

    seen = {}
    for number in range(60):
        document = {
            "document_id": f"doc-{number}",
            "case": {"public_id": f"c-{number}", "kind": "claim"},
            "event": {
                "type": "case.created",
                "data": {
                    "subject": "Damage claim",
                    "lines": [
                        {
                            "position": 1,
                            "sku": "A",
                            "quantity": "2",
                            "data": {"unit_price": "10.00", "currency": "EUR"},
                        },
                    ],
                },
            },
        }
        [answer] = answers.answers_for(document, partner_name="Bot", today=date(2026, 12, 5))
        seen[answer.transition] = answer
    assert set(seen) == {"approve_credit", "approve_replacement", "request_evidence", "deny", None}
    assert seen["approve_credit"].payload == {
        "credit": "partial",
        "amount": "10.00",
        "currency": "EUR",
    }


@pytest.mark.parametrize("partners", range(4))
def test_the_portal_takes_what_a_bot_answers_to_a_claim(agent, mailbox, partners):
    from tests.tradinggrid.test_bots import answer_from_the_bot, sent_to_partner

    partner = tg_partner(
        name=f"Bot partner {partners}", tg_id=f"BOT{partners}", edi_standard="edifact"
    )
    case = open_claim(agent, partner, photos=0, order_number=f"0000900{partners}")
    answer_from_the_bot(partner, mailbox, sent_to_partner(mailbox, "case.created"))
    for inbound in Interchange.objects.filter(direction=Direction.INBOUND):
        assert inbound.status == Status.ACCEPTED, inbound.status_detail
    case.refresh_from_db()
    assert case.status in {
        "submitted",
        "credit_approved",
        "replacement_approved",
        "evidence_requested",
        "denied",
    }
