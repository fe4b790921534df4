"""The user's choices for a connection (P1–P4, C1–C8, S1) and the mapping tables."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app.models.base import Base
from rackdinero_app.models.base import ConnectionScoped
from rackdinero_app.models.base import TimestampMixin
from rackdinero_app.models.base import enum_column
from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.models.enums import VatZone


class Settings(ConnectionScoped, TimestampMixin, Base):
    """Switches and choices of one connection; typed columns, one row per connection."""

    __tablename__ = "settings"
    __table_args__ = (sa.UniqueConstraint("connection_id"),)
    connection_index = False

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)

    # Purchase and supplier (P1–P3)
    supplier_integration_enabled: orm.Mapped[bool] = orm.mapped_column(default=False)
    supplier_invoice_status: orm.Mapped[DineroInvoiceStatus] = orm.mapped_column(
        enum_column(DineroInvoiceStatus), default=DineroInvoiceStatus.DRAFT
    )
    supplier_number_in_name: orm.Mapped[bool] = orm.mapped_column(default=True)

    # Sales and customer (C1–C5)
    customer_integration_enabled: orm.Mapped[bool] = orm.mapped_column(default=False)
    customer_number_in_name: orm.Mapped[bool] = orm.mapped_column(default=True)
    goods_consumption_enabled: orm.Mapped[bool] = orm.mapped_column(default=False)
    inventory_account: orm.Mapped[int | None] = orm.mapped_column()
    goods_consumption_account: orm.Mapped[int | None] = orm.mapped_column()
    sales_invoice_status: orm.Mapped[DineroInvoiceStatus] = orm.mapped_column(
        enum_column(DineroInvoiceStatus), default=DineroInvoiceStatus.DRAFT
    )
    invoice_direction: orm.Mapped[InvoiceDirection] = orm.mapped_column(
        enum_column(InvoiceDirection), default=InvoiceDirection.RACKBEAT_TO_DINERO
    )

    start_sync: orm.Mapped[StartSyncChoice] = orm.mapped_column(
        enum_column(StartSyncChoice), default=StartSyncChoice.UNDECIDED
    )


class AccountMapping(ConnectionScoped, TimestampMixin, Base):
    """Product group × VAT zone → Dinero account, for revenue (C6) or supplier invoices (P4)."""

    __tablename__ = "account_mappings"
    __table_args__ = (
        sa.UniqueConstraint("connection_id", "direction", "product_group", "vat_zone"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    direction: orm.Mapped[MappingDirection] = orm.mapped_column(enum_column(MappingDirection))
    product_group: orm.Mapped[str] = orm.mapped_column(sa.String(64))  # Rackbeat group number
    vat_zone: orm.Mapped[VatZone] = orm.mapped_column(enum_column(VatZone))
    account_number: orm.Mapped[int] = orm.mapped_column()


class UnitMapping(ConnectionScoped, TimestampMixin, Base):
    """A Rackbeat unit → one of Dinero's 19 units (C7)."""

    __tablename__ = "unit_mappings"
    __table_args__ = (sa.UniqueConstraint("connection_id", "rackbeat_unit"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    rackbeat_unit: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    dinero_unit: orm.Mapped[DineroUnit] = orm.mapped_column(enum_column(DineroUnit))


class LayoutLanguage(ConnectionScoped, TimestampMixin, Base):
    """A Rackbeat (PDF) layout → the Dinero invoice language (C8)."""

    __tablename__ = "layout_languages"
    __table_args__ = (sa.UniqueConstraint("connection_id", "rackbeat_layout"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    rackbeat_layout: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    language: orm.Mapped[DineroLanguage] = orm.mapped_column(enum_column(DineroLanguage))
