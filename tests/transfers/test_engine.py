"""The transfer state machine, without HTTP: inbox → transfer, claims, retries, the sweeper."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq.registry import ScheduledJobRegistry

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.tasks import schedule
from rackdinero_app.transfers import engine
from rackdinero_app.transfers.outcome import Outcome
from rackdinero_app.transfers.retry import backoff_seconds


def inbox_event(connection, event="customer_invoice.booked", key="1001", digest="a"):
    row = InboxEvent(
        connection_id=connection.id, event=event, key=key, delivery_hash=digest * 64, payload={}
    )
    db.session.add(row)
    db.session.commit()
    return row


def transfers() -> list[Transfer]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Transfer).order_by(Transfer.id)).all()


def queued_job_names() -> list[str]:
    return [job.func_name for job in rq.queue().jobs]


def test_backoff_is_full_jitter_capped_and_honours_retry_after():
    rng = random.Random(7)
    delays = [backoff_seconds(4, base=2, cap=600, rng=rng) for _ in range(200)]
    assert 0 <= min(delays) and max(delays) <= 16
    assert max(delays) - min(delays) > 8  # spread over the whole window, not a fixed step
    assert backoff_seconds(30, base=2, cap=600, rng=rng) <= 600
    assert backoff_seconds(1, retry_after=45, base=2, cap=600, rng=rng) == 45


def test_an_inbox_event_becomes_one_transfer(make_connection):
    connection = make_connection()
    event = inbox_event(connection)

    transfer_id, created = engine.record_inbox_event(event.id)
    assert created
    assert engine.record_inbox_event(event.id) == (None, False)  # already processed

    (transfer,) = transfers()
    assert transfer.id == transfer_id
    assert (transfer.kind, transfer.source_key, transfer.state) == (
        EntityKind.CUSTOMER_INVOICE,
        "1001",
        TransferState.PENDING,
    )


def test_processing_an_inbox_event_runs_its_transfer_in_the_same_job(make_connection):
    connection = make_connection()  # no settings: customer integration is off
    transfer_id = engine.process_inbox_event(inbox_event(connection).id)
    (transfer,) = transfers()
    assert transfer.id == transfer_id
    assert transfer.state == TransferState.SKIPPED
    assert "Customer integration is off" in transfer.message
    assert queued_job_names() == []


def test_an_invoice_booked_twice_is_transferred_once(make_connection):
    connection = make_connection()
    engine.record_inbox_event(inbox_event(connection, digest="a").id)
    engine.record_inbox_event(inbox_event(connection, digest="b").id)
    assert len(transfers()) == 1


def test_each_customer_change_is_its_own_transfer(make_connection):
    connection = make_connection()
    engine.record_inbox_event(inbox_event(connection, "customer.updated", "7", "a").id)
    engine.record_inbox_event(inbox_event(connection, "customer.updated", "7", "b").id)
    assert [t.kind for t in transfers()] == [EntityKind.CUSTOMER, EntityKind.CUSTOMER]


def test_only_one_claim_wins(make_connection):
    connection = make_connection()
    transfer_id, _ = engine.record_inbox_event(inbox_event(connection).id)
    assert engine.claim(transfer_id) is True
    assert engine.claim(transfer_id) is False
    (transfer,) = transfers()
    assert (transfer.state, transfer.attempts) == (TransferState.RUNNING, 1)


def test_an_abandoned_running_transfer_can_be_claimed_after_its_lease(app, make_connection):
    connection = make_connection()
    transfer_id, _ = engine.record_inbox_event(inbox_event(connection).id)
    engine.claim(transfer_id)
    db.session.execute(sa.update(Transfer).values(started_at=utcnow() - timedelta(seconds=3600)))
    db.session.commit()
    assert engine.claim(transfer_id) is True
    assert transfers()[0].attempts == 2


def test_a_transient_failure_is_scheduled_again_with_backoff(app, make_connection):
    connection = make_connection()
    transfer_id, _ = engine.record_inbox_event(inbox_event(connection).id)
    engine.claim(transfer_id)
    engine.finish(db.session.get(Transfer, transfer_id), Outcome.retry("Dinero timed out.", 30))

    (transfer,) = transfers()
    assert transfer.state == TransferState.PENDING
    assert transfer.reason_code == "retrying"
    assert transfer.next_attempt_at >= utcnow() + timedelta(seconds=25)
    assert len(ScheduledJobRegistry(queue=rq.queue())) == 1


def test_after_the_last_attempt_a_transient_failure_fails_with_an_explanation(app, make_connection):
    app.config["TRANSFER_MAX_ATTEMPTS"] = 1
    connection = make_connection()
    transfer_id, _ = engine.record_inbox_event(inbox_event(connection).id)
    engine.claim(transfer_id)
    engine.finish(db.session.get(Transfer, transfer_id), Outcome.retry("Dinero timed out."))
    (transfer,) = transfers()
    assert (transfer.state, transfer.reason_code) == (TransferState.FAILED, "gave_up")
    assert "after 1 attempts" in transfer.message and "Retry" in transfer.message


def test_retry_puts_only_failed_transfers_back(app, make_connection):
    connection = make_connection()
    transfer_id, _ = engine.record_inbox_event(inbox_event(connection).id)
    assert engine.retry_failed(transfer_id) is False  # pending, not failed
    db.session.execute(sa.update(Transfer).values(state=TransferState.FAILED))
    db.session.commit()
    assert engine.retry_failed(transfer_id) is True
    assert transfers()[0].state == TransferState.PENDING


@pytest.mark.parametrize("age", [0, 120])
def test_the_sweeper_re_enqueues_only_lost_work(app, make_connection, age):
    connection = make_connection()
    lost = inbox_event(connection)
    old = utcnow() - timedelta(seconds=age)
    db.session.execute(sa.update(InboxEvent).values(received_at=old))
    db.session.commit()
    counts = engine.sweep()
    assert counts == {"inbox_events": 1 if age else 0, "transfers": 0}

    engine.record_inbox_event(lost.id)
    rq.queue().empty()
    db.session.execute(sa.update(Transfer).values(updated_at=old))
    db.session.commit()
    assert engine.sweep() == {"inbox_events": 0, "transfers": 1 if age else 0}


def test_periodic_jobs_are_enqueued_once_per_interval(app):
    assert schedule.tick(app, now=1000.0) == ["sweep"]
    assert schedule.tick(app, now=1001.0) == []
    interval = app.config["SWEEP_INTERVAL_SECONDS"]
    assert schedule.tick(app, now=1000.0 + interval) == ["sweep"]
    assert queued_job_names() == ["rackdinero_app.tasks.transfers.sweep"] * 2
