"""The merchandiser's pages and the partner's panel: board, calendar, create, PDF, tenancy."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from apps.launches.models import Launch
from apps.partners.roles import Role
from tests.factories import internal_user

from .helpers import flag, make_launch, tick

pytestmark = pytest.mark.django_db


def test_the_board_shows_each_partner_by_requirement_and_a_constraint_in_red(
    client, merchandiser, launch, share_a, user_a, partner_a
):
    flag(user_a, share_a, f"SKU-{partner_a.code}-1")
    client.force_login(merchandiser)
    page = client.get(reverse("launches:launch_detail", args=[launch.pk]))
    assert page.status_code == 200
    html = page.text
    assert 'data-verdict="no_go"' in html and "No-go" in html
    row = html.split(f'data-partner="{partner_a.name}"')[1].split("</tr>")[0]
    assert (
        '<td data-state="constrained"><span class="pill" data-tone="danger">Constraint</span>'
        in row
    )


def test_the_list_and_the_calendar_show_launches_by_go_live(client, merchandiser, launch):
    client.force_login(merchandiser)
    listed = client.get(reverse("launches:launch_list"))
    assert launch.name in listed.text and "0%" in listed.text
    month = timezone.localtime(launch.go_live_at).strftime("%Y-%m")
    calendar = client.get(reverse("launches:launch_list"), {"view": "calendar", "month": month})
    assert calendar.status_code == 200 and launch.get_absolute_url() in calendar.text


def test_creating_a_launch_by_page_invites_the_partners_named_on_skus(
    client, merchandiser, partner_a, partner_b
):
    client.force_login(merchandiser)
    go_live = (timezone.localtime() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("launches:launch_create"),
        {
            "name": "Winter boots",
            "go_live_at": go_live,
            "skus": f"BOOT-1, 300, {partner_a.code}, Boot black 42\nBOOT-2, 120, {partner_b.code}",
            "templates": ["inventory", "packaging"],
            "custom_items": "Window display; 2030-01-01",
            "requirements": io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
        },
    )
    launch = Launch.objects.get(name="Winter boots")
    assert response.status_code == 302 and response["Location"] == launch.get_absolute_url()
    share = launch.shares.get(partner=partner_a)
    assert list(share.items.values_list("code", flat=True))[-1] == "custom-window-display"
    assert share.case.attachments.count() == 1  # the requirements file, shared


def test_the_create_form_says_what_is_wrong(client, merchandiser, partner_a):
    client.force_login(merchandiser)
    response = client.post(reverse("launches:launch_create"), {"skus": "BOOT-1, lots, NOPE"})
    assert response.status_code == 400
    assert "Give a go-live date" in response.text
    assert "is not a quantity" in response.text


def test_go_over_blockers_without_a_reason_is_refused_on_the_page(client, merchandiser, launch):
    client.force_login(merchandiser)
    url = reverse("launches:launch_transition", args=[launch.pk])
    refused = client.post(url, {"transition": "mark_go"})
    assert refused.status_code == 409 and "Record an override" in refused.text
    taken = client.post(
        url, {"transition": "mark_go", "override_reason": "Risk accepted by the category lead"}
    )
    assert taken.status_code == 302
    launch.refresh_from_db()
    assert launch.status == "go"


def test_the_go_no_go_pdf(client, merchandiser, launch, share_a, user_a, partner_a):
    flag(user_a, share_a, f"SKU-{partner_a.code}-2")
    client.force_login(merchandiser)
    response = client.get(reverse("launches:launch_pdf", args=[launch.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "NO-GO" in text and partner_a.name in text and f"SKU-{partner_a.code}-2" in text


def test_partners_see_their_own_share_only(client, launch, share_a, share_b, user_a, partner_b):
    client.force_login(user_a)
    assert client.get(reverse("launches:launch_detail", args=[launch.pk])).status_code == 404
    assert client.get(reverse("launches:launch_pdf", args=[launch.pk])).status_code == 404
    listed = client.get(reverse("launches:launch_list"))
    assert share_a.case.reference in listed.text and share_b.case.reference not in listed.text
    assert client.get(share_b.case.get_absolute_url()).status_code == 404
    page = client.get(share_a.case.get_absolute_url())
    assert "Launch: Spring drop" in page.text
    assert partner_b.name not in page.text and "The whole launch" not in page.text


def test_a_launch_that_shares_totals_shows_them_to_partners(
    client, merchandiser, partner_a, partner_b, user_a
):
    launch = make_launch(merchandiser, [partner_a, partner_b], share_totals=True)
    client.force_login(user_a)
    page = client.get(launch.shares.get(partner=partner_a).case.get_absolute_url())
    assert "The whole launch" in page.text and partner_b.name not in page.text


def test_partner_ticks_from_the_panel_and_another_partner_cannot(client, share_a, user_a, user_b):
    item = share_a.items.get(code="inventory")
    client.force_login(user_b)
    url = reverse("workspace:case_transition", args=[share_a.case.pk])
    assert (
        client.post(
            url, {"transition": "update_checklist", "item": "inventory", "status": "done"}
        ).status_code
        == 404
    )
    assert client.post(reverse("launches:material_upload", args=[item.pk])).status_code == 404
    client.force_login(user_a)
    client.post(url, {"transition": "update_checklist", "item": "inventory", "status": "done"})
    item.refresh_from_db()
    assert item.is_complete


def test_materials_upload_and_review_from_the_panel(client, share_a, user_a, merchandiser):
    item = share_a.items.get(code="materials")
    client.force_login(user_a)
    upload = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    upload.name = "lookbook.pdf"
    client.post(reverse("launches:material_upload", args=[item.pk]), {"file": upload})
    item.refresh_from_db()
    assert item.status == "done" and item.attachment.name == "lookbook.pdf"
    client.force_login(merchandiser)
    client.post(reverse("launches:item_review", args=[item.pk]), {"decision": "accept"})
    item.refresh_from_db()
    assert item.status == "accepted"


def test_an_agent_does_not_work_launches(client, launch):
    client.force_login(internal_user(Role.AGENT))
    assert client.get(reverse("launches:launch_list")).status_code == 403


def _board_queries(client, launch) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("launches:launch_detail", args=[launch.pk])).status_code == 200
    return len(queries)


def test_the_board_reads_in_a_constant_number_of_queries(client, merchandiser):
    from tests.factories import OrganizationFactory

    small = make_launch(
        merchandiser, OrganizationFactory.create_batch(2), skus_per_partner=2, name="Small"
    )
    large = make_launch(
        merchandiser, OrganizationFactory.create_batch(12), skus_per_partner=15, name="Large"
    )
    for share in list(large.shares.all())[:4]:
        tick(merchandiser_partner(share), share, "inventory")
    client.force_login(merchandiser)
    _board_queries(client, small)  # warm the session and caches
    assert _board_queries(client, small) == _board_queries(client, large)


def merchandiser_partner(share):
    from tests.factories import member

    return member(share.partner)
