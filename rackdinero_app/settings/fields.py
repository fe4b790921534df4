"""Form field names shared by the parser, the rules and the templates."""

from __future__ import annotations

from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import VatZone

VAT_ZONES: tuple[VatZone, ...] = (VatZone.DOMESTIC, VatZone.EU, VatZone.ABROAD)


def matrix_field(direction: MappingDirection, group: str, zone: VatZone) -> str:
    """``purchase-1-domestic``: one cell of an accounting matrix (P4, C6)."""
    return f"{direction}-{group}-{zone}"


def unit_field(unit: str) -> str:
    return f"unit-{unit}"


def layout_field(layout: str) -> str:
    return f"layout-{layout}"
