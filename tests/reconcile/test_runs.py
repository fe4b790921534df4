"""Starting reconciliations: one at a time per connection, a dead one does not block the next,
and only the months offered, in ASCII digits; a resend's new identity is the invoice's alone."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Reconciliation
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.reconciliation import ReconciliationState as State
from rackdinero_app.reconcile import runs
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.identity import dinero_guid
from rackdinero_app.transfers.resend import send_with_new_identity

pytestmark = pytest.mark.redis
TODAY = date(2026, 11, 30)


def test_only_the_months_offered_are_taken():
    assert runs.month_of("2026-10", TODAY) == date(2026, 10, 1)
    assert runs.month_of("2025-11", TODAY) == date(2025, 11, 1)  # twelve months back
    for raw in ("2025-10", "2026-12", "2026-13", "2026-1", "٢٠٢٦-١٠", " 2026-10", ""):
        assert runs.month_of(raw, TODAY) is None, raw
    assert runs.default_month(TODAY) == date(2026, 10, 1)


def test_a_second_click_joins_the_open_run_and_a_dead_one_gives_way(app, make_connection):
    connection = make_connection()
    first, started = runs.request_run(connection, date(2026, 10, 1), ActorType.SYSTEM, "t")
    again, started_again = runs.request_run(connection, date(2026, 10, 1), ActorType.SYSTEM, "t")
    assert (started, started_again, again.id) == (True, False, first.id)
    assert len(rq.queue().jobs) == 1

    # Its worker died while running: no progress for longer than STALE_AFTER (written past the
    # model, whose updated_at would say "now").
    db.session.execute(
        Reconciliation.__table__.update()
        .where(Reconciliation.id == first.id)
        .values(state="running", updated_at=utcnow() - runs.STALE_AFTER - timedelta(minutes=1))
    )
    db.session.commit()
    second, started = runs.request_run(connection, date(2026, 10, 1), ActorType.SYSTEM, "t")
    db.session.refresh(first)
    assert started and second.id != first.id
    assert (first.state, first.message_code) == (State.FAILED, "rc_stopped")


def test_a_resent_invoices_new_identity_leaves_its_customers_alone(app, make_connection):
    """Invoice 7 sent again in round 1 gets a new Guid; customer 7 keeps the one it has."""
    connection = make_connection()
    resent = send_with_new_identity(connection.id, EntityKind.CUSTOMER_INVOICE, "7")
    assert resent.identity_round == 1
    job = TransferJob(resent, connection, None, None, None, identity_round=1)
    assert (
        job.guid(EntityKind.CUSTOMER_INVOICE)
        == dinero_guid(connection.id, EntityKind.CUSTOMER_INVOICE, "7", 1)
        != dinero_guid(connection.id, EntityKind.CUSTOMER_INVOICE, "7")
    )
    assert job.guid(EntityKind.CUSTOMER, "7") == dinero_guid(
        connection.id, EntityKind.CUSTOMER, "7"
    )
