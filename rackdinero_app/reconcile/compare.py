"""The reconciliation's judgement (RC1): Rackbeat's booked invoices of a month against what the
app created in Dinero, each put in one of five groups. Plain values in, plain values out; the
reading is in ``reading`` and ``ledger``.

How an invoice is found in Dinero, without a request per invoice:
- a sales invoice or credit note by the Guid its link names, or by the ExternalReference the
  app wrote on it (``transfers.identity``), in Dinero's sales list of the month (and its drafts);
- a supplier invoice by its link's voucher Guid in the month's ledger entries, and by the
  document the app uploaded for it (its FileGuid, on the entries), so a second voucher carrying
  it shows as transferred twice: Dinero lists no purchase vouchers, and a draft has no entries,
  so a draft is known only by the app's link.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.transfers.identity import external_reference

SALES_KINDS = (EntityKind.CUSTOMER_INVOICE, EntityKind.CREDIT_NOTE)
# A reason: a message code of the catalogue and its JSON parameters.
Reason = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Month:
    first: date
    last: date

    def holds(self, day: date | None) -> bool:
        return day is not None and self.first <= day <= self.last


@dataclass(frozen=True)
class RackbeatDoc:
    """A booked Rackbeat invoice as the reconciliation compares it. ``total`` is incl. VAT and
    signed as Dinero shows it (a credit note's is positive); ``None`` with ``total_problem``
    when Rackbeat's record does not give it."""

    kind: EntityKind  # CUSTOMER_INVOICE, CREDIT_NOTE or SUPPLIER_INVOICE
    number: str
    date: date | None
    total: Decimal | None
    tolerance: Decimal = Decimal("0.01")
    currency: str | None = None
    total_problem: Reason | None = None


@dataclass(frozen=True)
class DineroVoucher:
    """A voucher as Dinero's sales list or ledger shows it; ``status`` is draft or booked."""

    guid: str
    number: str | None
    status: str
    total: Decimal | None
    date: date | None
    reference: str | None = None
    file_guid: str | None = None  # a purchase voucher's document, from its ledger entries


@dataclass(frozen=True)
class TransferTrace:
    """The latest transfer of a Rackbeat invoice: why it may be missing in Dinero."""

    state: TransferState
    message_code: str | None
    message_params: Mapping[str, Any] | None
    message: str | None = None

    @property
    def drafted(self) -> bool:
        """It created a draft (a supplier invoice's: none in the ledger)."""
        return (self.message_code or "").startswith("created_draft_")


@dataclass(frozen=True)
class Known:
    """What the app itself knows: its links and the latest transfer of each invoice."""

    account_id: int
    links: Mapping[tuple[EntityKind, str], tuple[str, str | None]]
    transfers: Mapping[tuple[EntityKind, str], TransferTrace] = field(default_factory=dict)
    # The documents the app uploaded for supplier invoices: lower-case FileGuid -> number.
    files: Mapping[str, str] = field(default_factory=dict)

    def owners(self) -> dict[str, tuple[EntityKind, str]]:
        return {guid.lower(): key for key, (guid, _) in self.links.items()}


@dataclass
class Found:
    """One line of the report."""

    group: Group
    kind: EntityKind
    rackbeat_number: str | None = None
    document_date: date | None = None
    rackbeat_total: Decimal | None = None
    dinero_total: Decimal | None = None
    dinero_guid: str | None = None
    dinero_number: str | None = None
    dinero_status: str | None = None
    reason: Reason | None = None


def compare(
    month: Month,
    sales: Iterable[RackbeatDoc],
    supplier_invoices: Iterable[RackbeatDoc],
    dinero_sales: Iterable[DineroVoucher],
    ledger: Mapping[str, DineroVoucher],
    known: Known,
) -> list[Found]:
    """Every booked invoice of the month in its group, then the app's vouchers in Dinero that
    no invoice of the month accounts for."""
    sales_list = list(dinero_sales)
    found: list[Found] = []
    used: set[str] = set()
    by_guid = {v.guid.lower(): v for v in sales_list}
    by_reference: dict[str, list[DineroVoucher]] = defaultdict(list)
    for voucher in sales_list:
        if voucher.reference:
            by_reference[voucher.reference].append(voucher)
    month_keys: set[tuple[EntityKind, str]] = set()
    for doc in sales:
        month_keys.update((kind, doc.number) for kind in SALES_KINDS)
        candidates = _sales_candidates(doc, by_guid, by_reference, known)
        used.update(v.guid.lower() for v in candidates)
        found.append(_judged(doc, candidates, known))
    by_number: dict[str, list[DineroVoucher]] = defaultdict(list)
    for voucher in ledger.values():
        if voucher.file_guid and voucher.file_guid.lower() in known.files:
            by_number[known.files[voucher.file_guid.lower()]].append(voucher)
    for doc in supplier_invoices:
        month_keys.add((EntityKind.SUPPLIER_INVOICE, doc.number))
        link = known.links.get((EntityKind.SUPPLIER_INVOICE, doc.number))
        voucher = ledger.get(link[0].lower()) if link else None
        carrying = {v.guid.lower(): v for v in by_number.get(doc.number, [])}
        if voucher is not None:
            carrying[voucher.guid.lower()] = voucher
        used.update(carrying)
        live = [v for v in carrying.values() if v.total != 0]
        if len(live) > 1:
            found.append(_twice(doc, live))
        else:
            found.append(_judged_purchase(doc, link, voucher, known))
    found.extend(_unaccounted(month, sales_list, ledger, known, used, month_keys))
    return found


def _sales_candidates(doc, by_guid, by_reference, known: Known) -> list[DineroVoucher]:
    """The Dinero vouchers that stand for ``doc``: by its links' Guids and by its reference."""
    seen: dict[str, DineroVoucher] = {}
    for kind in SALES_KINDS:
        link = known.links.get((kind, doc.number))
        if link is not None and link[0].lower() in by_guid:
            voucher = by_guid[link[0].lower()]
            seen[voucher.guid.lower()] = voucher
        for voucher in by_reference.get(external_reference(known.account_id, kind, doc.number), []):
            seen[voucher.guid.lower()] = voucher
    return list(seen.values())


def _row(doc: RackbeatDoc, group: Group, **values: Any) -> Found:
    return Found(
        group=group,
        kind=doc.kind,
        rackbeat_number=doc.number,
        document_date=doc.date,
        rackbeat_total=doc.total,
        **values,
    )


def _voucher_values(voucher: DineroVoucher) -> dict[str, Any]:
    return {
        "dinero_total": voucher.total,
        "dinero_guid": voucher.guid,
        "dinero_number": voucher.number,
        "dinero_status": voucher.status,
    }


def _judged(doc: RackbeatDoc, candidates: list[DineroVoucher], known: Known) -> Found:
    if not candidates:
        link = next(
            (known.links[(k, doc.number)] for k in SALES_KINDS if (k, doc.number) in known.links),
            None,
        )
        if link is not None:
            reason = ("rc_deleted_in_dinero", {"voucher": link[1] or link[0]})
            return _row(doc, Group.MISSING, dinero_guid=link[0], reason=reason)
        return _row(doc, Group.MISSING, reason=_why_not_sent(doc, known))
    if len(candidates) > 1:
        return _twice(doc, candidates)
    return _compared(doc, candidates[0])


def _twice(doc: RackbeatDoc, vouchers: list[DineroVoucher]) -> Found:
    """One invoice, several live vouchers: what exactly-once forbids, named for the fix."""
    names = ", ".join(v.number or v.guid for v in vouchers)
    return _row(
        doc,
        Group.TWICE,
        dinero_guid=",".join(v.guid for v in vouchers),
        reason=("rc_twice", {"count": len(vouchers), "vouchers": names}),
    )


def _compared(doc: RackbeatDoc, voucher: DineroVoucher) -> Found:
    values = _voucher_values(voucher)
    if doc.total is None:
        return _row(doc, Group.AMOUNT_DIFFERS, reason=doc.total_problem, **values)
    if voucher.total is not None and abs(voucher.total - doc.total) <= doc.tolerance:
        return _row(doc, Group.MATCHED, **values)
    code = "rc_amount_differs_draft" if voucher.status == "draft" else "rc_amount_differs_booked"
    return _row(doc, Group.AMOUNT_DIFFERS, reason=(code, {}), **values)


def _judged_purchase(doc, link, voucher: DineroVoucher | None, known: Known) -> Found:
    if link is None:
        return _row(doc, Group.MISSING, reason=_why_not_sent(doc, known))
    guid, number = link
    if voucher is not None and voucher.total == 0:
        reason = ("rc_deleted_booked_voucher", {"voucher": voucher.number or guid})
        return _row(doc, Group.MISSING, dinero_guid=guid, dinero_number=number, reason=reason)
    if voucher is not None:
        if doc.currency and doc.currency.upper() != "DKK":
            reason = ("rc_other_currency", {"currency": doc.currency.upper()})
            return _row(doc, Group.MATCHED, reason=reason, **_voucher_values(voucher))
        return _compared(doc, voucher)
    trace = known.transfers.get((EntityKind.SUPPLIER_INVOICE, doc.number))
    if trace is not None and trace.drafted:
        reason = ("rc_draft_amount_unread", {})
        values = {"dinero_guid": guid, "dinero_number": number, "dinero_status": "draft"}
        return _row(doc, Group.MATCHED, reason=reason, **values)
    reason = ("rc_not_in_ledger", {"voucher": number or guid})
    return _row(doc, Group.MISSING, dinero_guid=guid, dinero_number=number, reason=reason)


def _why_not_sent(doc: RackbeatDoc, known: Known) -> Reason:
    transfer_kind = (
        EntityKind.SUPPLIER_INVOICE
        if doc.kind == EntityKind.SUPPLIER_INVOICE
        else (EntityKind.CUSTOMER_INVOICE)
    )
    trace = known.transfers.get((transfer_kind, doc.number))
    if trace is None:
        return ("rc_never_sent", {})
    if trace.state in (TransferState.PENDING, TransferState.RUNNING):
        return ("rc_on_its_way", {})
    code = "rc_not_sent_failed" if trace.state == TransferState.FAILED else "rc_not_sent_skipped"
    if trace.message_code is not None:
        nested: Any = {"code": trace.message_code, "params": dict(trace.message_params or {})}
    else:
        nested = trace.message or ""
    return (code, {"reason": nested})


def _unaccounted(month, sales_list, ledger, known: Known, used, month_keys) -> list[Found]:
    """The app's vouchers in Dinero that no booked invoice of the month took: a stray draft,
    or one linked to an invoice that is not the month's (skipped when it is dated elsewhere)."""
    owners = known.owners()
    ours = f"rackbeat:{known.account_id}:"
    rows = []
    for voucher in [*sales_list, *ledger.values()]:
        guid = voucher.guid.lower()
        if guid in used:
            continue
        owner = owners.get(guid)
        is_ledger = guid in ledger and voucher is ledger[guid]
        if owner is not None:
            if owner in month_keys or not month.holds(voucher.date) or voucher.total == 0:
                continue
            kind, number = owner
            reason = ("rc_linked_elsewhere", {"number": number})
        elif not is_ledger and voucher.reference and voucher.reference.startswith(ours):
            kind, number = _named_by(voucher.reference, ours)
            code = "rc_stray_draft" if voucher.status == "draft" else "rc_stray_booked"
            reason = (code, {"reference": voucher.reference})
        else:
            continue  # not the app's: the accountant's own vouchers are none of its business
        rows.append(
            Found(
                group=Group.UNLINKED,
                kind=kind,
                rackbeat_number=number,
                document_date=voucher.date,
                reason=reason,
                **_voucher_values(voucher),
            )
        )
    return rows


def _named_by(reference: str, ours: str) -> tuple[EntityKind, str | None]:
    """The kind and Rackbeat number an ExternalReference of the app's names."""
    kind, _, number = reference[len(ours) :].partition(":")
    try:
        return EntityKind(kind), number or None
    except ValueError:
        return EntityKind.CUSTOMER_INVOICE, None
