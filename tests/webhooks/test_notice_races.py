"""A notice that arrives exactly while the job for its identical twin starts is either a
duplicate of a row that still waits or a new row, never lost; on SQLite and PostgreSQL."""

import threading

import pytest

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import InboxEvent
from rackdinero_app.transfers import rows

NOTICE = {"key_name": "number", "key": "7"}


@pytest.fixture
def started_twin(any_db_app):
    """A customer.updated notice whose transfer is recorded, not yet claimed; returns
    ``(connection id, inbox event id, transfer id)``."""
    connection = Connection(rackbeat_account_id=12345)
    db.session.add(connection)
    db.session.commit()
    event, _ = rows.receive_webhook(connection.id, "customer.updated", "7", NOTICE)
    db.session.commit()
    transfer_id, _ = rows.record_inbox_event(event.id)
    return connection.id, event.id, transfer_id


def in_another_session(app, work):
    """Run ``work`` in a thread with its own app context (so its own database session)."""
    result = {}

    def run():
        with app.app_context():
            result["value"] = work()
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_a_notice_arriving_while_the_claim_commits_is_new_work(
    any_db_app, started_twin, monkeypatch
):
    connection_id, first, transfer_id = started_twin
    notice = {}
    real_commit = db.session.commit

    def commit_while_a_notice_arrives():
        monkeypatch.setattr(db.session, "commit", real_commit)

        def receive():
            row, created = rows.receive_webhook(connection_id, "customer.updated", "7", NOTICE)
            return row.id, created

        thread, result = in_another_session(any_db_app, receive)
        thread.join(1)
        notice["blocked"] = thread.is_alive()  # by the claim's uncommitted change of the twin
        real_commit()
        thread.join(30)
        notice["row"], notice["created"] = result["value"]

    monkeypatch.setattr(db.session, "commit", commit_while_a_notice_arrives)
    assert rows.claim(transfer_id)

    assert notice["blocked"]
    assert notice["created"]
    db.session.expire_all()
    assert db.session.get(InboxEvent, first).waiting is None
    assert db.session.get(InboxEvent, notice["row"]).waiting is True


def test_a_twin_that_starts_between_insert_and_look_up_leaves_a_new_row(
    any_db_app, started_twin, monkeypatch
):
    connection_id, first, transfer_id = started_twin
    real_insert = rows.insert_or_existing
    claims = []

    def insert_while_the_twin_starts(row, existing):
        def look_up_after_the_claim():
            if not claims:
                thread, result = in_another_session(any_db_app, lambda: rows.claim(transfer_id))
                thread.join(30)
                claims.append(result["value"])
            return existing()

        return real_insert(row, look_up_after_the_claim)

    monkeypatch.setattr(rows, "insert_or_existing", insert_while_the_twin_starts)
    row, created = rows.receive_webhook(connection_id, "customer.updated", "7", NOTICE)
    db.session.commit()

    assert claims == [True]
    assert created and row.id != first
    db.session.expire_all()
    assert [db.session.get(InboxEvent, i).waiting for i in (first, row.id)] == [None, True]
