"""End to end, in Chromium: the two reference flows worked by a partner and an agent, heard by SFCC.

SFCC is the simulator in its own process; a real Celery worker applies its push and delivers
the write-back; people work the cases in the browser.
"""

import pytest
from playwright.sync_api import expect

from apps.exceptions.models import ExceptionDetail
from apps.partners.roles import OrganizationKind, Role
from apps.workspace.models import LineAnswer
from tests.factories import PASSWORD, OrganizationFactory, internal_user, member
from tests.sfcc.test_e2e_browser import SECRET, sfcc_env  # noqa: F401  (fixture)
from tests.sfcc.test_faults_e2e import point_at
from tests.sfcc.test_mirror import default_rules  # noqa: F401  (fixture)
from tests.support.browser import login
from tests.support.worker import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

def _connected(sim, settings, live_server):
    """The portal and the simulator wired both ways (push in, write-back out), with the people
    of the journey: a supplier's user (SUP-001) and an agent."""
    point_at(settings, sim)
    settings.SFCC_PUSH_SECRET = SECRET
    settings.SITE_URL = live_server.url
    sim.ctl("PUT", "/push", {"url": f"{live_server.url}/api/v1/sfcc/events", "secret": SECRET})
    supplier = OrganizationFactory(code="SUP-001", kind=OrganizationKind.SUPPLIER, name="Northwind Apparel")
    return member(supplier, Role.PARTNER_MEMBER), internal_user(Role.AGENT)


def _propose(page, *, backorder_date: str, comment: str) -> None:
    page.get_by_role("button", name="Propose a resolution…").click()
    dialog = page.get_by_role("dialog", name="Propose a resolution")
    dialog.get_by_label("Resolution", exact=True).select_option("partial_backorder")
    dialog.get_by_label("Ship date").fill("2026-12-08")
    dialog.get_by_label("Answer for line 1").select_option("backordered")
    dialog.get_by_label("Quantity for line 1", exact=True).fill("1")
    dialog.get_by_label("Date for line 1", exact=True).fill(backorder_date)
    dialog.get_by_label("Comment (shared with the partner)").fill(comment)
    dialog.get_by_role("button", name="Propose a resolution").click()
    expect(page.locator(".case-head")).to_contain_text("Resolution proposed")


@pytest.mark.django_db(transaction=True)
def test_shortage_partial_shipment_countered_then_agreed_and_sfcc_sees_it(
    sfcc_env, celery_worker_process, live_server, settings, page, browser, default_rules, reason_codes,  # noqa: F811
):
    sim = sfcc_env
    supplier_user, agent = _connected(sim, settings, live_server)
    order_no = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [{"productId": "SKU-0005", "productName": "Wool Scarf", "quantity": 2, "c_supplierId": "SUP-001"}],
            "c_supplierId": "SUP-001",
            "c_fulfillmentExceptionCode": "STOCK_SHORTAGE",
            "c_fulfillmentExceptionDetail": "Only 1 of 2 in stock",
        },
    )["orderNo"]
    detail = wait_for(
        lambda: ExceptionDetail.objects.select_related("case").filter(order_number=order_no).first(),
        timeout=60,
        message="the pushed order to open a case",
    )
    case = detail.case

    # The supplier ships what it has and backorders the rest.
    login(page, supplier_user.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("body")).to_contain_text("Only 1 of 2 in stock")
    expect(page.get_by_role("table", name="Lines")).to_contain_text("SKU-0005")
    _propose(page, backorder_date="2026-12-30", comment="One scarf leaves Monday, the other after the next knit run.")

    # The agent counters.
    agent_page = browser.new_context(base_url=live_server.url).new_page()
    login(agent_page, agent.email, PASSWORD)
    agent_page.goto(f"/cases/{case.pk}/")
    expect(agent_page.locator("body")).to_contain_text("Ship what is in stock, backorder the rest")
    agent_page.get_by_role("button", name="Counter…").click()
    dialog = agent_page.get_by_role("dialog", name="Counter")
    dialog.get_by_label("Comment (shared with the partner)").fill("The customer needs it before the 20th.")
    dialog.get_by_role("button", name="Counter").click()
    expect(agent_page.locator(".case-head")).to_contain_text("Countered")

    # The supplier revises; the agent accepts.
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("body")).to_contain_text("before the 20th")
    _propose(page, backorder_date="2026-12-18", comment="We can expedite: the 18th.")
    agent_page.goto(f"/cases/{case.pk}/")
    agent_page.get_by_role("button", name="Accept the proposal…").click()
    dialog = agent_page.get_by_role("dialog", name="Accept the proposal")
    dialog.get_by_label("Resolution code").select_option("partial_backorder")
    dialog.get_by_role("button", name="Accept the proposal").click()
    expect(agent_page.locator(".case-head")).to_contain_text("Resolution agreed")

    latest = LineAnswer.objects.filter(line__case=case).order_by("-id").first()
    assert latest.date.isoformat() == "2026-12-18" and latest.answered_by == supplier_user

    def sfcc_knows():
        seen = sim.ctl("GET", f"/orders/{order_no}")
        agreed = seen["order"].get("c_crossdockCaseStatus") == "Resolution agreed"
        noted = any(n["subject"].endswith(": Resolution agreed") for n in seen["notes"])
        return seen if agreed and noted else None

    seen = wait_for(sfcc_knows, timeout=60, message="SFCC to show the agreed resolution")
    order = seen["order"]
    assert order["externalOrderStatus"] == f"Resolution agreed · Crossdock {case.reference}"
    assert order["c_crossdockResolutionType"] == "Ship what is in stock, backorder the rest"
    assert order["c_crossdockResolutionCode"] == "partial_backorder"
    assert order["c_crossdockShipDate"] == "2026-12-08"
    assert "line 1 backordered until 2026-12-18" in order["c_crossdockLineOutcomes"]
    assert order["c_crossdockExceptionType"] == "stock_shortage"


@pytest.mark.django_db(transaction=True)
def test_agent_finds_an_order_by_name_escalates_a_missing_item_and_the_partner_plans(
    sfcc_env, celery_worker_process, live_server, settings, page, browser, tmp_path, reason_codes,  # noqa: F811
):
    from apps.orders.models import Order
    from tests.workspace.helpers import PNG_BYTES

    sim = sfcc_env
    supplier_user, agent = _connected(sim, settings, live_server)
    order_no = sim.ctl(
        "POST",
        "/orders",
        {
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "lines": [
                {"productId": "TENT-2P", "productName": "Two-person tent", "quantity": 1, "c_supplierId": "SUP-001"},
            ],
            "shipments": [{"shipmentId": "me", "trackingNumber": "JJD000123", "c_carrierId": "DHL"}],
        },
    )["orderNo"]
    wait_for(lambda: Order.objects.filter(order_no=order_no).first(), timeout=60, message="the order to be mirrored")

    # The agent finds the order by the customer's name and escalates from its page.
    login(page, agent.email, PASSWORD)
    page.goto("/orders/")
    page.get_by_role("searchbox").fill("Lovelace")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=order_no).click()
    page.get_by_role("link", name="Escalate…").click()
    expect(page.get_by_label("Tracking number")).to_have_value("JJD000123")
    page.get_by_label("Missing item").check()
    page.get_by_label("What the customer says").fill("The tent came without its poles.")
    photo = tmp_path / "box.png"
    photo.write_bytes(PNG_BYTES)
    page.get_by_label("Photos from the customer").set_input_files(str(photo))
    page.get_by_role("button", name="Escalate").click()
    expect(page.locator(".case-head")).to_contain_text("Escalated")
    expect(page.locator("body")).to_contain_text("box.png")
    case_url = page.url

    # The supplier finds the root cause and plans a replacement.
    partner_page = browser.new_context(base_url=live_server.url).new_page()
    login(partner_page, supplier_user.email, PASSWORD)
    partner_page.goto(case_url)
    expect(partner_page.locator("body")).to_contain_text("without its poles")
    partner_page.get_by_role("button", name="Give root cause and plan…").click()
    dialog = partner_page.get_by_role("dialog", name="Give root cause and plan")
    dialog.get_by_label("Root cause").select_option("packing_error")
    dialog.get_by_label("What happened").fill("The poles were left out at packing station 4.")
    dialog.get_by_label("Plan", exact=True).select_option("replacement")
    dialog.get_by_label("Plan in detail").fill("Poles ship by express today.")
    dialog.get_by_label("Done by").fill("2026-12-09")
    dialog.get_by_role("button", name="Give root cause and plan").click()
    expect(partner_page.locator(".case-head")).to_contain_text("Plan proposed")

    # The agent sees the plan, accepts it, and is told what to say to the customer.
    page.goto(case_url)
    expect(page.locator("body")).to_contain_text("The poles were left out at packing station 4.")
    page.get_by_role("button", name="Accept the plan").click()
    expect(page.locator(".case-head")).to_contain_text("Plan agreed")
    expect(page.locator(".alert[role=status]")).to_contain_text("Tell the customer the plan (send a replacement)")

    reference = page.locator(".case-head__id").inner_text()

    def sfcc_knows():
        seen = sim.ctl("GET", f"/orders/{order_no}")
        agreed = seen["order"].get("c_crossdockCaseStatus") == "Plan agreed"
        noted = any(n["subject"].endswith(": Plan agreed") for n in seen["notes"])
        return seen if agreed and noted else None

    seen = wait_for(sfcc_knows, timeout=60, message="SFCC to show the agreed plan")
    order = seen["order"]
    assert order["externalOrderStatus"] == f"Plan agreed · Crossdock {reference}"
    assert order["c_crossdockEscalationReason"] == "missing_item"
    assert order["c_crossdockRootCause"] == "packing_error"
    assert order["c_crossdockPlan"] == "Send a replacement: Poles ship by express today."
    assert order["c_crossdockPlanDue"] == "2026-12-09"
