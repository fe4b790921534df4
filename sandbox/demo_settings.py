"""Complete settings for the sandboxes' demo accounts: both integrations on, every revenue and
purchase matrix cell, unit and layout mapped (the article's example accounts). The end-to-end
tests start from these, and so does the demo's second installation."""

from __future__ import annotations

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import LayoutLanguage
from rackdinero_app.models import Settings
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import VatZone

# The article's examples: revenue 1000 (goods) and 1300 (services) for Domestic customers;
# purchases of "Finished goods" 2000 / 2050 / 2150 for Domestic / EU / Abroad suppliers.
REVENUE = {
    "1": {VatZone.DOMESTIC: 1000, VatZone.EU: 1100, VatZone.ABROAD: 1200},
    "2": {VatZone.DOMESTIC: 1300, VatZone.EU: 1310, VatZone.ABROAD: 1200},
    "3": {VatZone.DOMESTIC: 1000, VatZone.EU: 1100, VatZone.ABROAD: 1200},
}
PURCHASE = {
    group: {VatZone.DOMESTIC: 2000, VatZone.EU: 2050, VatZone.ABROAD: 2150}
    for group in ("1", "2", "3")
}
UNITS = {
    "1": DineroUnit.PARTS,
    "2": DineroUnit.PARTS,
    "3": DineroUnit.KILOGRAM,
    "4": DineroUnit.HOURS,
    "5": DineroUnit.BOX,
}
LAYOUTS = {"1": DineroLanguage.DANISH, "2": DineroLanguage.ENGLISH}


def configure(connection_id: int, **choices) -> None:
    """Turn both integrations on with complete mappings; ``choices`` override settings."""
    settings = db.session.scalar(sa.select(Settings).where(Settings.connection_id == connection_id))
    values = {
        "customer_integration_enabled": True,
        "supplier_integration_enabled": True,
        "sales_invoice_status": DineroInvoiceStatus.BOOKED,
        "supplier_invoice_status": DineroInvoiceStatus.BOOKED,
        "inventory_account": 5800,
        "goods_consumption_account": 2100,
        **choices,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    for direction, matrix in (
        (MappingDirection.SALES, REVENUE),
        (MappingDirection.PURCHASE, PURCHASE),
    ):
        for group, zones in matrix.items():
            for zone, account in zones.items():
                db.session.add(
                    AccountMapping(
                        connection_id=connection_id,
                        direction=direction,
                        product_group=group,
                        vat_zone=zone,
                        account_number=account,
                    )
                )
    for unit, dinero_unit in UNITS.items():
        db.session.add(
            UnitMapping(connection_id=connection_id, rackbeat_unit=unit, dinero_unit=dinero_unit)
        )
    for layout, language in LAYOUTS.items():
        db.session.add(
            LayoutLanguage(connection_id=connection_id, rackbeat_layout=layout, language=language)
        )
    db.session.commit()
