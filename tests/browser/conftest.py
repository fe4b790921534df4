"""Debian's Chromium driven by Playwright (it cannot download a browser here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright

from rackdinero_app import PROJECT_ROOT
from tests.stack import running_stack

CHROMIUM = os.environ.get("RACKDINERO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = PROJECT_ROOT / "test-output"
# A page may wait for a job (the activation check, a transfer): on a busy machine that takes
# longer than the 5 seconds expect() waits by default, as the pages themselves do.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def stack(app_config, tmp_path, redis):
    with running_stack(app_config, tmp_path) as stack:
        yield stack


@pytest.fixture
def screenshot_path():
    """Where a test saves its screenshots (test-output/, kept after the run)."""
    OUTPUT.mkdir(exist_ok=True)

    def path(name: str) -> Path:
        return OUTPUT / name

    return path
