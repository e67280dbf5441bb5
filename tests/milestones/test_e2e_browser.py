"""End to end, in Chromium: an agent asks a warehouse for an order's milestones; the warehouse,
on a 390 px phone, marks the shipment shipped with tracking and a proof photo; SFCC (the
simulator, its own process) shows the shipping status and the tracking.
"""

import pytest
from playwright.sync_api import expect

from apps.orders.models import Order
from apps.partners.roles import OrganizationKind, Role
from tests.factories import PASSWORD, OrganizationFactory, internal_user, member
from tests.sfcc.test_e2e_browser import SECRET, sfcc_env  # noqa: F401  (fixture)
from tests.sfcc.test_faults_e2e import point_at
from tests.support.browser import login
from tests.support.worker import wait_for
from tests.workspace.helpers import PNG_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_a_warehouse_marks_a_shipment_shipped_from_a_phone_and_sfcc_shows_it(
    sfcc_env,  # noqa: F811
    celery_worker_process,
    live_server,
    settings,
    page,
    browser,
    tmp_path,  # noqa: F811
):
    sim = sfcc_env
    point_at(settings, sim)
    settings.SFCC_PUSH_SECRET = SECRET
    settings.SITE_URL = live_server.url
    sim.ctl("PUT", "/push", {"url": f"{live_server.url}/api/v1/sfcc/events", "secret": SECRET})
    warehouse = OrganizationFactory(
        code="WH-001", kind=OrganizationKind.WAREHOUSE, name="Reno Fulfilment"
    )
    picker, agent = member(warehouse, Role.PARTNER_MEMBER), internal_user(Role.AGENT)
    order_no = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [
                {
                    "productId": "TENT-2P",
                    "productName": "Two-person tent",
                    "quantity": 12,
                    "c_supplierId": "WH-001",
                }
            ]
        },
    )["orderNo"]
    wait_for(
        lambda: Order.objects.filter(order_no=order_no).first(),
        timeout=60,
        message="the order to be mirrored",
    )

    # The agent asks the warehouse for the order's milestones, from the order page.
    login(page, agent.email, PASSWORD)
    page.goto(f"/orders/{order_no}/")
    page.get_by_role("link", name="Shipment progress").click()
    expect(page.get_by_role("heading", name="No shipments tracked yet")).to_be_visible()
    page.get_by_role("link", name="Ask a partner for milestones…").click()
    page.get_by_label("Partner", exact=True).select_option(label="Reno Fulfilment")
    page.get_by_role("button", name="Ask for milestones").click()
    expect(page.locator(".case-head")).to_contain_text("Awaiting first milestone")
    case_url = page.url

    # On the dock, on a phone: shipped, with the tracking number and a photo of the loaded pallet.
    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    ).new_page()
    login(phone, picker.email, PASSWORD)
    phone.goto(case_url)
    phone.get_by_role("link", name="Report a milestone").click()
    photo_input = phone.get_by_label("Photo (proof of delivery, damage)")
    assert (
        photo_input.get_attribute("capture") == "environment"
        and photo_input.get_attribute("accept") == "image/*"
    )
    phone.get_by_label("Shipped").check()
    phone.get_by_label("Carrier").fill("UPSN")
    phone.get_by_role("button", name="Record milestone").click()
    expect(phone.locator("#id_tracking_number_error")).to_contain_text(
        "needs a tracking number"
    )  # said beside the field
    phone.get_by_label("Tracking number").fill("1Z999AA10123456784")
    photo = tmp_path / "pallet.png"
    photo.write_bytes(PNG_BYTES)
    photo_input.set_input_files(str(photo))
    assert (
        phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    )  # no sideways scroll
    phone.get_by_role("button", name="Record milestone").click()
    expect(phone.locator(".case-head")).to_contain_text("In progress")
    line = phone.get_by_role("list", name="Progress of shipment me")
    expect(line).to_contain_text("Shipped")
    expect(phone.locator("body")).to_contain_text("1Z999AA10123456784")
    phone.get_by_text("1 milestone reported").click()
    expect(
        phone.get_by_role("article", name="Shipment me").get_by_role("link", name="pallet.png")
    ).to_be_visible()

    def sfcc_knows():
        seen = sim.ctl("GET", f"/orders/{order_no}")["order"]
        done = seen.get("shippingStatus") == "shipped" and seen.get("c_crossdockTrackingNumber")
        return seen if done else None

    order = wait_for(
        sfcc_knows, timeout=60, message="SFCC to show the shipment shipped with its tracking"
    )
    assert order["c_crossdockTrackingNumber"] == "1Z999AA10123456784"
    assert order["c_crossdockCarrier"] == "UPSN"
    assert order["c_crossdockShipmentStatus"] == "me shipped"
    assert order["c_crossdockCaseStatus"] == "In progress"
