"""End to end, in Chromium: a damage claim with photos, a partial credit, and SFCC hears of it.

SFCC is the simulator in its own process; a real Celery worker applies its push and delivers
the write-back; the agent and the supplier work the claim in the browser.
"""

import pytest
from playwright.sync_api import expect

from apps.claims.models import Claim
from apps.orders.models import Order
from apps.partners.roles import OrganizationKind, Role
from apps.workspace.models import Attachment
from tests.factories import PASSWORD, OrganizationFactory, internal_user, member
from tests.sfcc.test_e2e_browser import SECRET
from tests.sfcc.test_faults_e2e import point_at
from tests.support.browser import login
from tests.support.worker import wait_for
from tests.workspace.helpers import PNG_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_damage_claim_with_photos_gets_a_partial_credit_that_sfcc_shows(
    sfcc_env,
    celery_worker_process,
    live_server,
    settings,
    page,
    browser,
    tmp_path,
    default_rules,
    reason_codes,
):
    sim = sfcc_env
    point_at(settings, sim)
    settings.SFCC_PUSH_SECRET = SECRET
    settings.SITE_URL = live_server.url
    sim.ctl("PUT", "/push", {"url": f"{live_server.url}/api/v1/sfcc/events", "secret": SECRET})
    supplier = OrganizationFactory(
        code="SUP-001", kind=OrganizationKind.SUPPLIER, name="Northwind Apparel"
    )
    supplier_user, agent = member(supplier, Role.PARTNER_MEMBER), internal_user(Role.AGENT)
    order_no = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [
                {
                    "productId": "JKT-RAIN-M",
                    "productName": "Rain jacket",
                    "quantity": 2,
                    "price": 139,
                    "c_supplierId": "SUP-001",
                }
            ]
        },
    )["orderNo"]
    wait_for(
        lambda: Order.objects.filter(order_no=order_no).first(),
        timeout=60,
        message="the order to be mirrored",
    )
    photos = []
    for name in ("torn-seam.png", "box.png"):
        path = tmp_path / name
        path.write_bytes(PNG_BYTES)
        photos.append(str(path))

    # The agent opens a damage claim from the order page, with two photos.
    login(page, agent.email, PASSWORD)
    page.goto(f"/orders/{order_no}/")
    page.get_by_role("link", name="Open a claim…").click()
    page.get_by_label("Type").select_option("damage")
    page.get_by_label("Reason").select_option("damaged_in_transit")
    page.get_by_label("Unit price paid for line 1").fill("139.00")
    page.get_by_label("What the customer says").fill(
        "The jacket arrived with a torn seam; the box was crushed."
    )
    page.get_by_label("Photos and documents").set_input_files(photos)
    page.get_by_role("button", name="Send the claim").click()
    expect(page.locator(".case-head")).to_contain_text("Awaiting supplier decision")
    expect(page.locator("[data-claimed-value]")).to_have_text("278.00 USD")
    claim = Claim.objects.select_related("case").get(order_number=order_no)
    assert Attachment.objects.filter(case=claim.case).count() == 2

    # The supplier credits part of the claimed value (the cap is tested in test_views/test_services).
    supplier_page = browser.new_context(base_url=live_server.url).new_page()
    login(supplier_page, supplier_user.email, PASSWORD)
    supplier_page.goto(f"/cases/{claim.case.pk}/")
    expect(supplier_page.locator("body")).to_contain_text("torn seam")

    def credit(amount: str) -> None:
        supplier_page.get_by_role("button", name="Approve a credit…").click()
        dialog = supplier_page.get_by_role("dialog", name="Approve a credit")
        dialog.get_by_label("Credit", exact=True).select_option("partial")
        dialog.get_by_label("Amount").fill(amount)
        dialog.get_by_label("Currency").fill("USD")
        dialog.get_by_role("button", name="Approve a credit").click()

    credit("120.00")
    expect(supplier_page.locator(".case-head")).to_contain_text("Credit approved")

    def sfcc_knows():
        seen = sim.ctl("GET", f"/orders/{order_no}")
        credited = seen["order"].get("c_crossdockClaimDecision") == "credit"
        noted = any(n["subject"].endswith(": Credit approved") for n in seen["notes"])
        return seen if credited and noted else None

    seen = wait_for(sfcc_knows, timeout=60, message="SFCC to show the credit")
    order = seen["order"]
    assert order["externalOrderStatus"] == f"Credit approved · Crossdock {claim.case.reference}"
    assert (
        order["c_crossdockClaimCreditAmount"] == 120.0
        and order["c_crossdockClaimCreditCurrency"] == "USD"
    )
    assert order["c_crossdockClaimType"] == "damage"
