"""Reading Rackbeat's plain values: money as Decimal, text, dates, and names for messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.messages import Message

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def dec(value: Any, what: Message) -> Decimal:
    """``value`` as an exact Decimal (via ``str``, so 0.1 stays 0.1); ``what`` names it."""
    if value is None or isinstance(value, bool):
        raise InvalidSourceRecord(Message.of("value_missing", what=what))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InvalidSourceRecord(Message.of("value_not_a_number", what=what, value=repr(value)))
    return number


def cents(value: Decimal) -> Decimal:
    """Rounded to øre, half up (as an accountant rounds)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> float:
    """The JSON number Dinero receives: rounded to two decimals only here, at the edge."""
    return float(cents(value))


def text(value: Any) -> str | None:
    """Stripped text, or None for missing or blank values (Rackbeat sends both)."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def iso_date(value: Any, what: Message) -> str:
    """``YYYY-MM-DD`` from a Rackbeat date or timestamp."""
    raw = text(value)
    try:
        return date.fromisoformat((raw or "")[:10]).isoformat()
    except ValueError:
        raise InvalidSourceRecord(
            Message.of("value_not_a_date", what=what, value=repr(value))
        ) from None


def reference(value: Any) -> Any:
    """The number a record refers to another by. Rackbeat's 2018 models send a bare number
    (``"unit": 1``); its current SDK reads the same fields as nested records (``"group":
    {"number": 1, "name": …}``), so a nested record gives its ``number``, else its ``id``."""
    if isinstance(value, Mapping):
        return value.get("number") if value.get("number") is not None else value.get("id")
    return value


def key(value: Any) -> str:
    """Rackbeat numbers (groups, units, layouts) as the text keys the settings use."""
    return str(reference(value)).strip()


def labelled(number: Any, names: Mapping[str, str] | None) -> str:
    """How messages name a group, unit or layout: ``"Finished goods" (1)``, or ``1``
    without a name (a nested record may carry its own)."""
    name = (names or {}).get(key(number))
    if not name and isinstance(number, Mapping):
        name = text(number.get("name"))
    return f'"{name}" ({key(number)})' if name else key(number)
