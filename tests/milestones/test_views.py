"""The pages: the phone form with the camera, the order's progress line, opening tracking."""

import re
from io import BytesIO

import pytest

from apps.milestones import services
from apps.milestones.models import Milestone, TrackedShipment
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.models import Case
from tests.workspace.helpers import PNG_BYTES

from .helpers import b2b_order, shipped, tracked

pytestmark = pytest.mark.django_db


def test_the_report_form_opens_the_camera_and_offers_the_next_step(
    client, agent, partner_a, user_a
):
    case = tracked(agent, partner_a)
    services.milestone_record(actor=user_a, channel=Channel.WEB, case=case, data=shipped())
    client.force_login(user_a)
    page = client.get(f"/milestones/cases/{case.pk}/report/").content.decode()
    assert re.search(
        r'<input[^>]*type="file"[^>]*name="photos"[^>]*accept="image/\*"[^>]*capture="environment"',
        page,
    ) or re.search(
        r'<input[^>]*name="photos"[^>]*accept="image/\*"[^>]*capture="environment"', page
    )
    assert re.search(r'value="delivered"[^>]*checked', page)  # shipped already: delivered next
    assert 'value="1Z999AA10123456784"' in page


def test_the_form_says_what_is_wrong_beside_the_field(client, agent, partner_a, user_a):
    case = tracked(agent, partner_a)
    client.force_login(user_a)
    response = client.post(
        f"/milestones/cases/{case.pk}/report/", {"shipment": "SHP-88001-1", "step": "shipped"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_tracking_number_error"' in page and "tracking number or a bill of lading" in page
    response = client.post(
        f"/milestones/cases/{case.pk}/report/",
        {"shipment": "SHP-88001-1", "step": "delivered", "exception_code": "damaged"},
    )
    assert 'id="id_exception_note_error"' in response.content.decode()
    assert not Milestone.objects.exists()


def test_a_delivery_with_a_photo_from_the_page(client, agent, partner_a, user_a):
    case = tracked(agent, partner_a)
    services.milestone_record(actor=user_a, channel=Channel.WEB, case=case, data=shipped())
    client.force_login(user_a)
    photo = BytesIO(PNG_BYTES)
    photo.name = "pod.png"
    response = client.post(
        f"/milestones/cases/{case.pk}/report/",
        {"shipment": "SHP-88001-1", "step": "delivered", "photos": [photo]},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(step="delivered")
    assert [p.original_name for p in milestone.proofs.all()] == ["pod.png"]
    case.refresh_from_db()
    assert case.status == "delivered"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Progress of shipment SHP-88001-1" in page and "pod.png" in page


def test_another_partner_gets_404_everywhere(client, agent, partner_a, user_b):
    case = tracked(agent, partner_a)
    client.force_login(user_b)
    assert client.get(f"/milestones/cases/{case.pk}/report/").status_code == 404
    assert client.post(f"/milestones/cases/{case.pk}/report/", shipped()).status_code == 404
    assert client.get("/milestones/progress/?order=00088001").status_code == 404
    assert client.get("/milestones/track/?order=00088001").status_code == 404
    assert not Milestone.objects.exists()


def test_the_order_page_links_to_a_progress_line_that_flags_late_shipments(
    client, agent, partner_a, user_a
):
    case = tracked(agent, partner_a, shipments=("SHP-1", "SHP-2"))
    services.milestone_record(actor=user_a, channel=Channel.WEB, case=case, data=shipped("SHP-1"))
    client.force_login(agent)
    order_page = client.get("/orders/00088001/").content.decode()
    assert 'href="/milestones/progress/?order=00088001"' in order_page
    page = client.get("/milestones/progress/?order=00088001").content.decode()
    assert "Progress of shipment SHP-1" in page and "Progress of shipment SHP-2" in page
    assert (
        "2 late" in page and page.count("Late against ship-by") == 2
    )  # the mirror placed it in March
    assert case.reference in page and partner_a.name in page


def test_the_agent_asks_a_partner_for_an_orders_milestones(client, agent, partner_a):
    b2b_order(partner_a, shipments=("SHP-1", "SHP-2"))
    client.force_login(agent)
    page = client.get("/milestones/track/?order=00088001")
    assert page.status_code == 200 and partner_a.name in page.content.decode()
    response = client.post(
        "/milestones/track/?order=00088001", {"partner": partner_a.pk, "references": ""}
    )
    case = Case.objects.get(kind=CaseKind.MILESTONE)
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert list(TrackedShipment.objects.values_list("reference", flat=True)) == ["SHP-1", "SHP-2"]
    again = client.post("/milestones/track/?order=00088001", {"partner": partner_a.pk})
    assert again.status_code == 400 and "already tracked" in again.content.decode()


def test_the_case_pages_report_dialog_offers_the_cases_files_as_proofs(
    client, agent, partner_a, user_a
):
    from apps.workspace import services as workspace

    case = tracked(agent, partner_a)
    version = workspace.file_upload(
        actor=user_a, channel=Channel.WEB, case=case, name="bol.png", content=BytesIO(PNG_BYTES)
    )
    client.force_login(user_a)
    page = client.get(case.get_absolute_url()).content.decode()
    assert re.search(rf'type="checkbox" name="proofs" value="{version.pk}"', page)
    response = client.post(
        f"/cases/{case.pk}/transition/",
        {
            "transition": "report",
            "shipment": "SHP-88001-1",
            "step": "shipped",
            "carrier": "UPSN",
            "bill_of_lading": "BOL-9",
            "proofs": [str(version.pk)],
        },
    )
    assert response.status_code in (200, 302), response.content.decode()[:500]
    milestone = Milestone.objects.get()
    assert [p.pk for p in milestone.proofs.all()] == [version.pk]
