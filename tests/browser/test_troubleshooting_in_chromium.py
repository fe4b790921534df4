"""Troubleshooting (T1) in a real browser: an invoice that failed on a missing mapping is sent
again by its number once the mapping is fixed, and the page follows it to its outcome."""

from playwright.sync_api import expect

from rackdinero_app.models.enums import TransferState
from tests.browser.test_install_in_chromium import activate
from tests.browser.test_install_in_chromium import install_and_open_activation
from tests.e2e.transfers_setup import book_in_rackbeat
from tests.e2e.transfers_setup import wait_for_transfers

ZONES = ("domestic", "eu", "abroad")


def test_an_invoice_that_failed_on_a_missing_unit_is_sent_after_the_fix(
    page, stack, screenshot_path
):
    frame = install_and_open_activation(page, stack)
    activate(frame)
    frame.locator("#step-sales a.step-title").click()
    for group in ("1", "2", "3"):
        for zone in ZONES:
            frame.locator(f"#sales-{group}-{zone}").select_option("1000")
    frame.get_by_label("Aktivér kundeintegration").check()
    frame.get_by_role("button", name="Gem").click()
    expect(frame.locator("#settings-saved")).to_be_visible()  # the units are not mapped yet

    book_in_rackbeat(stack, "customer-invoices", 1004)
    with stack.app.app_context():
        (transfer,) = wait_for_transfers(1)
    assert (transfer.state, transfer.reason_code) == (TransferState.FAILED, "missing_mapping")

    frame.locator(".breadcrumb a").click()
    frame.locator("#step-units a.step-title").click()
    frame.get_by_role("button", name="Gem").click()  # the suggested units and languages
    expect(frame.locator("#settings-saved")).to_be_visible()

    frame.locator(".breadcrumb a").click()
    frame.get_by_role("link", name="Fejlsøgning").click()
    frame.get_by_label("Fakturanummer").fill("1004")
    frame.get_by_role("button", name="Send nu").click()
    outcome = frame.locator("#troubleshooting-outcome")
    expect(outcome).to_contain_text("Gennemført")  # the page followed the transfer
    expect(outcome.get_by_role("link", name="Åbn i Dinero")).to_be_visible()
    page.screenshot(path=screenshot_path("troubleshooting-sent.png"), full_page=True)

    frame.get_by_role("link", name="Send en anden faktura").click()
    frame.get_by_label("Fakturanummer").fill("1004")
    frame.get_by_role("button", name="Send nu").click()
    expect(frame.locator("#already-transferred")).to_contain_text("er allerede i Dinero")
