"""The unique constraints that later make transfers exactly-once, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy.exc import IntegrityError

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import EntityLink
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Settings
from rackdinero_app.models import Transfer
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import EntityKind

GUID_A = "6f1c6c57-0000-4000-8000-00000000000a"
GUID_B = "6f1c6c57-0000-4000-8000-00000000000b"


@pytest.fixture
def connection(any_db_app):
    connection = Connection(rackbeat_account_id=12345)
    db.session.add(connection)
    db.session.commit()
    return connection


def add_and_commit(*rows):
    db.session.add_all(rows)
    db.session.commit()


def link(connection, key, guid, kind=EntityKind.CUSTOMER):
    return EntityLink(connection_id=connection.id, kind=kind, rackbeat_key=key, dinero_guid=guid)


def test_one_link_per_rackbeat_record(connection):
    add_and_commit(link(connection, "1001", GUID_A))
    with pytest.raises(IntegrityError):
        add_and_commit(link(connection, "1001", GUID_B))


def test_one_link_per_dinero_object(connection):
    add_and_commit(link(connection, "1001", GUID_A))
    with pytest.raises(IntegrityError):
        add_and_commit(link(connection, "1002", GUID_A))


def test_the_same_key_may_link_once_per_kind(connection):
    add_and_commit(
        link(connection, "1001", GUID_A, EntityKind.CUSTOMER),
        link(connection, "1001", GUID_B, EntityKind.SUPPLIER),
    )
    assert db.session.query(EntityLink).count() == 2


def test_a_repeated_webhook_delivery_is_refused(connection):
    def event():
        return InboxEvent(
            connection_id=connection.id,
            event="customer_invoice.booked",
            key="1001",
            delivery_hash="a" * 64,
            payload={"key": "1001"},
        )

    add_and_commit(event())
    with pytest.raises(IntegrityError):
        add_and_commit(event())


def test_a_transfer_is_recorded_once_per_idempotency_key(connection):
    def transfer():
        return Transfer(
            connection_id=connection.id,
            kind=EntityKind.CUSTOMER_INVOICE,
            source_key="1001",
            idempotency_key="customer_invoice:1001",
        )

    add_and_commit(transfer())
    with pytest.raises(IntegrityError):
        add_and_commit(transfer())


def test_one_settings_row_per_connection(connection):
    add_and_commit(Settings(connection_id=connection.id))
    with pytest.raises(IntegrityError):
        add_and_commit(Settings(connection_id=connection.id))


def test_settings_defaults_follow_the_article(connection):
    add_and_commit(Settings(connection_id=connection.id))
    settings = db.session.query(Settings).one()
    assert settings.supplier_number_in_name is True  # P3: recommended
    assert settings.customer_number_in_name is True  # C2: recommended
    assert settings.customer_integration_enabled is False


def test_unit_mapping_round_trips_dineros_case_sensitive_units(connection):
    add_and_commit(
        UnitMapping(
            connection_id=connection.id, rackbeat_unit="m2", dinero_unit=DineroUnit.SQUARE_METRE
        )
    )
    db.session.expire_all()
    assert db.session.query(UnitMapping).one().dinero_unit.value == "squareMetre"


def test_deleting_a_connection_removes_its_rows(connection):
    add_and_commit(link(connection, "1001", GUID_A), Settings(connection_id=connection.id))
    db.session.delete(connection)
    db.session.commit()
    assert db.session.query(EntityLink).count() == 0
    assert db.session.query(Settings).count() == 0
