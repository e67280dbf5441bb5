"""Browser: a partner opens a case from the inbox, replies with a PDF; the owner sees both."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.support.browser import login
from tests.workspace.helpers import PDF_BYTES, open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_replies_with_pdf_and_owner_is_notified(page, agent, partner_a, user_a, tmp_path):
    case = open_case(agent, partner_a, subject="Carrier exception on 00098765", body="Parcel is stuck in Memphis.")
    proof = tmp_path / "proof-of-delivery.pdf"
    proof.write_bytes(PDF_BYTES)

    login(page, user_a.email, PASSWORD)
    page.goto("/cases/")
    page.get_by_role("link", name=re.compile("Carrier exception on 00098765")).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator(".case-head")).to_contain_text("Your turn")

    page.locator("#reply-body").fill("The parcel was re-routed; **proof** attached.")
    page.locator("input[type=file][name=files]").set_input_files(str(proof))
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".conversation")).to_contain_text("The parcel was re-routed")
    expect(page.locator(".conversation")).to_contain_text("proof-of-delivery.pdf")
    expect(page.locator(".case-head")).to_contain_text("Waiting on retailer")

    page.context.clear_cookies()
    login(page, agent.email, PASSWORD)
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text(f"replied on {case.reference}")
    page.get_by_role("link", name=re.compile(f"replied on {case.reference}")).click()
    expect(page.locator(".conversation")).to_contain_text("The parcel was re-routed")
    expect(page.locator(".case-head")).to_contain_text("Your turn")
    download = page.get_by_role("link", name=re.compile("proof-of-delivery.pdf")).first
    expect(download).to_be_visible()
