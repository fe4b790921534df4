"""A connection's settings as plain, immutable data: what the pure mapping and the settings
rules read. Loading it from the database is the job of ``transfers/context.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import InvoiceDirection
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
