"""End to end, in Chromium: a rejected certificate of origin is corrected and accepted, and the
order turns from blocked to ready in Crossdock and in SFCC's `c_` attributes.

SFCC is the simulator in its own process; a real Celery worker applies its push (which opens
the request from the administrator's requirement) and delivers the write-back.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.documents.models import DocumentRequest, DocumentRequirement
from apps.partners.roles import OrganizationKind, Role
from tests.documents.helpers import PDF_BYTES
from tests.factories import PASSWORD, OrganizationFactory, internal_user, member
from tests.sfcc.test_e2e_browser import SECRET, sfcc_env  # noqa: F401  (fixture)
from tests.sfcc.test_faults_e2e import point_at
from tests.support.browser import login
from tests.support.worker import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _upload(page, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_bytes(PDF_BYTES.replace(b"%%EOF", f"% {text}\n%%EOF".encode()))
    today = timezone.localdate()
    form = page.get_by_role("form", name="Send the document")
    form.get_by_label("Document", exact=True).set_input_files(str(path))
    form.get_by_label("Issue date").fill((today - timedelta(days=2)).isoformat())
    form.get_by_label("Expiry date").fill((today + timedelta(days=180)).isoformat())
    form.get_by_role("button", name="Submit certificate of origin").click()
    expect(page.locator(".case-head")).to_contain_text("Submitted")


@pytest.mark.django_db(transaction=True)
def test_a_rejected_certificate_is_corrected_and_the_order_turns_ready_here_and_in_sfcc(
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
    supplier = OrganizationFactory(
        code="SUP-001", kind=OrganizationKind.SUPPLIER, name="Northwind Apparel"
    )
    supplier_user, agent = member(supplier, Role.PARTNER_MEMBER), internal_user(Role.AGENT)
    DocumentRequirement.objects.create(
        partner=supplier,
        document_type="certificate_of_origin",
        origin_country="CN",
        needed_before_shipping=True,
    )
    order_no = sim.ctl(
        "POST",
        "/orders",
        {
            "lines": [
                {
                    "productId": "LAMP-1",
                    "productName": "Desk lamp",
                    "quantity": 2,
                    "c_supplierId": "SUP-001",
                }
            ],
            "c_originCountry": "CN",
        },
    )["orderNo"]
    request = wait_for(
        lambda: (
            DocumentRequest.objects.select_related("case").filter(order_number=order_no).first()
        ),
        timeout=60,
        message="the pushed order to open the document request",
    )
    case = request.case

    def sfcc_says(status: str, missing: str | None):
        def check():
            order = sim.ctl("GET", f"/orders/{order_no}")["order"]
            ok = (
                order.get("c_crossdockDocumentsStatus") == status
                and order.get("c_crossdockDocumentsMissing") == missing
            )
            return order if ok else None

        return wait_for(check, timeout=60, message=f"SFCC to show documents {status}")

    sfcc_says("blocked", "Certificate of origin (requested)")

    # The supplier sends the wrong file.
    login(page, supplier_user.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    _upload(page, tmp_path, "invoice.pdf", "commercial invoice")

    # The agent sees the order blocked, and rejects the certificate with a reason.
    agent_page = browser.new_context(base_url=live_server.url).new_page()
    login(agent_page, agent.email, PASSWORD)
    agent_page.goto(f"/orders/{order_no}/")
    expect(agent_page.locator("body")).to_contain_text("Blocked: documents missing")
    agent_page.get_by_role("link", name="Certificate of origin").click()
    agent_page.get_by_role("button", name="Reject and ask for a correction…").click()
    dialog = agent_page.get_by_role("dialog", name="Reject and ask for a correction")
    dialog.get_by_label("Reason").select_option("wrong_document")
    dialog.get_by_label("Comment (shared with the partner)").fill(
        "This is your invoice, not the certificate."
    )
    dialog.get_by_role("button", name="Reject and ask for a correction").click()
    expect(agent_page.locator(".case-head")).to_contain_text("Rejected: correction requested")
    sfcc_says("blocked", "Certificate of origin (rejected)")

    # The supplier reads why and uploads the right certificate: a new version.
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("body")).to_contain_text("This is your invoice, not the certificate.")
    _upload(page, tmp_path, "certificate.pdf", "certificate of origin")
    expect(page.get_by_role("table", name="Versions sent")).to_contain_text("Rejected")

    # The agent accepts; the order is ready, here and in SFCC.
    agent_page.goto(f"/cases/{case.pk}/")
    agent_page.get_by_role("button", name="Accept…").click()
    dialog = agent_page.get_by_role("dialog", name="Accept")
    dialog.get_by_role("button", name="Accept").click()
    expect(agent_page.locator(".case-head")).to_contain_text("Accepted")
    agent_page.goto(f"/orders/{order_no}/")
    expect(agent_page.locator("body")).to_contain_text("Documents ready")
    order = sfcc_says("ready", None)
    assert order["c_crossdockDocumentsAccepted"] == "1/1"
