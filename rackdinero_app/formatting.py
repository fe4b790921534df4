"""Numbers and dates as the reader writes them (1.204,50 in Danish, 1 204,50 in Swedish, 1,204.50 in
English), for every page that shows amounts; registered as Jinja filters ``amount``,
``number`` and ``day``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask
from flask_babel import format_date
from flask_babel import format_decimal


def amount(value: Decimal | float | None) -> str:
    """Money with two decimals in the reader's locale; an em dash for none."""
    return "—" if value is None else format_decimal(value, "#,##0.00")


def number(value: Decimal | float | None) -> str:
    """A quantity or a percentage, with the decimals it has, in the reader's locale."""
    return "—" if value is None else format_decimal(value, "#,##0.###")


def day(value: date | str | None) -> str:
    """A date (or ``YYYY-MM-DD``) as the reader writes it (30. nov. 2026 in Danish)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return format_date(value)


def init_app(app: Flask) -> None:
    app.add_template_filter(amount, "amount")
    app.add_template_filter(number, "number")
    app.add_template_filter(day, "day")
