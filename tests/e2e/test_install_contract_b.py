"""Contract B end to end, over real HTTP with a real worker process, Redis and both sandboxes:
Rackbeat's catalogue (integration request) → onboarding → Dinero API key → accept → active →
a booked invoice reaches Dinero → the settings URL shows the overview → an expired token is
replaced (replace-current) and transfers go on."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
import requests

from rackdinero_app.connections import dinero_client
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import TransferState
from tests.e2e.transfers_setup import book_in_rackbeat
from tests.e2e.transfers_setup import configure
from tests.e2e.transfers_setup import wait_for_transfers
from tests.flows import DEMO_API_KEY
from tests.flows import connection_for
from tests.flows import form_fields
from tests.visma_steps import METTE
from tests.visma_steps import answer_consent

REPLACE = "/api/tokens/replace-current"


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def onboard(stack, browser: requests.Session) -> requests.Response:
    """Install from the catalogue's integration-request listing and sign in with the API key;
    end where Rackbeat's ``redirect_to`` leads (Settings > Apps > Dinero)."""
    form = browser.get(f"{stack.rackbeat_url}/apps/dinero-integration/install")
    assert form.status_code == 200, form.text
    assert form.url.startswith(f"{stack.app_url}/install/onboarding/")
    assert "token=" not in form.url
    fields = form_fields(form.text)
    fields.update(api_key=DEMO_API_KEY, organization_id="400555")
    page = browser.post(form.url, data=fields)
    deadline = time.monotonic() + 30
    while "data-status-url" in page.text and time.monotonic() < deadline:
        time.sleep(0.2)
        page = browser.get(page.url)
    return page


def consumer_calls(stack, path_part: str) -> list[dict]:
    calls = requests.get(f"{stack.rackbeat_url}/_sandbox/consumers", timeout=5).json()
    return [call for call in calls if path_part in call["path"]]


def test_integration_request_to_transfers_with_a_replaced_token(stack, browser):
    settings_page = onboard(stack, browser)
    assert settings_page.url == f"{stack.rackbeat_url}/settings/apps/dinero"
    with stack.app.app_context():
        connection = connection_for(12345)
        assert connection.state == ConnectionState.ACTIVE
        assert connection.rackbeat_contract == "integration"
        connection_id, secret = connection.id, connection.settings_secret
    src = unescape(re.search(r'<iframe[^>]*src="([^"]+)"', settings_page.text).group(1))
    assert src == f"{stack.app_url}/embedded/connections/{connection_id}/{secret}"
    assert len(consumer_calls(stack, "/integration/accept/")) == 1

    with stack.app.app_context():
        configure(connection_id)
        book_in_rackbeat(stack, "customer-invoices", 1004)
        (first,) = wait_for_transfers(1)
        assert first.state == TransferState.SUCCEEDED, first.message
        invoice = dinero_client(400555, DEMO_API_KEY).get_invoice(first.dinero_guid)
        assert invoice["Status"] == "Booked"

    overview = browser.get(src)  # what Rackbeat's iframe opens
    assert overview.status_code == 200
    assert f"{stack.app_url}/embedded/?s=" in overview.url
    assert 'id="connection-status"' in overview.text and "400555" in overview.text
    assert overview.headers["Content-Security-Policy"].startswith(
        f"frame-ancestors {stack.rackbeat_url};"
    )

    # Rackbeat's clock moves past the token's lifetime: the next call gets a 401.
    requests.post(
        f"{stack.rackbeat_url}/_sandbox/knobs", json={"clock_offset_seconds": 3600}, timeout=5
    )
    with stack.app.app_context():
        token_before = connection_for(12345).rackbeat_access_token
        book_in_rackbeat(stack, "customer-invoices", 1005)
        transfers = wait_for_transfers(2)
        assert transfers[-1].state == TransferState.SUCCEEDED, transfers[-1].message
        assert connection_for(12345).rackbeat_access_token != token_before
    assert len(consumer_calls(stack, REPLACE)) == 1
    calls = requests.get(f"{stack.rackbeat_url}/_sandbox/consumers", timeout=5).json()
    assert all(call["consumer_name"] == "rackdinero" for call in calls)
    assert all(call["consumer_contact"] for call in calls)
    assert DEMO_API_KEY not in stack.worker_log.read_text()


def test_cancel_in_the_onboarding_goes_back_to_rackbeat(stack, browser):
    form = browser.get(f"{stack.rackbeat_url}/apps/dinero-integration/install")
    fields = {"csrf_token": form_fields(form.text)["csrf_token"]}
    back = browser.post(f"{form.url}/cancel", data=fields)

    assert back.url == f"{stack.rackbeat_url}/apps"
    assert "Install" in back.text
    assert len(consumer_calls(stack, "/integration/cancel/")) == 1
    with stack.app.app_context():
        assert connection_for(12345) is None


def test_uninstall_from_rackbeat_ends_a_contract_b_connection(stack, browser):
    settings_page = onboard(stack, browser)
    src = unescape(re.search(r'<iframe[^>]*src="([^"]+)"', settings_page.text).group(1))
    assert browser.get(src).status_code == 200
    browser.post(f"{stack.rackbeat_url}/settings/apps/dinero/uninstall")
    requests.post(f"{stack.rackbeat_url}/_sandbox/flush-webhooks", timeout=35)
    with stack.app.app_context():
        connection = connection_for(12345)
        assert connection.state == ConnectionState.UNINSTALLED
        assert connection.settings_secret is None and connection.rackbeat_access_token is None
    assert browser.get(src).status_code == 404


def test_integration_request_with_a_visma_sign_in(stack, browser):
    """Contract B with Visma Connect: the onboarding's Visma button takes the same window to
    Visma and back; only then is Rackbeat's request accepted, and an invoice reaches Dinero."""
    form = browser.get(f"{stack.rackbeat_url}/apps/dinero-integration/install")
    action = unescape(re.search(r'action="([^"]+/visma)"', form.text).group(1))
    fields = {"csrf_token": form_fields(form.text)["csrf_token"]}
    to_visma = browser.post(f"{stack.app_url}{action}", data=fields, allow_redirects=False)
    assert to_visma.status_code == 303
    opened = browser.get(f"{stack.app_url}{to_visma.headers['Location']}", allow_redirects=False)
    assert opened.headers["Location"].startswith(f"{stack.dinero_url}/visma-connect/connect/")
    assert consumer_calls(stack, "/integration/accept/") == []  # nothing accepted yet

    picker = browser.get(answer_consent(browser, opened.headers["Location"], METTE))
    fields = form_fields(picker.text)
    fields["organization_id"] = "400555"
    settings_page = browser.post(picker.url, data=fields)

    assert settings_page.url == f"{stack.rackbeat_url}/settings/apps/dinero"
    assert len(consumer_calls(stack, "/integration/accept/")) == 1
    with stack.app.app_context():
        connection = connection_for(12345)
        assert connection.state == ConnectionState.ACTIVE
        assert connection.rackbeat_contract == "integration"
        assert connection.dinero_sign_in == "visma_connect"
        assert connection.dinero_organization_id == 400555
        assert connection.dinero_api_key is None and connection.dinero_refresh_token
        configure(connection.id)
        book_in_rackbeat(stack, "customer-invoices", 1004)
        (transfer,) = wait_for_transfers(1)
        assert transfer.state == TransferState.SUCCEEDED, transfer.message
