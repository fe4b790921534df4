"""Save a connection's settings in one transaction, with one audit entry of what changed."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rackdinero_app import audit
from rackdinero_app.extensions import db
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import Connection
from rackdinero_app.models import LayoutLanguage
from rackdinero_app.models import Settings
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.settings.changes import diff
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.context import load_settings

SCALARS = (
    "supplier_integration_enabled",
    "supplier_invoice_status",
    "supplier_number_in_name",
    "customer_integration_enabled",
    "customer_number_in_name",
    "goods_consumption_enabled",
    "inventory_account",
    "goods_consumption_account",
    "sales_invoice_status",
    "invoice_direction",
)


def current_snapshot(connection: Connection) -> SettingsSnapshot:
    return load_settings(connection.id)


def settings_row(connection: Connection) -> Settings:
    """The connection's settings row, added to the session if it does not exist yet."""
    row = db.session.scalar(sa.select(Settings).where(Settings.connection_id == connection.id))
    if row is None:
        row = Settings(connection_id=connection.id)
        db.session.add(row)
    return row


@dataclass(frozen=True)
class MappingTable:
    """How one mapping of the snapshot is stored: its rows, their key and their value column."""

    model: type
    where: tuple
    key: Callable[[Any], Any]
    key_columns: Callable[[Any], dict[str, Any]]
    value_column: str


TABLES: dict[str, MappingTable] = {
    "purchase_accounts": MappingTable(
        AccountMapping,
        (AccountMapping.direction == MappingDirection.PURCHASE,),
        lambda row: (row.product_group, row.vat_zone),
        lambda key: {
            "direction": MappingDirection.PURCHASE,
            "product_group": key[0],
            "vat_zone": key[1],
        },
        "account_number",
    ),
    "revenue_accounts": MappingTable(
        AccountMapping,
        (AccountMapping.direction == MappingDirection.SALES,),
        lambda row: (row.product_group, row.vat_zone),
        lambda key: {
            "direction": MappingDirection.SALES,
            "product_group": key[0],
            "vat_zone": key[1],
        },
        "account_number",
    ),
    "units": MappingTable(
        UnitMapping,
        (),
        lambda row: row.rackbeat_unit,
        lambda key: {"rackbeat_unit": key},
        "dinero_unit",
    ),
    "layout_languages": MappingTable(
        LayoutLanguage,
        (),
        lambda row: row.rackbeat_layout,
        lambda key: {"rackbeat_layout": key},
        "language",
    ),
}


def _write_mapping(connection: Connection, table: MappingTable, wanted: Mapping[Any, Any]) -> None:
    """Make the stored rows match ``wanted``: update in place, add new keys, delete dropped ones."""
    rows = db.session.scalars(
        sa.select(table.model).where(table.model.connection_id == connection.id, *table.where)
    )
    existing = {table.key(row): row for row in rows}
    for key, row in existing.items():
        if key not in wanted:
            db.session.delete(row)
    for key, value in wanted.items():
        if key in existing:
            setattr(existing[key], table.value_column, value)
        else:
            db.session.add(
                table.model(
                    connection_id=connection.id,
                    **table.key_columns(key),
                    **{table.value_column: value},
                )
            )


def save_settings(
    connection: Connection,
    before: SettingsSnapshot,
    after: SettingsSnapshot,
    actor: str,
    section: str,
    *,
    actor_type: ActorType = ActorType.RACKBEAT_USER,
    action: str = "settings.updated",
    reason: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Write ``after`` and its audit entry in one transaction; return the changes (may be none).

    The customer saves as a Rackbeat user; support's assisted setup saves as staff, under its
    own action and with the operator's reason, so the audit log tells the two apart."""
    changes = diff(before, after)
    if not changes:
        return changes
    try:
        row = settings_row(connection)
        for name in SCALARS:
            setattr(row, name, getattr(after, name))
        for name, table in TABLES.items():
            if getattr(before, name) != getattr(after, name):
                _write_mapping(connection, table, getattr(after, name))
        audit.record(
            connection,
            actor_type,
            actor,
            action,
            reason=reason,
            details={"section": section, "changes": changes},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changes


def stored_start_sync(connection: Connection) -> StartSyncChoice:
    choice = db.session.scalar(
        sa.select(Settings.start_sync).where(Settings.connection_id == connection.id)
    )
    return choice or StartSyncChoice.UNDECIDED


def save_start_sync(connection: Connection, choice: StartSyncChoice, actor: str) -> None:
    """Store the start-sync choice (S1) with its audit entry."""
    row = settings_row(connection)
    before = row.start_sync or StartSyncChoice.UNDECIDED
    if before == choice:
        return
    row.start_sync = choice
    audit.record(
        connection,
        ActorType.RACKBEAT_USER,
        actor,
        "settings.start_sync",
        details={"changes": {"start_sync": {"before": before.value, "after": choice.value}}},
    )
    db.session.commit()
