"""The reconciliation's one-click fixes (RC1).

- *Send the missing ones*: each missing invoice goes the troubleshooting way (T1); one whose
  Dinero voucher was deleted there is first confirmed gone (Dinero's sales list of the month,
  read again), then sent under a new identity (``transfers.resend``). One the ledger lost
  for reasons unknown is left to the accountant.
- *Delete a stray draft*, after the user confirmed it: a draft of the app's that no Rackbeat
  invoice is linked to. *Replace a draft* whose total differs: delete it, send the invoice
  again. Booked vouchers are never deleted: the report says what to do with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from rackdinero_app.audit import Staff
from rackdinero_app.audit import record_step
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import ReconciliationItem
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.reconcile.reading import dinero_sales
from rackdinero_app.reconcile.runs import span
from rackdinero_app.transfers import resend
from rackdinero_app.transfers import troubleshoot
from rackdinero_app.transfers.messages import CLIENT

# Missing for a reason sending fixes; its voucher was deleted in Dinero (a new identity).
SENDABLE = frozenset({"rc_not_sent_skipped", "rc_not_sent_failed", "rc_never_sent"})
DELETED = frozenset({"rc_deleted_in_dinero", "rc_deleted_booked_voucher"})
SALES_KINDS = (EntityKind.CUSTOMER_INVOICE, EntityKind.CREDIT_NOTE)


@dataclass(frozen=True)
class Done:
    """What a fix did, as a message code and parameters for the page."""

    ok: bool
    code: str
    params: dict
    # Invoices not sent because Dinero has them after all (``rc_fix_kept``).
    kept: list[str] | None = None


def sendable(run: Reconciliation) -> list[ReconciliationItem]:
    return list(
        db.session.scalars(
            sa.select(ReconciliationItem).where(
                ReconciliationItem.reconciliation_id == run.id,
                ReconciliationItem.group == Group.MISSING,
                ReconciliationItem.fixed_at.is_(None),
                ReconciliationItem.reason_code.in_(SENDABLE | DELETED),
            )
        )
    )


def can_delete(item: ReconciliationItem) -> bool:
    """A draft of the app's in Dinero that a fix may delete: a stray one, or one to replace."""
    return (
        item.fixed_at is None
        and item.dinero_status == "draft"
        and item.kind in SALES_KINDS
        and (
            (item.group == Group.UNLINKED and item.reason_code == "rc_stray_draft")
            or item.group == Group.AMOUNT_DIFFERS
        )
    )


def send_missing(connection: Connection, run: Reconciliation, actor: str | Staff) -> Done:
    """Send every missing invoice of the report that sending fixes; returns how many went and
    which were found still in Dinero (not sent)."""
    work = [
        (item.id, item.kind, item.rackbeat_number, item.reason_code, item.dinero_guid)
        for item in sendable(run)
    ]
    deleted_sales = any(reason in DELETED and kind in SALES_KINDS for _, kind, _, reason, _ in work)
    live = _live_sales(connection, run) if deleted_sales else set()
    sent, kept = [], []
    for item_id, kind, number, reason, guid in work:
        transfer_kind = (
            EntityKind.SUPPLIER_INVOICE
            if kind == EntityKind.SUPPLIER_INVOICE
            else EntityKind.CUSTOMER_INVOICE
        )
        if reason in DELETED:
            if kind in SALES_KINDS and (live is None or guid.lower() in live):
                kept.append(number)  # still in Dinero, or it cannot tell now: never twice
                continue
            resend.send_with_new_identity(connection.id, transfer_kind, number)
        else:
            troubleshoot.send_rackbeat_invoice(connection.id, transfer_kind, number)
        sent.append(item_id)
    _mark(sent, "sent")
    connection = db.session.get(Connection, connection.id)
    details = {"reconciliation": run.id, "sent": len(sent), "still_in_dinero": kept}
    record_step(connection, actor, "reconciliation_sent_missing", details)
    db.session.commit()
    return Done(True, "rc_fix_sent", {"count": len(sent)}, kept)


def _live_sales(connection: Connection, run: Reconciliation) -> set[str] | None:
    """The Guids in Dinero's sales list of the run's month now, read again (a page per 1,000,
    not a request per invoice), so a voucher the report found deleted is sent again only if it
    is still gone; None when Dinero cannot be read."""
    try:
        vouchers = dinero_sales(connection_dinero_client(connection), span(run.month), _count)
    except ClientError:
        return None
    return {voucher.guid.lower() for voucher in vouchers}


def _count(records: int) -> None:
    """A page was read (the fix keeps no progress)."""


def delete_draft(connection: Connection, item: ReconciliationItem, actor: str | Staff) -> Done:
    """Delete the draft ``item`` names (confirmed by the user); a draft whose total differs is
    then sent again from Rackbeat. A voucher booked since the report is left alone."""
    dinero = connection_dinero_client(connection)
    credit_note = item.kind == EntityKind.CREDIT_NOTE
    read = dinero.get_credit_note if credit_note else dinero.get_invoice
    delete = dinero.delete_credit_note if credit_note else dinero.delete_invoice
    guid, number, replace = item.dinero_guid, item.rackbeat_number, item.group != Group.UNLINKED
    try:
        try:
            current = read(guid)
        except NotFound:
            current = None
        if current is not None and not current.get("DeletedAt"):
            if str(current.get("Status") or "").lower() != "draft":
                return Done(False, "rc_fix_booked_since", {})
            delete(guid, current.get("TimeStamp"))
    except ClientError as error:
        reason = {"code": CLIENT + error.message_code, "params": error.message_params}
        return Done(False, "rc_fix_failed", {"reason": reason})
    if replace:
        kind = EntityKind.CUSTOMER_INVOICE
        resend.send_with_new_identity(connection.id, kind, number)
    _mark([item.id], "replaced" if replace else "deleted")
    connection = db.session.get(Connection, connection.id)
    details = {"dinero_guid": guid, "rackbeat_number": number, "replaced": replace}
    record_step(connection, actor, "reconciliation_draft_deleted", details)
    db.session.commit()
    return Done(True, "rc_fix_replaced" if replace else "rc_fix_deleted", {"number": number or ""})


def _mark(item_ids: list[int], fix: str) -> None:
    if item_ids:
        db.session.execute(
            sa.update(ReconciliationItem)
            .where(ReconciliationItem.id.in_(item_ids))
            .values(fixed_at=utcnow(), fix=fix)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
