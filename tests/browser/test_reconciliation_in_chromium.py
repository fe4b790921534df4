"""The dry run (PV1) and the month-end reconciliation (RC1) in a real browser: a preview names
the missing mapping, the fix makes the next preview clean; a reconciliation of the month shows
its progress and its report, sends the missing invoices, and the next run is clean."""

from datetime import date

import sqlalchemy as sa
from playwright.sync_api import expect

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import TransferState
from sandbox.demo_settings import configure
from tests.browser.test_install_in_chromium import activate
from tests.browser.test_install_in_chromium import install_and_open_activation
from tests.e2e.transfers_setup import wait_for_transfers

# Booked in the sandbox's seed, dated today: three sales invoices and two supplier invoices.
BOOKED = 5


def test_preview_fix_preview_and_reconcile_until_clean(page, stack, screenshot_path):
    frame = install_and_open_activation(page, stack)
    activate(frame)
    with stack.app.app_context():
        connection = db.session.scalar(sa.select(Connection))
        configure(connection.id)  # the demo's settings, but the unit "timer" (4) unmapped
        db.session.execute(sa.delete(UnitMapping).where(UnitMapping.rackbeat_unit == "4"))
        db.session.commit()

    # The dry run of invoice 1001 names the missing unit and sends nothing.
    frame.get_by_role("link", name="Fejlsøgning").click()
    frame.get_by_label("Fakturanummer").fill("1001")
    frame.get_by_role("button", name="Forhåndsvisning").click()
    blockers = frame.locator("#preview-blockers")
    expect(blockers).to_contain_text("timer")
    expect(blockers).to_contain_text("Indstillinger > Enheder og sprog")
    page.screenshot(path=screenshot_path("preview-missing-unit.png"), full_page=True)

    # The fix: the units page, saved with its suggestion; the preview is then clean.
    frame.locator(".breadcrumb a").first.click()
    frame.locator("#step-units a.step-title").click()
    frame.get_by_role("button", name="Gem").click()
    expect(frame.locator("#settings-saved")).to_be_visible()
    frame.locator(".breadcrumb a").first.click()
    frame.get_by_role("link", name="Fejlsøgning").click()
    frame.get_by_label("Fakturanummer").fill("1001")
    frame.get_by_role("button", name="Forhåndsvisning").click()
    expect(frame.locator("#preview-ready")).to_be_visible()
    expect(frame.locator("#preview-lines")).to_contain_text("Montering")
    expect(frame.locator("#preview-lines")).to_contain_text("× Indland → 1300")
    expect(frame.locator("#preview-totals-agree")).to_be_visible()
    page.screenshot(path=screenshot_path("preview-ready.png"), full_page=True)
    with stack.app.app_context():
        assert wait_for_transfers(0, timeout=1) == []  # the preview sent nothing

    # A reconciliation of this month: nothing of it is in Dinero yet.
    frame.locator(".breadcrumb a").first.click()
    frame.get_by_role("link", name="Kør en afstemning").click()
    frame.get_by_label("Måned").select_option(date.today().strftime("%Y-%m"))
    store = stack.rackbeat.extensions["rackbeat_sandbox"]
    store.set_knobs({"latency_ms": 1500})  # a slow Rackbeat, so the progress can be seen
    frame.get_by_role("button", name="Kør afstemning").click()
    progress = frame.locator("#reconciliation-progress")
    expect(progress).to_contain_text("fra Rackbeat")  # the step it is on, in words
    page.screenshot(path=screenshot_path("reconciliation-progress.png"), full_page=True)
    result = frame.locator("#reconciliation-result")
    expect(result).to_contain_text(f"{BOOKED} mangler i Dinero")
    expect(frame.locator("#group-missing")).to_contain_text("Send den nu")
    page.screenshot(path=screenshot_path("reconciliation-missing.png"), full_page=True)
    store.set_knobs({"latency_ms": 0})

    frame.get_by_role("button", name=f"Send de manglende ({BOOKED})").click()
    expect(frame.locator("#reconciliation-notice")).to_contain_text(f"{BOOKED} manglende")
    with stack.app.app_context():
        transfers = wait_for_transfers(BOOKED)
    assert [t.state for t in transfers] == [TransferState.SUCCEEDED] * BOOKED, [
        (t.source_key, t.message) for t in transfers
    ]

    frame.get_by_role("button", name="Kør igen").click()
    expect(frame.locator("#reconciliation-result")).to_contain_text(
        "ren: alle fakturaer er i Dinero"
    )
    page.screenshot(path=screenshot_path("reconciliation-clean.png"), full_page=True)
