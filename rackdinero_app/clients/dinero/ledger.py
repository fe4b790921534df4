"""Dinero's ledger (``/v1/{org}/entries`` and ``/entries/changes``): the booked postings.

Dinero has no list of purchase or manual vouchers; their booked entries are how a period's
vouchers are read in bulk. Dinero asks for ``/entries`` once and ``/entries/changes`` after
that. Both answer a bare array (no paging), so each is one request. ``/entries`` cannot cross
an accounting year and ``/entries/changes`` spans at most 31 days; the callers keep to that.
Primo entries (opening balances, no voucher) are left out unless asked for.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime

from rackdinero_app.clients.records import Record


def _utc(moment: datetime) -> str:
    """A naive datetime is taken as UTC (as the database stores them); an aware one converted.
    Spelled out in full: php-dinero's 'Y-m-d\\TH:m:s\\Z' puts the month where minutes belong."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _flag(value: bool) -> str:
    return "true" if value else "false"


class LedgerOperations:
    """The ledger operations of ``DineroClient`` (it provides ``_call``)."""

    def entries(
        self, from_date: date, to_date: date, *, include_primo: bool = False
    ) -> list[Record]:
        """Every entry dated within [from_date, to_date] (one accounting year at most)."""
        params = {
            "fromDate": from_date.strftime("%Y-%m-%d"),
            "toDate": to_date.strftime("%Y-%m-%d"),
            "includePrimo": _flag(include_primo),
        }
        return list(self._call("GET", "v1", "entries", params=params) or [])

    def entry_changes(
        self, changes_from: datetime, changes_to: datetime, *, include_primo: bool = False
    ) -> list[Record]:
        """Every entry posted in [changes_from, changes_to) (31 days at most)."""
        params = {
            "changesFrom": _utc(changes_from),
            "changesTo": _utc(changes_to),
            "includePrimo": _flag(include_primo),
        }
        return list(self._call("GET", "v1", "entries/changes", params=params) or [])
