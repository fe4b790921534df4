"""A person's steps through the Rackbeat sandbox and the app, over HTTP without JavaScript:
install from the catalogue, open the app's page in Rackbeat, activate with an API key.

The tests walk these steps (``tests/flows.py``), and so does the demo for its second,
already-installed account (``sandbox/demo_support.py``)."""

from __future__ import annotations

import re
import time
from html import unescape

import requests

DEMO_API_KEY = "demo-dinero-api-key"
DEMO_ORGANIZATION_ID = "400555"


def form_fields(html: str) -> dict[str, str]:
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
    }


def install(
    rackbeat_url: str, browser: requests.Session, account_id: int | None = None
) -> requests.Response:
    """Click Install in the catalogue and Allow on the consent page (as the user of
    ``account_id``, the sandbox's first account if not given); end on Rackbeat's
    Settings > Apps > Dinero page."""
    query = {} if account_id is None else {"account": account_id}
    consent = browser.get(f"{rackbeat_url}/apps/dinero/install", params=query)
    assert consent.status_code == 200, consent.text
    assert "/oauth/authorize" in consent.url
    fields = form_fields(consent.text)
    fields["decision"] = "allow"
    settings_page = browser.post(f"{rackbeat_url}/oauth/authorize", data=fields)
    assert settings_page.status_code == 200, settings_page.text
    assert settings_page.url == f"{rackbeat_url}/settings/apps/dinero"
    return settings_page


def open_iframe(browser: requests.Session, settings_page: requests.Response) -> requests.Response:
    src = unescape(re.search(r'<iframe[^>]*src="([^"]+)"', settings_page.text).group(1))
    return browser.get(src)


def activate(
    app_url: str, browser, page, *, api_key, organization_id, confirm: bool = True
) -> requests.Response:
    """Fill in the activation form, wait (as the page does) until the check is done, and press
    Confirm on the question which Rackbeat company goes to which Dinero company (unless
    ``confirm`` is false: then the question, or the failure, is returned)."""
    fields = form_fields(page.text)
    fields.update(api_key=api_key, organization_id=organization_id)
    progress = browser.post(f"{app_url}/embedded/activation", data=fields)
    deadline = time.monotonic() + 30
    while "data-status-url" in progress.text and time.monotonic() < deadline:
        time.sleep(0.2)
        progress = browser.get(progress.url)
    return press_confirm(app_url, browser, progress) if confirm else progress


def press_confirm(app_url: str, browser, page: requests.Response) -> requests.Response:
    """Press Confirm on a page that asks to confirm the connection (any other page as is)."""
    action = re.search(r'<form[^>]*action="([^"]+)"[^>]*id="confirm-connection"', page.text)
    if action is None:
        return page
    return browser.post(f"{app_url}{unescape(action.group(1))}", data=form_fields(page.text))
