"""Transfer bench: booked invoices through the whole pipeline, webhook → worker → Dinero.

Everything runs on loopback and stops by itself: a throwaway PostgreSQL cluster and
``redis-server``, the app and both sandboxes in threads of this process, and ``--workers``
``flask worker`` processes (the same harness as the end-to-end tests, ``tests/stack.py``).
Dinero's limit of 100 requests a minute per organization is compressed to ``--limit`` requests
per ``--window`` seconds, in the sandbox and in the app alike. The app's Rackbeat limit (480
requests a minute per account) is compressed by the same factor, so the two keep the ratio they
have in real life and the run stays bound by Dinero, as it is in production.

Run 1: ``--invoices`` booked invoices for one organization (its customer contact linked by a
warm-up transfer first). Measures Dinero requests per invoice (the sandbox's counts, warm-up
excluded) and invoices a minute against the most the limit allows for that many requests.

Run 2: ``--orgs`` organizations (Rackbeat accounts, Dinero organizations and connections made
directly in the sandboxes and the database; webhooks still flow Rackbeat sandbox → app),
``--per-org`` invoices each, booked in turns. Measures total throughput and how evenly the
organizations finish (no organization starved).

The last line printed is ``requests/invoice=<n> achieved/max=<ratio>`` from run 1.
Run from the repository root: ``.venv/bin/python -m bench.transfers [--orgs 20 --workers 4]``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import logging
import secrets
import signal
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import datetime

import requests
import sqlalchemy as sa

from bench.harness import bench_stack
from bench.harness import rackbeat_store
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models import Transfer
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from sandbox.dinero import seed as dinero_seed
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Token
from sandbox.rackbeat.store import User
from sandbox.rackbeat.store import Webhook
from sandbox.services import postgres_server
from tests.e2e.transfers_setup import configure
from tests.stack import Stack

DEMO_ACCOUNT_ID = 12345
DEMO_ORGANIZATION_ID = 400555
BOOKED = "customer_invoice.booked"
TERMINAL = (TransferState.SUCCEEDED, TransferState.FAILED, TransferState.SKIPPED)
LINES = [{"child_id": "100", "quantity": 1}, {"child_id": "201", "quantity": 1}]
CUSTOMER = 1
TOKEN_PATH = "/dineroapi/oauth/token"


RACKBEAT_LIMIT_PER_MINUTE = 480  # the app's default (config.RACKBEAT_RATE_LIMIT)


# -- setting up the system ------------------------------------------------------------------


@contextlib.contextmanager
def system(args: argparse.Namespace, database_url: str) -> Iterator[Stack]:
    """A fresh Redis, a fresh schema, the app, both sandboxes and the workers."""
    # Both services count per minute; compressing that minute to ``--window`` compresses both.
    limits = {
        "DINERO_RATE_LIMIT": args.limit,
        "DINERO_RATE_WINDOW": args.window,
        "RACKBEAT_RATE_LIMIT": RACKBEAT_LIMIT_PER_MINUTE,
        "RACKBEAT_RATE_WINDOW": args.window,
    }
    knobs = {"KNOBS": {"rate_limit": {"limit": args.limit, "window_seconds": args.window}}}
    with bench_stack(database_url, limits, dinero_config=knobs, workers=args.workers) as stack:
        yield stack


def dinero_state(stack: Stack):
    return stack.dinero.extensions["dinero_sandbox"]


def connect(stack: Stack, index: int, events: tuple[str, ...] = (BOOKED,)) -> tuple[int, int]:
    """Account ``index`` in Rackbeat, its own Dinero organization and an active connection
    between them, made directly (as an install and activation would leave them). Account 0 is
    the seeded demo account and organization; the others copy its customers and products."""
    store = rackbeat_store(stack)
    account_id = DEMO_ACCOUNT_ID if index == 0 else 30_000 + index
    organization_id = DEMO_ORGANIZATION_ID if index == 0 else 410_000 + index
    api_key = "demo-dinero-api-key" if index == 0 else f"bench-api-key-{index}"
    with store.lock:
        demo = store.account(DEMO_ACCOUNT_ID)
        if index:
            account = Account(
                id=account_id,
                company_name=f"Bench {index} ApS",
                address_street="Benchvej 1",
                address_zipcode="5000",
                address_city="Odense C",
                address_country="DK",
                company_vat=f"DK{10_000_000 + index}",
                records=copy.deepcopy(demo.records),
            )
            store.add_account(account, User(50_000 + index, account_id, "Bench", "b@x.dk", "da"))
        user_id = store.account(account_id).users[0]
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        for value, table in ((access, store.access_tokens), (refresh, store.refresh_tokens)):
            table[value] = Token(
                value=value,
                grant_id=f"bench-{index}",
                client_id=store.registration.client_id,
                account_id=account_id,
                user_id=user_id,
                scopes=store.registration.scopes,
                expires_at=None,
            )
        hooks = [
            Webhook(
                id=store.next_id("webhook"),
                account_id=account_id,
                plugin=store.registration.slug,
                event=event,
                url=f"{stack.app_url}/webhooks/rackbeat",
                is_active=True,
                token=secrets.token_hex(16),
                created_at=store.timestamp(),
                updated_at=store.timestamp(),
            )
            for event in events
        ]
        for hook in hooks:
            store.webhooks[hook.id] = hook
    if index:
        organization = dinero_seed._demo_organization()
        organization.id = organization_id
        organization.name = f"Bench {index} ApS"
        organization.api_key = api_key
        sandbox = dinero_state(stack)
        with sandbox.lock:
            sandbox.organizations[organization_id] = organization
    connection = Connection(
        rackbeat_account_id=account_id,
        rackbeat_company_name=f"Bench {index} ApS",
        state=ConnectionState.ACTIVE,
        rackbeat_access_token=access,
        rackbeat_refresh_token=refresh,
        dinero_organization_id=organization_id,
        dinero_api_key=api_key,
    )
    for hook in hooks:
        connection.webhook_subscriptions.append(
            WebhookSubscription(event=hook.event, rackbeat_webhook_id=hook.id, token=hook.token)
        )
    db.session.add(connection)
    db.session.flush()
    db.session.add(Settings(connection_id=connection.id))
    db.session.commit()
    configure(connection.id)
    return account_id, organization_id


def book(stack: Stack, account_id: int) -> int:
    """Create and book one invoice in Rackbeat; the sandbox fires the booked webhook."""
    store = rackbeat_store(stack)
    with store.lock:
        record = create_invoice(
            store,
            store.account(account_id),
            CUSTOMER_INVOICES,
            {"customer_id": CUSTOMER, "lines": copy.deepcopy(LINES)},
            book=True,
        )
    return record["number"]


def wait_for(expected: int, deadline: float) -> list[Transfer]:
    """Wait until ``expected`` invoice transfers exist and all are finished."""
    while True:
        db.session.expire_all()
        rows = db.session.scalars(
            sa.select(Transfer).where(Transfer.kind == EntityKind.CUSTOMER_INVOICE)
        ).all()
        if len(rows) >= expected and all(row.state in TERMINAL for row in rows):
            return rows
        if time.monotonic() > deadline:
            done = sum(1 for row in rows if row.state in TERMINAL)
            raise TimeoutError(f"only {done} of {expected} transfers finished in time")
        time.sleep(0.1)


def api_requests(stack: Stack, organization_id: int) -> int:
    """Requests the Dinero sandbox counted for the organization (the token endpoint, which
    Dinero does not rate-limit, left out)."""
    response = requests.get(
        f"{stack.dinero_url}/_sandbox/requests",
        params={"organization": str(organization_id)},
        timeout=10,
    )
    entry = response.json().get(str(organization_id), {"requests": []})
    return sum(r["count"] for r in entry["requests"] if r["path"] != TOKEN_PATH)


def check_all_succeeded(rows: list[Transfer]) -> None:
    failed = [
        (r.source_key, r.state.value, r.message) for r in rows if r.state != TransferState.SUCCEEDED
    ]
    if failed:
        raise SystemExit(f"{len(failed)} transfer(s) did not succeed, e.g. {failed[:3]}")


def seconds(moment: datetime, start: datetime) -> float:
    return (moment - start).total_seconds()


# -- the runs -------------------------------------------------------------------------------


def run_one_organization(args: argparse.Namespace, database_url: str) -> tuple[float, float]:
    with system(args, database_url) as stack:
        account_id, organization_id = connect(stack, 0)
        book(stack, account_id)
        wait_for(1, time.monotonic() + 60)
        before = api_requests(stack, organization_id)

        started = time.monotonic()
        for _ in range(args.invoices):
            book(stack, account_id)
        rows = wait_for(args.invoices + 1, started + args.timeout)
        elapsed = time.monotonic() - started
        check_all_succeeded(rows)
        made = api_requests(stack, organization_id) - before

    per_invoice = made / args.invoices
    per_minute = args.invoices / elapsed * 60
    allowed = args.limit / args.window * 60 / per_invoice
    print(f"Run 1: {args.invoices} invoices, 1 organization, {args.workers} worker(s)")
    print(f"  Dinero limit          {args.limit} requests / {args.window:g} s")
    print(f"  Dinero API requests   {made} ({per_invoice:.2f} per invoice, warm-up excluded)")
    print(f"  elapsed               {elapsed:.1f} s")
    print(f"  achieved              {per_minute:.0f} invoices/min")
    print(f"  most the limit allows {allowed:.0f} invoices/min at {per_invoice:.2f} req/invoice")
    print(f"  achieved/max          {per_minute / allowed:.2f}")
    return per_invoice, per_minute / allowed


def run_many_organizations(args: argparse.Namespace, database_url: str) -> None:
    with system(args, database_url) as stack:
        accounts = [connect(stack, index)[0] for index in range(args.orgs)]
        connection_of = {
            c.rackbeat_account_id: c.id for c in db.session.scalars(sa.select(Connection)).all()
        }
        # Warm-up: each organization's customer contact, so every invoice costs the same.
        for account_id in accounts:
            book(stack, account_id)
        warm = {t.id for t in wait_for(args.orgs, time.monotonic() + 120)}

        started_at = datetime.now().astimezone()
        started = time.monotonic()
        for _ in range(args.per_org):
            for account_id in accounts:
                book(stack, account_id)
        total = args.orgs * args.per_org
        rows = wait_for(total + args.orgs, started + args.timeout)
        elapsed = time.monotonic() - started
        check_all_succeeded(rows)
        measured = [row for row in rows if row.id not in warm]
        finish: dict[int, float] = {}
        for row in measured:
            finish[row.connection_id] = max(
                finish.get(row.connection_id, 0.0), seconds(row.finished_at, started_at)
            )
        per_org = [finish[connection_of[account_id]] for account_id in accounts]

    per_org.sort()
    print(f"Run 2: {args.orgs} organizations x {args.per_org} invoices, {args.workers} workers")
    print(f"  total                 {total} invoices in {elapsed:.1f} s")
    print(f"  throughput            {total / elapsed * 60:.0f} invoices/min")
    print(
        "  organization finished "
        f"min {per_org[0]:.1f} s, p50 {statistics.median(per_org):.1f} s, "
        f"max {per_org[-1]:.1f} s"
    )
    print(
        f"  spread                p50/max={statistics.median(per_org) / per_org[-1]:.2f} "
        f"max/min={per_org[-1] / per_org[0]:.2f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=300, help="run 1: invoices")
    parser.add_argument("--orgs", type=int, default=20, help="run 2: organizations")
    parser.add_argument("--per-org", type=int, default=15, help="run 2: invoices each")
    parser.add_argument("--workers", type=int, default=4, help="flask worker processes")
    parser.add_argument("--limit", type=int, default=100, help="Dinero requests per window")
    parser.add_argument("--window", type=float, default=5.0, help="Dinero window, seconds")
    parser.add_argument("--timeout", type=float, default=180.0, help="per run, seconds")
    parser.add_argument("--skip-orgs", action="store_true", help="run 1 only")
    args = parser.parse_args(argv)
    # Stopped from outside (e.g. `timeout`): unwind, so the workers and servers are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    with postgres_server() as database_url:
        if not args.skip_orgs:
            run_many_organizations(args, database_url)
        per_invoice, ratio = run_one_organization(args, database_url)
    print(f"requests/invoice={per_invoice:.2f} achieved/max={ratio:.2f}")


if __name__ == "__main__":
    main()
