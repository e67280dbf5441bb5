"""/api/v1/document-requirements/ and /api/v1/documents/: the same rules as the pages, scoped per partner."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.documents.models import DocumentRequirement
from tests.documents.helpers import ORDER, doc_pdf, request_for, requirement
from tests.workspace.test_api import error_of, issue_key, key_client, session_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_administrators_define_requirements_and_nobody_else(retail_admin, agent, user_a, partner_a):
    body = {
        "partner": partner_a.pk,
        "document_type": "certificate_of_origin",
        "origin_country": "cn",
        "destination_country": "US",
        "order_type": "",
        "needed_before_shipping": True,
    }
    for who in (agent, user_a):
        response = session_client(who).post("/api/v1/document-requirements/", body, format="json")
        assert response.status_code == 403, response.content
    response = session_client(retail_admin).post(
        "/api/v1/document-requirements/", body, format="json"
    )
    assert response.status_code == 201, response.content
    assert (
        response.json()["origin_country"] == "CN"
        and response.json()["label"] == "Certificate of origin"
    )
    bad = session_client(retail_admin).post(
        "/api/v1/document-requirements/",
        {**body, "origin_country": "China", "document_type": "CO!"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(error_of(bad)["fields"]) >= {"document_type"}


def test_a_partner_reads_its_own_requirements_only(
    retail_admin, user_a, user_b, partner_a, partner_b
):
    mine = requirement(partner_a, "packing_list")
    theirs = requirement(partner_b, "commercial_invoice")
    listed = session_client(user_a).get("/api/v1/document-requirements/").json()["results"]
    assert [r["id"] for r in listed] == [mine.pk]
    assert (
        session_client(user_a).get(f"/api/v1/document-requirements/{theirs.pk}/").status_code == 404
    )
    assert session_client(user_b).patch(
        f"/api/v1/document-requirements/{mine.pk}/", {"is_active": False}, format="json"
    ).status_code in (403, 404)
    assert DocumentRequirement.objects.get(pk=mine.pk).is_active


def test_a_partner_never_sees_another_partners_documents(
    agent, retail_admin, partner_a, partner_b, user_b
):
    case_a, _ = request_for(agent, partner_a)
    case_b, _ = request_for(agent, partner_b, "commercial_invoice")
    system_b = key_client(issue_key(retail_admin, partner_b))
    listed = system_b.get("/api/v1/documents/").json()["results"]
    assert [d["case"] for d in listed] == [case_b.pk]
    assert system_b.get(f"/api/v1/documents/{case_a.pk}/").status_code == 404
    upload = system_b.post(
        f"/api/v1/documents/{case_a.pk}/submit/", {"file": doc_pdf()}, format="multipart"
    )
    assert upload.status_code == 404
    checklist = system_b.get(f"/api/v1/documents/checklist/?order={ORDER}").json()
    assert [i["document_type"] for i in checklist["items"]] == ["commercial_invoice"]


def test_a_partner_system_submits_and_the_retailer_reviews_over_the_api(
    agent, retail_admin, partner_a
):
    case, _ = request_for(agent, partner_a)
    system_a = key_client(issue_key(retail_admin, partner_a))
    refused = system_a.post(
        f"/api/v1/documents/{case.pk}/submit/", {"file": doc_pdf()}, format="multipart"
    )
    assert refused.status_code == 400
    assert set(error_of(refused)["fields"]) == {"issue_date", "expiry_date"}
    dates = {
        "issue_date": (TODAY - timedelta(days=3)).isoformat(),
        "expiry_date": (TODAY + timedelta(days=300)).isoformat(),
    }
    sent = system_a.post(
        f"/api/v1/documents/{case.pk}/submit/", {"file": doc_pdf(), **dates}, format="multipart"
    )
    assert sent.status_code == 200, sent.content
    assert (
        sent.json()["status"] == "submitted"
        and sent.json()["submissions"][0]["outcome"] == "pending"
    )

    staff = session_client(agent)
    blocked = staff.get(f"/api/v1/documents/checklist/?order={ORDER}").json()
    assert (blocked["status"], blocked["summary"]) == (
        "blocked",
        "Certificate of origin (submitted)",
    )
    rejected = staff.post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {"transition": "reject", "comment": "Not stamped.", "payload": {"reason": "nonsense"}},
        format="json",
    )
    assert rejected.status_code == 400 and "reason" in error_of(rejected)["fields"]
    accepted = staff.post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {"transition": "accept", "payload": {}},
        format="json",
    )
    assert accepted.status_code == 200, accepted.content
    ready = staff.get(f"/api/v1/documents/checklist/?order={ORDER}").json()
    assert ready["status"] == "ready"
    detail = staff.get(f"/api/v1/documents/{case.pk}/").json()
    assert detail["satisfied"] is True and detail["submissions"][0]["outcome"] == "accepted"


def test_only_the_retailer_requests_over_the_api(agent, user_a, partner_a):
    body = {
        "partner": partner_a.pk,
        "order_number": ORDER,
        "document_type": "safety_data_sheet",
        "custom_label": "Safety data sheet",
        "needed_before_shipping": False,
    }
    assert session_client(user_a).post("/api/v1/documents/", body, format="json").status_code == 403
    response = session_client(agent).post("/api/v1/documents/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["label"], response.json()["status"]) == (
        "Safety data sheet",
        "requested",
    )
    assert session_client(agent).get("/api/v1/documents/checklist/").status_code == 400


def test_the_endpoints_are_in_the_openapi_schema(client, agent):
    client.force_login(agent)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/document-requirements/",
        "/api/v1/documents/{case_id}/submit/",
        "/api/v1/documents/checklist/",
    ):
        assert path in schema


def test_lists_and_the_order_page_cost_the_same_queries_for_more_documents(
    client, agent, user_a, partner_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.documents.helpers import order_for

    order_for(partner_a)
    staff = session_client(agent)
    client.force_login(agent)

    def counts() -> tuple[int, ...]:
        measured = []
        for fetch in (
            lambda: staff.get("/api/v1/documents/"),
            lambda: staff.get(f"/api/v1/documents/checklist/?order={ORDER}"),
            lambda: client.get(f"/orders/{ORDER}/"),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert fetch().status_code == 200
            measured.append(len(queries))
        return tuple(measured)

    request_for(agent, partner_a, "packing_list")
    counts()  # each session's first request also settles the sign-in policy (MFA) once
    few = counts()
    for document_type in (
        "commercial_invoice",
        "customs_declaration",
        "ship_notice",
        "compliance_approval",
    ):
        request_for(agent, partner_a, document_type)
    assert counts() == few
