import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import rows


def inbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent))


def queued_job_names() -> list[str]:
    return [job.func_name for job in rq.queue().jobs]


def test_a_valid_delivery_is_recorded_in_the_inbox(installed, deliver):
    response = deliver("customer_invoice.booked")
    assert response.status_code == 202
    event = db.session.scalars(sa.select(InboxEvent)).one()
    assert (event.event, event.key, event.connection_id) == (
        "customer_invoice.booked",
        "1001",
        installed.id,
    )


def test_a_repeated_delivery_is_acknowledged_without_new_work(installed, deliver):
    assert deliver("customer_invoice.booked").status_code == 202
    again = deliver("customer_invoice.booked")
    assert again.status_code == 200
    assert again.json["status"] == "duplicate"
    assert inbox_count() == 1


def test_a_wrong_token_is_refused(installed, deliver):
    response = deliver("customer_invoice.booked", token="tok-customer.created")
    assert response.status_code == 401
    assert inbox_count() == 0


def test_another_accounts_id_is_refused(installed, deliver, make_connection):
    make_connection(rackbeat_account_id=777)
    assert deliver("customer_invoice.booked", account="777").status_code == 401
    assert deliver("customer_invoice.booked", account="888").status_code == 401
    assert deliver("customer_invoice.booked", account="x").status_code == 400
    assert inbox_count() == 0


def test_unknown_uninstalled_and_wrong_token_get_the_same_answer(
    installed, deliver, make_connection
):
    """Nobody learns from the endpoint which Rackbeat accounts have the app."""
    make_connection(rackbeat_account_id=777, state=ConnectionState.UNINSTALLED)
    answers = {
        (response.status_code, response.get_data())
        for response in (
            deliver("customer_invoice.booked", account="888"),  # never installed
            deliver("customer_invoice.booked", account="777"),  # uninstalled
            deliver("customer_invoice.booked", token="tok-wrong"),  # installed, wrong token
        )
    }
    assert len(answers) == 1
    assert answers.pop()[0] == 401
    assert inbox_count() == 0


def test_a_body_over_the_webhook_bound_is_refused_unread(installed, deliver, app):
    padding = "x" * app.config["WEBHOOK_MAX_CONTENT_LENGTH"]
    response = deliver("customer.updated", {"key_name": "number", "key": "7", "data": padding})
    assert response.status_code == 413
    assert response.is_json
    assert inbox_count() == 0
    assert queued_job_names() == []


@pytest.mark.postgres
@pytest.mark.parametrize("key", ["k" * 129, "k" * 5000])
def test_a_key_longer_than_its_column_is_a_400_on_postgresql_too(any_db_app, key):
    """Issue 11 bounded the key before the insert; checked on both databases."""
    installed = Connection(rackbeat_account_id=12345, state=ConnectionState.ACTIVE)
    installed.webhook_subscriptions.append(
        WebhookSubscription(event="customer.updated", token="tok-customer.updated")
    )
    db.session.add(installed)
    db.session.commit()
    response = any_db_app.test_client().post(
        "/webhooks/rackbeat",
        json={"key_name": "number", "key": key},
        headers={
            "Rackbeat-Webhook-Event": "customer.updated",
            "Rackbeat-Webhook-Token": "tok-customer.updated",
            "Rackbeat-Account-Id": "12345",
        },
    )
    assert response.status_code == 400
    assert "1 to 128 characters" in response.json["error"]
    assert inbox_count() == 0


def test_an_event_we_do_not_subscribe_to_is_refused(installed, deliver):
    assert deliver("order.created").status_code == 400
    assert inbox_count() == 0


def test_invalid_json_is_refused_with_a_clear_message(installed, deliver):
    response = deliver("customer.created", raw="{not json")
    assert response.status_code == 400
    assert "not valid" in response.json["error"]
    assert inbox_count() == 0


def test_a_missing_key_is_named(installed, deliver):
    response = deliver("customer.created", {"event": "customer.created", "key_name": "number"})
    assert response.status_code == 400
    assert response.json["error"] == "The webhook body is not valid: key: Field required"
    assert inbox_count() == 0


def test_body_event_must_match_the_header(installed, deliver):
    body = {"key": 5, "key_name": "number", "event": "supplier.created"}
    response = deliver("customer.created", body)
    assert response.status_code == 400
    assert "does not match the Rackbeat-Webhook-Event header" in response.json["error"]
    assert inbox_count() == 0


def test_the_body_rackbeat_really_sends_is_accepted_and_becomes_a_transfer(installed, deliver):
    response = deliver("customer.updated", {"key_name": "number", "key": "1021"})

    assert response.status_code == 202
    assert response.json["status"] == "accepted"
    event = db.session.get(InboxEvent, response.json["inbox_event"])
    assert (event.event, event.key, event.waiting) == ("customer.updated", "1021", True)
    assert queued_job_names() == ["rackdinero_app.tasks.transfers.process_inbox_event"]
    transfer_id, created = rows.record_inbox_event(event.id)
    transfer = db.session.get(Transfer, transfer_id)
    assert created
    assert (transfer.kind, transfer.source_key, transfer.inbox_event_id) == (
        EntityKind.CUSTOMER,
        "1021",
        event.id,
    )


def test_the_documented_body_with_its_updated_fields_is_accepted(installed, deliver):
    body = {
        "key": 99,
        "key_name": "number",
        "event": "customer.updated",
        "data": {"number": 99, "name": "Jensen ApS"},
        "old_key": 2,
        "new_key": 99,
        "changed": ["number"],
    }
    response = deliver("customer.updated", body)
    assert response.status_code == 202
    assert db.session.get(InboxEvent, response.json["inbox_event"]).payload == body


@pytest.mark.parametrize("key", ["k" * 129, 10**128, ""])
def test_a_key_that_does_not_fit_the_inbox_is_refused_and_writes_nothing(installed, deliver, key):
    response = deliver("customer.updated", {"key_name": "number", "key": key})
    assert response.status_code == 400
    assert response.json["error"].startswith("The webhook body is not valid: key")
    assert "1 to 128 characters" in response.json["error"]
    assert inbox_count() == 0
    assert queued_job_names() == []


def test_a_key_of_128_characters_fits(installed, deliver):
    response = deliver("customer.updated", {"key_name": "number", "key": "k" * 128})
    assert response.status_code == 202
    assert db.session.scalars(sa.select(InboxEvent.key)).one() == "k" * 128


@pytest.mark.parametrize("raw", ["[]", '"1021"', "null", "1021", "", '{"key": true}'])
def test_a_body_that_is_not_an_object_with_a_key_is_refused(installed, deliver, raw):
    response = deliver("customer.updated", raw=raw)
    assert response.status_code == 400
    assert response.json["error"].startswith("The webhook body is not valid")
    assert inbox_count() == 0
