"""The support dashboard's connections list: search, health figures, paging, query count,
and that only a signed-in staff member sees it (never with a secret in the page)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRun
from rackdinero_app.models import Transfer
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.models.reconciliation import ReconciliationGroup
from rackdinero_app.support import health
from tests.embedded.test_reconciliation_pages import finished_run
from tests.embedded.test_reconciliation_pages import line
from tests.support.staff_login import STRONG_PASSWORD
from tests.support.staff_login import fresh_request
from tests.support.staff_login import post_login

_numbers = itertools.count(1)
SECRETS = {
    "rackbeat_access_token": "SECRET-rb-access-0451",
    "rackbeat_refresh_token": "SECRET-rb-refresh-0451",
    "settings_secret": "SECRET-settings-0451",
    "dinero_api_key": "SECRET-dinero-key-0451",
    "dinero_refresh_token": "SECRET-dinero-refresh-0451",
}
WEBHOOK_TOKEN = "SECRET-webhook-0451"


@pytest.fixture
def viewer(client, make_staff):
    """A signed-in viewer (the lowest role): every page here is open to it."""
    make_staff("viewer@support.example", ready=True)
    assert post_login(client, "viewer@support.example", STRONG_PASSWORD).status_code == 302
    fresh_request()
    return client


def get(client, path: str, **query):
    fresh_request()
    return client.get(path, query_string=query)


def secret_connection(make_connection, **fields):
    """A connection holding a known string in every secret column, and a webhook token."""
    connection = make_connection(**{**SECRETS, **fields})
    db.session.add(
        WebhookSubscription(
            connection_id=connection.id, event="invoice.booked", token=WEBHOOK_TOKEN
        )
    )
    db.session.commit()
    return connection


def add_transfer(connection, state: TransferState, *, ago=timedelta(hours=1), **fields):
    number = next(_numbers)
    row = Transfer(
        connection_id=connection.id,
        kind=fields.pop("kind", EntityKind.CUSTOMER_INVOICE),
        source_key=fields.pop("source_key", str(1000 + number)),
        idempotency_key=f"test:{number}",
        state=state,
        finished_at=utcnow() - ago if state not in ("pending", "running") else None,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def row_of(page: str, connection_id: int) -> str:
    match = re.search(rf'<tr id="connection-{connection_id}">(.*?)</tr>', page, re.S)
    assert match, page
    return match.group(1)


def cell(row: str, name: str) -> str:
    return re.search(rf'<td class="{name}">(.*?)</td>', row, re.S).group(1).strip()


def test_signed_out_is_sent_to_the_login(client):
    response = client.get("/support/connections")
    assert response.status_code == 302 and response.location.endswith("/support/login")


def test_an_embedded_session_token_is_refused(client, make_connection, open_session):
    connection = make_connection()
    token = open_session(connection.rackbeat_account_id)
    fresh_request()
    response = client.get("/support/connections", query_string={"s": token})
    assert response.status_code == 302 and response.location.endswith("/support/login")
    fresh_request()
    response = client.get(
        f"/support/connections/{connection.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 302 and response.location.endswith("/support/login")


def test_the_landing_page_is_the_connections_list(viewer, make_connection):
    make_connection(rackbeat_company_name="Landing Company ApS")
    page = get(viewer, "/support/").get_data(as_text=True)
    assert "Landing Company ApS" in page and "viewer@support.example" in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("77001", "Alpha"),  # Rackbeat account id
        ("alpha lager", "Alpha"),  # company name, in part, any case
        ("880002", "Beta"),  # Dinero organization id
        ("beta regnskab", "Beta"),  # Dinero organization name
        ("%", None),  # a LIKE wildcard is a plain character
    ],
)
def test_search_by_each_field(viewer, make_connection, query, found):
    make_connection(
        rackbeat_account_id=77001,
        rackbeat_company_name="Alpha Lager A/S",
        dinero_organization_id=880001,
        dinero_organization_name="Alpha Books",
    )
    make_connection(
        rackbeat_account_id=77002,
        rackbeat_company_name="Beta Handel",
        dinero_organization_id=880002,
        dinero_organization_name="Beta Regnskab ApS",
    )
    response = get(viewer, "/support/connections", q=query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    names = {"Alpha": "Alpha Lager A/S", "Beta": "Beta Handel"}
    for key, name in names.items():
        assert (name in page) == (key == found), (query, key)


def test_health_figures(viewer, make_connection):
    busy = make_connection(rackbeat_company_name="Busy")
    quiet = make_connection(
        rackbeat_company_name="Quiet",
        state=ConnectionState.UNINSTALLED,
        uninstalled_at=utcnow(),
        dinero_sign_in="visma_connect",
        dinero_sign_in_lost_at=utcnow(),
        rackbeat_access_token=None,
    )
    newest = add_transfer(busy, TransferState.SUCCEEDED, ago=timedelta(minutes=30))
    add_transfer(busy, TransferState.SUCCEEDED, ago=timedelta(hours=5))
    add_transfer(busy, TransferState.FAILED, ago=timedelta(hours=2))
    add_transfer(busy, TransferState.FAILED, ago=timedelta(hours=3))
    add_transfer(busy, TransferState.FAILED, ago=timedelta(hours=30))  # older than 24 h
    add_transfer(busy, TransferState.PENDING)
    add_transfer(busy, TransferState.RUNNING)
    add_transfer(quiet, TransferState.FAILED, ago=timedelta(hours=1))
    db.session.add_all(
        [
            SyncRun(connection_id=busy.id, kind=SyncKind.START_SYNC, state=SyncState.SUCCEEDED),
            SyncRun(connection_id=busy.id, kind=SyncKind.START_SYNC, state=SyncState.RUNNING),
            SyncRun(connection_id=busy.id, kind=SyncKind.HOURLY_INVOICE_IMPORT),
            Settings(connection_id=quiet.id, start_sync=StartSyncChoice.DECLINED),
        ]
    )
    db.session.commit()

    page = get(viewer, "/support/connections").get_data(as_text=True)
    busy_row, quiet_row = row_of(page, busy.id), row_of(page, quiet.id)
    assert cell(busy_row, "last-success") == newest.finished_at.strftime("%Y-%m-%d %H:%M UTC")
    assert (cell(busy_row, "failures-24h"), cell(busy_row, "queued")) == ("2", "2")
    assert cell(busy_row, "start-sync") == "running"
    assert "token present" in busy_row and "valid" in busy_row and "oauth" in busy_row
    assert cell(quiet_row, "last-success") == "never"
    assert (cell(quiet_row, "failures-24h"), cell(quiet_row, "queued")) == ("1", "0")
    assert cell(quiet_row, "start-sync") == "declined"
    assert "uninstalled" in quiet_row and "token missing" in quiet_row
    assert "visma_connect" in quiet_row and "sign in again" in quiet_row


def test_the_health_of_a_page_is_a_fixed_number_of_queries(app, make_connection):
    def statements_for(count: int) -> int:
        for _ in range(count):
            connection = make_connection()
            add_transfer(connection, TransferState.FAILED)
            add_transfer(connection, TransferState.SUCCEEDED)
            db.session.add(SyncRun(connection_id=connection.id, kind=SyncKind.START_SYNC))
            db.session.commit()
            finished_run(connection, [line(ReconciliationGroup.MISSING, "1001")])
        db.session.expire_all()
        seen = []
        listener = lambda *_args: seen.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            connections, _ = health.search("", 1)
            health.health_of(connections)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements_for(2) == statements_for(12) == 5


def test_the_list_is_paged(viewer, make_connection):
    for number in range(health.PAGE_SIZE + 3):
        make_connection(rackbeat_company_name=f"Paged {number:03d}")
    first = get(viewer, "/support/connections").get_data(as_text=True)
    second = get(viewer, "/support/connections", page=2).get_data(as_text=True)
    assert first.count('<tr id="connection-') == health.PAGE_SIZE
    assert second.count('<tr id="connection-') == 3
    assert "page=2" in first and "Next" not in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", str(health.MAX_PAGE + 1)])
def test_a_bad_page_number_is_a_400(viewer, page):
    response = get(viewer, "/support/connections", page=page)
    assert response.status_code == 400
    assert "page number must be a whole number" in response.get_data(as_text=True)


def test_an_over_long_search_is_a_400(viewer):
    response = get(viewer, "/support/connections", q="x" * 300)
    assert response.status_code == 400


def test_no_secret_in_the_list_and_viewing_writes_nothing(viewer, make_connection):
    secret_connection(make_connection, rackbeat_company_name="Secretive")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    for query in ({}, {"q": "Secretive"}):
        page = get(viewer, "/support/connections", **query).get_data(as_text=True)
        assert "Secretive" in page
        for secret in (*SECRETS.values(), WEBHOOK_TOKEN):
            assert secret not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
