"""Defaults proposed from the data: Dinero units from unit names, languages from layout names."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TypeVar

from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.settings.catalogue import Option

T = TypeVar("T")

# Lower-case unit names (Danish, Swedish, English) → Dinero unit.
UNIT_NAMES: dict[str, DineroUnit] = {
    **dict.fromkeys(
        ("stk", "styk", "styks", "st", "pcs", "pc", "piece", "pieces"), DineroUnit.PARTS
    ),
    **dict.fromkeys(("kg", "kilo", "kilogram"), DineroUnit.KILOGRAM),
    **dict.fromkeys(
        ("timer", "time", "t", "timmar", "timme", "hours", "hour", "h"), DineroUnit.HOURS
    ),
    **dict.fromkeys(("kasse", "kasser", "låda", "box", "boxes"), DineroUnit.BOX),
    **dict.fromkeys(("km", "kilometer"), DineroUnit.KM),
    **dict.fromkeys(("dag", "dage", "dagar", "day", "days"), DineroUnit.DAY),
    **dict.fromkeys(("uge", "uger", "vecka", "week", "weeks"), DineroUnit.WEEK),
    **dict.fromkeys(("måned", "måneder", "månad", "month", "months"), DineroUnit.MONTH),
    **dict.fromkeys(("m3", "m³", "kubikmeter"), DineroUnit.CUBIC_METRE),
    **dict.fromkeys(("sæt", "set", "sats"), DineroUnit.SET),
    **dict.fromkeys(("l", "liter", "litre"), DineroUnit.LITRE),
    **dict.fromkeys(("karton", "kartong", "carton"), DineroUnit.CARTON),
    **dict.fromkeys(("m", "meter", "metre"), DineroUnit.METRE),
    **dict.fromkeys(("pakke", "pakker", "paket", "package", "pk"), DineroUnit.PACKAGE),
    **dict.fromkeys(("forsendelse", "sending", "shipment"), DineroUnit.SHIPMENT),
    **dict.fromkeys(("m2", "m²", "kvadratmeter"), DineroUnit.SQUARE_METRE),
    **dict.fromkeys(("ton", "tons", "tonne"), DineroUnit.TONNE),
}
LANGUAGE_WORDS: tuple[tuple[str, DineroLanguage], ...] = (
    ("dansk", DineroLanguage.DANISH),
    ("danish", DineroLanguage.DANISH),
    ("english", DineroLanguage.ENGLISH),
    ("engelsk", DineroLanguage.ENGLISH),
)


def suggest_unit(name: str) -> DineroUnit | None:
    """The Dinero unit a Rackbeat unit's name most likely means, if any."""
    return UNIT_NAMES.get(name.strip().lower().rstrip("."))


def suggest_language(name: str) -> DineroLanguage | None:
    """The invoice language a layout's name says (``Standard (English)`` → ``en-GB``)."""
    lowered = name.lower()
    return next((language for word, language in LANGUAGE_WORDS if word in lowered), None)


def suggestions(
    options: Iterable[Option], saved: Mapping[str, T], guess: Callable[[str], T | None]
) -> dict[str, T]:
    """A guess for every option that has no saved choice yet (shown, never saved by itself)."""
    proposed = {}
    for option in options:
        if option.number not in saved and (value := guess(option.name)) is not None:
            proposed[option.number] = value
    return proposed
