"""End to end: SFCC reports a stock shortage, the supplier sees it, an agent resolves it, SFCC hears.

Everything runs as it does in production: the simulator is its own process and pushes a
signed event to the live server; a real Celery worker applies it and delivers the write-back;
the supplier works the case in Chromium.
"""

import pytest
from playwright.sync_api import expect

from apps.exceptions.models import ExceptionDetail
from apps.partners.roles import OrganizationKind, Role
from tests.factories import PASSWORD, OrganizationFactory, internal_user, member
from tests.sfcc.test_faults_e2e import point_at
from tests.sfcc.test_mirror import default_rules  # noqa: F401  (fixture)
from tests.support.browser import login
from tests.support.worker import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "browser-push-secret"


@pytest.fixture
def sfcc_env(monkeypatch, sim):
    """The simulator's address and the push secret, for this process and the worker's."""
    for name, value in {
        "SFCC_ENABLED": "1",
        "SFCC_BASE_URL": sim.url,
        "SFCC_AUTH_URL": f"{sim.url}/dwsso/oauth2/access_token",
        "SFCC_OCAPI_BASE_URL": sim.url,
        "SFCC_PUSH_SECRET": SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    yield sim
    sim.ctl("PUT", "/push", {"url": "", "secret": ""})


@pytest.mark.django_db(transaction=True)
def test_supplier_resolves_an_sfcc_stock_shortage_and_sfcc_sees_it(
    sfcc_env, celery_worker_process, live_server, settings, page, browser, default_rules,  # noqa: F811
    registered_flows,
):
    # The worker process runs the flows as their apps register them, so this test does too.
    sim = sfcc_env
    point_at(settings, sim)
    settings.SFCC_PUSH_SECRET = SECRET
    settings.SITE_URL = live_server.url
    supplier = OrganizationFactory(code="SUP-001", kind=OrganizationKind.SUPPLIER, name="Northwind Apparel")
    OrganizationFactory(code="SUP-002", kind=OrganizationKind.SUPPLIER, name="Someone Else")
    user = member(supplier, Role.PARTNER_MEMBER)
    agent = internal_user(Role.AGENT)

    sim.ctl("PUT", "/push", {"url": f"{live_server.url}/api/v1/sfcc/events", "secret": SECRET})
    order = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [
                {"productId": "SKU-0005", "productName": "Wool Scarf", "quantity": 2, "c_supplierId": "SUP-001"},
                {"productId": "SKU-0006", "productName": "Canvas Tote", "quantity": 1, "c_supplierId": "SUP-002"},
            ],
            "c_supplierId": "SUP-001",
            "c_fulfillmentExceptionCode": "STOCK_SHORTAGE",
            "c_fulfillmentExceptionDetail": "Only 1 of 2 in stock",
        },
    )
    order_no = order["orderNo"]
    link = wait_for(
        lambda: ExceptionDetail.objects.select_related("case", "partner").filter(order_number=order_no).first(),
        timeout=60,
        message="the pushed order to open a case",
    )
    assert link.partner == supplier
    case = link.case
    # The opening write-back reached SFCC too.
    wait_for(
        lambda: sim.ctl("GET", f"/orders/{order_no}")["order"].get("c_crossdockCaseId") == case.reference,
        timeout=60,
        message="SFCC to learn the case id",
    )

    login(page, user.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stock shortage on order")
    expect(page.locator("body")).to_contain_text("Only 1 of 2 in stock")
    expect(page.locator("body")).not_to_contain_text("Canvas Tote")  # another supplier's line

    page = browser.new_context(base_url=live_server.url).new_page()
    login(page, agent.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="Mark resolved…").click()
    dialog = page.get_by_role("dialog", name="Mark resolved")
    dialog.get_by_label("Comment (shared with the partner)").fill("Second scarf ships from our Leeds stock on Friday.")
    dialog.get_by_role("button", name="Mark resolved").click()
    expect(page.locator(".case-head")).to_contain_text("Resolution agreed")

    def sfcc_knows():
        seen = sim.ctl("GET", f"/orders/{order_no}")
        resolved = seen["order"].get("c_crossdockCaseStatus") == "Resolution agreed"
        noted = any(n["subject"].endswith(": Resolution agreed") for n in seen["notes"])
        return seen if resolved and noted else None

    seen = wait_for(sfcc_knows, timeout=60, message="SFCC to show the resolution")
    assert seen["order"]["externalOrderStatus"] == f"Resolution agreed · Crossdock {case.reference}"
    assert seen["order"]["c_crossdockResolution"] == "Second scarf ships from our Leeds stock on Friday."
    assert seen["order"]["c_crossdockCaseUrl"] == f"{live_server.url}/cases/{case.pk}/"
    note = next(n for n in seen["notes"] if n["subject"].endswith(": Resolution agreed"))
    assert "Second scarf ships from our Leeds stock on Friday." in note["text"]
    writes = [h for h in seen["history"] if h["source"] == "api"]
    keys = [h["idempotencyKey"] for h in writes]
    assert len(keys) == len(set(keys)) and {h["outcome"] for h in writes} == {"applied"}
