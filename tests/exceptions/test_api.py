"""/api/v1/exceptions/ and /api/v1/escalations/: the same rules as the pages, for partner systems."""

import pytest

from apps.workspace.models import Case
from tests.workspace.test_api import issue_key, key_client

pytestmark = pytest.mark.django_db

ESCALATION = {
    "order_number": "00004711",
    "reason": "missing_item",
    "customer_words": "The box came without the tent poles.",
    "lines": [{"sku": "TENT-2P", "quantity": "1", "description": "Two-person tent", "line_ref": "li-1"}],
    "carrier": "DHL",
    "tracking_number": "JJD000123",
}
PLAN = {
    "root_cause_code": "packing_error",
    "root_cause_detail": "Poles left out at station 4.",
    "plan_type": "replacement",
    "plan": "Poles ship by express today.",
    "plan_due": "2026-12-09",
}


def _system(retail_admin, partner):
    """A partner's own system, with a key the retailer's administrator issued."""
    return key_client(issue_key(retail_admin, partner))


@pytest.fixture
def escalation(api_client, agent, partner_a):
    api_client.force_authenticate(agent)
    response = api_client.post("/api/v1/escalations/", {**ESCALATION, "partner": partner_a.pk}, format="json")
    assert response.status_code == 201, response.content
    api_client.force_authenticate(None)
    return response.json()


def test_an_agent_escalates_over_the_api(escalation, partner_a):
    assert escalation["reason"] == "missing_item" and escalation["status"] == "escalated"
    assert escalation["lines"][0]["sku"] == "TENT-2P" and escalation["lines"][0]["answer"] is None
    assert Case.objects.get(pk=escalation["case"]).partner == partner_a


def test_a_partner_system_answers_with_a_plan_and_reads_it_back(escalation, retail_admin, partner_a):
    client = _system(retail_admin, partner_a)
    case = escalation["case"]
    offered = {t["name"]: t for t in client.get(f"/api/v1/cases/{case}/transitions/").json()}
    assert set(offered["propose_plan"]["payload_fields"]) == set(PLAN)
    response = client.post(
        f"/api/v1/cases/{case}/transitions/", {"transition": "propose_plan", "payload": PLAN}, format="json"
    )
    assert response.status_code == 200, response.content
    detail = client.get(f"/api/v1/escalations/{case}/").json()
    assert (detail["status"], detail["root_cause_code"], detail["plan_due"]) == (
        "plan_proposed", "packing_error", "2026-12-09"
    )
    timeline = client.get(f"/api/v1/cases/{case}/timeline/").json()["results"]
    assert timeline[0]["data"] == PLAN


def test_a_plan_missing_its_date_is_a_400_that_names_the_field(escalation, retail_admin, partner_a):
    client = _system(retail_admin, partner_a)
    response = client.post(
        f"/api/v1/cases/{escalation['case']}/transitions/",
        {"transition": "propose_plan", "payload": {**PLAN, "plan_due": ""}},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_payload" and "plan_due" in error["fields"]


def test_partners_do_not_open_escalations(retail_admin, partner_a):
    client = _system(retail_admin, partner_a)
    response = client.post("/api/v1/escalations/", {**ESCALATION, "partner": partner_a.pk}, format="json")
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_another_partner_sees_nothing(escalation, retail_admin, partner_b):
    client = _system(retail_admin, partner_b)
    assert client.get("/api/v1/escalations/").json()["results"] == []
    assert client.get(f"/api/v1/escalations/{escalation['case']}/").status_code == 404
    response = client.post(
        f"/api/v1/cases/{escalation['case']}/transitions/", {"transition": "acknowledge"}, format="json"
    )
    assert response.status_code == 404


def test_an_agent_cannot_escalate_to_a_partner_it_cannot_name(api_client, agent):
    api_client.force_authenticate(agent)
    response = api_client.post("/api/v1/escalations/", {**ESCALATION, "partner": 999999}, format="json")
    assert response.status_code == 400 and "partner" in response.json()["error"]["fields"]


def test_an_agent_posts_a_stock_shortage_and_the_supplier_proposes(api_client, agent, retail_admin, partner_a):
    api_client.force_authenticate(agent)
    response = api_client.post(
        "/api/v1/exceptions/",
        {
            "partner": partner_a.pk, "order_number": "00004711", "exception_type": "stock_shortage",
            "subject": "Two tents short", "lines": [{"sku": "TENT-2P", "quantity": "3"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    case = response.json()["case"]
    client = _system(retail_admin, partner_a)
    proposal = {
        "resolution": "partial_backorder", "ship_date": "2026-12-08",
        "lines": [{"line": 1, "status": "backordered", "quantity": "2", "date": "2026-12-19"}],
    }
    response = client.post(
        f"/api/v1/cases/{case}/transitions/", {"transition": "propose", "payload": proposal}, format="json"
    )
    assert response.status_code == 200, response.content
    detail = client.get(f"/api/v1/exceptions/{case}/").json()
    assert detail["exception_type"] == "stock_shortage" and detail["status"] == "proposed"
    assert detail["lines"][0]["answer"]["status"] == "backordered"
    assert detail["lines"][0]["answer"]["date"] == "2026-12-19"


def test_a_carrier_exception_carries_its_structured_fields(api_client, agent, partner_a):
    api_client.force_authenticate(agent)
    response = api_client.post(
        "/api/v1/exceptions/",
        {
            "partner": partner_a.pk, "order_number": "00004712", "exception_type": "carrier_exception",
            "subject": "Parcel held at hub", "carrier": "DHL", "tracking_number": "JJD000999",
            "carrier_exception_code": "HLD", "carrier_notes": "Held for customs paperwork.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    detail = response.json()
    assert (detail["carrier"], detail["tracking_number"], detail["carrier_exception_code"]) == ("DHL", "JJD000999", "HLD")
    assert detail["carrier_notes"] == "Held for customs paperwork."
