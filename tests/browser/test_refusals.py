"""Browser: a refused reply or upload says why, and an expired session loses no draft."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.support.browser import login
from tests.workspace.helpers import open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_upload_shows_its_reason_next_to_the_form(
    page, agent, partner_a, user_a, tmp_path
):
    case = open_case(agent, partner_a, subject="Packing list for 00011111")
    fake = tmp_path / "invoice.pdf"
    fake.write_bytes(b"<html><body><script>alert(1)</script></body></html>")

    login(page, user_a.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.locator("#reply-body").fill("Invoice attached.")
    page.locator("input[type=file][name=files]").set_input_files(str(fake))
    page.get_by_role("button", name="Send", exact=True).click()

    reply = page.locator("form.reply")
    expect(reply.get_by_role("alert").first).to_contain_text("not accepted")
    expect(page.locator("#reply-body")).to_have_value("Invoice attached.")
    expect(page.get_by_role("region", name="Conversation")).not_to_contain_text("Invoice attached.")


def test_a_blank_reply_is_refused_with_a_message(page, agent, partner_a, user_a):
    case = open_case(agent, partner_a, subject="Address issue on 00022222")
    login(page, user_a.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.locator("#reply-body").fill("   ")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("form.reply").get_by_role("alert").first).to_be_visible()


def test_an_expired_session_signs_in_again_and_keeps_the_draft(page, agent, partner_a, user_a):
    case = open_case(agent, partner_a, subject="Carrier exception on 00033333")
    login(page, user_a.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    draft = "The carrier found the parcel; it ships again on Monday."
    page.locator("#reply-body").fill(draft)

    page.context.clear_cookies()  # the session ends while the reply is being written
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("main")).not_to_contain_text("Carrier exception on 00033333")
    login(page, user_a.email, PASSWORD, goto=False)
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator("#reply-body")).to_have_value(draft)

    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".conversation")).to_contain_text(draft)
    page.reload()
    expect(page.locator("#reply-body")).to_have_value("")  # sent: the draft is gone
