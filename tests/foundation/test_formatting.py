"""Amounts, quantities and dates on the pages are written as the reader writes them."""

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from rackdinero_app import formatting


@pytest.mark.parametrize(
    ("locale", "money", "quantity", "day"),
    [
        ("da", "11.940,50", "2,5", "30. nov. 2026"),
        ("sv", "11\xa0940,50", "2,5", "30 nov. 2026"),
        ("en", "11,940.50", "2.5", "Nov 30, 2026"),
    ],
)
def test_each_language_writes_its_own_numbers(app, locale, money, quantity, day):
    with app.test_request_context(), force_locale(locale):
        assert formatting.amount(Decimal("11940.5")) == money
        assert formatting.number(Decimal("2.500")) == quantity
        assert formatting.day("2026-11-30") == formatting.day(date(2026, 11, 30)) == day
        assert formatting.amount(None) == formatting.day(None) == "—"
        assert formatting.day("not a date") == "not a date"
