"""A connection's settings as plain, immutable data: what the pure mapping functions read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa

from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import VatZone


@dataclass(frozen=True)
class SettingsSnapshot:
    """Everything P1–P4 and C1–C8 decide, read once per transfer."""

    customer_integration_enabled: bool = False
    customer_number_in_name: bool = True
    supplier_integration_enabled: bool = False
    supplier_number_in_name: bool = True
    goods_consumption_enabled: bool = False
    inventory_account: int | None = None
    goods_consumption_account: int | None = None
    sales_invoice_status: DineroInvoiceStatus = DineroInvoiceStatus.DRAFT
    supplier_invoice_status: DineroInvoiceStatus = DineroInvoiceStatus.DRAFT
    invoice_direction: InvoiceDirection = InvoiceDirection.RACKBEAT_TO_DINERO
    # (Rackbeat product group number, VAT zone) → Dinero account number
    revenue_accounts: Mapping[tuple[str, VatZone], int] = field(default_factory=dict)  # C6
    purchase_accounts: Mapping[tuple[str, VatZone], int] = field(default_factory=dict)  # P4
    # Rackbeat unit number → Dinero unit (C7); Rackbeat layout number → language (C8)
    units: Mapping[str, DineroUnit] = field(default_factory=dict)
    layout_languages: Mapping[str, DineroLanguage] = field(default_factory=dict)


def load_snapshot(session, connection_id: int) -> SettingsSnapshot:
    """Read a connection's settings and mappings from the database into a snapshot."""
    from rackdinero_app.models import AccountMapping
    from rackdinero_app.models import LayoutLanguage
    from rackdinero_app.models import Settings
    from rackdinero_app.models import UnitMapping

    settings = session.scalar(sa.select(Settings).where(Settings.connection_id == connection_id))
    if settings is None:
        return SettingsSnapshot()
    mappings = session.scalars(
        sa.select(AccountMapping).where(AccountMapping.connection_id == connection_id)
    ).all()

    def matrix(direction: MappingDirection) -> dict[tuple[str, VatZone], int]:
        return {
            (m.product_group, m.vat_zone): m.account_number
            for m in mappings
            if m.direction == direction
        }

    units = session.scalars(
        sa.select(UnitMapping).where(UnitMapping.connection_id == connection_id)
    ).all()
    layouts = session.scalars(
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
