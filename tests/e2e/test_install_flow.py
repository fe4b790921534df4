"""Install → consent → activation over real HTTP, as a browser without JavaScript does it."""

from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from tests.flows import activate
from tests.flows import connection_for
from tests.flows import form_fields
from tests.flows import install
from tests.flows import open_iframe

API_KEY = "demo-dinero-api-key"


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def test_install_registers_everything_and_lands_on_activation(stack, browser):
    settings_page = install(stack, browser)
    page = open_iframe(browser, settings_page)

    assert page.status_code == 200
    assert "Aktivér Dinero-integrationen" in page.text  # the demo user's locale is "da"
    assert page.headers["Content-Security-Policy"].startswith(
        f"frame-ancestors {stack.rackbeat_url};"
    )
    with stack.app.app_context():
        connection = connection_for(12345)
        assert connection.state == ConnectionState.INSTALLED
        assert connection.rackbeat_company_name == "Demo Lager ApS"
        assert connection.rackbeat_access_token and connection.rackbeat_refresh_token
        events = set(
            db.session.scalars(
                sa.select(WebhookSubscription.event).where(
                    WebhookSubscription.connection_id == connection.id
                )
            )
        )
        assert "customer_invoice.booked" in events and "plugin.uninstalled" in events


def test_wrong_key_then_right_key_activates(stack, browser, caplog):
    caplog.set_level("DEBUG")
    page = open_iframe(browser, install(stack, browser))

    refused = activate(stack, browser, page, api_key="not-a-key", organization_id="400555")
    assert "Dinero accepterede ikke API-nøglen" in refused.text
    with stack.app.app_context():
        assert connection_for(12345).dinero_api_key is None

    offer = activate(stack, browser, refused, api_key=API_KEY, organization_id="400555")
    assert 'id="start-sync"' in offer.text  # the one-time import is offered right away (S1)
    home = browser.get(offer.url.replace("/embedded/settings/start-sync", "/embedded/"))
    assert "er forbundet med Dinero" in home.text and "400555" in home.text
    assert API_KEY not in offer.text + home.text + refused.text
    with stack.app.app_context():
        connection = connection_for(12345)
        assert connection.state == ConnectionState.ACTIVE
        assert connection.dinero_api_key == API_KEY
        assert connection.dinero_organization_name == "Demo Lager ApS"
        actions = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.connection_id == connection.id)
        ).all()
        assert actions == ["installed", "activated"]
    # The key is in no page, no log line of the app or the worker, no exception message.
    assert API_KEY not in caplog.text
    worker_log = stack.worker_log.read_text()
    assert "verify_and_activate" in worker_log
    assert API_KEY not in worker_log and "not-a-key" not in worker_log


def test_each_activation_failure_has_its_own_message(stack, browser):
    page = open_iframe(browser, install(stack, browser))
    wrong_company = activate(stack, browser, page, api_key=API_KEY, organization_id="999999")
    assert "giver ikke adgang til Dinero firma-ID 999999" in wrong_company.text
    not_pro = activate(
        stack, browser, wrong_company, api_key="demo-starter-api-key", organization_id="400556"
    )
    assert "har ikke Dinero Pro" in not_pro.text
    with stack.app.app_context():
        assert connection_for(12345).state == ConnectionState.INSTALLED


def test_dinero_unreachable_says_try_again(stack, browser):
    page = open_iframe(browser, install(stack, browser))
    requests.post(f"{stack.dinero_url}/_sandbox/knobs", json={"error_rate": 1.0}, timeout=5)
    failed = activate(stack, browser, page, api_key=API_KEY, organization_id="400555")
    assert "Dinero kunne ikke nås lige nu" in failed.text


def test_a_reused_authorization_code_or_state_is_refused(stack, browser):
    consent = browser.get(f"{stack.rackbeat_url}/apps/dinero/install")
    fields = form_fields(consent.text)
    fields["decision"] = "allow"
    redirect = browser.post(
        f"{stack.rackbeat_url}/oauth/authorize", data=fields, allow_redirects=False
    )
    callback_url = redirect.headers["Location"]
    first = browser.get(callback_url, allow_redirects=False)
    assert first.status_code == 302
    replay = browser.get(callback_url, allow_redirects=False)
    assert replay.status_code == 400
    assert "already used or has expired" in replay.text


def test_a_callback_with_an_unknown_state_is_refused(stack, browser):
    response = browser.get(
        f"{stack.app_url}/install/callback", params={"code": "abc", "state": "forged"}
    )
    assert response.status_code == 400
    with stack.app.app_context():
        assert connection_for(12345) is None


def test_uninstall_in_rackbeat_then_install_again(stack, browser):
    page = open_iframe(browser, install(stack, browser))
    activate(stack, browser, page, api_key=API_KEY, organization_id="400555")

    browser.post(f"{stack.rackbeat_url}/settings/apps/dinero/uninstall")
    requests.post(f"{stack.rackbeat_url}/_sandbox/flush-webhooks", timeout=35)
    with stack.app.app_context():
        connection = connection_for(12345)
        assert connection.state == ConnectionState.UNINSTALLED
        assert connection.dinero_api_key is None and connection.rackbeat_access_token is None
        first_id = connection.id

    page = open_iframe(browser, install(stack, browser))
    assert "Aktivér Dinero-integrationen" in page.text  # the demo user's locale is "da"
    with stack.app.app_context():
        connection = connection_for(12345)
        assert connection.id == first_id
        assert connection.state == ConnectionState.INSTALLED
