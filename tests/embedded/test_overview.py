"""The overview (O1): what is on, the last 24 hours, what needs attention, work from Dinero."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRun
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.rows import message_columns

ACCOUNT = 12345


@pytest.fixture
def connection(make_connection):
    connection = make_connection(rackbeat_account_id=ACCOUNT)
    db.session.add(
        Settings(
            connection_id=connection.id,
            customer_integration_enabled=True,
            supplier_integration_enabled=False,
        )
    )
    db.session.commit()
    return connection


def add(connection, key, state, *, age=timedelta(0), message=None):
    transfer = Transfer(
        connection_id=connection.id,
        kind=EntityKind.CUSTOMER_INVOICE,
        source_key=key,
        idempotency_key=f"customer_invoice:{key}",
        state=state,
        created_at=utcnow() - age,
        **(message_columns(message) if message else {}),
    )
    db.session.add(transfer)
    db.session.commit()
    return transfer


def overview(client, open_session) -> str:
    return client.get("/embedded/", query_string={"s": open_session(ACCOUNT)}).get_data(True)


def card(html: str, card_id: str) -> str:
    return re.search(rf'id="{card_id}".*?</div>', html, re.S).group(0)


def test_it_says_what_is_on(client, connection, open_session):
    integrations = card(overview(client, open_session), "integrations")

    assert re.search(r"Kundeintegration</dt>\s*<dd><span[^>]*>Slået til<", integrations)
    assert re.search(r"Leverandørintegration</dt>\s*<dd><span[^>]*>Slået fra<", integrations)
    assert "sendes til Dinero, når de bogføres" in integrations


def test_the_last_24_hours_by_outcome_and_the_failures_that_need_attention(
    client, connection, open_session
):
    add(connection, "1001", TransferState.SUCCEEDED)
    add(connection, "1002", TransferState.SUCCEEDED)
    add(connection, "1003", TransferState.SKIPPED, age=timedelta(hours=30))
    add(
        connection,
        "1004",
        TransferState.FAILED,
        message=Message.of("customers_off"),
    )

    html = overview(client, open_session)

    last_day = card(html, "last-24-hours")
    assert re.search(r"Gennemført</span> 2<", last_day)
    assert re.search(r"Sprunget over</span> 0<", last_day)  # the skip is 30 hours old
    assert "state=failed" in last_day
    attention = card(html, "needs-attention")
    assert "1 overførsel mislykkedes" in attention
    assert "Salgsfaktura 1004" in attention
    assert "Kundeintegrationen er slået fra" in attention


def test_nothing_needs_attention_without_failures(client, connection, open_session):
    add(connection, "1001", TransferState.SUCCEEDED)
    assert 'id="needs-attention"' not in overview(client, open_session)


def test_invoices_from_dinero_show_the_next_import(client, connection, open_session):
    db.session.execute(
        sa.update(Settings).values(invoice_direction=InvoiceDirection.DINERO_TO_RACKBEAT)
    )
    db.session.add(
        SyncRun(
            connection_id=connection.id,
            kind=SyncKind.HOURLY_INVOICE_IMPORT,
            state=SyncState.SUCCEEDED,
            finished_at=utcnow(),
        )
    )
    db.session.commit()

    html = card(overview(client, open_session), "invoice-import")

    assert re.search(r"Næste import kl\. \d\d:13", html)
    assert "færdig" in html


def test_the_start_sync_state_links_its_report(client, connection, open_session):
    html = overview(client, open_session)
    assert "Ikke kørt" in card(html, "start-sync-status")

    db.session.add(
        SyncRun(
            connection_id=connection.id,
            kind=SyncKind.START_SYNC,
            state=SyncState.SUCCEEDED,
            finished_at=utcnow(),
        )
    )
    db.session.commit()

    status = card(overview(client, open_session), "start-sync-status")
    assert "Færdig" in status
    assert "Se rapporten" in status


def test_run_now_from_the_overview_queues_an_import_and_comes_back(
    client, connection, open_session
):
    db.session.execute(
        sa.update(Settings).values(invoice_direction=InvoiceDirection.DINERO_TO_RACKBEAT)
    )
    db.session.commit()
    token = open_session(ACCOUNT)
    page = client.get("/embedded/", query_string={"s": token}).get_data(True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]

    response = client.post(
        "/embedded/settings/sales/import-now",
        data={"s": token, "csrf_token": csrf, "back": "overview"},
    )

    assert response.status_code == 303
    assert response.location.startswith("/embedded/?")
    back = client.get(response.location).get_data(True)
    assert "Importen er sat i kø" in card(back, "invoice-import")
    runs = db.session.scalars(sa.select(SyncRun).where(SyncRun.connection_id == connection.id))
    assert [run.kind for run in runs] == [SyncKind.HOURLY_INVOICE_IMPORT]
