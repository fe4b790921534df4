"""Which Rackbeat payment terms a contact from Dinero gets (pure).

Rackbeat requires ``payment_terms_id`` when a customer or supplier is created; Dinero knows a
contact's payment condition as a number of days. The terms with the same number of days win,
else the account's first terms (by number), so a created contact always has valid terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Terms = Sequence[tuple[int, int | None]]  # (number, days), ordered by number


def payment_terms_for(terms: Terms, days: Any) -> int | None:
    """The number of the terms for ``days``; ``None`` only when the account has none."""
    for number, term_days in terms:
        if days is not None and term_days == days:
            return number
    return terms[0][0] if terms else None
