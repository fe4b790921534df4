import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import InboxEvent


def inbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent))


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
    assert deliver("customer_invoice.booked", account="888").status_code == 404
    assert deliver("customer_invoice.booked", account="x").status_code == 400
    assert inbox_count() == 0


def test_an_event_we_do_not_subscribe_to_is_refused(installed, deliver):
    assert deliver("order.created").status_code == 400
    assert inbox_count() == 0


def test_invalid_json_is_refused_with_a_clear_message(installed, deliver):
    response = deliver("customer.created", raw="{not json")
    assert response.status_code == 400
    assert "not valid" in response.json["error"]
    assert inbox_count() == 0


def test_missing_fields_are_named(installed, deliver):
    response = deliver("customer.created", {"event": "customer.created"})
    assert response.status_code == 400
    assert "key" in response.json["error"] and "key_name" in response.json["error"]
    assert inbox_count() == 0


def test_body_event_must_match_the_header(installed, deliver):
    body = {"key": 5, "key_name": "number", "event": "supplier.created"}
    assert deliver("customer.created", body).status_code == 400
    assert inbox_count() == 0
