"""The start sync from the support dashboard: preview, start, cancel — each with a reason,
audited as the operator's, refused when the run is not in the right state."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import SyncRun
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import SyncState
from tests.support.test_operator_actions import REASON
from tests.support.test_operator_actions import operator  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import post

pytestmark = pytest.mark.redis


def the_run() -> SyncRun:
    db.session.expire_all()
    return db.session.scalars(sa.select(SyncRun)).one()


def staff_steps() -> list[tuple[str, str | None, dict]]:
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.actor_type == ActorType.STAFF, AuditEntry.connection_id.is_not(None))
        .order_by(AuditEntry.id)
    )
    return [(entry.action, entry.reason, entry.details) for entry in entries]


def test_an_operator_previews_starts_and_cancels_a_start_sync(
    operator,  # noqa: F811
    make_connection,
):
    connection = make_connection()
    base = f"/support/connections/{connection.id}/start-sync"
    assert post(operator, f"{base}/preview", reason=REASON).status_code == 303
    run = the_run()
    assert run.state == SyncState.PREVIEWING
    assert run.requested_by == "op@support.example"
    assert [job.func_name for job in rq.queue().jobs] == [
        "rackdinero_app.tasks.sync.preview_start_sync"
    ]
    assert post(operator, f"{base}/{run.id + 1}/start", reason=REASON).status_code == 404
    # A second preview while one is open changes nothing.
    assert post(operator, f"{base}/preview", reason=REASON).status_code == 409
    # Not ready yet: it cannot be started.
    assert post(operator, f"{base}/{run.id}/start", reason=REASON).status_code == 409

    run.state = SyncState.READY
    db.session.commit()
    assert post(operator, f"{base}/{run.id}/start", reason=REASON).status_code == 303
    assert the_run().state == SyncState.PENDING
    assert post(operator, f"{base}/{run.id}/cancel", reason=REASON).status_code == 303
    assert the_run().state == SyncState.CANCELLED
    assert post(operator, f"{base}/{run.id}/cancel", reason=REASON).status_code == 409

    assert staff_steps() == [
        ("start_sync.preview_requested", REASON, {"run": run.id}),
        ("start_sync.started", REASON, {"run": run.id}),
        ("start_sync.cancelled", REASON, {"run": run.id}),
    ]
    page = post(operator, f"/support/connections/{connection.id}", reason=REASON)
    assert page.status_code == 405  # the page itself is only read


def test_no_reason_or_a_paused_connection_starts_nothing(
    operator,  # noqa: F811
    make_connection,
):
    connection = make_connection()
    base = f"/support/connections/{connection.id}/start-sync"
    assert post(operator, f"{base}/preview", reason=" ").status_code == 400
    connection.state = ConnectionState.PAUSED
    db.session.commit()
    assert post(operator, f"{base}/preview", reason=REASON).status_code == 409
    assert db.session.scalars(sa.select(SyncRun)).all() == []
    assert rq.queue().count == 0
    assert staff_steps() == []
    assert post(operator, f"{base}/999/start", reason=REASON).status_code == 409  # paused
