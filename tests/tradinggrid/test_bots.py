"""The simulator's partner bots answer as a partner's system would, and the portal takes it.

The first tests read the bots' choices alone (simulators/tradinggrid/answers.py). The others
hand the portal's own outbound document to the bot's logic and its answer back to the portal,
so a proposal or plan a bot sends is checked by the real flow's forms; they are marked
`needs_flow_1` / `needs_flow_7` and run once apps/exceptions registers those workflows.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind
from apps.workspace.choices import Channel as CaseChannel
from apps.workspace.models import LineAnswer, TimelineEvent
from simulators.tradinggrid import answers, collaboration
from simulators.tradinggrid.participants import Address
from tests.factories import internal_user
from tests.tradinggrid.conftest import needs_flow_1, needs_flow_7
from tests.tradinggrid.test_ledger import drain_outbox, folder_mailbox, open_case, tg_partner

TODAY = date(2026, 3, 2)
LINES = [
    {"position": 1, "sku": "SKU-1", "quantity": "10", "unit": "EA"},
    {"position": 2, "sku": "SKU-2", "quantity": "3", "unit": "EA", "data": {"quantity_short": 2}},
]


def created(kind: str, subject: str, **data) -> dict:
    return {
        "case": {"public_id": "c-1", "kind": kind},
        "control": {"interchange": "000000001", "group": "1", "transaction": "0001"},
        "event": {
            "type": "case.created",
            "data": {"subject": subject, "status": "reported", **data},
        },
    }


def only(document: dict, **kwargs) -> answers.Answer:
    [answer] = answers.answers_for(
        document, partner_name="Northwind Apparel", today=TODAY, **kwargs
    )
    return answer


# --- What the bots choose ----------------------------------------------------------------------


def test_a_stock_shortage_ships_what_is_there_and_backorders_one_line_two_weeks_out():
    answer = only(created("order_exception", "Order 1001: stock shortage", lines=LINES))
    assert (answer.transition, answer.to_status) == ("propose", "proposed")
    assert answer.payload == {
        "resolution": "partial_backorder",
        "ship_date": "2026-03-03",
        "root_cause_code": "inventory_mismatch",
        "note": "Line 2 is backordered until 2026-03-16.",
        "lines": [
            {"line": 1, "status": "accepted", "quantity": "10"},
            {
                "line": 2,
                "status": "backordered",
                "quantity": "2",
                "date": "2026-03-16",
                "note": "Inbound from our supplier; ships when it arrives.",
            },
        ],
    }


@pytest.mark.parametrize(
    ("subject", "resolution", "field"),
    [
        ("Order 1001: the address could not be validated", "correct_address", "address_correction"),
        ("Carrier exception on order 1001", "carrier_claim", "carrier_claim_ref"),
        ("Order 1001 is short", "reship", "ship_date"),  # no lines to answer one by one
    ],
)
def test_other_exceptions_get_the_resolution_that_fits(subject, resolution, field):
    answer = only(created("order_exception", subject))
    assert answer.transition == "propose" and answer.payload["resolution"] == resolution
    assert answer.payload[field]


def test_an_exception_type_in_the_detail_wins_over_the_words():
    document = created("order_exception", "Order 1001", detail={"exception_type": "address_issue"})
    assert only(document).payload["resolution"] == "correct_address"


def test_a_payment_failure_is_only_answered_in_words():
    answer = only(created("order_exception", "Payment declined on order 1001"))
    assert answer.transition is None and "payment" in answer.text


@pytest.mark.parametrize(
    ("subject", "cause", "plan_type"),
    [
        ("Missing item on order 1001", "picking_error", "replacement"),
        ("Product defect on order 1001", "manufacturing_defect", "replacement"),
        ("Delivery delay on order 1001", "carrier_delay", "carrier_trace"),
        ("Parcel lost for order 1001", "lost_in_transit", "reship"),
        ("Arrived damaged: order 1001", "damaged_in_transit", "replacement"),
    ],
)
def test_an_escalation_is_acknowledged_then_planned(subject, cause, plan_type):
    answer = only(created("escalation", subject))
    assert (answer.transition, answer.to_status) == ("acknowledge", "investigating")
    [plan] = answer.then
    assert (plan.transition, plan.to_status) == ("propose_plan", "plan_proposed")
    assert plan.payload["root_cause_code"] == cause and plan.payload["plan_type"] == plan_type
    assert plan.payload["root_cause_detail"] and plan.payload["plan"]
    assert date.fromisoformat(plan.payload["plan_due"]) > TODAY


def test_a_counter_gets_a_revised_proposal_from_the_case_the_bot_remembers():
    opened = created("order_exception", "Order 1001: stock shortage", lines=LINES)
    counter = {
        "case": {"public_id": "c-1", "kind": "order_exception"},
        "event": {"type": "case.transitioned", "data": {"transition": "counter"}},
    }
    answer = only(counter, opened=opened)
    assert answer.transition == "propose" and answer.payload["note"].startswith("Revised")
    assert answer.payload["lines"][1]["date"] == (TODAY + timedelta(days=7)).isoformat()
    other_step = {**counter, "event": {"type": "case.transitioned", "data": {"transition": "hold"}}}
    assert answers.answers_for(other_step, partner_name="N", today=TODAY) == []


def test_other_kinds_and_messages_get_a_reply():
    assert only(created("general", "A question")) == answers.Answer()
    message = {"case": {"kind": "order_exception"}, "event": {"type": "message.posted"}}
    assert only(message) == answers.Answer()


# --- The portal takes what the bots send -------------------------------------------------------


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


def sent_to_partner(mailbox, event_type: str) -> dict:
    drain_outbox()
    documents = [
        json.loads(mailbox.read(name)) for name in mailbox.sent() if name.endswith(".json")
    ]
    return [d for d in documents if d["event"]["type"] == event_type][-1]


def answer_from_the_bot(partner, mailbox, document: dict, *, opened=None, start=700) -> None:
    """What the bot would send about `document`, put in our inbound folder and polled."""
    number = start
    pending = list(
        answers.answers_for(
            document, partner_name=partner.name, today=datetime.now(UTC).date(), opened=opened
        )
    )
    while pending:
        answer = pending.pop(0)
        common = {
            "inbound": document,
            "sender": Address("ZZ", partner.tg_id),
            "receiver": Address("ZZ", "CROSSDOCK"),
            "partner_name": partner.name,
            "control_number": number,
            "now": datetime.now(UTC),
        }
        if answer.transition:
            reply = collaboration.build_transition(
                **common,
                transition=answer.transition,
                to_status=answer.to_status,
                reason=answer.text,
                payload=answer.payload,
            )
        else:
            reply = collaboration.build_reply(**common, body=answer.text or None)
        mailbox.arrive(f"bot-{number}.json", json.dumps(reply).encode())
        poll_mailbox()
        pending[:0] = answer.then
        number += 1


def exception_case(partner, subject: str, *, lines=()):
    return open_case(
        partner,
        kind=CaseKind.ORDER_EXCEPTION,
        subject=subject,
        order_number="1001",
        lines=tuple(
            workspace.LineDraft(
                sku=line["sku"], quantity=Decimal(line["quantity"]), data=line.get("data", {})
            )
            for line in lines
        ),
    )


@needs_flow_1
@pytest.mark.parametrize(
    ("subject", "lines", "resolution"),
    [
        ("Order 1001: stock shortage", LINES, "partial_backorder"),
        ("Order 1001: address could not be validated", (), "correct_address"),
        ("Carrier exception on order 1001", (), "carrier_claim"),
        ("Order 1001 is short", (), "reship"),
    ],
)
def test_flow_1_takes_the_bots_proposal(partner, mailbox, subject, lines, resolution):
    case = exception_case(partner, subject, lines=lines)
    answer_from_the_bot(partner, mailbox, sent_to_partner(mailbox, "case.created"))

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    case.refresh_from_db()
    assert case.status == "proposed"
    data = TimelineEvent.objects.get(case=case, verb="transitioned").data
    assert data["resolution"] == resolution
    assert LineAnswer.objects.filter(line__case=case).count() == len(lines)


@needs_flow_1
def test_flow_1_takes_the_bots_answer_to_a_counter(partner, mailbox):
    case = exception_case(partner, "Order 1001: stock shortage", lines=LINES)
    opened = sent_to_partner(mailbox, "case.created")
    answer_from_the_bot(partner, mailbox, opened)
    workspace.case_transition(
        actor=internal_user(),
        channel=CaseChannel.WEB,
        case=case,
        transition="counter",
        comment="Two weeks is too long for this customer.",
    )
    counter = sent_to_partner(mailbox, "case.transitioned")
    assert counter["event"]["data"]["transition"] == "counter"

    answer_from_the_bot(partner, mailbox, counter, opened=opened, start=800)

    case.refresh_from_db()
    assert case.status == "proposed"
    latest = TimelineEvent.objects.filter(case=case, verb="transitioned").order_by("-id")[0]
    assert latest.data["note"].startswith("Revised")


@needs_flow_7
def test_flow_7_takes_the_bots_acknowledgement_and_plan(partner, mailbox):
    case = open_case(
        partner,
        kind=CaseKind.ESCALATION,
        subject="Missing item on order 1001",
        order_number="1001",
        body="Missing item. The customer says: the mug was not in the box.",
    )
    answer_from_the_bot(partner, mailbox, sent_to_partner(mailbox, "case.created"))

    assert {row.status for row in Interchange.objects.filter(direction=Direction.INBOUND)} == {
        Status.ACCEPTED
    }
    case.refresh_from_db()
    assert case.status == "plan_proposed"
    steps = TimelineEvent.objects.filter(case=case, verb="transitioned").order_by("id")
    plan = steps.last().data
    assert plan["root_cause_code"] == "picking_error" and plan["plan_type"] == "replacement"
    assert case.escalation.root_cause_code == "picking_error"
