"""Write-back: which case changes become outbox rows, and the deliverer against the simulator."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from apps.exceptions.models import ExceptionDetail
from apps.orders.models import Order
from apps.partners.roles import Role
from apps.sfcc import services
from apps.sfcc.documents import reduce_order
from apps.sfcc.outbound import TOPIC_ATTRIBUTES, TOPIC_EXTERNAL_STATUS, TOPIC_NOTE
from apps.sync.delivery import Outcome, deliver
from apps.sync.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from apps.workspace.choices import Channel, Visibility
from apps.workspace.services import case_transition, message_post
from tests.factories import member
from tests.sfcc.test_mirror import default_rules, later, order_doc, partners  # noqa: F401  (fixtures)
from tests.sfcc.test_push import sfcc_settings  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def rows(**filters: Any) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(target="sfcc", **filters).order_by("id"))


@pytest.fixture
def shortage(partners):  # noqa: F811
    """An SFCC stock shortage on 00001001, mirrored, with its case open for SUP-001."""
    document = order_doc(c_supplierId="SUP-001", c_fulfillmentExceptionCode="STOCK_SHORTAGE")
    services.order_apply(document=reduce_order(document))
    link = ExceptionDetail.objects.select_related("case").get()
    return {"document": document, "case": link.case, "link": link}


@pytest.fixture
def supplier(partners):  # noqa: F811
    return member(partners["SUP-001"], Role.PARTNER_MEMBER)


# --- what becomes a row ---------------------------------------------------------------------


def test_a_partner_resolution_writes_status_attributes_and_a_note(shortage, supplier):
    case = shortage["case"]
    before = {r.pk for r in rows()}
    case_transition(
        actor=supplier, channel=Channel.WEB, case=case, transition="resolve",
        comment="Back in stock, ships Friday.",
    )
    new = [r for r in rows() if r.pk not in before]
    assert [r.topic for r in new] == [TOPIC_EXTERNAL_STATUS, TOPIC_ATTRIBUTES, TOPIC_NOTE]
    assert {r.key for r in new} == {"sfcc:order:00001001"} and {r.case_id for r in new} == {case.pk}
    status, attributes, note = (r.payload for r in new)
    assert status == {"order_no": "00001001", "status": f"Resolved · Crossdock {case.reference}"}
    assert attributes["attributes"] == {
        "c_crossdockCaseId": case.reference,
        "c_crossdockCaseStatus": "Resolved",
        "c_crossdockCaseUrl": f"http://127.0.0.1:8000/cases/{case.pk}/",
        "c_crossdockResolution": "Back in stock, ships Friday.",
    }
    assert "Mark resolved" not in note["text"] and "to Resolved" in note["text"]
    assert "Back in stock, ships Friday." in note["text"]
    assert note["subject"] == f"Crossdock case {case.reference}: Resolved"


def test_reopening_clears_the_resolution(shortage, supplier, agent):
    case = shortage["case"]
    case_transition(actor=supplier, channel=Channel.WEB, case=case, transition="resolve", comment="Done")
    case_transition(actor=agent, channel=Channel.WEB, case=case, transition="reopen", comment="Not yet")
    last = rows(topic=TOPIC_ATTRIBUTES)[-1].payload["attributes"]
    assert last["c_crossdockResolution"] is None
    assert last["c_crossdockCaseStatus"] == "Waiting on partner"


def test_internal_notes_and_plain_messages_never_leave(shortage, agent, supplier):
    case = shortage["case"]
    before = len(rows())
    message_post(
        actor=agent, channel=Channel.WEB, case=case, body="Supplier keeps missing dates",
        visibility=Visibility.INTERNAL,
    )
    assert len(rows()) == before
    # A partner reply moves the case ("Send to retailer"): the transition is announced, the
    # message text is not.
    message_post(actor=supplier, channel=Channel.WEB, case=case, body="Our private stock figure: 3")
    texts = " ".join(str(r.payload) for r in rows())
    assert "private stock figure" not in texts and "keeps missing" not in texts
    assert rows()[-1].topic == TOPIC_NOTE and "to Waiting on retailer" in rows()[-1].payload["text"]


def test_each_partner_facing_state_is_written_and_priority_is_not(shortage, agent):
    case = shortage["case"]
    case_transition(actor=agent, channel=Channel.WEB, case=case, transition="hold")
    case_transition(actor=agent, channel=Channel.WEB, case=case, transition="resume")
    statuses = [r.payload["status"] for r in rows(topic=TOPIC_EXTERNAL_STATUS)]
    assert statuses == [
        f"Open · Crossdock {case.reference}",
        f"On hold · Crossdock {case.reference}",
        f"Waiting on partner · Crossdock {case.reference}",
    ]
    # A case update that changes nothing partner-facing (priority) writes nothing.
    from apps.workspace.services import case_update

    before = len(rows())
    case_update(actor=agent, channel=Channel.WEB, case=case, priority="urgent")
    assert len(rows()) == before


def test_an_unchanged_partner_facing_state_is_not_written_again(shortage):
    from apps.sfcc.outbound import case_state_enqueue

    case = shortage["case"]
    order = Order.objects.get(order_no=case.order_number)
    with transaction.atomic():
        again = case_state_enqueue(
            order=order, case=case, event_type="case.transitioned", actor_label="x",
            payload={"from_status": "open", "to_status": "open"},
        )
    assert [r.topic for r in again] == [TOPIC_ATTRIBUTES, TOPIC_NOTE]


def test_cases_not_about_a_mirrored_order_write_nothing(partners, agent):  # noqa: F811
    from tests.workspace.helpers import open_case

    case = open_case(agent, partners["SUP-001"], order_number="00009999")
    case_transition(actor=agent, channel=Channel.WEB, case=case, transition="hold")
    assert rows() == []


def test_a_case_an_agent_opens_by_hand_on_a_mirrored_order_is_written_back(partners, agent):  # noqa: F811
    from apps.sfcc.models import OrderWriteback
    from apps.workspace.choices import CaseKind
    from apps.workspace.services import CaseDraft, case_create

    services.order_apply(document=reduce_order(order_doc(c_supplierId="SUP-001")))
    assert rows() == [] and not OrderWriteback.objects.exists()
    case = case_create(
        actor=agent,
        channel=Channel.WEB,
        draft=CaseDraft(
            kind=CaseKind.ORDER_EXCEPTION, partner=partners["SUP-001"],
            subject="Customer reports a short delivery", order_number="00001001",
        ),
    )
    opened = rows()
    assert [r.topic for r in opened] == [TOPIC_EXTERNAL_STATUS, TOPIC_ATTRIBUTES, TOPIC_NOTE]
    assert {r.key for r in opened} == {"sfcc:order:00001001"} and {r.case_id for r in opened} == {case.pk}
    assert opened[0].payload["status"] == f"Open · Crossdock {case.reference}"
    assert opened[1].payload["attributes"]["c_crossdockCaseId"] == case.reference
    assert opened[2].payload["subject"] == f"Crossdock case {case.reference} opened"
    assert OrderWriteback.objects.get().external_status == f"Open · Crossdock {case.reference}"

    case_transition(actor=agent, channel=Channel.WEB, case=case, transition="hold")
    moved = rows()[len(opened):]
    assert [r.topic for r in moved] == [TOPIC_EXTERNAL_STATUS, TOPIC_ATTRIBUTES, TOPIC_NOTE]
    assert moved[0].payload["status"] == f"On hold · Crossdock {case.reference}"
    assert "from Open to On hold" in moved[2].payload["text"]


def test_a_case_of_a_flow_that_does_not_write_to_orders_stays_out_of_sfcc(partners, agent):  # noqa: F811
    from apps.workspace.choices import CaseKind
    from apps.workspace.flows import flow_for
    from tests.workspace.helpers import open_case

    services.order_apply(document=reduce_order(order_doc(c_supplierId="SUP-001")))
    assert not flow_for(CaseKind.GENERAL).writes_to_order
    case = open_case(agent, partners["SUP-001"], kind=CaseKind.GENERAL, order_number="00001001")
    case_transition(actor=agent, channel=Channel.WEB, case=case, transition="hold")
    assert rows() == []


def test_the_flows_own_attributes_join_the_patch_and_win(shortage, supplier, monkeypatch):
    from dataclasses import replace

    from apps.workspace import flows

    case = shortage["case"]
    seen = []

    def order_attributes(*, case, event_payload):
        seen.append((case.pk, event_payload.get("to_status")))
        return {"c_crossdockExceptionType": "stock_shortage", "c_crossdockResolution": "Partial, rest 2026-04-01"}

    monkeypatch.setitem(
        flows._FLOWS, case.kind, replace(flows.flow_for(case.kind), order_attributes=order_attributes)
    )
    case_transition(actor=supplier, channel=Channel.WEB, case=case, transition="resolve", comment="Done")
    attributes = rows(topic=TOPIC_ATTRIBUTES)[-1].payload["attributes"]
    assert attributes["c_crossdockExceptionType"] == "stock_shortage"
    assert attributes["c_crossdockResolution"] == "Partial, rest 2026-04-01"
    assert attributes["c_crossdockCaseStatus"] == "Resolved"
    assert seen == [(case.pk, "resolved")]


def test_rows_roll_back_with_the_change(shortage, supplier):
    before = len(rows())
    with pytest.raises(RuntimeError), transaction.atomic():
        case_transition(actor=supplier, channel=Channel.WEB, case=shortage["case"], transition="resolve", comment="x")
        raise RuntimeError("the request failed after the service")
    assert len(rows()) == before


def test_two_cases_on_one_order_share_one_external_status(partners):  # noqa: F811
    document = order_doc(
        lines=[{"productId": "A", "c_supplierId": "SUP-001"}, {"productId": "B", "c_supplierId": "SUP-002"}],
        c_fulfillmentExceptionCode="STOCK_SHORTAGE",
    )
    services.order_apply(document=reduce_order(document))
    one, two = (link.case for link in ExceptionDetail.objects.order_by("partner__code"))
    case_transition(actor=member(partners["SUP-001"]), channel=Channel.WEB, case=one, transition="resolve", comment="ok")
    assert rows(topic=TOPIC_EXTERNAL_STATUS)[-1].payload["status"] == (
        f"Crossdock: {two.reference} Open; {one.reference} Resolved"
    )


def test_a_switched_off_connector_writes_nothing(shortage, supplier, settings):
    settings.SFCC_ENABLED = False
    before = len(rows())
    case_transition(actor=supplier, channel=Channel.WEB, case=shortage["case"], transition="resolve", comment="x")
    assert len(rows()) == before


# --- the deliverer against the simulator (contract) -----------------------------------------


@pytest.fixture
def mirrored(sim, sfcc_settings, partners):  # noqa: F811
    """An order created in the simulator with a stock shortage, applied to the mirror."""
    order = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [{"productId": "SKU-0001", "quantity": 2, "c_supplierId": "SUP-001"}],
            "c_supplierId": "SUP-001",
            "c_fulfillmentExceptionCode": "STOCK_SHORTAGE",
        },
    )
    services.order_apply(document=reduce_order(order))
    return {"order": order, "case": ExceptionDetail.objects.get().case}


def deliver_all(now=None) -> list[Outcome]:
    return [deliver(r.pk, now=now) for r in rows() if r.status != OutboxStatus.SENT]


def test_deliverer_writes_status_attributes_and_note_to_sfcc(sim, mirrored, supplier):
    case = mirrored["case"]
    order_no = mirrored["order"]["orderNo"]
    case_transition(actor=supplier, channel=Channel.WEB, case=case, transition="resolve", comment="Ships Friday")
    assert set(deliver_all()) == {Outcome.SENT}
    seen = sim.ctl("GET", f"/orders/{order_no}")
    assert seen["order"]["externalOrderStatus"] == f"Resolved · Crossdock {case.reference}"
    assert seen["order"]["c_crossdockCaseId"] == case.reference
    assert seen["order"]["c_crossdockCaseStatus"] == "Resolved"
    assert seen["order"]["c_crossdockResolution"] == "Ships Friday"
    assert seen["order"]["c_crossdockCaseUrl"].endswith(f"/cases/{case.pk}/")
    assert [n["subject"] for n in seen["notes"]] == [
        f"Crossdock case {case.reference} opened",
        f"Crossdock case {case.reference}: Resolved",
    ]
    # Every write carried its row's idempotency key, in the rows' order.
    writes = [h for h in seen["history"] if h["source"] == "api"]
    assert [h["idempotencyKey"] for h in writes] == [str(r.idempotency_key) for r in rows()]
    assert {h["outcome"] for h in writes} == {"applied"}
    attempt = DeliveryAttempt.objects.filter(message=rows()[-1]).get()
    assert attempt.outcome == "sent" and attempt.response_code == 200
    assert attempt.request_summary["order_no"] == order_no


def test_throttling_is_retried_after_the_servers_retry_after(sim, mirrored):
    sim.ctl("PUT", "/faults", {"fail_next": {"count": 1, "status": 429, "retry_after": 37}})
    first = rows()[0]
    now = timezone.now()
    assert deliver(first.pk, now=now) == Outcome.RETRYING
    first.refresh_from_db()
    assert first.next_attempt_at >= now + timedelta(seconds=37)
    assert first.delivery_attempts.get().response_code == 429
    assert deliver(first.pk, now=now + timedelta(seconds=10)) == Outcome.SKIPPED
    assert deliver(first.pk, now=now + timedelta(seconds=38)) == Outcome.SENT


def test_a_refused_connection_backs_off_at_least_the_floor(sim, mirrored, settings):
    settings.SFCC_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    first = rows()[0]
    now = timezone.now()
    assert deliver(first.pk, now=now) == Outcome.RETRYING
    first.refresh_from_db()
    assert first.next_attempt_at >= now + timedelta(seconds=10)
    assert "unreachable" in first.last_error


def test_an_order_sfcc_does_not_know_is_a_dead_letter_at_once(sim, mirrored):
    sim.ctl("POST", "/reset")  # SFCC lost the order: 404 is not worth retrying
    first = rows()[0]
    assert deliver(first.pk) == Outcome.DEAD
    first.refresh_from_db()
    assert first.delivery_attempts.get().response_code == 404


def test_rejected_credentials_are_retried_not_dropped(sim, mirrored, settings):
    settings.SFCC_CLIENT_SECRET = "rotated-elsewhere"
    first = rows()[0]
    now = timezone.now()
    assert deliver(first.pk, now=now) == Outcome.RETRYING
    first.refresh_from_db()
    assert first.next_attempt_at >= now + timedelta(seconds=60)
