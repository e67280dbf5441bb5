"""The agent's pages of flows 7 and 1, reached from an order: escalate, post an exception."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.exceptions.models import Escalation, EscalationReason, ExceptionDetail, ExceptionType
from apps.orders.models import Order
from apps.partners.roles import OrganizationKind, Role
from apps.workspace.models import Attachment, Case
from tests.factories import OrganizationFactory, internal_user
from tests.orders.helpers import mirror_order
from tests.workspace.helpers import PNG_BYTES

pytestmark = pytest.mark.django_db

ORDER = "00004711"
TRACKING = "1Z-4711-TENT"


@pytest.fixture
def carrier(db):
    return OrganizationFactory(name="Swift Parcel", code="CAR-47", kind=OrganizationKind.CARRIER)


@pytest.fixture
def order(partner_a, partner_b, carrier):
    return mirror_order(
        ORDER,
        lines=[
            {"productId": "TENT-2P", "productName": "Two-person tent", "quantity": 3, "itemId": "li-1",
             "c_supplierId": partner_a.code},
            {"productId": "MAT-1", "productName": "Sleeping mat", "quantity": 2, "itemId": "li-2",
             "c_supplierId": partner_a.code},
            {"productId": "STOVE-1", "productName": "Camp stove", "quantity": 1, "itemId": "li-3",
             "c_supplierId": partner_b.code},
        ],
        shipments=[{"c_carrierId": carrier.code, "trackingNumber": TRACKING}],
        customer={"email": "ada@example.com", "name": "Ada Lovelace"},
    )


def escalate_url(partner=None, order_no=ORDER) -> str:
    url = f"{reverse('exceptions:escalate')}?order={order_no}"
    return f"{url}&partner={partner.pk}" if partner else url


def exception_url(partner=None, order_no=ORDER, **extra) -> str:
    url = f"{reverse('exceptions:exception_open')}?order={order_no}"
    if partner:
        url += f"&partner={partner.pk}"
    return url + "".join(f"&{k}={v}" for k, v in extra.items())


def photo(name="damage.png", content=PNG_BYTES):
    return SimpleUploadedFile(name, content, content_type="image/png")


def escalation_post(partner, **changes):
    data = {
        "reason": EscalationReason.MISSING_ITEM,
        "partner": partner.pk,
        "lines": ["2"],
        "quantity-1": "3",
        "quantity-2": "1",
        "shipment": "me",
        "carrier": "CAR-47",
        "tracking_number": TRACKING,
        "customer_words": "The box came without the sleeping mat.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- escalate --------------------------------------------------------------------------------


def test_the_escalation_form_is_prefilled_from_the_order(client, agent, partner_a, carrier, order):
    client.force_login(agent)
    response = client.get(escalate_url(partner_a))
    assert response.status_code == 200
    page = response.content.decode()
    # The partner's lines, ticked, with their quantities; the other partner's line is not offered.
    for shown in ("TENT-2P", "Two-person tent", "MAT-1", "Sleeping mat", TRACKING, "Ada Lovelace"):
        assert shown in page, shown
    assert "STOVE-1" not in page
    form = response.context["form"]
    assert form["partner"].value() == partner_a.pk
    assert form["lines"].value() == [1, 2]
    assert (form["shipment"].value(), form["carrier"].value(), form["tracking_number"].value()) == (
        "me", "CAR-47", TRACKING,
    )
    assert form["quantity-1"].value() == Decimal("3")
    # The carrier can be chosen for a delivery delay.
    assert f'value="{carrier.pk}"' in page and "carrier of" in page
    assert 'type="file" name="photos"' in page and "multiple" in page and 'accept="image/*' in page


def test_escalating_with_a_photo_opens_the_case_with_its_lines_and_the_photo(client, agent, partner_a, order):
    client.force_login(agent)
    response = client.post(
        escalate_url(partner_a), escalation_post(partner_a, photos=[photo(), photo("label.png")])
    )
    case = Case.objects.get(kind="escalation")
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert (case.partner, case.order_number, case.shipment_ref, case.sku) == (partner_a, ORDER, "me", "MAT-1")
    escalation = Escalation.objects.get(case=case)
    assert (escalation.reason, escalation.carrier, escalation.tracking_number, escalation.shipment_id) == (
        EscalationReason.MISSING_ITEM, "CAR-47", TRACKING, "me",
    )
    assert escalation.customer_words == "The box came without the sleeping mat."
    assert [(line.sku, line.quantity, line.line_ref, line.order_number, line.description)
            for line in case.lines.all()] == [("MAT-1", Decimal("1"), "li-2", ORDER, "Sleeping mat")]
    assert sorted(Attachment.objects.filter(case=case).values_list("name", flat=True)) == ["damage.png", "label.png"]
    # The case page shows what the customer said, with the lines.
    page = client.get(case.get_absolute_url()).content.decode()
    assert "The box came without the sleeping mat." in page and "MAT-1" in page


def test_without_the_customers_words_the_error_sits_beside_the_field_and_nothing_is_lost(
    client, agent, partner_a, order
):
    client.force_login(agent)
    response = client.post(
        escalate_url(partner_a),
        escalation_post(partner_a, customer_words="  ", tracking_number="1Z-NEWER", **{"quantity-2": "2"}),
    )
    assert response.status_code == 400
    assert not Case.objects.exists()
    form = response.context["form"]
    assert form.errors["customer_words"] == ["Write what the customer told you."]
    page = response.content.decode()
    assert 'id="id_customer_words_error"' in page
    assert 'value="1Z-NEWER"' in page and 'name="quantity-2" value="2"' in page
    assert 'value="missing_item" required id="id_reason_1" checked' in page
    # Only line 2 stays ticked.
    assert 'name="lines" value="2" id="line-2" checked' in page
    assert 'name="lines" value="1" id="line-1" checked' not in page


def test_a_missing_item_needs_a_line(client, agent, partner_a, order):
    client.force_login(agent)
    response = client.post(escalate_url(partner_a), escalation_post(partner_a, lines=None))
    assert response.status_code == 400 and not Case.objects.exists()
    assert response.context["form"].errors["lines"] == ["Choose a line."]


def test_a_delivery_delay_goes_to_the_carrier_but_a_missing_item_does_not(client, agent, partner_a, carrier, order):
    client.force_login(agent)
    refused = client.post(escalate_url(partner_a), escalation_post(carrier))
    assert refused.status_code == 400 and "carrier" in refused.context["form"].errors["partner"][0]
    response = client.post(
        escalate_url(partner_a),
        escalation_post(carrier, reason=EscalationReason.DELIVERY_DELAY, lines=["1", "2"]),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.partner == carrier and case.lines.count() == 2


def test_a_partner_is_not_given_another_partners_lines(client, agent, partner_a, partner_b, order):
    client.force_login(agent)
    response = client.post(escalate_url(partner_a), escalation_post(partner_b))
    assert response.status_code == 400 and not Case.objects.exists()
    assert response.context["form"].errors["lines"] == [
        f"{partner_b.name} does not have line 2: untick it, or choose that line's partner."
    ]


def test_a_partner_outside_the_order_cannot_be_chosen(client, agent, partner_a, order):
    stranger = OrganizationFactory(name="Stranger Goods")
    client.force_login(agent)
    response = client.post(escalate_url(partner_a), escalation_post(stranger))
    assert response.status_code == 400 and "partner" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_beside_the_photos(client, agent, partner_a, order):
    client.force_login(agent)
    page = SimpleUploadedFile("x.html", b"<html><script>alert(1)</script></html>", content_type="text/html")
    response = client.post(escalate_url(partner_a), escalation_post(partner_a, photos=[page]))
    assert response.status_code == 400 and not Case.objects.exists() and not Escalation.objects.exists()
    assert "not accepted" in response.context["form"].errors["photos"][0]
    assert "Choose the photos again" in response.content.decode()
    assert response.context["form"]["customer_words"].value() == "The box came without the sleeping mat."


def test_photos_over_the_upload_limit_are_refused_before_the_body_is_read(client, agent, partner_a, order, settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1024
    client.force_login(agent)
    big = photo(content=PNG_BYTES + b"\0" * 200_000)
    response = client.post(escalate_url(partner_a), escalation_post(partner_a, photos=[big]))
    assert response.status_code == 413 and not Case.objects.exists()
    assert "larger than" in response.context["refusal"]


@pytest.mark.parametrize("name", ["exceptions:escalate", "exceptions:exception_open"])
def test_partners_cannot_open_these_pages(client, user_a, partner_a, order, name):
    client.force_login(user_a)
    url = f"{reverse(name)}?order={ORDER}&partner={partner_a.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, escalation_post(partner_a)).status_code == 404
    assert not Case.objects.exists()


def test_an_unknown_order_is_404(client, agent, order):
    client.force_login(agent)
    assert client.get(escalate_url(order_no="00000000")).status_code == 404
    assert client.get(reverse("exceptions:escalate")).status_code == 404


def test_an_internal_role_that_does_not_work_escalations_is_refused(client, order):
    client.force_login(internal_user(Role.MERCHANDISER))
    response = client.get(escalate_url())
    # Merchandisers work no flow-7 kind when a flow names them; otherwise they see every kind.
    from apps.workspace.flows import kinds_for_role

    kinds = kinds_for_role(Role.MERCHANDISER)
    assert response.status_code == (200 if kinds is None or "escalation" in kinds else 403)


# --- post an exception -------------------------------------------------------------------------


def test_the_exception_form_is_prefilled_and_opens_a_shortage_with_its_short_lines(client, agent, partner_a, order):
    client.force_login(agent)
    url = exception_url(partner_a, type=ExceptionType.STOCK_SHORTAGE)
    form = client.get(url).context["form"]
    assert form["subject"].value() == f"Stock shortage on order {ORDER}"
    assert form["partner"].value() == partner_a.pk and form["lines"].value() == [1, 2]
    response = client.post(url, {
        "exception_type": ExceptionType.STOCK_SHORTAGE,
        "partner": partner_a.pk,
        "subject": f"Stock shortage on order {ORDER}",
        "lines": ["1"],
        "quantity-1": "2",
        "body": "Two tents short at the DC.",
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    detail = ExceptionDetail.objects.get(case=case)
    assert (detail.exception_type, detail.source, detail.order_number) == (ExceptionType.STOCK_SHORTAGE, "manual", ORDER)
    assert [(line.sku, line.quantity, line.line_ref, line.data) for line in case.lines.all()] == [
        ("TENT-2P", Decimal("3"), "li-1", {"quantity_short": "2"})
    ]


def test_the_prefilled_subject_names_the_kind_chosen(client, agent, partner_a, order):
    client.force_login(agent)
    url = exception_url(partner_a)
    assert client.get(url).context["form"]["subject"].value() == f"Exception on order {ORDER}"
    client.post(url, {"exception_type": ExceptionType.ADDRESS_ISSUE, "partner": partner_a.pk,
                      "subject": f"Exception on order {ORDER}", "lines": ["1"]})
    assert Case.objects.get().subject == f"Address issue on order {ORDER}"


def test_an_exception_without_a_kind_says_so_and_keeps_the_subject(client, agent, partner_a, order):
    client.force_login(agent)
    response = client.post(exception_url(partner_a), {"partner": partner_a.pk, "subject": "Address bounced"})
    assert response.status_code == 400 and not Case.objects.exists()
    assert "exception_type" in response.context["form"].errors
    assert 'value="Address bounced"' in response.content.decode()


def test_an_address_issue_posted_by_hand_says_what_failed(client, agent, partner_a, order):
    client.force_login(agent)
    url = exception_url(partner_a, type=ExceptionType.ADDRESS_ISSUE)
    form = client.get(url).context["form"]
    assert form["tracking_number"].value() == Order.objects.get().shipments.first().tracking_number
    client.post(url, {
        "exception_type": ExceptionType.ADDRESS_ISSUE, "partner": partner_a.pk,
        "subject": f"Address issue on order {ORDER}", "lines": ["1"],
        "address_problem": "The carrier cannot find house number 12b.",
        "address_correction": "12 B Main Street",
    })
    detail = ExceptionDetail.objects.get()
    assert (detail.address_problem, detail.address_correction) == (
        "The carrier cannot find house number 12b.", "12 B Main Street"
    )
    page = client.get(detail.case.get_absolute_url()).content.decode()
    assert "The carrier cannot find house number 12b." in page
