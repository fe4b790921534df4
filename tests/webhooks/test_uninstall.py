import threading

import pytest
import sqlalchemy as sa
from rq.job import Job

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.install import manifest
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import rows
from sandbox.rackbeat.integration import issue_token

# The app asks Rackbeat (the sandbox) before it believes an uninstall: there, the fixture
# connection's tokens are unknown, as an uninstalled app's are revoked.
pytestmark = pytest.mark.usefixtures("rackbeat")

UNINSTALL = {"key_name": "user_account_id", "key": 12345}


def raw_connection_row(connection_id: int) -> str:
    row = db.session.execute(
        sa.text("SELECT * FROM connections WHERE id = :id"), {"id": connection_id}
    ).one()
    return " ".join(str(value) for value in row)


def test_uninstall_stops_transfers_cancels_jobs_and_forgets_credentials(installed, deliver):
    job = rq.queue().enqueue("rackdinero_app.tasks.diagnostics.probe")
    transfer = Transfer(
        connection_id=installed.id,
        kind=EntityKind.CUSTOMER_INVOICE,
        source_key="1001",
        idempotency_key="customer_invoice:1001",
        job_id=job.id,
    )
    db.session.add(transfer)
    db.session.commit()
    body = {"key": 12345, "key_name": "id", "event": "plugin.uninstalled"}

    response = deliver("plugin.uninstalled", body)

    assert response.status_code == 200
    db.session.expire_all()
    connection = db.session.get(Connection, installed.id)
    assert connection.state == ConnectionState.UNINSTALLED
    assert connection.rackbeat_access_token is None
    assert connection.rackbeat_refresh_token is None
    assert connection.dinero_api_key is None
    assert "gAAAAA" not in raw_connection_row(installed.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription)) == 0
    assert db.session.get(Transfer, transfer.id).state == TransferState.SKIPPED
    assert db.session.get(Transfer, transfer.id).reason_code == "app_uninstalled"
    assert Job.fetch(job.id, connection=rq.redis).get_status() == "canceled"
    assert rq.queue().count == 0
    audit = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "uninstalled")
    ).one()
    assert audit.connection_id == installed.id
    assert audit.details == {"transfers_cancelled": 1}


def test_a_repeated_uninstall_changes_nothing(installed, deliver):
    body = {"key": 12345, "key_name": "id", "event": "plugin.uninstalled"}
    assert deliver("plugin.uninstalled", body).status_code == 200
    again = deliver("plugin.uninstalled", body, token="anything")
    assert again.status_code == 401  # as for any account without the app (no tokens left)
    audits = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "uninstalled"))
    assert len(audits.all()) == 1


def test_an_uninstall_with_a_wrong_token_is_refused(installed, deliver):
    body = {"key": 12345, "key_name": "id", "event": "plugin.uninstalled"}
    assert deliver("plugin.uninstalled", body, token="forged").status_code == 401
    db.session.expire_all()
    assert db.session.get(Connection, installed.id).state == ConnectionState.ACTIVE


def reinstall(connection_id: int) -> None:
    """What an install of the app again does to the same row (reused by Rackbeat account id)."""
    connection = db.session.get(Connection, connection_id)
    connection.state = ConnectionState.ACTIVE
    for event in manifest.webhook_events():
        connection.webhook_subscriptions.append(
            WebhookSubscription(event=event, token=f"tok-{event}")
        )
    db.session.commit()


def uninstall_audits() -> int:
    return len(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "uninstalled")).all()
    )


def test_an_uninstall_after_a_reinstall_is_not_taken_for_a_duplicate(installed, deliver):
    assert deliver("plugin.uninstalled", UNINSTALL).json["status"] == "uninstalled"
    reinstall(installed.id)

    again = deliver("plugin.uninstalled", UNINSTALL)

    assert (again.status_code, again.json["status"]) == (200, "uninstalled")
    db.session.expire_all()
    assert db.session.get(Connection, installed.id).state == ConnectionState.UNINSTALLED
    assert uninstall_audits() == 2


def test_notices_left_waiting_at_uninstall_are_not_duplicates_after_a_reinstall(installed, deliver):
    notice = {"key_name": "number", "key": "7"}
    first = deliver("customer.updated", notice)
    transfer_id, _ = rows.record_inbox_event(first.json["inbox_event"])
    deliver("plugin.uninstalled", UNINSTALL)
    reinstall(installed.id)

    again = deliver("customer.updated", notice)

    assert again.status_code == 202
    assert db.session.get(Transfer, transfer_id).state == TransferState.SKIPPED


def test_two_copies_of_an_uninstall_arriving_together_uninstall_once(
    app, installed, deliver, monkeypatch
):
    """The later copy has read the connection as active before the first one committed."""
    real_receive = rows.receive_webhook
    first_copy = {}

    def receive_after_the_other_copy(*args, **kwargs):
        if not first_copy:
            first_copy["started"] = True
            thread = threading.Thread(
                target=lambda: first_copy.update(answer=deliver("plugin.uninstalled", UNINSTALL))
            )
            thread.start()
            thread.join(30)
        return real_receive(*args, **kwargs)

    monkeypatch.setattr(rows, "receive_webhook", receive_after_the_other_copy)
    later = deliver("plugin.uninstalled", UNINSTALL)

    assert first_copy["answer"].json["status"] == "uninstalled"
    assert (later.status_code, later.json["status"]) == (200, "ignored")
    assert uninstall_audits() == 1


def assert_still_installed(connection_id: int) -> None:
    db.session.expire_all()
    connection = db.session.get(Connection, connection_id)
    assert connection.state == ConnectionState.ACTIVE
    assert connection.rackbeat_access_token and connection.dinero_api_key
    assert len(connection.webhook_subscriptions) == len(manifest.webhook_events())
    assert uninstall_audits() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) == 0


def test_an_uninstall_rackbeat_does_not_confirm_deletes_nothing(installed, deliver, rackbeat):
    """Someone holding the uninstall webhook's token, but not Rackbeat: the app's token
    still works there, so the app is installed and nothing is forgotten."""
    live = issue_token(rackbeat.store, 12345, rackbeat.store.accounts[12345].users[0], "grant-1")
    installed.rackbeat_access_token = live.value
    db.session.commit()

    response = deliver("plugin.uninstalled", UNINSTALL)

    assert response.status_code == 409
    assert "still installed" in response.json["error"]
    assert_still_installed(installed.id)


def test_an_uninstall_rackbeat_cannot_confirm_now_is_left_for_its_retry(
    installed, deliver, rackbeat
):
    rackbeat.store.set_knobs({"error_rate": 1.0})

    response = deliver("plugin.uninstalled", UNINSTALL)

    assert response.status_code == 503
    assert_still_installed(installed.id)
