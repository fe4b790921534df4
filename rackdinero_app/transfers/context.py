"""What a transfer's handler works with, loaded once per run: the row, the connection, the
settings snapshot (read from the database here) and clients for both systems."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import Connection
from rackdinero_app.models import LayoutLanguage
from rackdinero_app.models import Settings
from rackdinero_app.models import Transfer
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.identity import dinero_guid
from rackdinero_app.transfers.identity import external_reference

NAMES_CACHE_SECONDS = 300
# The records a resend gives a new identity round: invoices, credit notes, supplier invoices.
ROUNDED = (EntityKind.CUSTOMER_INVOICE, EntityKind.CREDIT_NOTE, EntityKind.SUPPLIER_INVOICE)


def load_settings(connection_id: int) -> SettingsSnapshot:
    """Read a connection's settings and mappings from the database into a snapshot."""
    settings = db.session.scalar(sa.select(Settings).where(Settings.connection_id == connection_id))
    if settings is None:
        return SettingsSnapshot()
    mappings = db.session.scalars(
        sa.select(AccountMapping).where(AccountMapping.connection_id == connection_id)
    ).all()

    def matrix(direction: MappingDirection) -> dict[tuple[str, VatZone], int]:
        return {
            (m.product_group, m.vat_zone): m.account_number
            for m in mappings
            if m.direction == direction
        }

    units = db.session.scalars(
        sa.select(UnitMapping).where(UnitMapping.connection_id == connection_id)
    ).all()
    layouts = db.session.scalars(
        sa.select(LayoutLanguage).where(LayoutLanguage.connection_id == connection_id)
    ).all()
    return SettingsSnapshot(
        customer_integration_enabled=settings.customer_integration_enabled,
        customer_number_in_name=settings.customer_number_in_name,
        supplier_integration_enabled=settings.supplier_integration_enabled,
        supplier_number_in_name=settings.supplier_number_in_name,
        goods_consumption_enabled=settings.goods_consumption_enabled,
        inventory_account=settings.inventory_account,
        goods_consumption_account=settings.goods_consumption_account,
        sales_invoice_status=settings.sales_invoice_status,
        supplier_invoice_status=settings.supplier_invoice_status,
        invoice_direction=settings.invoice_direction,
        revenue_accounts=matrix(MappingDirection.SALES),
        purchase_accounts=matrix(MappingDirection.PURCHASE),
        units={u.rackbeat_unit: u.dinero_unit for u in units},
        layout_languages={x.rackbeat_layout: x.language for x in layouts},
    )


def identity_round_of(connection_id: int, kind: EntityKind, source_key: str) -> int:
    """The identity round of a Rackbeat record: 0 unless it was sent again after its Dinero
    voucher was deleted."""
    highest = db.session.scalar(
        sa.select(sa.func.max(Transfer.identity_round)).where(
            Transfer.connection_id == connection_id,
            Transfer.kind == kind,
            Transfer.source_key == str(source_key),
        )
    )
    return highest or 0


@dataclass
class TransferJob:
    """Everything a handler needs, loaded once per run."""

    transfer: Transfer
    connection: Connection
    settings: SettingsSnapshot
    rackbeat: RackbeatClient
    dinero: DineroClient

    # The record's identity round (``identity.dinero_guid``): the highest of its transfers, so
    # a later transfer of the same record keeps the identity a resend gave it.
    identity_round: int = 0

    @classmethod
    def for_transfer(cls, transfer: Transfer, connection: Connection) -> TransferJob:
        return cls(
            transfer=transfer,
            connection=connection,
            settings=load_settings(connection.id),
            rackbeat=rackbeat_client(connection),
            dinero=connection_dinero_client(connection),
            identity_round=identity_round_of(connection.id, transfer.kind, transfer.source_key),
        )

    @property
    def key(self) -> str:
        return self.transfer.source_key

    @property
    def is_retry(self) -> bool:
        """An earlier attempt ran (before this one, or before a Retry): it may have written to
        Dinero before it was cut off, so the identity is looked up before writing."""
        return self.transfer.attempts > 1 or self.transfer.retried_at is not None

    def guid(self, kind: EntityKind, key: str | None = None) -> str:
        """The Guid a record gets in Dinero: this transfer's invoice (in its identity round), or
        another record, ``kind`` and ``key`` (a customer numbered like the invoice included)."""
        if kind in ROUNDED and key in (None, self.key):
            return dinero_guid(self.connection.id, kind, self.key, self.identity_round)
        return dinero_guid(self.connection.id, kind, key or self.key)

    def reference(self, kind: EntityKind, key: str | None = None) -> str:
        return external_reference(self.connection.rackbeat_account_id, kind, key or self.key)

    def product_groups(self) -> dict[str, str]:
        """Group names, for messages that name the group to map; cached briefly."""
        return self._names("product-groups", self.rackbeat.iter_product_groups)

    def unit_names(self) -> dict[str, str]:
        return self._names("units", self.rackbeat.iter_units)

    def layout_names(self) -> dict[str, str]:
        return self._names("layouts", self.rackbeat.iter_layouts)

    def _names(self, what: str, read: Callable) -> dict[str, str]:
        key = f"rackdinero:names:{self.connection.id}:{what}"
        cached = rq.redis.get(key)
        if cached is not None:
            return json.loads(cached)
        names = {str(item["number"]): item["name"] for item in read()}
        rq.redis.set(key, json.dumps(names), ex=NAMES_CACHE_SECONDS)
        return names
