"""/api/v1/dispatches/ and /api/v1/dispatch-agreements/: scoped, validated, in the schema."""

import pytest

from apps.fulfillment.models import Dispatch, PartnerAgreement
from apps.partners.roles import OrganizationKind, Role
from tests.factories import OrganizationFactory, internal_user
from tests.workspace.test_api import error_of, issue_key, key_client, session_client

from .conftest import dropship_order, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    return OrganizationFactory(
        code="SUP-DS2", name="Borealis Drop-ship", kind=OrganizationKind.SUPPLIER
    )


@pytest.fixture
def two_dispatches(supplier, other):
    dropship_order("DS-4001", line("SKU-1", 2), line("SKU-7", 1, supplier="SUP-DS2"))
    return Dispatch.objects.get(partner=supplier).case, Dispatch.objects.get(partner=other).case


def test_a_partner_lists_and_reads_only_its_own_dispatches(two_dispatches, supplier, retail_admin):
    mine, theirs = two_dispatches
    client = key_client(issue_key(retail_admin, supplier))
    listed = client.get("/api/v1/dispatches/").json()["results"]
    assert [row["case"] for row in listed] == [mine.pk]
    assert listed[0]["po_number"] == f"DS{mine.pk:08d}" and listed[0]["lines"][0]["sku"] == "SKU-1"
    assert client.get(f"/api/v1/dispatches/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/dispatches/{mine.pk}/").json()["ship_to"]["city"] == "Austin"


def test_the_partner_answers_over_the_api_and_a_bad_answer_says_why(
    two_dispatches, supplier, retail_admin
):
    mine, _ = two_dispatches
    client = key_client(issue_key(retail_admin, supplier))
    bad = client.post(
        f"/api/v1/cases/{mine.pk}/transitions/",
        {
            "transition": "accept",
            "payload": {"ship_date": "2026-12-08", "lines": [{"line": 1, "status": "backordered"}]},
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "A backorder needs the date the rest ships." in str(error_of(bad))
    wrong = client.post(
        f"/api/v1/cases/{mine.pk}/transitions/",
        {
            "transition": "accept",
            "payload": {
                "ship_date": "2026-12-08",
                "lines": [
                    {"line": 1, "status": "backordered", "quantity": "1", "date": "2026-12-20"}
                ],
            },
        },
        format="json",
    )
    assert wrong.status_code == 409 and error_of(wrong)["code"] == "guard_refused"
    ok = client.post(
        f"/api/v1/cases/{mine.pk}/transitions/",
        {
            "transition": "accept_in_part",
            "payload": {
                "ship_date": "2026-12-08",
                "lines": [
                    {"line": 1, "status": "backordered", "quantity": "1", "date": "2026-12-20"}
                ],
            },
        },
        format="json",
    )
    assert ok.status_code == 200, ok.content
    row = client.get(f"/api/v1/dispatches/{mine.pk}/").json()
    assert (row["status"], row["answer"], row["committed_ship_date"]) == (
        "partially_accepted",
        "accepted_in_part",
        "2026-12-08",
    )
    assert row["lines"][0]["answer"]["date"] == "2026-12-20"


def test_the_retailer_dispatches_by_hand_and_partners_may_not(supplier, supplier_user, agent):
    body = {
        "partner": supplier.pk,
        "order_number": "DS-4002",
        "fulfillment_type": "dropship",
        "lines": [{"sku": "SKU-1", "quantity": "2"}],
        "ship_to": {
            "name": "Ada Lovelace",
            "address1": "12 Main St.",
            "city": "Austin",
            "postal_code": "78701",
            "country_code": "US",
        },
        "delivery_requirements": {"Signature required": "yes"},
    }
    created = session_client(agent).post("/api/v1/dispatches/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "dispatched"
    again = session_client(agent).post("/api/v1/dispatches/", body, format="json")
    assert (again.status_code, error_of(again)["code"]) == (400, "already_dispatched")
    assert (
        session_client(supplier_user).post("/api/v1/dispatches/", body, format="json").status_code
        == 403
    )
    empty = session_client(agent).post(
        "/api/v1/dispatches/", {**body, "order_number": "DS-4003", "lines": []}, format="json"
    )
    assert empty.status_code == 400 and "lines" in error_of(empty)["fields"]


def test_agreements_are_set_by_operations_and_read_by_their_partner(
    supplier, other, supplier_user, agent
):
    operations = internal_user(Role.OPERATIONS)
    ops = session_client(operations)
    created = ops.post(
        "/api/v1/dispatch-agreements/",
        {"partner": supplier.pk, "ack_hours": 12, "reminder_hours": 3},
        format="json",
    )
    assert created.status_code == 201, created.content
    PartnerAgreement.objects.create(partner=other, ack_hours=48)
    refused = ops.patch(
        f"/api/v1/dispatch-agreements/{created.json()['id']}/",
        {"reminder_hours": 12},
        format="json",
    )
    assert refused.status_code == 400 and "reminder_hours" in error_of(refused)["fields"]
    assert (
        session_client(agent)
        .post("/api/v1/dispatch-agreements/", {"partner": other.pk}, format="json")
        .status_code
        == 403
    )
    seen = session_client(supplier_user).get("/api/v1/dispatch-agreements/").json()["results"]
    assert [(row["partner"], row["ack_hours"]) for row in seen] == [(supplier.pk, 12)]
    page = session_client(supplier_user).get("/fulfillment/agreements/")
    assert page.status_code == 200 and b"12 h" in page.content and b"Borealis" not in page.content


def test_the_agreements_page_form_says_what_is_wrong(supplier):
    client = session_client(internal_user(Role.OPERATIONS))
    response = client.post(
        "/fulfillment/agreements/",
        {"partner": supplier.pk, "ack_hours": 4, "reminder_hours": 6, "ship_days": 2},
    )
    assert (
        response.status_code == 400
        and "Fewer than the 4 hours of the deadline." in response.content.decode()
    )
    ok = client.post(
        "/fulfillment/agreements/",
        {"partner": supplier.pk, "ack_hours": 8, "reminder_hours": 2, "ship_days": 1},
    )
    assert ok.status_code == 302 and PartnerAgreement.objects.get(partner=supplier).ack_hours == 8


def test_the_dispatch_panel_shows_the_partner_what_to_ship_and_by_when(
    two_dispatches, supplier_user
):
    mine, theirs = two_dispatches
    client = session_client(supplier_user)
    page = client.get(f"/cases/{mine.pk}/").content.decode()
    assert (
        f"DS{mine.pk:08d}" in page and "Leave with the concierge" in page and "Answer due" in page
    )
    assert "Accept in part" in page and "Reject the order" in page
    assert client.get(f"/cases/{theirs.pk}/").status_code == 404


def test_the_dispatch_list_costs_the_same_queries_for_more_rows(
    supplier, retail_admin, django_assert_max_num_queries
):
    client = key_client(issue_key(retail_admin, supplier))
    dropship_order("DS-4101", line("SKU-1", 2), line("SKU-2", 1))
    with django_assert_max_num_queries(20) as few:
        assert len(client.get("/api/v1/dispatches/").json()["results"]) == 1
    for n in range(2, 6):
        dropship_order(f"DS-41{n:02d}", line("SKU-1", 2), line("SKU-2", 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/dispatches/").json()["results"]) == 5
