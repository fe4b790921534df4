"""The start sync in a real browser, inside Rackbeat's iframe: preview → Start → the progress
bar moves without a reload → the report → its CSV downloaded."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sandbox.dinero import bulk
from tests.browser.test_install_in_chromium import confirm_connection
from tests.browser.test_install_in_chromium import install_and_open_activation
from tests.browser.test_install_in_chromium import submit
from tests.stack import running_stack

GENEROUS = {"limit": 6000, "window_seconds": 60}
# About 30 Rackbeat requests a second: the run takes several seconds, long enough to watch.
RACKBEAT_RATE = 1800
SETTINGS = {
    "DINERO_RATE_LIMIT": GENEROUS["limit"],
    "DINERO_RATE_WINDOW": GENEROUS["window_seconds"],
    "RACKBEAT_RATE_LIMIT": RACKBEAT_RATE,
}


@pytest.fixture
def slow_stack(app_config, tmp_path, redis):
    with running_stack(
        {**app_config, **SETTINGS},
        tmp_path,
        dinero_config={"KNOBS": {"rate_limit": GENEROUS}},
        worker_config=SETTINGS,
    ) as stack:
        stack.rackbeat.extensions["rackbeat_sandbox"].set_knobs(
            {"rate_limit_per_minute": RACKBEAT_RATE}
        )
        sandbox = stack.dinero.extensions["dinero_sandbox"]
        with sandbox.lock:
            bulk.add(
                sandbox.organizations[400555],
                bulk.Bulk(contacts=120, products=120, no_email_every=10, no_number_every=8),
            )
        yield stack


def bar_value(frame, kind: str) -> float:
    return frame.locator(f"#progress-{kind}").evaluate("bar => bar.value")


def test_preview_start_progress_report_and_csv(page, slow_stack, screenshot_path):
    frame = install_and_open_activation(page, slow_stack)
    submit(frame, "demo-dinero-api-key", "400555")
    confirm_connection(frame)
    expect(frame.locator("#start-sync")).to_be_visible()  # offered right after activation

    frame.get_by_role("button", name="Vis, hvad der overføres fra Dinero").click()
    table = frame.locator("#start-sync-preview-table")
    expect(table).to_be_visible(timeout=60_000)  # the page reloads itself when it is ready
    expect(frame.locator("#preview-product .created")).to_have_text("108")  # 3 + 105
    expect(frame.locator("#preview-reasons-product")).to_contain_text("Intet varenummer i Dinero")
    page.screenshot(path=screenshot_path("start-sync-preview.png"), full_page=True)

    frame.get_by_role("button", name="Start").click()
    expect(frame.locator("#progress-customer")).to_be_visible()
    app_frame = page.locator("#app-frame").element_handle().content_frame()
    app_frame.evaluate("window.stillTheSamePage = true")
    first = sum(bar_value(frame, kind) for kind in ("customer", "supplier", "product"))
    time.sleep(2)
    second = sum(bar_value(frame, kind) for kind in ("customer", "supplier", "product"))
    assert second > first, (first, second)  # the bar moved…
    assert app_frame.evaluate("window.stillTheSamePage") is True  # …without a reload
    expect(frame.locator('[data-progress-text="customer"]')).to_contain_text(" af ")
    page.screenshot(path=screenshot_path("start-sync-progress.png"), full_page=True)

    heading = frame.get_by_role("heading", name="Startsynkroniseringen er færdig")
    expect(heading).to_be_visible(timeout=90_000)
    report = frame.locator("#start-sync-report")
    expect(report).to_contain_text("Den har ingen e-mailadresse i Dinero.")
    expect(report).to_contain_text("Den har intet varenummer i Dinero.")
    expect(frame.locator("#counts-product .created")).to_have_text("108")
    page.screenshot(path=screenshot_path("start-sync-report.png"), full_page=True)

    with page.expect_download() as download:
        frame.locator("#start-sync-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Type", "Dinero-nummer og navn", "Resultat", "Årsag"]
    skipped = 2 + 2 + 12 + 15  # the demo's, then every 10th bulk contact and 8th product
    assert len(rows) == 1 + skipped
    assert {row[2] for row in rows[1:]} == {"Sprunget over"}
