"""/api/v1/shipments/ and /api/v1/milestones/: scoped to the caller, validated like the page."""

import pytest

from apps.milestones.models import Milestone, TrackedShipment
from apps.partners.roles import Role
from apps.workspace.models import Case
from tests.factories import internal_user, member
from tests.workspace.test_api import error_of, issue_key, key_client, session_client

from .helpers import b2b_order, shipped, tracked

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(agent, partner_a, partner_b, retail_admin):
    case = tracked(agent, partner_a)
    shipment = TrackedShipment.objects.get(case=case)
    return (
        case,
        shipment,
        key_client(issue_key(retail_admin, partner_a)),
        key_client(issue_key(retail_admin, partner_b)),
    )


def test_a_partner_reports_shipped_and_reads_it_back(setup):
    case, shipment, erp_a, _ = setup
    response = erp_a.post(
        f"/api/v1/shipments/{shipment.pk}/milestones/",
        {**shipped(), "bill_of_lading": "BOL-1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["step"], body["shipment"], body["channel"], body["bill_of_lading"]) == (
        "shipped",
        "SHP-88001-1",
        "api",
        "BOL-1",
    )
    got = erp_a.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert (got["status"], got["tracking_number"], got["case_reference"]) == (
        "shipped",
        "1Z999AA10123456784",
        case.reference,
    )
    assert [m["step"] for m in got["milestones"]] == ["shipped"]
    listed = erp_a.get("/api/v1/milestones/?order=00088001").json()["results"]
    assert [m["id"] for m in listed] == [body["id"]]


def test_bad_milestones_are_400_and_409_with_reasons(setup):
    _case, shipment, erp_a, _ = setup
    url = f"/api/v1/shipments/{shipment.pk}/milestones/"
    response = erp_a.post(url, {"step": "shipped"}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_payload" and "tracking_number" in error["fields"]
    assert erp_a.post(url, {"step": "teleported"}, format="json").status_code == 400
    assert erp_a.post(url, shipped(), format="json").status_code == 201
    response = erp_a.post(url, {"step": "accepted"}, format="json")
    assert response.status_code == 409 and "cannot go back" in error_of(response)["message"]
    response = erp_a.post(url, {"step": "delivered", "exception_code": "damaged"}, format="json")
    assert response.status_code == 400 and "exception_note" in error_of(response)["fields"]
    assert Milestone.objects.count() == 1


def test_another_partner_sees_and_touches_nothing(setup):
    case, shipment, _, erp_b = setup
    assert erp_b.get("/api/v1/shipments/").json()["results"] == []
    assert erp_b.get(f"/api/v1/shipments/{shipment.pk}/").status_code == 404
    assert erp_b.get(f"/api/v1/shipments/{shipment.pk}/milestones/").status_code == 404
    assert (
        erp_b.post(
            f"/api/v1/shipments/{shipment.pk}/milestones/", shipped(), format="json"
        ).status_code
        == 404
    )
    assert (
        erp_b.post(
            "/api/v1/shipments/", {"order_number": "00088001", "reference": "X"}, format="json"
        ).status_code
        == 400
    )
    assert not Milestone.objects.exists() and TrackedShipment.objects.count() == 1
    assert erp_b.get("/api/v1/milestones/").json()["results"] == []


def test_an_internal_role_that_works_no_milestones_sees_none(setup):
    merchandiser = internal_user(Role.MERCHANDISER)
    assert session_client(merchandiser).get("/api/v1/shipments/").json()["results"] == []
    assert (
        session_client(internal_user(Role.AGENT)).get("/api/v1/shipments/").json()["results"] != []
    )


def test_adding_a_shipment_opens_tracking_or_joins_it(agent, partner_a, retail_admin):
    b2b_order(partner_a, "00088005", shipments=("S-1",))
    erp = key_client(issue_key(retail_admin, partner_a))
    first = erp.post(
        "/api/v1/shipments/", {"order_number": "00088005", "reference": "S-1"}, format="json"
    )
    assert first.status_code == 201, first.content
    split = erp.post(
        "/api/v1/shipments/", {"order_number": "00088005", "reference": "S-1b"}, format="json"
    )
    assert split.status_code == 201 and split.json()["case"] == first.json()["case"]
    again = erp.post(
        "/api/v1/shipments/", {"order_number": "00088005", "reference": "S-1b"}, format="json"
    )
    assert again.status_code == 409
    assert (
        Case.objects.get(pk=first.json()["case"]).status == "question"
    )  # the partner opened it: the retailer's turn


def test_the_schema_has_the_shipment_and_milestone_endpoints(agent):
    schema = session_client(agent).get("/api/schema/?format=json").json()
    assert {
        "/api/v1/shipments/",
        "/api/v1/shipments/{id}/milestones/",
        "/api/v1/milestones/",
    } <= set(schema["paths"])


def test_listing_shipments_costs_a_fixed_number_of_queries(
    setup, django_assert_max_num_queries, partner_a, agent
):
    case, shipment, erp_a, _ = setup
    for n in range(3):
        tracked(agent, partner_a, order_no=f"0009000{n}", shipments=(f"S{n}",))
    user = member(partner_a)
    client = session_client(user)
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/shipments/").json()["results"]) == 4
