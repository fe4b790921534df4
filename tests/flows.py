"""A person's steps through the install and activation, over HTTP without JavaScript."""

from __future__ import annotations

import re
import time
from html import unescape

import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection

DEMO_API_KEY = "demo-dinero-api-key"


def form_fields(html: str) -> dict[str, str]:
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
    }


def install(stack, browser: requests.Session) -> requests.Response:
    """Click Install in the catalogue and Allow on the consent page; end on Rackbeat's
    Settings > Apps > Dinero page."""
    consent = browser.get(f"{stack.rackbeat_url}/apps/dinero/install")
    assert consent.status_code == 200, consent.text
    assert "/oauth/authorize" in consent.url
    fields = form_fields(consent.text)
    fields["decision"] = "allow"
    settings_page = browser.post(f"{stack.rackbeat_url}/oauth/authorize", data=fields)
    assert settings_page.status_code == 200, settings_page.text
    assert settings_page.url == f"{stack.rackbeat_url}/settings/apps/dinero"
    return settings_page


def open_iframe(browser: requests.Session, settings_page: requests.Response) -> requests.Response:
    src = unescape(re.search(r'<iframe[^>]*src="([^"]+)"', settings_page.text).group(1))
    return browser.get(src)


def activate(stack, browser, page, *, api_key, organization_id) -> requests.Response:
    fields = form_fields(page.text)
    fields.update(api_key=api_key, organization_id=organization_id)
    progress = browser.post(f"{stack.app_url}/embedded/activation", data=fields)
    deadline = time.monotonic() + 30
    while "data-status-url" in progress.text and time.monotonic() < deadline:
        time.sleep(0.2)
        progress = browser.get(progress.url)
    return progress


def connection_for(account_id: int) -> Connection:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == account_id)
    )


def installed_and_active(stack, browser: requests.Session) -> requests.Response:
    """Install from the catalogue and activate with the demo organization 400555."""
    page = open_iframe(browser, install(stack, browser))
    return activate(stack, browser, page, api_key=DEMO_API_KEY, organization_id="400555")
