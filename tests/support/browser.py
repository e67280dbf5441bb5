"""Playwright on Debian's Chromium against the live test server, for every browser test."""

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# As root, and with no network beyond the package registries, Chromium must not try to
# sandbox itself or reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls tests make to set
    # up data are still plain synchronous calls. Set only while a browser is running, so the
    # rest of the suite keeps Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def login(
    page, email: str, password: str, *, totp_secret: str | None = None, goto: bool = True
) -> None:
    """Sign in as a person would; users the MFA policy covers then enter their code.
    `goto=False` fills the sign-in page the browser is already on."""
    from tests.factories import TOTP_SECRET, totp_code

    if goto:
        page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    # Wait for the answer's page itself: a loaded machine can still show the sign-in page here.
    page.wait_for_url(lambda url: "/accounts/login/" not in url, wait_until="commit", timeout=30_000)
    if "/accounts/2fa/authenticate/" in page.url:
        from django.core.cache import cache

        # allauth refuses a code used before by the same user id; ids repeat across tests.
        cache.clear()
        page.get_by_placeholder("Code").fill(totp_code(totp_secret or TOTP_SECRET))
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(
            lambda url: "/accounts/2fa/authenticate/" not in url, wait_until="commit", timeout=30_000
        )
