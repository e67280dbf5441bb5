"""The agent's claim page from the order, the case page's claim panel, and the demo's claims."""

import pytest
from django.core.management import call_command

from apps.claims import demo
from apps.claims.models import Claim
from apps.partners.roles import OrganizationKind, Role
from apps.workspace.models import Attachment, Case
from tests.factories import OrganizationFactory, member
from tests.orders.helpers import mirror_order

from .helpers import open_claim, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier_org(db):
    return OrganizationFactory(code="SUP-001", kind=OrganizationKind.SUPPLIER, name="Summit Supply")


@pytest.fixture
def order(supplier_org):
    return mirror_order(
        "00007001",
        lines=[
            {
                "productId": "TENT-2P",
                "productName": "Tent",
                "quantity": 2,
                "itemId": "li-1",
                "c_supplierId": "SUP-001",
            },
            {
                "productId": "MAT-1",
                "productName": "Mat",
                "quantity": 1,
                "itemId": "li-2",
                "c_supplierId": "SUP-001",
            },
        ],
    )


def _url(order, partner):
    return f"/claims/new/?order={order.order_no}&partner={partner.pk}"


def test_the_order_page_offers_a_claim_to_the_agent(client, agent, order, supplier_org):
    client.force_login(agent)
    page = client.get(f"/orders/{order.order_no}/").content.decode()
    assert "Open a claim…" in page and f"/claims/new/?order={order.order_no}" in page


def test_an_agent_opens_a_damage_claim_with_photos_from_the_order(
    client, agent, order, supplier_org
):
    client.force_login(agent)
    assert client.get(_url(order, supplier_org)).status_code == 200
    response = client.post(
        _url(order, supplier_org),
        {
            "partner": supplier_org.pk,
            "claim_type": "damage",
            "reason_code": "damaged_in_transit",
            "lines": ["1"],
            "quantity_1": "1",
            "unit_price_1": "249.00",
            "quantity_2": "1",
            "currency": "USD",
            "description": "Pole snapped.",
            "evidence": [photo("a.png"), photo("b.png")],
        },
    )
    claim = Claim.objects.select_related("case").get()
    assert response.status_code == 302 and response["Location"] == claim.case.get_absolute_url()
    assert (claim.claimed_value, claim.case.partner) == (249, supplier_org)
    assert [line.line_ref for line in claim.case.lines.all()] == ["li-1"]
    assert Attachment.objects.filter(case=claim.case).count() == 2
    page = client.get(claim.case.get_absolute_url()).content.decode()
    assert "Damage claim" in page and "249.00 USD" in page and "Evidence pack (ZIP)" in page


def test_the_claim_form_says_what_is_wrong_beside_the_fields(client, agent, order, supplier_org):
    client.force_login(agent)
    response = client.post(
        _url(order, supplier_org),
        {
            "partner": supplier_org.pk,
            "claim_type": "",
            "reason_code": "defective",
            "lines": ["1"],
            "quantity_1": "5",
            "currency": "usd",
            "description": "",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"claim_type", "quantity_1", "currency", "description"}
    assert "The order has 2." in form.errors["quantity_1"]
    assert not Claim.objects.exists()


def test_a_missing_unit_price_is_asked_for(client, agent, order, supplier_org):
    client.force_login(agent)
    response = client.post(
        _url(order, supplier_org),
        {
            "partner": supplier_org.pk,
            "claim_type": "return",
            "reason_code": "unwanted",
            "lines": ["2"],
            "quantity_2": "1",
            "currency": "USD",
            "description": "Changed mind.",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["unit_price_2"] == [
        "Give the unit price the customer paid."
    ]


def test_a_partner_has_no_claim_page(client, order, supplier_org):
    client.force_login(member(supplier_org, Role.PARTNER_MEMBER))
    assert client.get(_url(order, supplier_org)).status_code == 404


def test_the_supplier_decides_on_the_case_page_and_an_overdrawn_credit_is_shown_as_refused(
    client, agent, user_a, partner_a
):
    case = open_claim(agent, partner_a)
    client.force_login(user_a)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Approve a credit" in page and "Deny the claim" in page
    refused = client.post(
        f"/cases/{case.pk}/transition/",
        {
            "transition": "approve_credit",
            "credit": "partial",
            "amount": "9999",
            "currency": "USD",
        },
    )
    assert "more than the claimed lines" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "submitted"
    client.post(
        f"/cases/{case.pk}/transition/",
        {
            "transition": "approve_credit",
            "credit": "partial",
            "amount": "100",
            "currency": "USD",
        },
    )
    case.refresh_from_db()
    assert case.status == "credit_approved"
    assert "100.00 USD" in client.get(case.get_absolute_url()).content.decode()


def test_another_partner_cannot_open_the_claim_page_or_its_pack(client, agent, partner_a, user_b):
    case = open_claim(agent, partner_a)
    client.force_login(user_b)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(f"/claims/{case.pk}/evidence-pack/").status_code == 404


def test_the_demo_has_a_claim_in_every_state(settings):
    settings.SFCC_ENABLED = False
    call_command("seed_demo")
    states = set(Case.objects.filter(kind="claim").values_list("status", flat=True))
    assert states == {state.name for state in demo.CLAIM.states}
    call_command("seed_demo")
    assert Case.objects.filter(kind="claim").count() == len(demo.SCENARIOS)
