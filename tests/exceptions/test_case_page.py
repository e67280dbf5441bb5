"""The case page of flows 1 and 7: its panel for the agent and the partner, in under 20 queries."""

import io
import re
from decimal import Decimal

import pytest

from apps.exceptions import services
from apps.exceptions.models import EscalationReason, ExceptionType
from apps.workspace import services as workspace
from apps.workspace.choices import Channel, Visibility
from apps.workspace.services import LineDraft
from tests.workspace.helpers import PNG_BYTES

pytestmark = pytest.mark.django_db

# The page's budget (issue 9): fewer than 20 queries for either flow, whoever looks.
MAX_QUERIES = 19
WHO = ["user_a", "agent"]

LINES = (
    LineDraft(sku="TENT-2P", quantity=Decimal("3"), description="Two-person tent", order_number="00004711",
              line_ref="li-1", data={"quantity_short": 2}),
    LineDraft(sku="MAT-1", quantity=Decimal("3"), description="Sleeping mat", order_number="00004711",
              line_ref="li-2"),
    LineDraft(sku="STOVE-MINI", quantity=Decimal("2"), description="Mini stove", order_number="00004711",
              line_ref="li-3"),
)


def _take(actor, case, name, **kwargs):
    return workspace.case_transition(actor=actor, channel=Channel.WEB, case=case, transition=name, **kwargs)


def _talk(agent, partner_user, case, count: int = 4) -> None:
    for n in range(count):
        workspace.message_post(actor=agent, channel=Channel.WEB, case=case, body=f"Internal {n}",
                               visibility=Visibility.INTERNAL)
        workspace.message_post(actor=partner_user, channel=Channel.WEB, case=case, body=f"Update {n}")


@pytest.fixture
def shortage(agent, user_a, partner_a):
    """Lines, answers, a proposal, a counter and a revised proposal on its timeline."""
    case = services.exception_open(
        actor=agent, channel=Channel.WEB,
        draft=services.ExceptionDraft(
            partner=partner_a, order_number="00004711", exception_type=ExceptionType.STOCK_SHORTAGE,
            subject="Stock shortage on 00004711", body="Three lines are short.", lines=LINES,
        ),
    )
    proposal = {
        "resolution": "partial_backorder", "ship_date": "2026-12-08", "root_cause_code": "forecast_error",
        "lines": [
            {"line": 1, "status": "backordered", "quantity": "2", "date": "2026-12-19"},
            {"line": 2, "status": "accepted", "quantity": "3"},
            {"line": 3, "status": "substituted", "substitute_sku": "STOVE-MINI-2", "substitute_quantity": "2"},
        ],
    }
    _take(user_a, case, "propose", payload=proposal)
    _take(agent, case, "counter", comment="Can the tents ship sooner?")
    _take(user_a, case, "propose", payload={**proposal, "lines": [{**proposal["lines"][0], "date": "2026-12-12"}]})
    _talk(agent, user_a, case)
    return case


@pytest.fixture
def escalation(agent, user_a, partner_a):
    """A missing item with a photo, acknowledged, with the partner's root cause and plan."""
    case = services.escalation_open(
        actor=agent, channel=Channel.WEB,
        draft=services.EscalationDraft(
            partner=partner_a, order_number="00004711", reason=EscalationReason.MISSING_ITEM,
            customer_words="The stove was not in the box.", lines=LINES[2:], carrier="CAR-001",
            tracking_number="SP1Z0000001",
        ),
        photos=[("box.png", io.BytesIO(PNG_BYTES))],
    )
    _take(user_a, case, "acknowledge")
    _take(user_a, case, "propose_plan", payload={
        "root_cause_code": "packing_error", "root_cause_detail": "Not packed at station 4.",
        "plan_type": "replacement", "plan": "A stove ships by express today.", "plan_due": "2026-12-09",
    })
    _talk(agent, user_a, case)
    return case


def _page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize("who", ["agent", "user_a"])
def test_an_order_exception_page_shows_lines_answers_and_the_proposal(request, client, shortage, who):
    html = _page(client, request.getfixturevalue(who), shortage)
    panel = html[html.index('id="exception-heading"'):]
    assert "Stock shortage" in panel[:200]
    assert all(sku in panel for sku in ("TENT-2P", "MAT-1", "STOVE-MINI"))
    # The latest answer of each line: the revised date for line 1, the earlier answers for 2 and 3.
    assert "12 Dec 2026" in panel and "STOVE-MINI-2" in panel and "Backordered" in panel
    assert "Latest proposal" in panel and "Forecast error" in panel
    buttons = set(re.findall(r'name="transition" value="([a-z_]+)"', html))
    assert ("accept" in buttons) == (who == "agent")


@pytest.mark.parametrize("who", ["agent", "user_a"])
def test_an_escalation_page_shows_the_plan_and_the_customer_step(request, client, escalation, who):
    html = _page(client, request.getfixturevalue(who), escalation)
    panel = html[html.index('id="escalation-heading"'):]
    assert "Missing item" in panel[:200] and "The stove was not in the box." in panel
    assert "Packing error" in panel and "A stove ships by express today." in panel
    assert "STOVE-MINI" in panel and "box.png" in html
    # What to tell the customer is the agent's, never the partner's.
    assert ("Next for the customer" in panel) == (who == "agent")


@pytest.mark.parametrize("flow", ["shortage", "escalation"])
@pytest.mark.parametrize("who", WHO)
def test_a_flow_case_page_stays_under_20_queries(request, client, flow, who, django_assert_max_num_queries):
    case = request.getfixturevalue(flow)
    _page(client, request.getfixturevalue(who), case)  # warm: the session, the cached code lists
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(case.get_absolute_url()).status_code == 200
