"""The API of flow 2: plans for the retailer's planners, shares for each partner, one validation."""

import pytest

from apps.allocations.models import AllocationShare, PlanLine
from tests.factories import member

from .conftest import csv_file, need_by, plan_csv, published_plan

pytestmark = pytest.mark.django_db


def test_a_planner_creates_imports_and_publishes_over_the_api(
    sfcc, api_client, merch, north, alpine
):
    api_client.force_authenticate(merch)
    created = api_client.post(
        "/api/v1/demand-plans/", {"title": "Peak 2026", "kind": "peak"}, format="json"
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    bad = csv_file(plan_csv((north.code, "NO-SKU", "", "", 5, need_by(), "")))
    refused = api_client.post(
        f"/api/v1/demand-plans/{plan_id}/import/", {"file": bad}, format="multipart"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["file"] == [
        "Row 2, column sku: 'NO-SKU' is not in SFCC's catalog."
    ]
    good = csv_file(
        plan_csv(
            (north.code, "MAT-1", "", "", 5, need_by(), ""),
            (alpine.code, "TENT-2P", "", "", 9, need_by(), ""),
        )
    )
    assert api_client.post(
        f"/api/v1/demand-plans/{plan_id}/import/", {"file": good}, format="multipart"
    ).json() == {"imported": 2}
    line = api_client.post(
        f"/api/v1/demand-plans/{plan_id}/lines/",
        {"partner": north.code, "sku": "DUVET-KING", "forecast_qty": "4", "need_by": need_by()}, format="json",
    )  # fmt: skip
    assert line.status_code == 201 and line.json()["product_name"] == "Down duvet, king"
    assert (
        api_client.post(f"/api/v1/demand-plans/{plan_id}/publish/").json()["status"] == "published"
    )
    allocation = api_client.get(f"/api/v1/demand-plans/{plan_id}/allocation/").json()
    assert allocation["totals"]["requested"] == "18.000"
    assert allocation["lines"][0]["sku"] == "MAT-1"
    assert {p["partner"] for p in allocation["partners"]} == {north.code, alpine.code}


def test_a_partner_answers_its_share_through_the_cases_api(sfcc, api_client, merch, north, alpine):
    plan = published_plan(merch, north, alpine)
    user = member(alpine)
    api_client.force_authenticate(user)
    assert api_client.get("/api/v1/demand-plans/").json()["results"] == []
    assert api_client.get(f"/api/v1/demand-plans/{plan.pk}/allocation/").status_code == 404
    shares = api_client.get("/api/v1/allocation-shares/").json()["results"]
    assert [s["plan"] for s in shares] == [plan.reference] and shares[0]["plan_totals"] is None
    case_id = shares[0]["case"]
    partial = api_client.post(
        f"/api/v1/cases/{case_id}/transitions/",
        {"transition": "answer", "payload": {"lines": [{"line": 1, "status": "accepted"}]}}, format="json",
    )  # fmt: skip
    assert partial.status_code == 400 and "unanswered: 2" in str(partial.json())
    full = api_client.post(
        f"/api/v1/cases/{case_id}/transitions/",
        {"transition": "answer", "payload": {"lines": [
            {"line": 1, "status": "accepted"},
            {"line": 2, "status": "substituted", "quantity": "0", "substitute_sku": "KETTLE-GOOSE", "substitute_quantity": "20"},
        ]}}, format="json",
    )  # fmt: skip
    assert full.status_code == 200, full.content
    north_case = AllocationShare.objects.get(plan=plan, partner=north).case
    assert api_client.get(f"/api/v1/allocation-shares/{north_case.pk}/").status_code == 404

    api_client.force_authenticate(merch)
    row = PlanLine.objects.get(plan=plan, partner=alpine, sku="KETTLE-GOOSE").row
    decided = api_client.post(
        f"/api/v1/demand-plans/{plan.pk}/substitution/",
        {"row": row, "decision": "refuse"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["substitution"] == "refused"
