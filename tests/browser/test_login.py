"""Browser: signing in, seeing only one's own organization, signing out."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.support.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_user_sees_only_own_organization_then_logs_out(page, user_a, partner_a, partner_b):
    login(page, user_a.email, PASSWORD)
    page.goto("/organizations/")
    expect(page.get_by_role("heading", level=1)).to_have_text(partner_a.name)
    expect(page.locator("body")).not_to_contain_text(partner_b.name)

    page.goto(f"/organizations/{partner_b.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    expect(page.locator("body")).not_to_contain_text(partner_b.name)

    page.goto("/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.goto("/organizations/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/organizations/$"))


def test_anonymous_visitor_is_sent_to_login(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_label("Password")).to_be_visible()
