"""The reconciliation job (RC1): read both systems, judge, store the report.

Progress (the step, records read, requests made) is committed page by page, so the page that
started the run shows it moving. Reading only: nothing is written to Rackbeat or Dinero.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa

from rackdinero_app.clients.errors import ClientError
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import EntityLink
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import ReconciliationItem
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.reconciliation import ReconciliationGroup
from rackdinero_app.models.reconciliation import ReconciliationState
from rackdinero_app.reconcile import ledger
from rackdinero_app.reconcile import reading
from rackdinero_app.reconcile.compare import Found
from rackdinero_app.reconcile.compare import Known
from rackdinero_app.reconcile.compare import TransferTrace
from rackdinero_app.reconcile.compare import compare
from rackdinero_app.reconcile.runs import fail
from rackdinero_app.reconcile.runs import span
from rackdinero_app.transfers.messages import CLIENT

log = logging.getLogger(__name__)
INVOICE_KINDS = (EntityKind.CUSTOMER_INVOICE, EntityKind.CREDIT_NOTE, EntityKind.SUPPLIER_INVOICE)
CHUNK = 500


def run(reconciliation_id: int) -> None:
    """Run a queued reconciliation to its end (a run taken by another worker is left alone)."""
    claimed = db.session.execute(
        sa.update(Reconciliation)
        .where(
            Reconciliation.id == reconciliation_id,
            Reconciliation.state == ReconciliationState.QUEUED,
        )
        .values(state=ReconciliationState.RUNNING, started_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if not claimed.rowcount:
        return
    reconciliation = db.session.get(Reconciliation, reconciliation_id)
    try:
        found = _read_and_compare(reconciliation)
    except ClientError as error:
        db.session.rollback()
        reason = {"code": CLIENT + error.message_code, "params": error.message_params}
        fail(reconciliation, "rc_failed_reading", {"reason": reason})
        return
    except Exception:
        db.session.rollback()
        log.exception("Reconciliation %s failed", reconciliation_id)
        fail(reconciliation, "unexpected_error", {})
        return
    _store(reconciliation, found)


def _read_and_compare(run: Reconciliation) -> list[Found]:
    connection = db.session.get(Connection, run.connection_id)
    month = span(run.month)
    rackbeat, dinero = rackbeat_client(connection), connection_dinero_client(connection)

    def progress(step: str, system: str):
        run.step = step
        db.session.commit()

        def on_page(records: int) -> None:
            run.records_read += records
            setattr(run, system, getattr(run, system) + 1)
            db.session.commit()

        return on_page

    sales = reading.rackbeat_invoices(
        rackbeat, "customer-invoices", month, progress("rackbeat_sales", "rackbeat_requests")
    )
    supplier = reading.rackbeat_invoices(
        rackbeat, "supplier-invoices", month, progress("rackbeat_supplier", "rackbeat_requests")
    )
    dinero_sales = reading.dinero_sales(dinero, month, progress("dinero_sales", "dinero_requests"))
    vouchers = ledger.purchase_vouchers(
        dinero, connection.id, month, progress("dinero_ledger", "dinero_requests")
    )
    run.step = "comparing"
    db.session.commit()
    numbers = {doc.number for doc in (*sales, *supplier)}
    known = Known(
        account_id=connection.rackbeat_account_id,
        links=_links(connection.id),
        transfers=_traces(connection.id, numbers),
        files=_files(connection.id, {doc.number for doc in supplier}),
    )
    return compare(month, sales, supplier, dinero_sales, vouchers, known)


def _links(connection_id: int) -> dict[tuple[EntityKind, str], tuple[str, str | None]]:
    rows = db.session.execute(
        sa.select(
            EntityLink.kind,
            EntityLink.rackbeat_key,
            EntityLink.dinero_guid,
            EntityLink.dinero_number,
        ).where(EntityLink.connection_id == connection_id, EntityLink.kind.in_(INVOICE_KINDS))
    )
    return {(kind, key): (guid, number) for kind, key, guid, number in rows}


def _traces(connection_id: int, numbers: Iterable[str]) -> dict:
    """The latest transfer of each invoice number (sales and supplier), read in chunks."""
    keys = sorted(numbers)
    traces: dict[tuple[EntityKind, str], TransferTrace] = {}
    for start in range(0, len(keys), CHUNK):
        rows = db.session.execute(
            sa.select(
                Transfer.kind,
                Transfer.source_key,
                Transfer.state,
                Transfer.message_code,
                Transfer.message_params,
                Transfer.message,
            )
            .where(
                Transfer.connection_id == connection_id,
                Transfer.kind.in_((EntityKind.CUSTOMER_INVOICE, EntityKind.SUPPLIER_INVOICE)),
                Transfer.source_key.in_(keys[start : start + CHUNK]),
            )
            .order_by(Transfer.id)
        )
        for kind, key, state, code, params, message in rows:
            traces[(kind, key)] = TransferTrace(state, code, params, message)
    return traces


def _files(connection_id: int, numbers: set[str]) -> dict[str, str]:
    """The documents the app uploaded for these supplier invoices (any attempt, any round):
    lower-case FileGuid -> invoice number."""
    keys, files = sorted(numbers), {}
    for start in range(0, len(keys), CHUNK):
        rows = db.session.execute(
            sa.select(Transfer.dinero_file_guid, Transfer.source_key).where(
                Transfer.connection_id == connection_id,
                Transfer.kind == EntityKind.SUPPLIER_INVOICE,
                Transfer.source_key.in_(keys[start : start + CHUNK]),
                Transfer.dinero_file_guid.is_not(None),
            )
        )
        files.update({guid.lower(): key for guid, key in rows})
    return files


def _store(run: Reconciliation, found: list[Found]) -> None:
    if found:
        db.session.execute(sa.insert(ReconciliationItem), [_item(run, row) for row in found])
    counts = Counter(row.group.value for row in found)
    run.counts = {group.value: counts.get(group.value, 0) for group in ReconciliationGroup}
    run.state = ReconciliationState.FINISHED
    run.step = None
    run.finished_at = utcnow()
    db.session.commit()


def _item(run: Reconciliation, row: Found) -> dict:
    return {
        "reconciliation_id": run.id,
        "group": row.group,
        "kind": row.kind,
        "rackbeat_number": row.rackbeat_number,
        "document_date": row.document_date,
        "rackbeat_total": row.rackbeat_total,
        "dinero_total": row.dinero_total,
        "dinero_guid": row.dinero_guid,
        "dinero_number": row.dinero_number,
        "dinero_status": row.dinero_status,
        "reason_code": row.reason[0] if row.reason else None,
        "reason_params": row.reason[1] if row.reason else None,
    }
