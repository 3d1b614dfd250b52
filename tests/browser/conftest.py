"""Browser tests: Playwright for Python driving Debian's /usr/bin/chromium (headless; never `playwright install`).

Each test gets a fresh browser context (Vietnamese locale, 1366×768 like the desks' screens) on Django's live server.
Screenshots go to var/test-artifacts/<test name>/ so a failing run can be inspected after CI.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between page actions are
# still synchronous and single-threaded, so Django's async-safety guard would only be a false alarm here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CONGSO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    # Per test, not per session: Playwright's sync API keeps an asyncio loop running in this thread while it is
    # started, and later tests in the same process (pyHanko's validation, aiosmtpd) need to run loops of their own.
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _database_as_migrated(django_db_serialized_rollback):
    """Browser tests run on the live server, so their database really commits (transactional). With serialized
    rollback, each starts from the database as migrated (content types, calendar, seeded templates), whatever test
    ran before it — a plain transactional test would start from the empty tables another test's flush left."""
    from django.contrib.contenttypes.models import ContentType

    from congso.workcalendar.services import reset_cache

    ContentType.objects.clear_cache()
    reset_cache()


@pytest.fixture
def artifacts(request) -> Path:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::")[-1])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, live_server, artifacts):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1366, "height": 768},
                                  base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    try:
        page.screenshot(path=str(artifacts / "last.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def shot(page, artifacts):
    """`shot("name")` saves a full-page screenshot as a test artifact."""
    counter = iter(range(1, 1000))

    def take(name: str):
        page.screenshot(path=str(artifacts / f"{next(counter):02d}-{name}.png"), full_page=True)

    return take


def log_in(page, username: str, password: str, otp: str | None = None):
    """Log in through the real login form (and the two-factor step when one is asked)."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    if otp is not None:
        page.fill("input[name=otp_token]", otp)
        page.click("button[type=submit]")
