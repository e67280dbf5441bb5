"""Browser: long unbroken names and text never widen a page past a 390 px phone screen."""

import pytest

from apps.workspace import services
from apps.workspace.choices import Channel
from tests.factories import PASSWORD
from tests.support.browser import login
from tests.workspace.helpers import open_case, pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_long_file_names_and_words_wrap_on_a_phone(page, agent, partner_a, user_a):
    case = open_case(agent, partner_a, subject="Certificate " + "A" * 120)
    name = "certificate-of-origin-" + "0123456789" * 12 + ".pdf"
    services.file_upload(actor=user_a, channel=Channel.WEB, case=case, name=name, content=pdf())
    services.message_post(actor=user_a, channel=Channel.WEB, case=case, body="x" * 500)

    page.set_viewport_size(PHONE)
    login(page, user_a.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    assert page_width(page) <= PHONE["width"]

    page.goto("/cases/?q=" + "y" * 500)
    assert page_width(page) <= PHONE["width"]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_save_this_view_panel_opens_on_screen(page, agent, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, agent.email, PASSWORD)
    page.goto("/cases/")
    page.get_by_text("Save this view…").click()
    name = page.get_by_label("Name of this view")
    box = name.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page_width(page) <= width
