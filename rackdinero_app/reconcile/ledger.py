"""The month's purchase vouchers from Dinero's ledger (RC1).

Dinero lists no purchase vouchers; a booked one shows in the ledger entries (``/entries``),
which Dinero asks clients to read once for a period and then follow with ``/entries/changes``
(at most 31 days a call). So the first reconciliation of a month reads ``/entries`` and keeps
what it saw (``LedgerSnapshot``); a later one of the same month reads only the entries added
since, one request either way. A voucher deleted after booking stays in the ledger with
offsetting entries: its total comes to nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.extensions import db
from rackdinero_app.models import LedgerSnapshot
from rackdinero_app.models.base import utcnow
from rackdinero_app.reconcile.compare import DineroVoucher
from rackdinero_app.reconcile.compare import Month
from rackdinero_app.reconcile.reading import day_of as _day

# Dinero's limit on one ``/entries/changes`` range.
CHANGES_RANGE = timedelta(days=31)
# Entries are read again from a little before the last reading, so a clock apart by less
# than this loses none; entries seen twice are told apart by their EntryGuid.
OVERLAP = timedelta(minutes=10)


def purchase_vouchers(
    dinero: DineroClient, connection_id: int, month: Month, on_request: Callable[[int], None]
) -> dict[str, DineroVoucher]:
    """Every purchase voucher of the month the ledger shows, by lower-case Guid."""
    snapshot = db.session.scalar(
        sa.select(LedgerSnapshot).where(
            LedgerSnapshot.connection_id == connection_id, LedgerSnapshot.month == month.first
        )
    )
    now = utcnow()
    if snapshot is not None and now - (snapshot.read_until - OVERLAP) <= CHANGES_RANGE:
        entries = dinero.entry_changes(snapshot.read_until - OVERLAP, now)
        vouchers = dict(snapshot.vouchers)
    else:
        entries = dinero.entries(month.first, month.last)
        vouchers = {}
    on_request(len(entries))
    vouchers = merged(vouchers, entries, month)
    if snapshot is None:
        snapshot = LedgerSnapshot(connection_id=connection_id, month=month.first)
        db.session.add(snapshot)
    snapshot.read_until, snapshot.vouchers = now, vouchers
    db.session.commit()
    return {guid: _voucher(guid, seen) for guid, seen in vouchers.items()}


def merged(
    vouchers: Mapping[str, Any], entries: Iterable[Mapping[str, Any]], month: Month
) -> dict[str, Any]:
    """``vouchers`` (as kept in a snapshot) with the purchase entries of ``entries`` added:
    ``{guid: {"number", "date", "file", "entries": {entry guid: [account, amount]}}}``."""
    result = {guid: {**seen, "entries": dict(seen["entries"])} for guid, seen in vouchers.items()}
    for index, entry in enumerate(entries):
        guid = entry.get("VoucherGuid")
        day = _day(entry.get("Date"))
        if not guid or not _is_purchase(entry) or not month.holds(day):
            continue
        if str(entry.get("Type") or "Normal").lower() != "normal":
            continue  # primo and ultimo entries are balances, not vouchers
        account, amount = entry.get("AccountNumber"), str(entry.get("Amount"))
        key = entry.get("EntryGuid") or f"{account}:{amount}:{day}:{index}"
        seen = result.setdefault(
            str(guid).lower(),
            {"number": entry.get("VoucherNumber"), "date": day.isoformat(), "entries": {}},
        )
        seen["entries"][str(key).lower()] = [account, amount]
        if entry.get("FileGuid") and not seen.get("file"):
            seen["file"] = str(entry["FileGuid"]).lower()
    return result


def _is_purchase(entry: Mapping[str, Any]) -> bool:
    """Dinero names the type "Purchases" (its example); any type naming purchases counts."""
    return "purchase" in str(entry.get("VoucherType") or "").lower()


def total(entries: Mapping[str, Any]) -> Decimal:
    """A voucher's total incl. VAT: what its debit side adds up to, account by account, so the
    offsetting entries of a deletion bring it to zero."""
    by_account: dict[Any, Decimal] = defaultdict(Decimal)
    for account, amount in entries.values():
        by_account[account] += Decimal(amount)
    return sum((net for net in by_account.values() if net > 0), Decimal(0)).quantize(
        Decimal("0.01")
    )


def _voucher(guid: str, seen: Mapping[str, Any]) -> DineroVoucher:
    number = seen.get("number")
    return DineroVoucher(
        guid=guid,
        number=None if number is None else str(number),
        status="booked",
        total=total(seen["entries"]),
        date=date.fromisoformat(seen["date"]),
        file_guid=seen.get("file"),
    )
