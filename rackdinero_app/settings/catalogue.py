"""What the drop-downs can offer, read live from Dinero and Rackbeat (plain data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One Rackbeat product group, unit or layout: its number (as text) and name."""

    number: str
    name: str


@dataclass(frozen=True)
class Catalogue:
    """Live lists; a side is ``None`` when that system could not be reached."""

    accounts: dict[int, str] | None = None  # Dinero account number → name
    product_groups: tuple[Option, ...] | None = None
    units: tuple[Option, ...] | None = None
    units_in_use: frozenset[str] | None = None  # unit numbers used by at least one product
    layouts: tuple[Option, ...] | None = None
    layouts_in_use: frozenset[str] | None = None  # layout numbers used by at least one customer
    dinero_error: str | None = None
    rackbeat_error: str | None = None

    @property
    def dinero_available(self) -> bool:
        return self.accounts is not None

    @property
    def rackbeat_available(self) -> bool:
        return None not in (
            self.product_groups,
            self.units,
            self.units_in_use,
            self.layouts,
            self.layouts_in_use,
        )

    @property
    def complete(self) -> bool:
        """Only a complete catalogue lets the rules check every choice, so only it allows saving."""
        return self.dinero_available and self.rackbeat_available
