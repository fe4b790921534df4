"""Start-sync bench: a Dinero organization of 1,000 and then 20,000 records copied into Rackbeat.

Each size runs on a fresh system on loopback (the harness of the end-to-end tests,
``tests/stack.py``): a throwaway PostgreSQL cluster and ``redis-server``, the app and both
sandboxes in threads of this process, and one ``flask worker`` process, started anew for each
size so its peak memory is that size's alone. Rackbeat's limit (480 requests a minute per
account) is compressed to ``--rate`` requests a second, in the sandbox (its per-token knob) and
in the app (``RACKBEAT_RATE_LIMIT``) alike, so the run is bound by it; Dinero's limit is raised
out of the way.

The organization holds the demo's records plus half contacts, half products: every
``--skip-every``-th contact has no e-mail and every ``--skip-every``-th product no number, every
5th contact is a supplier. A preview runs first (as a person would), then the start sync; the
run is timed from Start to its end.

Measured per size: the worker's peak resident memory (``VmHWM`` in ``/proc/<pid>/status``), and
Rackbeat requests per second during the run against the sandbox's allowed rate. The last line
printed is ``rss_ratio=<peak at 20k ÷ peak at 1k> rate_share=<achieved ÷ allowed at 20k>``.
Run from the repository root: ``.venv/bin/python -m bench.start_sync``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import secrets
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.harness import bench_stack
from bench.harness import rackbeat_store
from rackdinero_app import jobs
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRun
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import SyncState
from rackdinero_app.sync import runs
from sandbox.dinero import bulk
from sandbox.rackbeat.store import Token
from sandbox.services import postgres_server
from tests.stack import Stack

ACCOUNT_ID = 12345
ORGANIZATION_ID = 400555
API_KEY = "demo-dinero-api-key"
DINERO_OUT_OF_THE_WAY = {"limit": 100_000, "window_seconds": 60}


@dataclass(frozen=True)
class Result:
    records: int
    peak_rss_kb: int
    requests: int
    seconds: float
    preview_seconds: float

    def rate(self) -> float:
        return self.requests / self.seconds


@contextlib.contextmanager
def system(args: argparse.Namespace, database_url: str) -> Iterator[Stack]:
    """A fresh Redis and schema, the app, both sandboxes and one worker."""
    settings = {
        "RACKBEAT_RATE_LIMIT": args.rate * 60,
        "RACKBEAT_RATE_WINDOW": 60,
        "DINERO_RATE_LIMIT": DINERO_OUT_OF_THE_WAY["limit"],
        "DINERO_RATE_WINDOW": DINERO_OUT_OF_THE_WAY["window_seconds"],
    }
    dinero = {"VALIDATE_RESPONSES": False, "KNOBS": {"rate_limit": DINERO_OUT_OF_THE_WAY}}
    with bench_stack(database_url, settings, dinero_config=dinero) as stack:
        rackbeat_store(stack).set_knobs({"rate_limit_per_minute": args.rate * 60})
        yield stack


def connect(stack: Stack) -> Connection:
    """The demo account connected to the demo organization, as install and activation leave
    it (made directly: the bench measures the start sync, not the install)."""
    store = rackbeat_store(stack)
    with store.lock:
        account = store.account(ACCOUNT_ID)
        access = secrets.token_hex(16)
        store.access_tokens[access] = Token(
            value=access,
            grant_id="bench",
            client_id=store.registration.client_id,
            account_id=ACCOUNT_ID,
            user_id=account.users[0],
            scopes=store.registration.scopes,
            expires_at=None,
        )
    connection = Connection(
        rackbeat_account_id=ACCOUNT_ID,
        rackbeat_company_name="Demo Lager ApS",
        state=ConnectionState.ACTIVE,
        rackbeat_access_token=access,
        dinero_organization_id=ORGANIZATION_ID,
        dinero_api_key=API_KEY,
    )
    db.session.add(connection)
    db.session.flush()
    db.session.add(Settings(connection_id=connection.id))
    db.session.commit()
    return connection


def seed(stack: Stack, records: int, skip_every: int) -> None:
    sandbox = stack.dinero.extensions["dinero_sandbox"]
    with sandbox.lock:
        bulk.add(
            sandbox.organizations[ORGANIZATION_ID],
            bulk.Bulk(
                contacts=records // 2,
                products=records - records // 2,
                no_email_every=skip_every,
                supplier_every=5,
                no_number_every=skip_every,
            ),
        )


def wait_for(run_id: int, states: tuple[SyncState, ...], timeout: float) -> SyncRun:
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        run = db.session.get(SyncRun, run_id)
        db.session.commit()
        if run.state in states:
            return run
        if run.state == SyncState.FAILED or time.monotonic() > deadline:
            raise SystemExit(f"start sync {run_id} is {run.state}: {run.message}")
        time.sleep(0.2)


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def measure(args: argparse.Namespace, database_url: str, records: int) -> Result:
    with system(args, database_url) as stack:
        connection = connect(stack)
        seed(stack, records, args.skip_every)
        store = rackbeat_store(stack)

        started = time.monotonic()
        run = runs.request_preview(connection, "bench")
        jobs.enqueue_start_sync_preview(run.id)
        wait_for(run.id, (SyncState.READY,), args.timeout)
        preview_seconds = time.monotonic() - started

        requests_before = store.api_requests[ACCOUNT_ID]
        started = time.monotonic()
        runs.start(connection, run.id, "bench")
        jobs.enqueue_start_sync(run.id)
        done = wait_for(run.id, (SyncState.SUCCEEDED,), args.timeout)
        seconds = time.monotonic() - started
        requests = store.api_requests[ACCOUNT_ID] - requests_before
        if store.api_refused[ACCOUNT_ID]:
            raise SystemExit(f"Rackbeat refused {store.api_refused[ACCOUNT_ID]} request(s)")
        handled = sum(entry["done"] for entry in done.counts.values())
        peak = peak_rss_kb(stack.workers.processes[0].pid)
        db.session.remove()

    result = Result(records, peak, requests, seconds, preview_seconds)
    print(f"{records} Dinero records ({handled} handled, contacts in both roles counted twice)")
    print(f"  preview               {preview_seconds:.1f} s")
    print(f"  start sync            {seconds:.1f} s, {requests} Rackbeat requests")
    print(f"  Rackbeat rate         {result.rate():.1f} req/s of {args.rate} allowed")
    print(f"  worker peak RSS       {peak / 1024:.1f} MiB")
    for kind, entry in done.counts.items():
        print(
            f"  {kind:<9} created {entry['created']:>6}  linked {entry['linked']:>5}  "
            f"skipped {entry['skipped']:>5}  failed {entry['failed']:>3}"
        )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000, help="records in the first run")
    parser.add_argument("--large", type=int, default=20_000, help="records in the second run")
    parser.add_argument("--rate", type=int, default=150, help="Rackbeat requests per second")
    parser.add_argument("--skip-every", type=int, default=2, help="ineligible record every n")
    parser.add_argument("--timeout", type=float, default=900.0, help="per phase, seconds")
    args = parser.parse_args(argv)
    # Stopped from outside (e.g. `timeout`): unwind, so the worker and servers are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    with postgres_server() as database_url:
        small = measure(args, database_url, args.small)
        large = measure(args, database_url, args.large)
    rss_ratio = large.peak_rss_kb / small.peak_rss_kb
    rate_share = large.rate() / args.rate
    print(f"rss_ratio={rss_ratio:.2f} rate_share={rate_share:.2f}")


if __name__ == "__main__":
    main()
