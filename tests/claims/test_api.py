"""/api/v1/claims/: agents open claims, supplier systems decide them, nobody sees another's."""

import pytest

from apps.workspace.models import Case
from tests.workspace.test_api import issue_key, key_client

from .helpers import open_claim

pytestmark = pytest.mark.django_db

CLAIM = {
    "order_number": "00004711",
    "claim_type": "damage",
    "reason_code": "damaged_in_transit",
    "description": "The box was crushed.",
    "currency": "USD",
    "lines": [
        {"sku": "TENT-2P", "quantity": "2", "unit_price": "249.00", "line_ref": "li-1"},
        {"sku": "MAT-1", "quantity": "1", "unit_price": "59.00"},
    ],
}


@pytest.fixture
def claim(api_client, agent, partner_a):
    api_client.force_authenticate(agent)
    response = api_client.post("/api/v1/claims/", {**CLAIM, "partner": partner_a.pk}, format="json")
    assert response.status_code == 201, response.content
    api_client.force_authenticate(None)
    return response.json()


def test_an_agent_opens_a_claim_over_the_api(claim, partner_a):
    assert (claim["status"], claim["claimed_value"], claim["source"]) == (
        "submitted",
        "557.00",
        "api",
    )
    assert [(line["sku"], line["unit_price"]) for line in claim["lines"]] == [
        ("TENT-2P", "249.00"),
        ("MAT-1", "59.00"),
    ]
    assert Case.objects.get(pk=claim["case"]).partner == partner_a


@pytest.mark.parametrize(
    "change, field",
    [
        ({"claim_type": "refund"}, "claim_type"),
        ({"currency": "usd"}, "currency"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "A", "quantity": "1"}]}, "lines"),  # no unit price
    ],
)
def test_a_bad_claim_is_a_400_that_names_the_field(api_client, agent, partner_a, change, field):
    api_client.force_authenticate(agent)
    response = api_client.post(
        "/api/v1/claims/", {**CLAIM, "partner": partner_a.pk, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in str(response.json())


def test_a_partner_system_decides_with_a_credit_and_reads_it_back(claim, retail_admin, partner_a):
    client = key_client(issue_key(retail_admin, partner_a))
    case = claim["case"]
    offered = {t["name"]: t for t in client.get(f"/api/v1/cases/{case}/transitions/").json()}
    assert {"approve_credit", "approve_replacement", "request_evidence", "deny"} <= set(offered)
    too_much = {
        "transition": "approve_credit",
        "payload": {"credit": "partial", "amount": "600", "currency": "USD"},
    }
    refused = client.post(f"/api/v1/cases/{case}/transitions/", too_much, format="json")
    assert refused.status_code == 409 and "claimed lines' value" in str(refused.json())
    ok = {
        "transition": "approve_credit",
        "payload": {"credit": "partial", "amount": "200", "currency": "USD"},
    }
    assert client.post(f"/api/v1/cases/{case}/transitions/", ok, format="json").status_code == 200
    detail = client.get(f"/api/v1/claims/{case}/").json()
    assert (detail["status"], detail["decision"], detail["credit_amount"]) == (
        "credit_approved",
        "credit",
        "200.00",
    )


def test_a_partner_cannot_open_a_claim(api_client, user_a, partner_a):
    api_client.force_authenticate(user_a)
    response = api_client.post("/api/v1/claims/", {**CLAIM, "partner": partner_a.pk}, format="json")
    assert response.status_code == 403


def test_a_partner_never_sees_another_partners_claims_or_packs(
    api_client, agent, partner_a, user_a, user_b
):
    case = open_claim(agent, partner_a)
    api_client.force_authenticate(user_b)
    assert api_client.get("/api/v1/claims/").json()["results"] == []
    assert api_client.get(f"/api/v1/claims/{case.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/claims/{case.pk}/evidence-pack/").status_code == 404
    api_client.force_authenticate(user_a)
    assert [c["case"] for c in api_client.get("/api/v1/claims/").json()["results"]] == [case.pk]
    pack = api_client.get(f"/api/v1/claims/{case.pk}/evidence-pack/")
    assert pack.status_code == 200 and pack["Content-Type"] == "application/zip"


def test_the_claims_api_is_in_the_schema(api_client, agent):
    api_client.force_authenticate(agent)
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {
        "/api/v1/claims/",
        "/api/v1/claims/{case_id}/",
        "/api/v1/claims/{case_id}/evidence-pack/",
    } <= set(schema["paths"])
