"""The transfer state machine, without HTTP: inbox → transfer, claims, retries, the sweeper."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq.registry import ScheduledJobRegistry

from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import Transient
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers import engine
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.kinds import HANDLERS
from rackdinero_app.transfers.outcome import Outcome
from rackdinero_app.transfers.retry import backoff_seconds

TIMED_OUT = engine.client_message(
    Transient(message_code="read_timeout", params={"service": "Dinero"})
)


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

    transfer_id, created = rows.record_inbox_event(event.id)
    assert created
    assert rows.record_inbox_event(event.id) == (None, False)  # already processed

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
    rows.record_inbox_event(inbox_event(connection, digest="a").id)
    rows.record_inbox_event(inbox_event(connection, digest="b").id)
    assert len(transfers()) == 1


def test_each_customer_change_is_its_own_transfer(make_connection):
    connection = make_connection()
    rows.record_inbox_event(inbox_event(connection, "customer.updated", "7", "a").id)
    rows.record_inbox_event(inbox_event(connection, "customer.updated", "7", "b").id)
    assert [t.kind for t in transfers()] == [EntityKind.CUSTOMER, EntityKind.CUSTOMER]


def test_only_one_claim_wins(make_connection):
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    assert rows.claim(transfer_id) is True
    assert rows.claim(transfer_id) is False
    (transfer,) = transfers()
    assert (transfer.state, transfer.attempts) == (TransferState.RUNNING, 1)


def test_an_abandoned_running_transfer_can_be_claimed_after_its_lease(app, make_connection):
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    rows.claim(transfer_id)
    db.session.execute(sa.update(Transfer).values(started_at=utcnow() - timedelta(seconds=3600)))
    db.session.commit()
    assert rows.claim(transfer_id) is True
    assert transfers()[0].attempts == 2


def test_a_transient_failure_is_scheduled_again_with_backoff(app, make_connection):
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    rows.claim(transfer_id)
    rows.finish(transfer_id, Outcome.retry(TIMED_OUT, 30))

    (transfer,) = transfers()
    assert transfer.state == TransferState.PENDING
    assert transfer.reason_code == "retrying"
    assert transfer.next_attempt_at >= utcnow() + timedelta(seconds=25)
    assert len(ScheduledJobRegistry(queue=rq.queue())) == 1


def test_after_the_last_attempt_a_transient_failure_fails_with_an_explanation(app, make_connection):
    app.config["TRANSFER_MAX_ATTEMPTS"] = 1
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    rows.claim(transfer_id)
    rows.finish(transfer_id, Outcome.retry(TIMED_OUT))
    (transfer,) = transfers()
    assert (transfer.state, transfer.reason_code) == (TransferState.FAILED, "gave_up")
    assert "after 1 attempts" in transfer.message and "Retry" in transfer.message


def test_dinero_asking_to_wait_uses_up_no_attempt(app, make_connection):
    """A 429 is Dinero's pace, not the transfer's failure: after any number of them the
    transfer still has every attempt, while a timeout uses one up."""
    app.config["TRANSFER_MAX_ATTEMPTS"] = 2
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    for _ in range(5):
        assert rows.claim(transfer_id)
        rows.finish(transfer_id, engine._client_outcome(RateLimited(retry_after=1)))
    (transfer,) = transfers()
    assert (transfer.state, transfer.attempts) == (TransferState.PENDING, 0)
    # An attempt ran (it may have created the invoice before the 429 on booking it): the
    # next one must look its write up first, not create it again.
    assert transfer.retried_at is not None
    assert rows.claim(transfer_id)
    rows.finish(transfer_id, engine._client_outcome(Transient(may_have_succeeded=False)))
    (transfer,) = transfers()
    assert (transfer.state, transfer.attempts) == (TransferState.PENDING, 1)


@pytest.mark.parametrize("finished", [TransferState.FAILED, TransferState.SKIPPED])
def test_only_failed_or_skipped_transfers_are_sent_again(app, make_connection, finished):
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    assert rows.send_again(transfer_id) is False  # pending: it runs anyway
    db.session.execute(sa.update(Transfer).values(state=finished))
    db.session.commit()
    assert rows.send_again(transfer_id) is True
    assert transfers()[0].state == TransferState.PENDING
    db.session.execute(sa.update(Transfer).values(state=TransferState.SUCCEEDED))
    db.session.commit()
    assert rows.send_again(transfer_id) is False  # never twice into Dinero


def test_sending_again_at_the_front_goes_ahead_of_queued_work(app, make_connection):
    connection = make_connection()
    waiting = rq.queue().enqueue("rackdinero_app.tasks.diagnostics.probe")
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    db.session.execute(sa.update(Transfer).values(state=TransferState.SKIPPED))
    db.session.commit()

    assert rows.send_again(transfer_id, at_front=True)

    assert rq.queue().job_ids[0] != waiting.id
    assert rq.queue().jobs[0].args == (transfer_id,)


@pytest.mark.parametrize("age", [0, 120])
def test_the_sweeper_re_enqueues_only_lost_work(app, make_connection, age):
    connection = make_connection()
    lost = inbox_event(connection)
    old = utcnow() - timedelta(seconds=age)
    db.session.execute(sa.update(InboxEvent).values(received_at=old))
    db.session.commit()
    counts = engine.sweep()
    assert counts == {"inbox_events": 1 if age else 0, "transfers": 0, "gave_up": 0}

    rows.record_inbox_event(lost.id)
    rq.queue().empty()
    db.session.execute(sa.update(Transfer).values(updated_at=old))
    db.session.commit()
    assert engine.sweep() == {"inbox_events": 0, "transfers": 1 if age else 0, "gave_up": 0}


def broken_handler(job):
    raise RuntimeError("a bug the engine did not foresee")


def test_an_unexpected_error_counts_as_an_attempt_and_ends_failed(
    app, make_connection, monkeypatch
):
    app.config["TRANSFER_MAX_ATTEMPTS"] = 2
    monkeypatch.setitem(HANDLERS, EntityKind.CUSTOMER, broken_handler)
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection, "customer.created", "7").id)

    engine.run_transfer(transfer_id)
    (transfer,) = transfers()
    assert (transfer.state, transfer.attempts) == (TransferState.PENDING, 1)
    assert transfer.reason_code == "unexpected_error"
    assert "unexpected error" in transfer.message

    engine.run_transfer(transfer_id)
    (transfer,) = transfers()
    assert (transfer.state, transfer.attempts) == (TransferState.FAILED, 2)
    assert transfer.reason_code == "gave_up"
    assert "after 2 attempts" in transfer.message


def test_a_transfer_abandoned_after_its_last_attempt_fails_instead_of_looping(app, make_connection):
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    db.session.execute(
        sa.update(Transfer).values(
            state=TransferState.RUNNING,
            attempts=app.config["TRANSFER_MAX_ATTEMPTS"],
            started_at=utcnow() - timedelta(hours=1),
        )
    )
    db.session.commit()

    assert rows.claim(transfer_id) is False
    assert engine.sweep()["gave_up"] == 1
    (transfer,) = transfers()
    assert (transfer.state, transfer.reason_code) == (TransferState.FAILED, "gave_up")
    assert queued_job_names() == []


def test_retry_gives_a_transfer_that_gave_up_a_fresh_set_of_attempts(app, make_connection):
    connection = make_connection()
    transfer_id, _ = rows.record_inbox_event(inbox_event(connection).id)
    db.session.execute(
        sa.update(Transfer).values(
            state=TransferState.FAILED,
            reason_code="gave_up",
            attempts=app.config["TRANSFER_MAX_ATTEMPTS"],
        )
    )
    db.session.commit()

    assert rows.send_again(transfer_id) is True
    rows.claim(transfer_id)
    rows.finish(transfer_id, Outcome.retry(TIMED_OUT))

    (transfer,) = transfers()
    assert (transfer.state, transfer.attempts) == (TransferState.PENDING, 1)
    assert transfer.retried_at is not None
    job = TransferJob(transfer, connection, SettingsSnapshot(), None, None)
    assert job.is_retry  # attempts before the Retry may have written to Dinero
