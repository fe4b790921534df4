"""Which notices are new work: bodies carry no delivery id, so an identical notice is a
duplicate only while the first one still waits for the job that reads its record."""

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import rows

NOTICE = {"key_name": "number", "key": "7"}


def inbox_rows() -> list[InboxEvent]:
    db.session.expire_all()
    return db.session.scalars(sa.select(InboxEvent).order_by(InboxEvent.id)).all()


def transfers() -> list[Transfer]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Transfer).order_by(Transfer.id)).all()


def accepted(response) -> int:
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.json["inbox_event"]


def test_an_identical_update_while_the_first_waits_is_a_duplicate(installed, deliver):
    first = accepted(deliver("customer.updated", NOTICE))
    assert deliver("customer.updated", NOTICE).json["status"] == "duplicate"
    rows.record_inbox_event(first)  # its transfer exists but has not started: still waiting
    again = deliver("customer.updated", NOTICE)

    assert (again.status_code, again.json["status"]) == (200, "duplicate")
    assert [event.waiting for event in inbox_rows()] == [True]
    assert len(transfers()) == 1


def test_an_identical_update_after_the_first_job_started_is_new_work(installed, deliver):
    first = accepted(deliver("customer.updated", NOTICE))
    transfer_id, _ = rows.record_inbox_event(first)
    assert rows.claim(transfer_id)

    second = accepted(deliver("customer.updated", NOTICE))
    rows.record_inbox_event(second)

    assert [(event.id, event.waiting) for event in inbox_rows()] == [
        (first, None),
        (second, True),
    ]
    assert [(t.kind, t.source_key, t.inbox_event_id) for t in transfers()] == [
        (EntityKind.CUSTOMER, "7", first),
        (EntityKind.CUSTOMER, "7", second),
    ]
    assert deliver("customer.updated", NOTICE).json["status"] == "duplicate"  # second waits


def test_a_claim_ends_the_wait_of_its_own_notice_only(installed, deliver):
    first = accepted(deliver("customer.updated", NOTICE))
    other = accepted(deliver("customer.updated", {"key_name": "number", "key": "8"}))
    transfer_id, _ = rows.record_inbox_event(first)
    rows.record_inbox_event(other)

    assert rows.claim(transfer_id)
    assert rows.claim(transfer_id) is False

    assert [(event.id, event.waiting) for event in inbox_rows()] == [(first, None), (other, True)]


def test_a_booked_invoice_noticed_again_after_its_job_started_is_still_one_transfer(
    installed, deliver
):
    first = accepted(deliver("customer_invoice.booked", {"key_name": "number", "key": 1001}))
    assert deliver("customer_invoice.booked", {"key_name": "number", "key": 1001}).json == {
        "status": "duplicate"
    }
    transfer_id, _ = rows.record_inbox_event(first)
    assert rows.claim(transfer_id)

    for _ in range(2):
        again = accepted(deliver("customer_invoice.booked", {"key_name": "number", "key": 1001}))
        assert rows.record_inbox_event(again) == (transfer_id, False)

    # The later notices start no transfer of their own, so they stop waiting when processed.
    assert [event.waiting for event in inbox_rows()] == [None, None, None]
    assert [(t.id, t.idempotency_key) for t in transfers()] == [
        (transfer_id, "customer_invoice:1001")
    ]


def test_a_notice_of_no_kind_stops_waiting_when_processed(installed):
    event, created = rows.receive_webhook(installed.id, "payment_terms.updated", "3", {"key": 3})
    db.session.commit()

    assert created and event.waiting is True
    assert rows.record_inbox_event(event.id) == (None, False)
    assert [(e.waiting, e.processed_at is not None) for e in inbox_rows()] == [(None, True)]


@pytest.mark.parametrize("handled", [False, True])
def test_a_handled_notice_never_waits(installed, handled):
    """The uninstall notice is dealt with in its request; nothing is left for it to wait for."""
    event, _ = rows.receive_webhook(installed.id, "plugin.uninstalled", "1", {}, handled=handled)
    db.session.commit()
    assert inbox_rows()[0].waiting is (None if handled else True)
