"""Queue tickets end to end: an applicant takes a number at the kiosk, the officer opens a counter and calls the
next number, and the waiting-room display (a second tab) shows it without being reloaded."""

import re

import pytest
from playwright.sync_api import expect

from congso.queueing.models import Ticket
from congso.queueing.tests.conftest import PASSWORD, qw_tx  # noqa: F401 - the fixture is used by name
from tests.browser.conftest import log_in


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kiosk_counter_and_display(page, shot, artifacts, qw_tx):  # noqa: F811
    w = qw_tx
    code = w.centre.code

    # The waiting-room display, open before anything happens.
    display = page.context.new_page()
    display.goto(f"/xep-hang/{code}/man-hinh/")
    expect(display.locator("#board")).to_be_visible()
    expect(display.locator(".q-call-number")).to_have_count(0)
    display.evaluate("window.__notReloaded = true")
    display.screenshot(path=str(artifacts / "display-empty.png"), full_page=True)
    page.bring_to_front()

    # An applicant takes a number at the kiosk: one big button per service, a plain form post.
    page.goto(f"/xep-hang/{code}/")
    expect(page.locator("button[name=group][value=A]")).to_be_visible()
    shot("kiosk")
    page.click("button[name=group][value=A]")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    expect(page.locator(".q-ahead")).to_have_attribute("data-ahead", "0")
    expect(page.locator(".q-time")).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"))
    shot("ticket")
    assert Ticket.objects.get().display_number == "A001"

    # The desk officer logs in, opens counter 1 and calls the next number.
    log_in(page, "desk", PASSWORD)
    page.goto(f"/xep-hang/quay/{w.counter1.pk}/")
    page.click(f"form[action$='/quay/{w.counter1.pk}/mo/'] button")
    expect(page.locator(".q-state.q-open")).to_be_visible()
    expect(page.locator("#waiting")).to_contain_text("A001")
    shot("counter-open")
    page.click("button.q-call-next")
    expect(page.locator(".q-current")).to_have_text("A001")
    shot("counter-called")

    # The display shows the call without a reload, highlighted and announced in the live region.
    display.bring_to_front()
    expect(display.locator(".q-calls tbody tr.q-latest .q-call-number")).to_have_text("A001", timeout=15_000)
    expect(display.locator(".q-calls tbody tr.q-latest .q-call-counter")).to_contain_text("1")
    expect(display.locator("#announce")).to_contain_text("A001")
    expect(display.locator("#announce")).to_have_attribute("aria-live", "assertive")
    assert display.evaluate("window.__notReloaded") is True
    # `shot` photographs the first tab; the display tab is saved beside it.
    display.screenshot(path=str(artifacts / "display-called.png"), full_page=True)
