"""The units the settings page lists as "in use" are read from the products as Rackbeat sends
them: a bare number (its 2018 models) or a nested record (its current SDK)."""

from __future__ import annotations

from rackdinero_app.setup.sources import _units_products_use


class Products:
    def __init__(self, products):
        self.products = products

    def iter_products(self):
        return iter(self.products)


def test_a_nested_unit_counts_by_its_number():
    rackbeat = Products(
        [
            {"number": "1", "unit": 3},
            {"number": "2", "unit": {"number": 7, "name": "Kasse"}},
            {"number": "3", "unit": {"id": 9}},
            {"number": "4"},
        ]
    )

    assert list(_units_products_use(rackbeat)) == ["3", "7", "9"]
