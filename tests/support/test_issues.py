"""Open failures grouped by cause across connections, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from flask_babel import force_locale

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.support import issues
from rackdinero_app.transfers.errors import MissingMapping
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.rows import message_columns

pytestmark = pytest.mark.postgres
_numbers = itertools.count(1)


def connect(name: str, **fields) -> Connection:
    connection = Connection(
        rackbeat_account_id=70_000 + next(_numbers), rackbeat_company_name=name, **fields
    )
    db.session.add(connection)
    db.session.commit()
    return connection


def transfer(
    connection: Connection,
    message: Message | None,
    *,
    state: TransferState = TransferState.FAILED,
    source_key: str | None = None,
    kind: EntityKind = EntityKind.CUSTOMER_INVOICE,
    ago: timedelta = timedelta(minutes=5),
    reason_code: str = "missing_mapping",
) -> Transfer:
    """A finished transfer ``ago`` before now, with ``message`` as its row keeps it."""
    key = source_key or str(next(_numbers))
    row = Transfer(
        connection_id=connection.id,
        kind=kind,
        source_key=key,
        idempotency_key=f"{kind}:{key}:{next(_numbers)}",
        state=state,
        reason_code=reason_code if state == TransferState.FAILED else None,
        finished_at=utcnow() - ago,
        **(message_columns(message) if message else {}),
    )
    db.session.add(row)
    db.session.commit()
    return row


def revenue(group: str) -> Message:
    return Message.of("map_revenue_account_domestic", group=group)


def missing(*fixes: Message) -> Message:
    return MissingMapping(list(fixes)).explanation


def by_key(groups):
    return {group.key: group for group in groups}


def test_a_missing_mapping_groups_across_connections_whatever_the_product_group(any_db_app):
    shop, farm = connect("Shop ApS"), connect("Farm <A/S>")
    transfer(shop, missing(revenue("Tools")), ago=timedelta(hours=3))
    transfer(shop, missing(revenue("Tools")), ago=timedelta(hours=1))
    transfer(farm, missing(revenue("Seeds")), ago=timedelta(minutes=2))

    [group] = issues.all_groups()

    assert group.key == "missing_setting/map_revenue_account_domestic"
    assert group.total == 3
    assert [(c.id, c.company_name, c.count) for c in group.connections] == [
        (shop.id, "Shop ApS", 2),
        (farm.id, "Farm <A/S>", 1),
    ]
    assert utcnow() - group.first_seen > timedelta(hours=2, minutes=59)
    assert utcnow() - group.last_seen < timedelta(minutes=3)
    # The newest failure's message stands for the group, its fix named.
    assert group.text == (
        "A setting is missing. Map product group Seeds for the Domestic zone in Settings > "
        "Sales and customers > Revenue accounts."
    )
    assert group.fix["code"] == "map_revenue_account_domestic"


def test_each_fix_of_several_missing_settings_is_its_own_group(any_db_app):
    shop = connect("Shop ApS")
    transfer(shop, missing(revenue("Tools"), Message.of("map_unit", unit="kg")))
    transfer(shop, missing(Message.of("map_unit", unit="stk")))

    groups = by_key(issues.all_groups())

    assert {key: g.total for key, g in groups.items()} == {
        "missing_setting/map_unit": 2,
        "missing_setting/map_revenue_account_domestic": 1,
    }
    assert list(groups)[0] == "missing_setting/map_unit"  # more failures first
    assert groups["missing_setting/map_revenue_account_domestic"].text.endswith(
        "Map product group Tools for the Domestic zone in Settings > Sales and customers > "
        "Revenue accounts."
    )


def test_record_parameters_do_not_split_a_group_but_the_reason_of_giving_up_does(any_db_app):
    shop, farm = connect("Shop ApS"), connect("Farm A/S")
    transfer(shop, Message.of("invoice_without_lines", document="Rackbeat invoice 1001"))
    transfer(farm, Message.of("invoice_without_lines", document="Rackbeat invoice 7"))
    down = Message("client.connect_timeout", {"service": "Dinero"}, "Dinero timed out.")
    transfer(shop, Message.of("gave_up", attempts=8, reason=down))
    transfer(farm, Message.of("gave_up", attempts=8, reason=Message.of("retrying", reason="x")))

    groups = by_key(issues.all_groups())

    assert groups["invoice_without_lines"].total == 2
    assert len(groups["invoice_without_lines"].connections) == 2
    assert groups["gave_up/client.connect_timeout"].total == 1
    assert groups["gave_up/retrying"].total == 1


def test_a_row_without_a_message_code_groups_by_its_reason(any_db_app):
    shop = connect("Shop ApS")
    row = transfer(shop, None, reason_code="invalid_record")
    row.message = "Old English text."
    db.session.commit()

    [group] = issues.all_groups()

    assert group.key == "reason/invalid_record"
    assert group.render() == "Old English text."


def test_only_open_failures_count(any_db_app):
    shop, gone = connect("Shop ApS"), connect("Gone", state=ConnectionState.UNINSTALLED)
    contact = missing(Message.of("map_unit", unit="kg"))
    # A customer whose later transfer succeeded, and one still failing after two attempts.
    transfer(shop, contact, kind=EntityKind.CUSTOMER, source_key="7")
    transfer(shop, None, kind=EntityKind.CUSTOMER, source_key="7", state=TransferState.SUCCEEDED)
    transfer(shop, contact, kind=EntityKind.CUSTOMER, source_key="8")
    transfer(shop, contact, kind=EntityKind.CUSTOMER, source_key="8")
    # A retried failure is pending again; the same source key of another kind is its own record.
    transfer(shop, None, state=TransferState.PENDING, source_key="9")
    transfer(shop, contact, kind=EntityKind.GOODS_CONSUMPTION, source_key="7")
    transfer(gone, contact)

    [group] = issues.all_groups()

    assert group.total == 2
    assert [(c.id, c.count) for c in group.connections] == [(shop.id, 2)]


def test_open_failures_are_one_connections_groups(any_db_app):
    shop, farm = connect("Shop ApS"), connect("Farm A/S")
    transfer(shop, missing(revenue("Tools")))
    transfer(farm, missing(revenue("Seeds")))
    transfer(farm, Message.of("invoice_without_lines", document="Rackbeat invoice 7"))

    groups = issues.open_failures(shop.id)

    assert [(g.key, g.total, [c.id for c in g.connections]) for g in groups] == [
        ("missing_setting/map_revenue_account_domestic", 1, [shop.id])
    ]
    assert groups[0].text.endswith(
        "Map product group Tools for the Domestic zone in Settings > "
        "Sales and customers > Revenue accounts."
    )
    assert issues.open_failures(connect("Calm ApS").id) == []


def test_a_group_renders_in_the_readers_language(any_db_app):
    transfer(connect("Shop ApS"), missing(revenue("Tools")))
    [group] = issues.all_groups()

    with any_db_app.test_request_context(), force_locale("da"):
        danish = group.render()

    assert "Tools" in danish
    assert danish != group.text
    assert danish.startswith("En indstilling mangler")


def test_grouping_is_two_queries_however_many_connections(any_db_app):
    for number in range(6):
        company = connect(f"Company {number}")
        transfer(company, missing(revenue(f"Group {number}")))
        transfer(company, Message.of("invoice_without_lines", document="Rackbeat invoice 1"))
    statements = []

    def count(*_args):
        statements.append(1)

    import sqlalchemy as sa

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        groups = issues.all_groups()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)

    assert [len(g.connections) for g in groups] == [6, 6]
    assert len(statements) == 2
