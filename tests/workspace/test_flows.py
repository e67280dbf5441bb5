"""The flow seam: the registry, flags instead of state names, and transitions that carry data."""

import datetime
import json
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from apps.core.errors import Conflict, DomainError
from apps.partners.roles import Role
from apps.workspace import flows, services
from apps.workspace.choices import CaseKind, Channel, Side
from apps.workspace.models import Case, LineAnswer, TimelineEvent
from apps.workspace.payloads import PayloadForm
from apps.workspace.states import State, Transition, Workflow, default_workflow
from tests.factories import internal_user

pytestmark = pytest.mark.django_db

FOREIGN = "test_foreign"
R, P, B = frozenset({Side.RETAILER}), frozenset({Side.PARTNER}), frozenset({Side.RETAILER, Side.PARTNER})


class AnswerForm(PayloadForm):
    answers_lines = True
    every_line = True
    case_fields = ("root_cause_code",)

    promised = forms.DateField()
    root_cause_code = forms.CharField(required=False, max_length=40)


def _no_open_questions(case, data):
    return "Answer the open question first." if "hold up" in case.subject else None


FOREIGN_WORKFLOW = Workflow(
    kind=FOREIGN,
    initial="nieuw",
    partner_initial="bij_winkel",
    states=(
        State("nieuw", "Nieuw", Side.PARTNER),
        State("bij_leverancier", "Bij leverancier", Side.PARTNER),
        State("bij_winkel", "Bij winkel", Side.RETAILER),
        State("afgehandeld", "Afgehandeld", Side.RETAILER, resolved=True),
        State("gearchiveerd", "Gearchiveerd", Side.NONE, open=False, resolved=True),
        State("geschrapt", "Geschrapt", Side.NONE, open=False),
    ),
    transitions=(
        Transition("beantwoord", "Beantwoord", frozenset({"nieuw", "bij_leverancier"}), "bij_winkel", P,
                   on_reply_from=Side.PARTNER, payload_form=AnswerForm, guard=_no_open_questions),
        Transition("vraag", "Vraag", frozenset({"bij_winkel"}), "bij_leverancier", R, on_reply_from=Side.RETAILER),
        Transition("klaar", "Klaar", frozenset({"nieuw", "bij_leverancier", "bij_winkel"}), "afgehandeld", B,
                   resolves=True),
        Transition("heropen", "Heropen", frozenset({"afgehandeld", "gearchiveerd"}), "bij_leverancier", B,
                   reopens=True),
        Transition("archiveer", "Archiveer", frozenset({"afgehandeld"}), "gearchiveerd", R),
        Transition("schrap", "Schrap", frozenset({"nieuw"}), "geschrapt", R),
    ),
)


@pytest.fixture
def foreign_flow():
    flow = flows.Flow(kind=FOREIGN, label="Foreign", workflow=FOREIGN_WORKFLOW, roles=frozenset({Role.AGENT}))
    flows.register_flow(flow)
    yield flow
    flows._FLOWS.pop(FOREIGN)


def _case(actor, partner, **extra):
    return services.case_create(
        actor=actor, channel=Channel.WEB,
        draft=services.CaseDraft(kind=FOREIGN, partner=partner, subject=extra.pop("subject", "Levering"), **extra),
    )


LINES = (
    services.LineDraft(sku="SKU-1", quantity=Decimal("4"), order_number="00001234", line_ref="li-1"),
    services.LineDraft(sku="SKU-2", quantity=Decimal("2"), order_number="00001234", line_ref="li-2"),
)


# --- the registry ---------------------------------------------------------------------------


def test_every_case_kind_has_a_registered_flow():
    missing = [kind for kind in CaseKind if kind.value not in {f.kind for f in flows.flows()}]
    assert not missing, f"no flow registered for {missing}"


def test_kinds_by_role_come_from_the_registry(foreign_flow):
    assert FOREIGN in flows.kinds_for_role(Role.AGENT)
    assert FOREIGN not in flows.kinds_for_role(Role.MERCHANDISER)
    assert flows.kinds_for_role(Role.OPERATIONS) is None  # no flow names operations: every kind


def test_a_kind_cannot_be_registered_twice(foreign_flow):
    with pytest.raises(ValueError):
        flows.register_flow(flows.Flow(kind=FOREIGN, label="Other", workflow=default_workflow(FOREIGN)))


def test_an_unregistered_kind_is_named_in_the_error():
    with pytest.raises(flows.FlowNotRegistered, match="no_such_kind"):
        flows.flow_for("no_such_kind")


def test_a_merchandiser_does_not_see_a_kind_only_agents_work(foreign_flow, retail_admin, partner_a):
    case = _case(retail_admin, partner_a)
    merchandiser = internal_user(Role.MERCHANDISER)
    agent = internal_user(Role.AGENT)
    assert not Case.objects.for_actor(merchandiser).filter(pk=case.pk).exists()
    assert Case.objects.for_actor(agent).filter(pk=case.pk).exists()


# --- flags, not names -----------------------------------------------------------------------


def test_a_partner_opens_a_foreign_workflow_in_its_partner_initial_state(foreign_flow, user_a, partner_a):
    case = _case(user_a, partner_a)
    assert case.status == "bij_winkel" and case.turn == Side.RETAILER


def test_replies_hand_the_turn_over_by_the_table(foreign_flow, retail_admin, user_a, partner_a):
    case = _case(retail_admin, partner_a)
    services.case_transition(actor=retail_admin, channel=Channel.WEB, case=case, transition="schrap")
    case = _case(retail_admin, partner_a)
    Case.objects.filter(pk=case.pk).update(status="bij_winkel")
    services.message_post(actor=retail_admin, channel=Channel.WEB, case=case, body="Wanneer?")
    case.refresh_from_db()
    assert case.status == "bij_leverancier" and case.turn == Side.PARTNER


def test_resolved_and_reopened_by_flags(foreign_flow, retail_admin, partner_a):
    case = _case(retail_admin, partner_a)
    workflow = flows.flow_for(FOREIGN).workflow
    step = workflow.resolving(status=case.status, side=Side.RETAILER)
    assert step.name == "klaar"
    services.case_transition(actor=retail_admin, channel=Channel.SFCC, case=case, transition=step.name)
    case.refresh_from_db()
    assert case.resolved_at is not None and case.is_open and workflow.settled(case.status)
    services.case_transition(actor=retail_admin, channel=Channel.WEB, case=case, transition="archiveer")
    case.refresh_from_db()
    assert not case.is_open and case.resolved_at is not None
    step = workflow.reopening(status=case.status, side=Side.RETAILER)
    services.case_transition(actor=retail_admin, channel=Channel.WEB, case=case, transition=step.name)
    case.refresh_from_db()
    assert case.is_open and case.resolved_at is None and case.status == "bij_leverancier"


def test_a_cancelled_case_is_closed_but_not_resolved(foreign_flow, retail_admin, partner_a):
    case = _case(retail_admin, partner_a)
    services.case_transition(actor=retail_admin, channel=Channel.WEB, case=case, transition="schrap")
    case.refresh_from_db()
    assert not case.is_open and case.resolved_at is None


# --- transitions that carry data -----------------------------------------------------------


GOOD = {
    "promised": "2026-12-20",
    "root_cause_code": "forecast_error",
    "lines": [
        {"line": 1, "status": "backordered", "quantity": "4", "date": "2026-12-20"},
        {"line": 2, "status": "substituted", "substitute_sku": "SKU-9", "substitute_quantity": "2"},
    ],
}
EXPECTED_LINES = [
    {"line": 1, "status": "backordered", "quantity": "4", "date": "2026-12-20", "substitute_sku": "",
     "substitute_quantity": None, "reason_code": "", "note": ""},
    {"line": 2, "status": "substituted", "quantity": None, "date": None, "substitute_sku": "SKU-9",
     "substitute_quantity": "2", "reason_code": "", "note": ""},
]


def _as_post(payload: dict) -> dict:
    """What the case page posts for the same answer: flat fields, one set per line."""
    post = {"transition": "beantwoord", "promised": payload["promised"], "root_cause_code": payload["root_cause_code"]}
    for answer in payload["lines"]:
        for key, value in answer.items():
            if key != "line":
                post[f"lines-{answer['line']}-{key}"] = value
    return post


def _stored(case) -> dict:
    return TimelineEvent.objects.filter(case=case, verb="transitioned").latest("id").data


def test_the_payload_is_validated_and_stored_alike_on_page_api_and_service(
    foreign_flow, retail_admin, user_a, partner_a, client, api_client
):
    by_service, by_page, by_api = (_case(retail_admin, partner_a, lines=LINES) for _ in range(3))
    services.case_transition(
        actor=user_a, channel=Channel.TRADING_GRID, case=by_service, transition="beantwoord", payload=GOOD
    )
    client.force_login(user_a)
    response = client.post(reverse("workspace:case_transition", args=[by_page.pk]), _as_post(GOOD))
    assert response.status_code == 302
    api_client.force_authenticate(user_a)
    response = api_client.post(
        f"/api/v1/cases/{by_api.pk}/transitions/", {"transition": "beantwoord", "payload": GOOD}, format="json"
    )
    assert response.status_code == 200, response.content
    expected = {"promised": "2026-12-20", "root_cause_code": "forecast_error", "lines": EXPECTED_LINES}
    for case in (by_service, by_page, by_api):
        case.refresh_from_db()
        assert case.status == "bij_winkel" and case.root_cause_code == "forecast_error"
        assert _stored(case) == expected
        answers = LineAnswer.objects.filter(line__case=case).order_by("line__position")
        assert [(a.status, a.date, a.substitute_sku) for a in answers] == [
            ("backordered", datetime.date(2026, 12, 20), ""),
            ("substituted", None, "SKU-9"),
        ]


BAD = {"promised": "2026-12-20", "lines": [{"line": 1, "status": "backordered", "quantity": "4"}]}


def test_a_bad_payload_is_refused_alike_on_every_channel_and_changes_nothing(
    foreign_flow, retail_admin, user_a, partner_a, client, api_client
):
    case = _case(retail_admin, partner_a, lines=LINES)
    with pytest.raises(DomainError) as refused:
        services.case_transition(actor=user_a, channel=Channel.TRADING_GRID, case=case, transition="beantwoord", payload=BAD)
    reason = str(refused.value)
    assert "backorder needs the date" in reason
    client.force_login(user_a)
    response = client.post(
        reverse("workspace:case_transition", args=[case.pk]), _as_post({**BAD, "root_cause_code": ""}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "backorder needs the date" in response.content.decode()
    api_client.force_authenticate(user_a)
    response = api_client.post(
        f"/api/v1/cases/{case.pk}/transitions/", {"transition": "beantwoord", "payload": BAD}, format="json"
    )
    assert response.status_code == 400
    assert "backorder needs the date" in json.dumps(response.json())
    case.refresh_from_db()
    assert case.status == "nieuw" and not LineAnswer.objects.filter(line__case=case).exists()


def test_every_line_must_be_answered(foreign_flow, retail_admin, user_a, partner_a):
    case = _case(retail_admin, partner_a, lines=LINES)
    payload = {"promised": "2026-12-20", "lines": GOOD["lines"][:1]}
    with pytest.raises(DomainError, match="unanswered: 2"):
        services.case_transition(actor=user_a, channel=Channel.API, case=case, transition="beantwoord", payload=payload)


def test_an_answer_names_a_line_of_the_case(foreign_flow, retail_admin, user_a, partner_a):
    case = _case(retail_admin, partner_a, lines=LINES)
    payload = {"promised": "2026-12-20", "lines": [*GOOD["lines"], {"line": 7, "status": "accepted"}]}
    with pytest.raises(DomainError, match="no such line"):
        services.case_transition(actor=user_a, channel=Channel.API, case=case, transition="beantwoord", payload=payload)


def test_a_guard_refuses_with_its_reason(foreign_flow, retail_admin, user_a, partner_a):
    case = _case(retail_admin, partner_a, lines=LINES, subject="Please hold up")
    with pytest.raises(Conflict, match="open question"):
        services.case_transition(actor=user_a, channel=Channel.API, case=case, transition="beantwoord", payload=GOOD)


def test_a_step_without_a_form_refuses_data(foreign_flow, retail_admin, partner_a):
    case = _case(retail_admin, partner_a)
    with pytest.raises(DomainError, match="carries no data"):
        services.case_transition(
            actor=retail_admin, channel=Channel.API, case=case, transition="klaar", payload={"x": 1}
        )


def test_the_data_travels_in_the_case_event(foreign_flow, retail_admin, user_a, partner_a):
    from apps.workspace import events

    seen = []
    handler = events.subscribe(lambda event: seen.append(event))
    try:
        case = _case(retail_admin, partner_a, lines=LINES)
        services.case_transition(actor=user_a, channel=Channel.API, case=case, transition="beantwoord", payload=GOOD)
    finally:
        events._handlers.remove(handler)
    moved = [e for e in seen if e.type == "case.transitioned"][-1]
    assert moved.payload["data"]["lines"] == EXPECTED_LINES and moved.payload["transition"] == "beantwoord"


def test_line_answers_are_append_only(foreign_flow, retail_admin, user_a, partner_a):
    case = _case(retail_admin, partner_a, lines=LINES)
    services.case_transition(actor=user_a, channel=Channel.API, case=case, transition="beantwoord", payload=GOOD)
    with pytest.raises(TypeError):
        LineAnswer.objects.all().update(status="accepted")
    answer = LineAnswer.objects.first()
    answer.status = "rejected"
    with pytest.raises(TypeError):
        answer.save()


@pytest.mark.django_db(transaction=True)
def test_case_lock_needs_the_callers_transaction(foreign_flow, retail_admin, partner_a):
    case = _case(retail_admin, partner_a)
    with pytest.raises(RuntimeError):
        services.case_lock(case=case, actor=retail_admin)
