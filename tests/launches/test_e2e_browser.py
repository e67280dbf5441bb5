"""In Chromium: a merchandiser makes a launch from an SFCC campaign (the simulator), a partner
flags a supply constraint on its case, and the board turns that cell red and says no-go."""

import pytest
from playwright.sync_api import expect

from apps.launches.models import Launch
from apps.partners.roles import OrganizationKind, Role
from tests.factories import PASSWORD, OrganizationFactory, internal_user, member
from tests.support.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_launch_from_an_sfcc_campaign_turns_red_when_a_partner_flags_a_constraint(
    sfcc, page, browser, live_server
):
    sfcc.ctl(
        "POST",
        "/campaigns",
        {
            "campaignId": "summer-terrace-2027",
            "description": "Summer terrace 2027",
            "startDate": "2027-05-03T07:00:00Z",
            "endDate": "2027-06-30T21:00:00Z",
        },
    )
    supplier = OrganizationFactory(
        code="SUP-LN1", name="Lakeside Furniture", kind=OrganizationKind.SUPPLIER
    )
    OrganizationFactory(code="CAR-LN1", name="Brisk Freight", kind=OrganizationKind.CARRIER)
    merchandiser, partner_user = (
        internal_user(Role.MERCHANDISER),
        member(supplier, Role.PARTNER_MEMBER),
    )

    login(page, merchandiser.email, PASSWORD)
    page.goto("/launches/")
    page.get_by_role("link", name="New launch").first.click()
    page.get_by_label("SFCC campaign").fill("summer-terrace-2027")
    page.get_by_label("SKUs and forecasts").fill(
        "CHAIR-TEAK, 400, SUP-LN1, Teak chair\nTABLE-TEAK, 90, SUP-LN1, Teak table"
    )
    page.get_by_label("Brisk Freight").check()
    page.get_by_role("button", name="Create launch and invite partners").click()
    expect(page.locator("h1")).to_contain_text("Summer terrace 2027")
    expect(page.locator(".page-head")).to_contain_text("3 May 2027")
    expect(page.locator("#board")).to_contain_text("Lakeside Furniture")
    expect(page.locator("#board")).to_contain_text("Brisk Freight")
    launch = Launch.objects.get(campaign_id="summer-terrace-2027")
    case = launch.shares.get(partner=supplier).case

    partner_page = browser.new_context(base_url=live_server.url).new_page()
    login(partner_page, partner_user.email, PASSWORD)
    partner_page.goto(f"/cases/{case.pk}/")
    expect(partner_page.locator("#launch-share")).to_contain_text("Launch: Summer terrace 2027")
    partner_page.get_by_role("button", name="Flag a supply constraint…").click()
    dialog = partner_page.get_by_role("dialog", name="Flag a supply constraint")
    dialog.get_by_label("SKU").fill("TABLE-TEAK")
    dialog.get_by_label("Quantity at risk").fill("35")
    dialog.get_by_label("From").fill("2027-04-20")
    dialog.get_by_label("Blocks requirement").select_option("inventory")
    dialog.get_by_label("Comment (shared with the partner)").fill(
        "Teak from the mill is late; 35 tables will miss go-live."
    )
    dialog.get_by_role("button", name="Flag a supply constraint").click()
    expect(partner_page.locator(".case-head")).to_contain_text("Constraint flagged")
    expect(partner_page.locator("#launch-share")).to_contain_text("TABLE-TEAK")

    page.reload()
    cell = page.locator('#board tr[data-partner="Lakeside Furniture"] td[data-state="constrained"]')
    expect(cell).to_have_count(1)
    expect(cell.locator(".pill")).to_have_attribute("data-tone", "danger")
    expect(cell).to_contain_text("Constraint")
    expect(page.locator("#summary")).to_have_attribute("data-verdict", "no_go")
    expect(page.locator("#summary")).to_contain_text("No-go")
    expect(page.locator("#summary")).to_contain_text("1 open supply constraint")
