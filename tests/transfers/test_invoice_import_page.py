"""The hourly import on the Sales settings page: the next run, the last run in the reader's
language, and "Run now" (one run at a time, audited)."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import SyncRun
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import SyncState
from rackdinero_app.transfers import invoice_import
from tests.transfers import dinero_books as books

pytestmark = pytest.mark.redis

SALES = "/embedded/settings/sales"
RUN_NOW = "/embedded/settings/sales/import-now"


@pytest.fixture
def app_config(app_config):
    return {**app_config, **books.UNHURRIED}


@pytest.fixture
def page(client, connection, open_session):
    token = open_session(connection.rackbeat_account_id)

    def get(**query) -> str:
        response = client.get(SALES, query_string={"s": token, **query})
        assert response.status_code == 200, response.get_data(as_text=True)
        return unescape(response.get_data(as_text=True))

    def press() -> str:
        html = get()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
        response = client.post(RUN_NOW, data={"s": token, "csrf_token": csrf})
        assert response.status_code == 303, response.get_data(as_text=True)
        return unescape(client.get(response.location).get_data(as_text=True))

    get.press = press
    return get


def card(html: str) -> str:
    return html[html.index('id="invoice-import"') :]


def test_run_now_queues_one_run_and_a_second_press_says_one_is_on_its_way(
    connection, change_settings, page
):
    change_settings(invoice_direction=InvoiceDirection.DINERO_TO_RACKBEAT)

    first = page.press()
    second = page.press()

    assert "Importen er sat i kø og starter om et øjeblik." in card(first)
    assert "En import er sat i kø." in card(first)
    assert "En import er allerede i kø eller i gang" in card(second)
    (run,) = db.session.scalars(sa.select(SyncRun)).all()
    assert (run.state, run.requested_by) == (SyncState.PENDING, "mette@demo-lager.dk")
    audited = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "invoice_import.run_now")
    ).all()
    assert [entry.details for entry in audited] == [{"sync_run_id": run.id}]


def test_the_last_run_is_summed_up_with_what_it_left_alone(sandboxes, connection, page):
    books.unhurried(sandboxes.dinero)
    books.switch_to_dinero(connection)
    run, _ = invoice_import.request_run(connection.id, requested_by="schedule")
    invoice_import.run_import(run.id)  # the demo books are older than this first run

    shown = card(page())

    assert re.search(r"Næste import kl\. \d\d:13\.", shown), shown
    assert "Seneste import" in shown and "0 importeret, 0 mislykkedes" in shown
    assert "blev oprettet i Dinero, før fakturaer blev indstillet til at komme fra Dinero" in shown
    assert 'id="import-now"' in shown


def test_no_import_card_while_invoices_go_to_dinero(connection, page):
    assert 'id="invoice-import"' not in page()
