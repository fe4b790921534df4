"""Reconciliation bench (RC1): one month of 10,000 booked invoices, reconciled.

The whole system on loopback (``bench.harness``): a throwaway PostgreSQL cluster and
``redis-server``, the app and both sandboxes in this process, one ``flask worker`` process.

Seeded directly, as transfers would have left them (the bench measures the reconciliation,
not the transfers): in Rackbeat ``--sales`` sales invoices, ``--credit-notes`` credit notes and
``--supplier`` supplier invoices booked in last month, plus ``--around`` booked in each of the
months before and after it (so the reading must pass the later ones and stop after the earlier
ones); in Dinero each of the month's invoices booked as the app creates it (invoices and credit
notes under the app's Guid and ExternalReference, purchase vouchers with their ledger entries);
in the app's database the links the transfers write.

A reconciliation of the month is then started as a person would (its job runs in the worker)
and timed until its report is stored. Requests are the sandboxes' own counts: Dinero's per
operation (the token is not an API request), Rackbeat's per account. The report must be clean
(every invoice matched), or the bench fails. The last line printed is
``invoices=<n> dinero_requests=<n> rackbeat_requests=<n> seconds=<s>``; the target is at most
2 Dinero requests per 1,000 invoices of each kind.
Run from the repository root: ``.venv/bin/python -m bench.reconcile``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections import Counter
from datetime import date
from datetime import timedelta

import sqlalchemy as sa

from bench.harness import bench_stack
from bench.harness import rackbeat_store
from bench.start_sync import ACCOUNT_ID
from bench.start_sync import ORGANIZATION_ID
from bench.start_sync import connect
from rackdinero_app.extensions import db
from rackdinero_app.models import EntityLink
from rackdinero_app.models import Reconciliation
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.reconciliation import ReconciliationState
from rackdinero_app.reconcile import runs
from rackdinero_app.transfers.identity import dinero_guid
from rackdinero_app.transfers.identity import external_reference
from sandbox.dinero import sales
from sandbox.dinero import vouchers
from sandbox.dinero.state import new_guid
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import SUPPLIER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from sandbox.services import postgres_server
from tests.stack import Stack

DINERO_OUT_OF_THE_WAY = {"limit": 100_000, "window_seconds": 60}
CUSTOMER, SUPPLIER = 1, 1  # domestic, in kroner
NORDISK = "c0000000-0000-4000-8000-000000000001"  # the Dinero contact they are booked on
SALES_ACCOUNT, PURCHASE_ACCOUNT = 1000, 2000  # U25 and I25 in the sandbox's chart
PRODUCTS = ("100", "101", "200", "201")
MATERIALS = ("300", "301")


def month_days(first: date) -> list[date]:
    following = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def book_in_rackbeat(stack: Stack, kind, index: int, day: date, lines, **fields) -> dict:
    """A booked invoice dated ``day``, booked that afternoon (as Rackbeat's clock would say)."""
    store = rackbeat_store(stack)
    body = {
        kind.party_field: CUSTOMER if kind is CUSTOMER_INVOICES else SUPPLIER,
        "invoice_date": day.isoformat(),
        "lines": [{"child_id": product, "quantity": quantity} for product, quantity in lines],
        **fields,
    }
    account = store.account(ACCOUNT_ID)
    record = create_invoice(store, account, kind, body, book=True, suppress=True)
    stored = account.records[kind.resource][record["number"]]
    stored["booked_at"] = f"{day.isoformat()}T{12 + index % 6:02d}:00:00+00:00"
    return stored


def seed_rackbeat(stack: Stack, args, month: date) -> dict[str, list[dict]]:
    """The month's invoices by kind, and ``--around`` in the months before and after."""
    days = month_days(month)
    before = month_days((month - timedelta(days=1)).replace(day=1))
    after = month_days((month + timedelta(days=32)).replace(day=1))
    seeded: dict[str, list[dict]] = {"invoices": [], "credit_notes": [], "supplier": []}
    store = rackbeat_store(stack)
    with store.lock:
        for index in range(args.around):
            for other in (before, after):
                day = other[index % len(other)]
                book_in_rackbeat(stack, CUSTOMER_INVOICES, index, day, [(PRODUCTS[0], 1)])
        for index in range(args.sales):
            lines = [(PRODUCTS[index % 4], 1 + index % 5), (PRODUCTS[(index + 1) % 4], 1)]
            invoice = book_in_rackbeat(
                stack, CUSTOMER_INVOICES, index, days[index % len(days)], lines
            )
            seeded["invoices"].append(invoice)
        for index in range(args.credit_notes):
            credited = seeded["invoices"][index % len(seeded["invoices"])]
            line = credited["lines"][0]
            seeded["credit_notes"].append(
                book_in_rackbeat(
                    stack,
                    CUSTOMER_INVOICES,
                    index,
                    date.fromisoformat(credited["invoice_date"]),
                    [(line["child_id"], -1)],
                    credited_invoice_id=credited["number"],
                )
            )
        for index in range(args.supplier):
            lines = [(MATERIALS[index % 2], 10 + index % 40)]
            day = days[index % len(days)]
            seeded["supplier"].append(book_in_rackbeat(stack, SUPPLIER_INVOICES, index, day, lines))
    return seeded


def seed_dinero(stack: Stack, connection_id: int, seeded: dict[str, list[dict]]) -> list[dict]:
    """Each invoice booked in Dinero as the app creates it; the links the app would keep."""
    sandbox = stack.dinero.extensions["dinero_sandbox"]
    links = []
    with stack.dinero.app_context(), sandbox.lock:
        org = sandbox.organizations[ORGANIZATION_ID]
        for invoice in seeded["invoices"]:
            links.append(_sale(org, connection_id, invoice, EntityKind.CUSTOMER_INVOICE, 1))
        for credit_note in seeded["credit_notes"]:
            links.append(_sale(org, connection_id, credit_note, EntityKind.CREDIT_NOTE, -1))
        for invoice in seeded["supplier"]:
            links.append(_purchase(org, invoice))
    return links


def _sale(org, connection_id: int, invoice: dict, kind: EntityKind, sign: int) -> dict:
    number = str(invoice["number"])
    guid = dinero_guid(connection_id, kind, number)
    data = {
        "ContactGuid": NORDISK,
        "Date": invoice["invoice_date"],
        "ExternalReference": external_reference(ACCOUNT_ID, kind, number),
        "ProductLines": [
            {
                "Description": f"Vare {line['child_id']}",
                "Quantity": float(sign * line["quantity"]),
                "AccountNumber": SALES_ACCOUNT,
                "Unit": "parts",
                "Discount": 0.0,
                "LineType": "Product",
                "BaseAmountValue": float(line["line_price"]),
            }
            for line in invoice["lines"]
        ],
    }
    dinero_kind = sales.INVOICE if kind == EntityKind.CUSTOMER_INVOICE else sales.CREDIT_NOTE
    record = sales.store(org, sales.build(org, data, dinero_kind, guid))
    sales.book(org, record, {"Timestamp": record["TimeStamp"]})
    return {"kind": kind, "rackbeat_key": number, "dinero_guid": guid}


def _purchase(org, invoice: dict) -> dict:
    data = {
        "PurchaseType": "credit",
        "ContactGuid": NORDISK,
        "VoucherDate": invoice["invoice_date"],
        "PaymentDate": invoice["due_date"],
        "ExternalReference": external_reference(
            ACCOUNT_ID, EntityKind.SUPPLIER_INVOICE, invoice["number"]
        ),
        "Lines": [
            {
                "AccountNumber": PURCHASE_ACCOUNT,
                "Description": "Varekøb",
                "Amount": float(invoice["total_total"]),
            }
        ],
    }
    guid = new_guid()
    record = vouchers.store(org.purchase_vouchers, vouchers.build_purchase_voucher(org, data, guid))
    vouchers.book_purchase_voucher(org, record, {"Timestamp": record["Timestamp"]})
    kind = EntityKind.SUPPLIER_INVOICE
    return {"kind": kind, "rackbeat_key": str(invoice["number"]), "dinero_guid": guid}


def dinero_requests(stack: Stack) -> Counter:
    """Requests to Dinero's API by (method, path); its sign-in service's token is not one."""
    sandbox = stack.dinero.extensions["dinero_sandbox"]
    with sandbox.lock:
        return Counter(
            {
                (method, path): count
                for (org, method, path), count in sandbox.request_counts.items()
                if str(org) == str(ORGANIZATION_ID) and path.startswith("/v")
            }
        )


def wait_for(run_id: int, timeout: float) -> Reconciliation:
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        run = db.session.get(Reconciliation, run_id)
        db.session.commit()
        if run.state == ReconciliationState.FINISHED:
            return run
        if run.state == ReconciliationState.FAILED or time.monotonic() > deadline:
            raise SystemExit(f"reconciliation {run_id} is {run.state}: {run.message_params}")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sales", type=int, default=6_000, help="sales invoices in the month")
    parser.add_argument("--credit-notes", type=int, default=1_000, help="credit notes")
    parser.add_argument("--supplier", type=int, default=3_000, help="supplier invoices")
    parser.add_argument("--around", type=int, default=1_000, help="in each month around it")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    settings = {
        "DINERO_RATE_LIMIT": DINERO_OUT_OF_THE_WAY["limit"],
        "DINERO_RATE_WINDOW": DINERO_OUT_OF_THE_WAY["window_seconds"],
    }
    dinero_config = {"VALIDATE_RESPONSES": False, "KNOBS": {"rate_limit": DINERO_OUT_OF_THE_WAY}}

    with (
        postgres_server() as database_url,
        bench_stack(database_url, settings, dinero_config=dinero_config) as stack,
    ):
        connection = connect(stack)
        seeded = seed_rackbeat(stack, args, month)
        links = seed_dinero(stack, connection.id, seeded)
        db.session.execute(
            sa.insert(EntityLink), [{**link, "connection_id": connection.id} for link in links]
        )
        db.session.commit()
        invoices = sum(len(group) for group in seeded.values())
        store = rackbeat_store(stack)
        rackbeat_before, dinero_before = store.api_requests[ACCOUNT_ID], dinero_requests(stack)

        started = time.monotonic()
        run, _ = runs.request_run(connection, month, ActorType.SYSTEM, "bench")
        run = wait_for(run.id, args.timeout)
        seconds = time.monotonic() - started
        rackbeat = store.api_requests[ACCOUNT_ID] - rackbeat_before
        dinero = dinero_requests(stack) - dinero_before

    print(
        f"{month:%Y-%m}: {args.sales} sales invoices, {args.credit_notes} credit notes, "
        f"{args.supplier} supplier invoices ({args.around} booked in each month around it)"
    )
    print("report: " + " ".join(f"{group}={count}" for group, count in run.counts.items()))
    for (method, path), count in sorted(dinero.items()):
        print(f"  Dinero {method} {path}: {count}")
    sales_kinds = args.sales + args.credit_notes
    sales_pages = dinero.get(("GET", "/v1/{organizationId}/sales"), 0)
    ledger_reads = dinero.get(("GET", "/v1/{organizationId}/entries"), 0)
    print(
        f"  per 1,000 invoices: sales list {1000 * sales_pages / max(sales_kinds, 1):.2f} "
        f"(invoices and credit notes), ledger {1000 * ledger_reads / max(args.supplier, 1):.2f} "
        "(supplier invoices)"
    )
    if run.counts.get("matched") != invoices:
        raise SystemExit(f"the report is not clean: {run.counts}")
    print(
        f"invoices={invoices} dinero_requests={sum(dinero.values())} "
        f"rackbeat_requests={rackbeat} seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    main()
