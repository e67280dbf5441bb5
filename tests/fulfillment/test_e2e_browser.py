"""End to end, in Chromium: SFCC (the simulator) sends a drop-ship order, the supplier accepts it
in part with a backorder date, and SFCC shows the line statuses and the dates."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from apps.fulfillment.models import Dispatch
from apps.partners.roles import OrganizationKind, Role
from tests.factories import PASSWORD, OrganizationFactory, member
from tests.sfcc.test_e2e_browser import SECRET, sfcc_env  # noqa: F401  (fixture)
from tests.sfcc.test_faults_e2e import point_at
from tests.support.browser import login
from tests.support.worker import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_supplier_accepts_a_dropship_order_in_part_and_sfcc_shows_statuses_and_dates(
    sfcc_env,  # noqa: F811
    celery_worker_process,
    live_server,
    settings,
    page,
):
    sim = sfcc_env
    point_at(settings, sim)
    settings.SFCC_PUSH_SECRET = SECRET
    settings.SITE_URL = live_server.url
    sim.ctl("PUT", "/push", {"url": f"{live_server.url}/api/v1/sfcc/events", "secret": SECRET})
    supplier = OrganizationFactory(
        code="SUP-001", kind=OrganizationKind.SUPPLIER, name="Northwind Apparel"
    )
    supplier_user = member(supplier, Role.PARTNER_MEMBER)
    ships, backorder = date.today() + timedelta(days=2), date.today() + timedelta(days=14)

    order_no = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [
                {"productId": "JKT-RAIN-M", "productName": "Rain jacket, M", "quantity": 2,
                 "c_supplierId": "SUP-001", "c_fulfillmentType": "dropship"},
                {"productId": "SCARF-WOOL", "productName": "Merino scarf", "quantity": 3,
                 "c_supplierId": "SUP-001", "c_fulfillmentType": "dropship"},
            ],
            "c_deliveryInstructions": "Ring twice",
            "shipments": [{"shippingMethod": "Express", "c_serviceLevel": "NEXT_DAY"}],
        },
    )["orderNo"]  # fmt: skip
    dispatch = wait_for(
        lambda: Dispatch.objects.select_related("case").filter(order_number=order_no).first(),
        timeout=60,
        message="the pushed order to be dispatched",
    )
    case = dispatch.case

    login(page, supplier_user.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("body")).to_contain_text("Ring twice")
    expect(page.locator("body")).to_contain_text(dispatch.po_number)
    page.get_by_role("button", name="Accept in part…").click()
    dialog = page.get_by_role("dialog", name="Accept in part")
    dialog.get_by_label("Committed ship date").fill(ships.isoformat())
    dialog.get_by_label("Answer for line 1").select_option("accepted")
    dialog.get_by_label("Answer for line 2").select_option("backordered")
    dialog.get_by_label("Quantity for line 2", exact=True).fill("1")
    dialog.get_by_label("Date for line 2", exact=True).fill(backorder.isoformat())
    dialog.get_by_role("button", name="Accept in part").click()
    expect(page.locator(".case-head")).to_contain_text("Accepted in part")
    expect(page.get_by_role("table", name="Lines")).to_contain_text("Backordered")

    def sfcc_knows():
        seen = sim.ctl("GET", f"/orders/{order_no}")
        answered = seen["order"].get("c_crossdockDispatchAnswer") == "Accepted in part"
        noted = any(n["subject"].endswith(": Accepted in part") for n in seen["notes"])
        return seen if answered and noted else None

    order = wait_for(sfcc_knows, timeout=60, message="SFCC to show the partner's answer")["order"]
    assert order["externalOrderStatus"] == f"Accepted in part · Crossdock {case.reference}"
    assert order["c_crossdockCaseStatus"] == "Accepted in part"
    assert order["c_crossdockCommittedShipDate"] == ships.isoformat()
    assert order["c_crossdockBackorderDates"] == backorder.isoformat()
    assert order["c_crossdockLineStatuses"] == (
        f"JKT-RAIN-M × 2 accepted; SCARF-WOOL × 1 backordered until {backorder.isoformat()}"
    )
    assert order["c_crossdockDispatchPO"] == dispatch.po_number
