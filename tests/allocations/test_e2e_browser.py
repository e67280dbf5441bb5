"""End to end, in Chromium: a merchandiser publishes a plan by CSV upload, two partners answer in
part (one with a substitute), the allocation view shows the shortfall and the substitution, and
accepting the substitute reaches SFCC (the simulator, in its own process)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.allocations.models import DemandPlan
from apps.partners.roles import Role
from tests.factories import PASSWORD, OrganizationFactory, internal_user, member
from tests.support.browser import login
from tests.support.worker import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _answer(page, case_url: str, answers: list[dict]) -> None:
    page.goto(case_url)
    page.get_by_role("button", name="Answer the lines…").click()
    dialog = page.get_by_role("dialog", name="Answer the lines")
    for position, fields in enumerate(answers, start=1):
        dialog.get_by_label(f"Answer for line {position}").select_option(fields["status"])
        for name, label in (("quantity", "Quantity"), ("date", "Date"), ("substitute_sku", "Substitute SKU"),
                            ("substitute_quantity", "Substitute quantity")):  # fmt: skip
            if name in fields:
                dialog.get_by_label(f"{label} for line {position}", exact=True).fill(fields[name])
    dialog.get_by_role("button", name="Answer the lines").click()
    expect(page.locator(".case-head")).to_contain_text("Answered: to review")


@pytest.mark.django_db(transaction=True)
def test_plan_by_csv_answered_in_part_and_the_accepted_substitute_reaches_sfcc(
    sfcc, live_server, page, browser
):
    north = OrganizationFactory(code="SUP-N", name="Northwind Apparel")
    alpine = OrganizationFactory(code="SUP-A", name="Alpine Outdoor")
    merch = internal_user(Role.MERCHANDISER)
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    later = (timezone.localdate() + timedelta(days=50)).isoformat()
    plan_csv = (
        "partner,sku,forecast_qty,need_by,priority\n"
        f"SUP-N,TENT-2P,100,{day},high\nSUP-N,HDPN-BT,80,{day},normal\n"
        f"SUP-A,MAT-1,50,{day},normal\nSUP-A,TENT-2P,40,{day},normal\n"
    )

    # The merchandiser publishes the plan from a CSV file.
    login(page, merch.email, PASSWORD)
    page.goto("/allocations/new/")
    page.get_by_label("Title").fill("Winter promotion")
    page.get_by_label("For").select_option("promotion")
    page.get_by_label("Lines (CSV or XLSX)").set_input_files(
        files=[{"name": "plan.csv", "mimeType": "text/csv", "buffer": plan_csv.encode()}]
    )
    page.get_by_role("button", name="Create the plan").click()
    expect(page.get_by_role("table", name="Plan lines")).to_contain_text(
        "Trailhead two-person tent"
    )
    page.get_by_role("button", name="Publish to partners").click()
    expect(page.locator("body")).to_contain_text("Published to 2 partners.")
    plan = DemandPlan.objects.get(title="Winter promotion")
    shares = {s.partner.code: s.case for s in plan.shares.select_related("case", "partner")}

    # Northwind ships 60 tents now and the rest later, and offers gen-2 headphones instead.
    partner_page = browser.new_context(base_url=live_server.url).new_page()
    login(partner_page, member(north).email, PASSWORD)
    _answer(partner_page, shares["SUP-N"].get_absolute_url(), [
        {"status": "backordered", "quantity": "60", "date": later},
        {"status": "substituted", "quantity": "0", "substitute_sku": "HDPN-BT2", "substitute_quantity": "80"},
    ])  # fmt: skip
    # Alpine confirms the mats, and only 25 of the 40 tents.
    alpine_page = browser.new_context(base_url=live_server.url).new_page()
    login(alpine_page, member(alpine).email, PASSWORD)
    _answer(alpine_page, shares["SUP-A"].get_absolute_url(), [
        {"status": "accepted"}, {"status": "accepted_with_changes", "quantity": "25"},
    ])  # fmt: skip
    expect(alpine_page.locator("body")).not_to_contain_text(
        "HDPN-BT"
    )  # Northwind's share stays its own

    # The allocation view: the shortfalls and the substitute to decide.
    page.goto(plan.get_absolute_url())
    lines = page.get_by_role("table", name="Plan lines")
    expect(lines.locator("tr[data-row='1']")).to_contain_text("40")  # tents short at Northwind
    expect(lines.locator("tr[data-row='4']")).to_contain_text("15")  # tents short at Alpine
    expect(lines.locator("tr[data-row='2']")).to_contain_text("Substitute HDPN-BT2 × 80")
    page.get_by_role("button", name="Accept substitute HDPN-BT2 for line 2").click()
    expect(page.locator("body")).to_contain_text("accepted and sent to SFCC")
    expect(lines.locator("tr[data-row='2']")).to_contain_text("Accepted")

    product = wait_for(
        lambda: (
            (p := sfcc.ctl("GET", "/catalog/products/HDPN-BT")).get("c_crossdockSubstitutes") and p
        ),
        timeout=30,
        message="the accepted substitute to reach SFCC",
    )
    assert product["c_crossdockSubstitutes"] == "HDPN-BT2:80"
    assert product["c_crossdockAllocationPlan"] == plan.reference
