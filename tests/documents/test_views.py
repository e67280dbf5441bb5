"""Flow 3's pages: the order's checklist, the partner's upload with errors beside the fields, the ZIP."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.documents import services
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from apps.workspace.models import Case
from tests.documents.helpers import ORDER, doc_pdf, order_for, requirement

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def order(partner_a):
    requirement(partner_a, "certificate_of_origin", origin_country="CN")
    requirement(partner_a, "packing_list", per_shipment=True)
    return order_for(partner_a)


def _case(document_type: str) -> Case:
    return Case.objects.get(document_request__document_type=document_type)


def _accept(agent, user_a, document_type: str, text: str, **dates):
    case = services.document_submit(
        actor=user_a,
        channel=Channel.WEB,
        case=_case(document_type),
        name=f"{text}.pdf",
        content=doc_pdf(text),
        **dates,
    )
    workspace.case_transition(
        actor=agent, channel=Channel.WEB, case=case, transition="accept", payload={}
    )


def test_the_order_page_shows_the_checklist_blocked_then_ready(client, agent, user_a, order):
    client.force_login(agent)
    page = client.get(f"/orders/{ORDER}/").content.decode()
    assert (
        "Blocked: documents missing" in page
        and "Certificate of origin" in page
        and "Packing list" in page
    )
    _accept(
        agent,
        user_a,
        "certificate_of_origin",
        "co",
        issue_date=TODAY,
        expiry_date=TODAY + timedelta(days=90),
    )
    _accept(agent, user_a, "packing_list", "pl")
    page = client.get(f"/orders/{ORDER}/").content.decode()
    assert "Documents ready" in page and "Blocked: documents missing" not in page


def test_the_inbox_marks_and_filters_blocked_documents(client, agent, user_a, order):
    _accept(agent, user_a, "packing_list", "pl")
    client.force_login(agent)
    page = client.get(f"/cases/?tag={services.BLOCKED_TAG}").content.decode()
    assert _case("certificate_of_origin").reference in page and f"#{services.BLOCKED_TAG}" in page
    assert _case("packing_list").reference not in page


def test_the_partner_uploads_on_the_case_page_and_is_told_what_is_wrong(client, user_a, order):
    case = _case("certificate_of_origin")
    client.force_login(user_a)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Send the document" in page and 'name="expiry_date"' in page
    url = f"/documents/{case.pk}/submit/"
    refused = client.post(
        url,
        {
            "file": doc_pdf(),
            "issue_date": TODAY.isoformat(),
            "expiry_date": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert refused.status_code == 400
    assert "This certificate has expired: send a valid one." in refused.content.decode()
    missing = client.post(url, {"file": doc_pdf()})
    assert "A certificate needs its expiry date." in missing.content.decode()
    sent = client.post(
        url,
        {
            "file": doc_pdf(),
            "issue_date": TODAY.isoformat(),
            "expiry_date": (TODAY + timedelta(days=30)).isoformat(),
        },
    )
    assert sent.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_another_partner_cannot_reach_the_upload_or_the_zip(client, agent, user_a, user_b, order):
    _accept(agent, user_a, "packing_list", "pl")
    case = _case("certificate_of_origin")
    client.force_login(user_b)
    assert client.get(f"/documents/{case.pk}/submit/").status_code == 404
    assert client.post(f"/documents/{case.pk}/submit/", {"file": doc_pdf()}).status_code == 404
    assert client.get(f"/documents/orders/{ORDER}/documents.zip").status_code == 404
    assert Case.objects.get(pk=case.pk).status == "requested"


def test_the_zip_holds_the_accepted_documents_only(client, agent, user_a, order):
    _accept(agent, user_a, "packing_list", "packing-list-v1")
    certificate = services.document_submit(
        actor=user_a,
        channel=Channel.WEB,
        case=_case("certificate_of_origin"),
        name="co.pdf",
        content=doc_pdf("co"),
        issue_date=TODAY,
        expiry_date=TODAY + timedelta(days=90),
    )  # submitted, not accepted: not in the ZIP
    assert certificate.status == "submitted"
    shipment = _case("packing_list").shipment_ref
    for who in (agent, user_a):
        client.force_login(who)
        for suffix in ("", f"?shipment={shipment}"):
            response = client.get(f"/documents/orders/{ORDER}/documents.zip{suffix}")
            assert response.status_code == 200 and response["Content-Type"] == "application/zip"
            archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
            names = archive.namelist()
            assert len(names) == 1 and "packing_list" in names[0] and shipment in names[0]
            assert b"packing-list-v1" in archive.read(names[0])
    client.force_login(agent)
    assert client.get(f"/documents/orders/{ORDER}/documents.zip?shipment=OTHER").status_code == 404
    assert client.get("/documents/orders/00000000/documents.zip").status_code == 404
