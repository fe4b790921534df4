"""Visma Connect sign-in end to end: install, sign in with Visma in a new window, pick the
company, transfer an invoice; revoke the grant in Visma, see the transfer fail with "sign in
again", sign in again, and see it go through. Real worker process, both sandboxes, real Redis,
over HTTP as a browser without JavaScript."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Settings
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import TransferState
from tests.e2e.transfers_setup import book_in_rackbeat
from tests.e2e.transfers_setup import configure
from tests.e2e.transfers_setup import wait_for_transfers
from tests.flows import connection_for
from tests.flows import form_fields
from tests.flows import install
from tests.flows import open_iframe
from tests.stack import running_stack
from tests.visma_steps import METTE
from tests.visma_steps import answer_consent

ACCOUNT = 12345


@pytest.fixture
def stack(app_config, tmp_path, redis):
    """Access tokens that live 62 s: the app keeps them until 60 s before they expire, so
    the worker soon refreshes, and must store the rotated refresh token itself."""
    knobs = {"VISMA_CONNECT_KNOBS": {"access_token_lifetime_seconds": 62}}
    with running_stack(app_config, tmp_path, dinero_config=knobs) as stack:
        yield stack


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def form(html: str, form_id: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the form with ``form_id``."""
    match = re.search(rf'<form[^>]*id="{form_id}"[^>]*>(.*?)</form>', html, re.S)
    assert match, html
    action = unescape(re.search(r'action="([^"]+)"', match.group(0)).group(1))
    return action, form_fields(match.group(1))


def sign_in_with_visma(stack, browser, page, form_id: str, organization_id: int):
    """Press the Visma button on an iframe ``page``, do the window's steps, come back; return
    the iframe page the sign-in ended on and the window's last page."""
    action, fields = form(page.text, form_id)
    waiting = browser.post(f"{stack.app_url}{action}", data=fields)
    assert 'id="visma-waiting"' in waiting.text, waiting.text
    start = unescape(re.search(r'id="open-visma" href="([^"]+)"', waiting.text).group(1))

    opened = browser.get(f"{stack.app_url}{start}", allow_redirects=False)
    assert opened.headers["Location"].startswith(f"{stack.dinero_url}/visma-connect/connect/")
    picker = browser.get(answer_consent(browser, opened.headers["Location"], METTE))
    assert "400555" in picker.text and "400556" in picker.text  # Mette reaches both
    fields = form_fields(picker.text)
    fields["organization_id"] = str(organization_id)
    question = browser.post(picker.url, data=fields)
    # Nothing is saved until the person who signed in confirms whose Rackbeat company it is.
    assert "Dinero-organisationen Demo Lager ApS (400555)" in question.text, question.text
    action, fields = form(question.text, "confirm-connection")
    window = browser.post(f"{stack.app_url}{action}", data=fields)

    deadline = time.monotonic() + 10
    iframe = browser.get(waiting.url)
    while 'id="visma-waiting"' in iframe.text and time.monotonic() < deadline:
        time.sleep(0.2)
        iframe = browser.get(waiting.url)
    return iframe, window


def transfer_of(number: str) -> Transfer:
    db.session.expire_all()
    return db.session.scalar(sa.select(Transfer).where(Transfer.source_key == number))


def wait_for_state(number: str, state: TransferState, timeout: float = 60) -> Transfer:
    deadline = time.monotonic() + timeout
    while (transfer := transfer_of(number)) is None or transfer.state != state:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{number}: {transfer and (transfer.state, transfer.message)}")
        time.sleep(0.2)
    return transfer


def test_sign_in_with_visma_transfer_revoke_and_sign_in_again(stack, browser):
    page = open_iframe(browser, install(stack, browser))
    assert "Log ind med Visma" in page.text  # the demo user's locale is "da"

    iframe, window = sign_in_with_visma(stack, browser, page, "visma-sign-in", 400555)
    assert 'id="sign-in-done"' in window.text and "Tilbage til Rackbeat" in window.text
    assert 'id="start-sync"' in iframe.text  # activated: the one-time import is offered
    with stack.app.app_context():
        connection = connection_for(ACCOUNT)
        assert connection.state == ConnectionState.ACTIVE
        assert connection.dinero_sign_in == "visma_connect" and connection.dinero_api_key is None
        connection_id, refresh_token = connection.id, connection.dinero_refresh_token
        assert refresh_token
        configure(connection_id)
        time.sleep(2.1)  # the access token the sign-in cached has run out

        book_in_rackbeat(stack, "customer-invoices", 1004)
        (sent,) = wait_for_transfers(1)
        assert sent.state == TransferState.SUCCEEDED, sent.message
        rotated = connection_for(ACCOUNT).dinero_refresh_token
        assert rotated not in (None, refresh_token)  # the worker refreshed and kept the new one
        organization = stack.dinero.extensions["dinero_sandbox"].organizations[400555]
        assert organization.invoices[sent.dinero_guid.lower()]["Status"] == "Booked"

    revoked = requests.post(
        f"{stack.dinero_url}/visma-connect/_sandbox/revoke", json={"email": METTE}, timeout=5
    )
    assert revoked.json()["revoked"] >= 1

    with stack.app.app_context():
        settings = db.session.scalar(
            sa.select(Settings).where(Settings.connection_id == connection_id)
        )
        settings.sales_invoice_status = DineroInvoiceStatus.DRAFT  # 1005 is sent as a draft
        db.session.commit()
        book_in_rackbeat(stack, "customer-invoices", 1005)
        failed = wait_for_state("1005", TransferState.FAILED)
        assert failed.message_code == "client.dinero_sign_in_revoked"
        assert connection_for(ACCOUNT).dinero_sign_in_lost_at is not None

    home = browser.get(page.url.replace("/embedded/activation", "/embedded/"))
    assert 'id="sign-in-lost"' in home.text and "Log ind igen med Visma" in home.text
    assert "Login til Dinero blev tilbagekaldt" in home.text

    iframe, window = sign_in_with_visma(stack, browser, home, "sign-in-again", 400555)
    assert 'id="sign-in-done"' in window.text
    assert 'id="sign-in-lost"' not in iframe.text
    with stack.app.app_context():
        resent = wait_for_state("1005", TransferState.SUCCEEDED)
        assert resent.dinero_guid
        connection = connection_for(ACCOUNT)
        assert connection.dinero_sign_in_lost_at is None
        assert connection.dinero_refresh_token not in (None, refresh_token)
    # No secret in any page or in the worker's log.
    assert refresh_token not in home.text + iframe.text + window.text
    assert refresh_token not in stack.worker_log.read_text()
