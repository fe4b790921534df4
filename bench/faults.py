"""Fault bench (X1): booked invoices over many connections while everything that can break,
breaks; then count, in the Dinero sandbox, the vouchers each Rackbeat invoice got.

The whole system runs on loopback (a throwaway PostgreSQL cluster, a ``redis-server`` that is
stopped and started again empty once, the app and both sandboxes in threads of this process,
``--workers`` ``flask worker`` processes). ``--connections`` connections each book sales and
supplier invoices, among them look-alike supplier invoices (one supplier, one date, the same
lines), while

- Dinero answers ``--error-rate`` of its requests with 500 and lets ``--timeout-rate`` of them
  time out after the write was committed (the app's read timeout is 1 s, the answer comes at
  2.5 s), and every ``--burst-every`` seconds it allows only 2 requests a second for
  ``--burst-seconds`` seconds, answering 429 without ``Retry-After``;
- Rackbeat delivers ``--duplicate-rate`` of its webhooks two or three times, each copy after a
  random delay of up to a second, so they arrive out of order;
- one worker is killed with SIGKILL every ``--kill-every`` seconds (and a new one started), and
  Redis is stopped for three seconds and started again, empty, a third of the way through.

Then it waits until every webhook is processed and every transfer has ended, and counts per
Rackbeat invoice the Dinero sales invoices or purchase vouchers carrying its reference.

- ``lost``: invoices with nothing in Dinero whose transfer did not fail with a stated reason;
- ``duplicated``: invoices with more than one;
- ``failed``: transfers that ended failed (each printed with its reason).

The last line is ``invoices=<n> lost=<n> duplicated=<n> failed=<n> drain_s=<seconds>``, where
``drain_s`` runs from the last booking until everything has settled.
Run from the repository root: ``.venv/bin/python -m bench.faults [--connections 20 --per 50]``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import logging
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

import requests
import sqlalchemy as sa

from bench.harness import bench_stack
from bench.harness import rackbeat_store
from bench.transfers import BOOKED
from bench.transfers import connect
from bench.transfers import dinero_state
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import SUPPLIER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from sandbox.services import postgres_server
from tests.e2e.fault_helpers import RedisProcess
from tests.e2e.fault_helpers import fast_transfers
from tests.stack import Stack

SUPPLIER_BOOKED = "supplier_invoice.booked"
TERMINAL = (TransferState.SUCCEEDED, TransferState.FAILED, TransferState.SKIPPED)
GENEROUS = {"limit": 6000, "window_seconds": 60}
BURST = {"limit": 2, "window_seconds": 1}
SALES_LINES = (
    [{"child_id": "100", "quantity": 1}, {"child_id": "201", "quantity": 1}],
    [{"child_id": "101", "quantity": 4}],
    [{"child_id": "200", "quantity": 2.5}, {"child_id": "300", "quantity": 12}],
)
SUPPLIER_LINES = (
    [{"child_id": "300", "quantity": 10, "line_price": 42.5}],
    [{"child_id": "301", "quantity": 3, "line_price": 8.0}, {"child_id": "200", "quantity": 1}],
)
LOOK_ALIKE = {
    "supplier_id": 1,
    "invoice_date": "2026-11-02",
    "lines": [{"child_id": "300", "quantity": 10, "line_price": 42.5}],
}


@dataclass
class Booked:
    """What was booked in Rackbeat: (account id, kind, number) per invoice."""

    invoices: list[tuple[int, EntityKind, int]] = field(default_factory=list)
    last_at: float = 0.0


# -- the system ---------------------------------------------------------------------------


@contextlib.contextmanager
def system(args: argparse.Namespace, database_url: str, redis: RedisProcess) -> Iterator[Stack]:
    """The bench's system on the Redis that is restarted mid-run, with retries, leases and the
    sweeper acting within seconds, and a read timeout short enough for the stalled writes."""
    settings = fast_transfers(
        DINERO_READ_TIMEOUT=1,
        TRANSFER_LEASE_SECONDS=5,
        RACKBEAT_RATE_LIMIT=6000,
    )
    knobs = {"KNOBS": {"rate_limit": GENEROUS, "retry_after_mode": "never", "seed": args.seed}}
    with bench_stack(
        database_url, settings, dinero_config=knobs, workers=args.workers, redis_url=redis.url
    ) as stack:
        yield stack


def set_knobs(url: str, **knobs) -> None:
    response = requests.post(f"{url}/_sandbox/knobs", json=knobs, timeout=10)
    response.raise_for_status()


# -- the faults ---------------------------------------------------------------------------


class Chaos:
    """Background threads: kill a worker every few seconds, and 429 bursts at Dinero."""

    def __init__(self, stack: Stack, args: argparse.Namespace) -> None:
        self.stack, self.args = stack, args
        self.stop = threading.Event()
        self.kills = 0
        self.bursts = 0
        self.threads = [
            threading.Thread(target=self._killer, daemon=True),
            threading.Thread(target=self._bursts, daemon=True),
        ]

    def __enter__(self) -> Chaos:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        set_knobs(self.stack.dinero_url, rate_limit=GENEROUS)

    def _killer(self) -> None:
        while not self.stop.wait(self.args.kill_every):
            self.stack.workers.kill_one()
            self.stack.workers.start()
            self.kills += 1

    def _bursts(self) -> None:
        while not self.stop.wait(self.args.burst_every):
            set_knobs(self.stack.dinero_url, rate_limit=BURST)
            self.bursts += 1
            self.stop.wait(self.args.burst_seconds)
            set_knobs(self.stack.dinero_url, rate_limit=GENEROUS)


# -- booking ------------------------------------------------------------------------------


def book_all(stack: Stack, accounts: list[int], args: argparse.Namespace, redis) -> Booked:
    """Book ``--per`` invoices for each account, in turns, at ``--rate`` a second; Redis is
    stopped and started again a third of the way through."""
    booked = Booked()
    store = rackbeat_store(stack)
    plan = [(index, account) for index in range(args.per) for account in accounts]
    restart_at = len(plan) // 3
    pause = 1.0 / args.rate
    for position, (index, account_id) in enumerate(plan):
        if position == restart_at:
            redis.stop()
            print(f"  Redis stopped after {position} bookings", flush=True)
            threading.Timer(3.0, restart, args=(redis,)).start()
        kind, body = invoice_body(index, args.per)
        resource = CUSTOMER_INVOICES if kind == EntityKind.CUSTOMER_INVOICE else SUPPLIER_INVOICES
        with store.lock:
            record = create_invoice(
                store, store.account(account_id), resource, copy.deepcopy(body), book=True
            )
        booked.invoices.append((account_id, kind, record["number"]))
        time.sleep(pause)
    booked.last_at = time.monotonic()
    return booked


def restart(redis: RedisProcess) -> None:
    redis.start()
    print("  Redis started again (empty)", flush=True)


def invoice_body(index: int, per: int) -> tuple[EntityKind, dict]:
    """About a third supplier invoices, the last four of each account two look-alike pairs."""
    if index >= per - 4:
        return EntityKind.SUPPLIER_INVOICE, LOOK_ALIKE
    if index % 3 == 2:
        lines = SUPPLIER_LINES[index % len(SUPPLIER_LINES)]
        return EntityKind.SUPPLIER_INVOICE, {"supplier_id": 1 + index % 4, "lines": lines}
    lines = SALES_LINES[index % len(SALES_LINES)]
    return EntityKind.CUSTOMER_INVOICE, {"customer_id": 1 + index % 6, "lines": lines}


# -- settling and counting ----------------------------------------------------------------


def settle(booked: Booked, timeout: float) -> float:
    """Wait until every booked invoice has a transfer, all transfers have ended and every
    webhook is processed; return the seconds since the last booking."""
    expected = len(booked.invoices)
    kinds = (EntityKind.CUSTOMER_INVOICE, EntityKind.SUPPLIER_INVOICE)
    deadline = booked.last_at + timeout
    while True:
        db.session.expire_all()
        states = Counter(
            dict(
                db.session.execute(
                    sa.select(Transfer.state, sa.func.count()).group_by(Transfer.state)
                ).all()
            )
        )
        invoices = db.session.scalar(sa.select(sa.func.count()).where(Transfer.kind.in_(kinds)))
        unprocessed = db.session.scalar(
            sa.select(sa.func.count()).where(InboxEvent.processed_at.is_(None))
        )
        open_rows = sum(count for state, count in states.items() if state not in TERMINAL)
        if invoices >= expected and not open_rows and not unprocessed:
            return time.monotonic() - booked.last_at
        if time.monotonic() > deadline:
            print(
                f"  not settled after {timeout:.0f} s: {invoices}/{expected} invoice transfers, "
                f"{dict(states)}, {unprocessed} unprocessed webhooks",
                flush=True,
            )
            return time.monotonic() - booked.last_at
        time.sleep(0.5)


def references_in_dinero(stack: Stack, organizations: dict[int, int]) -> Counter:
    """Every ExternalReference on the sales invoices and purchase vouchers of our
    organizations, counted."""
    sandbox = dinero_state(stack)
    found: Counter = Counter()
    with sandbox.lock:
        for organization_id in organizations.values():
            organization = sandbox.organizations[organization_id]
            for table in (organization.invoices, organization.purchase_vouchers):
                for record in table.values():
                    found[str(record.get("ExternalReference") or "")] += 1
    return found


def count(stack: Stack, booked: Booked, organizations: dict[int, int]) -> dict[str, object]:
    found = references_in_dinero(stack, organizations)
    failed = {
        (row.connection_id, row.kind, row.source_key): row
        for row in db.session.scalars(
            sa.select(Transfer).where(Transfer.state == TransferState.FAILED)
        )
    }
    connection_of = {
        connection.rackbeat_account_id: connection.id
        for connection in db.session.scalars(sa.select(Connection))
    }
    lost, duplicated = [], []
    for account_id, kind, number in booked.invoices:
        copies = found[f"rackbeat:{account_id}:{kind}:{number}"]
        if copies > 1:
            duplicated.append((account_id, kind.value, number, copies))
        elif copies == 0 and (connection_of[account_id], kind, str(number)) not in failed:
            lost.append((account_id, kind.value, number))
    invoice_failures = [
        row
        for row in failed.values()
        if row.kind in (EntityKind.CUSTOMER_INVOICE, EntityKind.SUPPLIER_INVOICE)
    ]
    return {"lost": lost, "duplicated": duplicated, "failed": invoice_failures}


def faults_seen(stack: Stack, chaos: Chaos) -> None:
    logs = rackbeat_store(stack).outbox.logs()
    deliveries = Counter(entry["delivery_id"] for entry in logs if entry.get("success"))
    repeated = sum(1 for copies in deliveries.values() if copies > 1)
    print(f"  worker kills          {chaos.kills}")
    print(f"  429 bursts            {chaos.bursts}")
    print(f"  webhooks delivered    {sum(deliveries.values())} ({repeated} events more than once)")


# -- main ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> str:
    redis = RedisProcess()
    redis.start()
    try:
        with postgres_server() as database_url, system(args, database_url, redis) as stack:
            organizations = dict(
                connect(stack, index, events=(BOOKED, SUPPLIER_BOOKED))
                for index in range(args.connections)
            )
            set_knobs(
                stack.dinero_url,
                error_rate=args.error_rate,
                timeout_after_commit_rate=args.timeout_rate,
                timeout_after_commit_seconds=2.5,
            )
            set_knobs(
                stack.rackbeat_url,
                webhook_duplicate_rate=args.duplicate_rate,
                webhook_max_copies=3,
                webhook_jitter_ms=1000,
                seed=args.seed,
            )
            total = args.connections * args.per
            print(
                f"Fault bench: {total} invoices over {args.connections} connections, "
                f"{args.workers} workers",
                flush=True,
            )
            started = time.monotonic()
            with Chaos(stack, args) as chaos:
                booked = book_all(stack, list(organizations), args, redis)
                print(f"  booked in             {time.monotonic() - started:.1f} s", flush=True)
                drain = settle(booked, args.timeout)
            set_knobs(stack.dinero_url, error_rate=0.0, timeout_after_commit_rate=0.0)
            result = count(stack, booked, organizations)
            faults_seen(stack, chaos)
            for row in result["failed"][:10]:
                print(
                    f"  failed: {row.kind.value} {row.source_key}: {row.reason_code} {row.message}"
                )
            for entry in result["lost"][:10]:
                print(f"  lost: {entry}")
            for entry in result["duplicated"][:10]:
                print(f"  duplicated: {entry}")
            return (
                f"invoices={len(booked.invoices)} lost={len(result['lost'])} "
                f"duplicated={len(result['duplicated'])} failed={len(result['failed'])} "
                f"drain_s={drain:.1f}"
            )
    finally:
        redis.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--per", type=int, default=50, help="invoices per connection")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=40.0, help="bookings a second")
    parser.add_argument("--error-rate", type=float, default=0.10)
    parser.add_argument("--timeout-rate", type=float, default=0.05)
    parser.add_argument("--duplicate-rate", type=float, default=0.3)
    parser.add_argument("--kill-every", type=float, default=4.0, help="seconds")
    parser.add_argument("--burst-every", type=float, default=15.0, help="seconds")
    parser.add_argument("--burst-seconds", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=900.0, help="to settle, seconds")
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    print(run(args))


if __name__ == "__main__":
    main()
