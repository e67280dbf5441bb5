"""Flows 1 and 7 through their services: what an agent and a partner can do, and what they cannot."""

import io
from decimal import Decimal

import pytest

from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.exceptions import services
from apps.exceptions.models import Escalation, EscalationReason, ExceptionDetail, ExceptionType
from apps.exceptions.panels import customer_next_step
from apps.exceptions.sfcc_fields import escalation_attributes, exception_attributes
from apps.workspace import services as workspace
from apps.workspace.choices import Channel, Side
from apps.workspace.models import Attachment, Case, LineAnswer, TimelineEvent
from apps.workspace.services import LineDraft
from tests.workspace.helpers import PNG_BYTES

pytestmark = pytest.mark.django_db

SHORT_LINES = (
    LineDraft(sku="TENT-2P", quantity=Decimal("3"), description="Two-person tent", order_number="00004711",
              line_ref="li-1", data={"quantity_short": "2"}),
    LineDraft(sku="MAT-1", quantity=Decimal("3"), description="Sleeping mat", order_number="00004711", line_ref="li-2"),
)


def _shortage(agent, partner):
    return services.exception_open(
        actor=agent,
        channel=Channel.WEB,
        draft=services.ExceptionDraft(
            partner=partner, order_number="00004711", exception_type=ExceptionType.STOCK_SHORTAGE,
            subject="Stock shortage on 00004711", body="Two tents short.", lines=SHORT_LINES,
        ),
    )


PARTIAL = {
    "resolution": "partial_backorder",
    "ship_date": "2026-12-08",
    "root_cause_code": "forecast_error",
    "lines": [
        {"line": 1, "status": "backordered", "quantity": "2", "date": "2026-12-19"},
        {"line": 2, "status": "accepted", "quantity": "3"},
    ],
}


def _take(actor, case, name, **kwargs):
    return workspace.case_transition(actor=actor, channel=Channel.WEB, case=case, transition=name, **kwargs)


# --- flow 1 ---------------------------------------------------------------------------------


def test_an_agent_opens_a_shortage_with_its_short_lines(agent, partner_a):
    case = _shortage(agent, partner_a)
    assert (case.kind, case.status, case.turn) == ("order_exception", "reported", Side.PARTNER)
    detail = ExceptionDetail.objects.get(case=case)
    assert detail.exception_type == ExceptionType.STOCK_SHORTAGE and detail.source == "manual"
    assert [(line.sku, line.line_ref, line.data) for line in case.lines.order_by("position")] == [
        ("TENT-2P", "li-1", {"quantity_short": "2"}),
        ("MAT-1", "li-2", {}),
    ]


def test_propose_counter_revise_accept(agent, user_a, partner_a):
    case = _shortage(agent, partner_a)
    _take(user_a, case, "propose", payload=PARTIAL)
    case.refresh_from_db()
    assert (case.status, case.turn, case.root_cause_code) == ("proposed", Side.RETAILER, "forecast_error")
    _take(agent, case, "counter", comment="Can you ship the tents from the Venlo stock instead?")
    case.refresh_from_db()
    assert (case.status, case.turn) == ("countered", Side.PARTNER)
    revised = {**PARTIAL, "lines": [{"line": 1, "status": "backordered", "quantity": "2", "date": "2026-12-12"},
                                    PARTIAL["lines"][1]]}
    _take(user_a, case, "propose", payload=revised)
    _take(agent, case, "accept", payload={"resolution_code": "partial_backorder"})
    case.refresh_from_db()
    assert case.status == "agreed" and case.resolved_at is not None and case.resolution_code == "partial_backorder"
    detail = ExceptionDetail.objects.get(case=case)
    assert detail.accepted_resolution["lines"][0]["date"] == "2026-12-12"
    assert detail.accepted_at is not None
    latest = {a.line.position: a for a in LineAnswer.objects.filter(line__case=case).order_by("id")}
    assert latest[1].date.isoformat() == "2026-12-12" and latest[1].answered_by == user_a
    attributes = exception_attributes(case=case, event_payload={})
    assert attributes["c_crossdockResolutionType"] == "Ship what is in stock, backorder the rest"
    assert attributes["c_crossdockShipDate"] == "2026-12-08"
    assert "line 1 backordered until 2026-12-12" in attributes["c_crossdockLineOutcomes"]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"resolution": "reship"}, "Say when it ships"),
        ({"resolution": "correct_address"}, "corrected address"),
        ({"resolution": "carrier_claim"}, "claim reference"),
        ({"resolution": "partial_backorder", "ship_date": "2026-12-08"}, "Answer the lines"),
        ({"resolution": "teleport"}, "valid choice"),
        ({"resolution": "substitute", "lines": [{"line": 1, "status": "substituted"}]}, "substitute product"),
        ({**PARTIAL, "lines": [{"line": 1, "status": "accepted", "quantity": "9"}]}, "More than the 3"),
    ],
)
def test_a_proposal_that_says_too_little_is_refused(agent, user_a, partner_a, payload, reason):
    case = _shortage(agent, partner_a)
    with pytest.raises(DomainError, match=reason):
        _take(user_a, case, "propose", payload=payload)
    case.refresh_from_db()
    assert case.status == "reported" and not LineAnswer.objects.filter(line__case=case).exists()


def test_each_side_takes_only_its_own_steps(agent, user_a, partner_a):
    case = _shortage(agent, partner_a)
    with pytest.raises(NotAllowed):
        _take(agent, case, "propose", payload=PARTIAL)
    _take(user_a, case, "propose", payload=PARTIAL)
    with pytest.raises(NotAllowed):
        _take(user_a, case, "accept", payload={})
    with pytest.raises(DomainError, match="comment"):
        _take(agent, case, "counter")


def test_a_partner_question_hands_the_turn_to_the_agent_and_back(agent, user_a, partner_a):
    case = _shortage(agent, partner_a)
    workspace.message_post(actor=user_a, channel=Channel.WEB, case=case, body="Can we ship from the other DC?")
    case.refresh_from_db()
    assert (case.status, case.turn) == ("question", Side.RETAILER)
    workspace.message_post(actor=agent, channel=Channel.WEB, case=case, body="Yes, Venlo is fine.")
    case.refresh_from_db()
    assert (case.status, case.turn) == ("reported", Side.PARTNER)


def test_reopening_withdraws_the_agreed_resolution(agent, user_a, partner_a):
    case = _shortage(agent, partner_a)
    _take(user_a, case, "propose", payload=PARTIAL)
    _take(agent, case, "accept", payload={})
    _take(agent, case, "reopen", comment="The customer cancelled one tent.")
    case.refresh_from_db()
    assert case.status == "reported" and case.resolution_code == "" and case.resolved_at is None
    assert ExceptionDetail.objects.get(case=case).accepted_resolution == {}
    assert exception_attributes(case=case, event_payload={})["c_crossdockResolutionType"] is None


def test_another_partner_can_neither_see_nor_answer(agent, user_b, partner_a):
    case = _shortage(agent, partner_a)
    with pytest.raises(Case.DoesNotExist):
        _take(user_b, case, "propose", payload=PARTIAL)
    assert not ExceptionDetail.objects.for_actor(user_b).exists()


# --- flow 7 ---------------------------------------------------------------------------------


def _escalate(agent, partner, **extra):
    draft = services.EscalationDraft(
        partner=partner, order_number="00004711", reason=extra.pop("reason", EscalationReason.MISSING_ITEM),
        customer_words="The box came without the tent poles.",
        lines=extra.pop("lines", SHORT_LINES[:1]), carrier="DHL", tracking_number="JJD000123",
    )
    return services.escalation_open(actor=agent, channel=Channel.WEB, draft=draft, **extra)


def test_an_agent_escalates_a_missing_item_with_a_photo(agent, user_a, partner_a):
    photo = io.BytesIO(PNG_BYTES)
    case = _escalate(agent, partner_a, photos=[("box.png", photo)])
    assert (case.kind, case.status, case.priority) == ("escalation", "escalated", "high")
    escalation = Escalation.objects.get(case=case)
    assert escalation.tracking_number == "JJD000123" and escalation.reason == "missing_item"
    assert Attachment.objects.for_actor(user_a).filter(case=case, name="box.png").exists()
    assert "without the tent poles" in case.messages.get().body


def test_a_missing_item_escalation_names_the_lines(agent, partner_a):
    with pytest.raises(DomainError, match="missing"):
        _escalate(agent, partner_a, lines=())
    assert not Case.objects.exists()


def test_the_partner_investigates_and_plans_the_agent_accepts(agent, user_a, partner_a):
    case = _escalate(agent, partner_a)
    _take(user_a, case, "acknowledge")
    plan = {
        "root_cause_code": "packing_error", "root_cause_detail": "Poles were not packed at station 4.",
        "plan_type": "replacement", "plan": "Poles ship by express today.", "plan_due": "2026-12-09",
    }
    _take(user_a, case, "propose_plan", payload=plan)
    case.refresh_from_db()
    escalation = Escalation.objects.get(case=case)
    assert (case.status, case.turn, case.root_cause_code) == ("plan_proposed", Side.RETAILER, "packing_error")
    assert escalation.plan_due.isoformat() == "2026-12-09" and escalation.customer_update_due is not None
    step, _ = customer_next_step(case, escalation)
    assert "Review the partner's plan" in step
    _take(agent, case, "accept_plan")
    case.refresh_from_db()
    step, by = customer_next_step(case, escalation)
    assert step.startswith("Tell the customer the plan (send a replacement): Poles ship") and by is not None
    attributes = escalation_attributes(case=case, event_payload={})
    assert attributes == {
        "c_crossdockEscalationReason": "missing_item",
        "c_crossdockRootCause": "packing_error",
        "c_crossdockPlan": "Send a replacement: Poles ship by express today.",
        "c_crossdockPlanDue": "2026-12-09",
    }


def test_a_plan_needs_a_root_cause_a_plan_and_a_date(agent, user_a, partner_a):
    case = _escalate(agent, partner_a)
    with pytest.raises(DomainError) as refused:
        _take(user_a, case, "propose_plan", payload={"plan_type": "reship"})
    assert set(refused.value.fields) >= {"root_cause_code", "root_cause_detail", "plan", "plan_due"}
    with pytest.raises(DomainError, match="valid choice"):
        _take(user_a, case, "propose_plan", payload={
            "root_cause_code": "not_a_code", "root_cause_detail": "x", "plan_type": "reship", "plan": "x",
            "plan_due": "2026-12-09",
        })


def test_an_agent_rejects_a_plan_with_a_reason(agent, user_a, partner_a):
    case = _escalate(agent, partner_a)
    _take(user_a, case, "propose_plan", payload={
        "root_cause_code": "carrier_delay", "root_cause_detail": "Hub backlog.", "plan_type": "carrier_trace",
        "plan": "Trace.", "plan_due": "2026-12-09",
    })
    with pytest.raises(DomainError, match="comment"):
        _take(agent, case, "reject_plan")
    _take(agent, case, "reject_plan", comment="The customer needs the poles before the weekend.")
    case.refresh_from_db()
    assert (case.status, case.turn) == ("investigating", Side.PARTNER)
    with pytest.raises(Conflict):
        _take(agent, case, "accept_plan")


def test_internal_notes_on_an_escalation_stay_internal(agent, user_a, partner_a):
    case = _escalate(agent, partner_a)
    workspace.message_post(actor=agent, channel=Channel.WEB, case=case, body="VIP customer.", visibility="internal")
    assert not case.messages.model.objects.for_actor(user_a).filter(body__contains="VIP").exists()
    assert not TimelineEvent.objects.for_actor(user_a).filter(summary__contains="Internal").exists()


def test_the_inbox_filters_by_root_cause_and_resolution(client, agent, user_a, partner_a):
    agreed = _shortage(agent, partner_a)
    _take(user_a, agreed, "propose", payload=PARTIAL)
    _take(agent, agreed, "accept", payload={"resolution_code": "partial_backorder"})
    other = _shortage(agent, partner_a)
    client.force_login(agent)
    page = client.get("/cases/", {"open": "all"}).content.decode()
    assert 'name="root_cause"' in page and "Forecast error" in page
    listed = client.get("/cases/", {"open": "all", "root_cause": "forecast_error"}).content.decode()
    assert agreed.reference in listed and other.reference not in listed
    api = client.get("/api/v1/cases/", {"open": "all", "resolution": "partial_backorder"}).json()
    assert [row["id"] for row in api["results"]] == [agreed.pk]
