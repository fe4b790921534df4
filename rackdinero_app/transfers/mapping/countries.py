"""Rackbeat's countries → ISO 3166-1 alpha-2 codes, the only form Dinero's ``CountryKey`` takes.

Rackbeat's models show ``address_country`` as plain text, and accounts hold codes ("DK", "dk",
"DNK") as well as names in the languages their users write ("Danmark", "Norge", "Sverige",
"Deutschland", "Sweden"). Names and codes come from the Unicode CLDR through Babel: each
territory's name in ``LANGUAGES`` and CLDR's territory aliases (ISO alpha-3 codes, "UK").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel import Locale
from babel.core import get_global

# The languages whose country names are recognised: the Nordic ones Rackbeat's users write,
# their neighbours', and English.
LANGUAGES = (
    *("da", "sv", "nb", "nn", "fi", "is", "fo", "kl"),
    *("en", "de", "nl", "fr", "es", "it", "pl", "et", "lv", "lt"),
)
# CLDR's two-letter territories that have no ISO 3166-1 alpha-2 code of their own (regions,
# reserved and private-use codes), which Dinero would not take as a country.
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)
_NOT_WORD = re.compile(r"[\W_]+")


def country_code(country: str) -> str | None:
    """The alpha-2 code of a country given by code or name, in any case and with or without
    accents; None when it names no country (or, like "Kongo", more than one)."""
    return _lookup().get(_folded(country))


def _folded(value: str) -> str:
    """Case, accents, punctuation and spacing left out: "Österreich" → "osterreich"."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


@cache
def _lookup() -> dict[str, str]:
    """Folded code, alias or name → alpha-2 code. A code always means itself; a name that two
    languages give to different countries is left out rather than guessed."""
    codes = {
        code
        for code in Locale.parse("en").territories
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }
    candidates: dict[str, set[str]] = {}
    for alias, targets in get_global("territory_aliases").items():
        if alias.isalpha() and len(targets) == 1 and targets[0] in codes:
            candidates.setdefault(_folded(alias), set()).add(targets[0])
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in codes:
                candidates.setdefault(_folded(name), set()).add(code)
    lookup = {folded: found.pop() for folded, found in candidates.items() if len(found) == 1}
    return lookup | {_folded(code): code for code in codes}
