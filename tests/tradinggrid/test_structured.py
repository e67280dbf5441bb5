"""Collaboration documents 1.1: transitions carry their data both ways, new cases their lines.

A partner's 1.1 `case.transitioned` is applied through `case_transition(..., payload=)`, so its
data is checked by the same form as on the page and stored the same way; a refused payload is
answered "accepted with errors" and changes nothing. 1.0 documents are still applied.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.http import QueryDict

from apps.sync.models import OutboxMessage
from apps.tradinggrid.edi import parse_document
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Alert, AlertKind, Direction, Interchange, Status
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.models import LineAnswer, Message, TimelineEvent
from apps.workspace.payloads import payload_from_post
from tests.factories import member
from tests.tradinggrid.test_inbound import our_ack
from tests.tradinggrid.test_ledger import (
    drain_outbox,
    folder_mailbox,
    open_case,
    partner_document,
    tg_partner,
)

LINES = (
    workspace.LineDraft(sku="SKU-1", quantity=Decimal("10"), description="Blue widget"),
    workspace.LineDraft(
        sku="SKU-2", quantity=Decimal("3"), line_ref="item-2", data={"quantity_short": 3}
    ),
)
# What the partner's system sends, and the same answer as the page posts it.
PROPOSAL = {
    "resolution": "partial_backorder",
    "ship_date": "2026-03-02",
    "lines": [
        {"line": 1, "status": "accepted", "quantity": 10},
        {"line": 2, "status": "backordered", "quantity": "3", "date": "2026-03-20"},
    ],
}
PAGE_FIELDS = {
    "csrfmiddlewaretoken": "x",
    "transition": "propose",
    "resolution": "partial_backorder",
    "ship_date": "2026-03-02",
    "note": "",
    "lines-1-status": "accepted",
    "lines-1-quantity": "10",
    "lines-2-status": "backordered",
    "lines-2-quantity": "3",
    "lines-2-date": "2026-03-20",
}


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


def order_case(partner, **draft):
    return open_case(
        partner, kind=CaseKind.ORDER_EXCEPTION, order_number="PO-4711", lines=LINES, **draft
    )


def proposing(partner, case, payload, **extra) -> bytes:
    return partner_document(
        partner,
        case,
        event_type="case.transitioned",
        event_data={"transition": "propose", "to_status": "offered", "payload": payload},
        **extra,
    )


def answers_of(case) -> list[tuple]:
    return list(
        LineAnswer.objects.filter(line__case=case)
        .order_by("line__position", "id")
        .values_list(
            "line__position", "status", "quantity", "date", "substitute_sku", "reason_code"
        )
    )


def posted(fields: dict[str, str]) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in fields.items():
        post[key] = value
    return post


# --- Inbound --------------------------------------------------------------------------------


def test_a_1_0_document_still_applies(partner, mailbox):
    case = open_case(partner)  # a kind on the default conversation workflow
    mailbox.arrive("a.json", partner_document(partner, case, schema_version="1.0"))
    mailbox.arrive(
        "b.json",
        partner_document(
            partner,
            case,
            event_type="case.transitioned",
            event_data={"to_status": "resolved", "transition": "resolve", "reason": "Shipped."},
            schema_version="1.0",
            start=600,
        ),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "resolved"
    assert Message.objects.filter(case=case, body="We ship on Friday.").exists()
    rows = Interchange.objects.filter(direction=Direction.INBOUND)
    assert {row.status for row in rows} == {Status.ACCEPTED}
    assert json.loads(rows.first().raw.read())["schema_version"] == "1.0"


def test_a_transition_with_data_stores_what_the_same_answer_on_the_page_stores(
    partner, mailbox, test_order_flow
):
    by_edi, by_page = order_case(partner), order_case(partner, subject="The same, on the page")
    mailbox.arrive("propose.json", proposing(partner, by_edi, PROPOSAL))

    poll_mailbox()
    workspace.case_transition(
        actor=member(partner),
        channel=Channel.WEB,
        case=by_page,
        transition="propose",
        payload=payload_from_post(posted(PAGE_FIELDS)),
    )

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    by_edi.refresh_from_db()
    assert by_edi.status == "offered"
    stored = TimelineEvent.objects.get(case=by_edi, verb="transitioned")
    on_page = TimelineEvent.objects.get(case=by_page, verb="transitioned")
    assert stored.channel == Channel.TRADING_GRID and on_page.channel == Channel.WEB
    assert stored.data == on_page.data
    assert stored.data["lines"][1]["quantity"] == "3" and stored.data["ship_date"] == "2026-03-02"
    assert answers_of(by_edi) == answers_of(by_page)
    assert LineAnswer.objects.filter(line__case=by_edi, channel=Channel.TRADING_GRID).count() == 2
    status, _ = our_ack(inbound, mailbox)
    assert status == "A"


def test_a_payload_the_form_refuses_is_accepted_with_errors_and_changes_nothing(
    partner, mailbox, test_order_flow
):
    case = order_case(partner)
    before = (case.status, TimelineEvent.objects.filter(case=case).count())
    undated = json.loads(json.dumps(PROPOSAL))
    del undated["lines"][1]["date"]
    mailbox.arrive("propose.json", proposing(partner, case, undated))

    poll_mailbox()

    case.refresh_from_db()
    assert (case.status, TimelineEvent.objects.filter(case=case).count()) == before
    assert answers_of(case) == []
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "A backorder needs the date the rest ships." in inbound.status_detail
    assert "line 2: date" in inbound.status_detail
    assert Alert.objects.get(interchange=inbound).kind == AlertKind.APPLICATION_ERROR
    status, data = our_ack(inbound, mailbox)
    assert status == "E" and b"AK9*E*1*1*1" in data


def test_data_on_a_step_that_carries_none_is_refused(partner, mailbox, test_order_flow):
    case = order_case(partner)
    mailbox.arrive(
        "reply.json",
        partner_document(
            partner,
            case,
            event_type="case.transitioned",
            event_data={"transition": "reply", "to_status": "with_us", "payload": {"a": 1}},
        ),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "with_partner"
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "carries no data" in inbound.status_detail


# --- Outbound -------------------------------------------------------------------------------


def test_a_new_case_goes_out_with_its_lines(partner, mailbox):
    case = open_case(partner, order_number="PO-4711", lines=LINES)
    row = OutboxMessage.objects.get(case=case, topic="collab.case.created")
    assert row.payload["event_data"]["lines"] == [
        {
            "position": 1,
            "sku": "SKU-1",
            "quantity": "10",
            "unit": "EA",
            "description": "Blue widget",
        },
        {
            "position": 2,
            "sku": "SKU-2",
            "quantity": "3",
            "unit": "EA",
            "line_ref": "item-2",
            "data": {"quantity_short": 3},
        },
    ]
    drain_outbox()
    [name] = mailbox.sent()
    document = parse_document(mailbox.read(name))
    assert document.schema_version == "1.1"
    assert document.event_data["lines"] == row.payload["event_data"]["lines"]


def test_a_step_taken_on_the_page_goes_out_with_its_data(partner, mailbox, test_order_flow):
    case = order_case(partner)
    workspace.case_transition(
        actor=member(partner),
        channel=Channel.WEB,
        case=case,
        transition="propose",
        payload=payload_from_post(posted(PAGE_FIELDS)),
    )
    stored = TimelineEvent.objects.get(case=case, verb="transitioned").data
    row = OutboxMessage.objects.get(case=case, topic="collab.case.transitioned")
    assert row.payload["event_data"]["payload"] == stored
    drain_outbox()
    [sent] = [
        parse_document(mailbox.read(name))
        for name in mailbox.sent()
        if json.loads(mailbox.read(name))["event"]["type"] == "case.transitioned"
    ]
    assert sent.event_data == {
        "transition": "propose",
        "from_status": "with_partner",
        "to_status": "offered",
        "payload": stored,
    }
    assert sent.event_data["payload"]["lines"][1]["date"] == "2026-03-20"
