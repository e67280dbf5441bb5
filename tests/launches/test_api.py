"""The API of flow 6: create and decide launches, read the board, shares scoped to their partner."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.partners import services as partner_services

from .helpers import flag

pytestmark = pytest.mark.django_db


def key_client(api_client, retail_admin, partner):
    key, secret = partner_services.api_key_issue(
        actor=retail_admin, organization=partner, name="ERP", scopes=["cases:read", "cases:write"]
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api_client


def test_create_a_launch_and_read_its_board(api_client, merchandiser, partner_a, partner_b):
    api_client.force_authenticate(merchandiser)
    response = api_client.post(
        "/api/v1/launches/",
        {
            "name": "Autumn",
            "go_live_at": (timezone.now() + timedelta(days=20)).isoformat(),
            "skus": [{"sku": "A-1", "forecast_quantity": "50", "partner": partner_a.pk}],
            "partners": [partner_b.pk],
            "templates": ["inventory", "fulfilment"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["partner_count"], body["items_total"], body["status"]) == (2, 4, "planning")
    board = api_client.get(f"/api/v1/launches/{body['id']}/board/").json()
    assert board["verdict"] == "no_go"
    assert [c["code"] for c in board["columns"]] == ["inventory", "fulfilment"]
    assert {row["partner"] for row in board["rows"]} == {partner_a.name, partner_b.name}


def test_bad_input_is_answered_with_a_reason(api_client, merchandiser):
    api_client.force_authenticate(merchandiser)
    response = api_client.post("/api/v1/launches/", {"name": "No date"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "go_live_at": ["Give a go-live date, or an SFCC campaign to read it from."]
    }


def test_go_over_blockers_needs_an_override_reason(api_client, merchandiser, launch):
    api_client.force_authenticate(merchandiser)
    url = f"/api/v1/launches/{launch.pk}/transition/"
    refused = api_client.post(url, {"transition": "mark_go"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "guard_refused"
    taken = api_client.post(
        url, {"transition": "mark_go", "override_reason": "Accepted"}, format="json"
    )
    assert taken.status_code == 200 and taken.json()["status"] == "go"


def test_a_partner_system_sees_its_share_ticks_and_flags_through_case_steps(
    api_client, retail_admin, launch, share_a, share_b, partner_a
):
    client = key_client(api_client, retail_admin, partner_a)
    shares = client.get("/api/v1/launch-shares/").json()
    rows = shares["results"] if isinstance(shares, dict) else shares
    assert [row["case"] for row in rows] == [share_a.case_id]
    assert {s["sku"] for s in rows[0]["skus"]} == {
        f"SKU-{partner_a.code}-1",
        f"SKU-{partner_a.code}-2",
    }
    assert client.get(f"/api/v1/launch-shares/{share_b.case_id}/").status_code == 404
    assert client.get(f"/api/v1/launches/{launch.pk}/board/").status_code == 403
    head = client.get(f"/api/v1/launches/{launch.pk}/").json()
    assert "items_total" not in head and head["name"] == launch.name
    step = client.post(
        f"/api/v1/cases/{share_a.case_id}/transitions/",
        {
            "transition": "flag_constraint",
            "payload": {
                "sku": f"SKU-{partner_a.code}-1",
                "quantity_at_risk": "25",
                "date": "2026-12-01",
            },
        },
        format="json",
    )
    assert step.status_code == 200, step.content
    bad = client.post(
        f"/api/v1/cases/{share_a.case_id}/transitions/",
        {
            "transition": "update_checklist",
            "payload": {"item": "nope", "status": "done"},
        },
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_payload"
    constraint = client.get(f"/api/v1/launch-shares/{share_a.case_id}/").json()["constraints"][0]
    resolved = client.post(
        f"/api/v1/launch-shares/{share_a.case_id}/resolve-constraint/",
        {"constraint": constraint["id"], "resolution": "Stock found in DC2"},
        format="json",
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"


def test_review_is_the_retailers(
    api_client, merchandiser, retail_admin, share_a, user_a, partner_a
):
    flag(user_a, share_a, f"SKU-{partner_a.code}-1")
    item = share_a.items.get(code="packaging")
    partner = key_client(api_client, retail_admin, partner_a)
    assert (
        partner.post(
            f"/api/v1/launch-shares/{share_a.case_id}/review/",
            {"item": item.pk, "accept": True},
            format="json",
        ).status_code
        == 403
    )
