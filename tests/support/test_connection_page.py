"""One connection's support page (health, read-only settings, open failures, transfer log
with filters, chart, audit) and the audit CSV export, for a viewer; never a secret."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rackdinero_app import audit
from rackdinero_app.extensions import db
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.models.enums import VatZone
from rackdinero_app.support import health
from rackdinero_app.support.audit_views import AUDIT_PAGE_SIZE
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.rows import message_columns
from tests.support.test_connections import SECRETS
from tests.support.test_connections import WEBHOOK_TOKEN
from tests.support.test_connections import add_transfer
from tests.support.test_connections import get
from tests.support.test_connections import secret_connection
from tests.support.test_connections import viewer  # noqa: F401  (a fixture)


def page_of(client, connection, **query) -> str:
    response = get(client, f"/support/connections/{connection.id}", **query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def shown_keys(page: str) -> list[str]:
    return re.findall(r'<td class="source-key">([^<( ]+)', page)


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_a_viewer_sees_the_whole_page_without_a_secret(viewer, make_connection):  # noqa: F811
    connection = secret_connection(make_connection, rackbeat_company_name="Seen Company")
    db.session.add_all(
        [
            Settings(connection_id=connection.id, inventory_account=5510),
            AccountMapping(
                connection_id=connection.id,
                direction=MappingDirection.SALES,
                product_group="G7",
                vat_zone=VatZone.DOMESTIC,
                account_number=1010,
            ),
        ]
    )
    add_transfer(
        connection,
        TransferState.FAILED,
        source_key="4711",
        reason_code="missing_mapping",
        **message_columns(Message.of("invoice_without_lines", document="Rackbeat invoice 4711")),
    )
    audit.record(connection, ActorType.RACKBEAT_USER, "mette@x.dk", "settings.updated")
    db.session.commit()
    before = audit_count()

    page = page_of(viewer, connection)

    assert "Seen Company" in page and "5510" in page and "G7 / domestic → 1010" in page
    assert "invoice_without_lines" in page  # its open failure group
    assert "4711" in page and "<svg" in page and "settings.updated" in page
    for secret in (*SECRETS.values(), WEBHOOK_TOKEN):
        assert secret not in page
    assert audit_count() == before  # viewing is not audited


def test_unknown_connections_are_404(viewer):  # noqa: F811
    assert get(viewer, "/support/connections/999999").status_code == 404
    assert get(viewer, "/support/connections/999999/audit.csv").status_code == 404


def test_signed_out_cannot_see_a_connection_or_export(client, make_connection):
    connection = make_connection()
    for path in (
        f"/support/connections/{connection.id}",
        f"/support/connections/{connection.id}/audit.csv",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response.location.endswith("/support/login")
    assert audit_count() == 0


def test_log_filters(viewer, make_connection):  # noqa: F811
    connection = make_connection()
    add_transfer(connection, TransferState.FAILED, source_key="F1")
    add_transfer(connection, TransferState.SUCCEEDED, source_key="S1", kind=EntityKind.PRODUCT)
    add_transfer(
        connection,
        TransferState.SUCCEEDED,
        source_key="D1",
        direction=TransferDirection.DINERO_TO_RACKBEAT,
    )
    old = add_transfer(connection, TransferState.SUCCEEDED, source_key="OLD")
    old.created_at = utcnow() - timedelta(days=10)
    other = make_connection()
    add_transfer(other, TransferState.FAILED, source_key="OTHER")
    db.session.commit()
    ten_days_ago = (utcnow() - timedelta(days=10)).date().isoformat()

    assert sorted(shown_keys(page_of(viewer, connection))) == ["D1", "F1", "OLD", "S1"]
    assert shown_keys(page_of(viewer, connection, state="failed")) == ["F1"]
    assert shown_keys(page_of(viewer, connection, kind="product")) == ["S1"]
    assert shown_keys(page_of(viewer, connection, direction="dinero_to_rackbeat")) == ["D1"]
    assert shown_keys(page_of(viewer, connection, q="S1")) == ["S1"]
    assert shown_keys(page_of(viewer, connection, since=ten_days_ago, until=ten_days_ago)) == [
        "OLD"
    ]
    recent = page_of(viewer, connection, since=(utcnow() - timedelta(days=1)).date().isoformat())
    assert "OLD" not in shown_keys(recent) and len(shown_keys(recent)) == 3


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"state": "exploded"}, "Unknown state"),
        ({"kind": "invoice"}, "Unknown kind"),
        ({"direction": "sideways"}, "Unknown direction"),
        ({"since": "29-11-2026"}, "YYYY-MM-DD"),
        ({"since": "2026-11-02", "until": "2026-11-01"}, "after the"),
        ({"page": "0"}, "page number"),
        ({"audit_page": "x"}, "page number"),
        ({"q": "k" * 200}, "at most 128"),
    ],
)
def test_bad_filters_are_a_400(viewer, make_connection, query, says):  # noqa: F811
    connection = make_connection()
    response = get(viewer, f"/support/connections/{connection.id}", **query)
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)


def test_the_log_is_paged(viewer, make_connection):  # noqa: F811
    connection = make_connection()
    for number in range(53):
        add_transfer(connection, TransferState.SUCCEEDED, source_key=f"K{number}")
    first = page_of(viewer, connection)
    second = page_of(viewer, connection, page=2)
    assert len(shown_keys(first)) == 50 and len(shown_keys(second)) == 3
    assert set(shown_keys(first)).isdisjoint(shown_keys(second))


def test_audit_entries_newest_first_and_paged(viewer, make_connection):  # noqa: F811
    connection = make_connection()
    for number in range(AUDIT_PAGE_SIZE + 2):
        entry = audit.record(connection, ActorType.SYSTEM, "system", f"action.{number:02d}")
        entry.created_at = utcnow() - timedelta(minutes=100 - number)
    db.session.commit()
    first = page_of(viewer, connection)
    second = page_of(viewer, connection, audit_page=2)
    newest = f"action.{AUDIT_PAGE_SIZE + 1:02d}"
    assert first.index(newest) < first.index(f"action.{AUDIT_PAGE_SIZE:02d}")
    assert "action.00" not in first and "action.00" in second and "action.01" in second


def test_the_audit_csv_has_every_entry_and_is_itself_audited(viewer, make_connection):  # noqa: F811
    connection = secret_connection(make_connection)
    other = make_connection()
    for number in range(AUDIT_PAGE_SIZE + 5):
        audit.record(
            connection,
            ActorType.RACKBEAT_USER,
            "mette@x.dk",
            "settings.updated",
            reason=f"because {number}",
            details={"changes": {"inventory_account": {"before": None, "after": number}}},
        )
    audit.record(other, ActorType.SYSTEM, "system", "not.this.connection")
    db.session.commit()

    response = get(viewer, f"/support/connections/{connection.id}/audit.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["when", "actor type", "actor", "action", "reason", "details"]
    assert len(rows) == 1 + AUDIT_PAGE_SIZE + 5
    assert rows[1][1:5] == ["rackbeat_user", "mette@x.dk", "settings.updated", "because 29"]
    assert json.loads(rows[1][5]) == {
        "changes": {"inventory_account": {"before": None, "after": AUDIT_PAGE_SIZE + 4}}
    }
    assert "not.this.connection" not in text
    for secret in (*SECRETS.values(), WEBHOOK_TOKEN):
        assert secret not in text
    (exported,) = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "support.audit_exported")
    ).all()
    assert (exported.actor_type, exported.actor, exported.connection_id) == (
        ActorType.STAFF,
        "viewer@support.example",
        connection.id,
    )
    assert exported.details == {"entries": AUDIT_PAGE_SIZE + 5}


@pytest.mark.postgres
def test_health_and_search_on_both_databases(any_db_app):
    connection = Connection(
        rackbeat_account_id=55_001,
        rackbeat_company_name="Both_Databases 100%",
        dinero_organization_id=66_001,
        dinero_api_key="k",
        rackbeat_access_token="t",
    )
    db.session.add(connection)
    db.session.commit()
    add_transfer(connection, TransferState.FAILED, ago=timedelta(hours=1))
    done = add_transfer(connection, TransferState.SUCCEEDED, ago=timedelta(minutes=5))
    add_transfer(connection, TransferState.PENDING)
    for text in ("55001", "66001", "databases 100%", "_databases"):
        assert [c.id for c in health.search(text, 1)[0]] == [connection.id], text
    assert health.search("xdatabases", 1)[0] == []
    (found,) = health.health_of([connection])
    assert (found.failures_24h, found.queued, found.last_success) == (1, 1, done.finished_at)
    assert (found.rackbeat_token, found.dinero_sign_in, found.start_sync) == (
        "present",
        "valid",
        "undecided",
    )
