"""Helpers for the fault tests: a stack with one active connection, booked invoices, a Redis
server that can be stopped and started on the same port, and the exactly-once check."""

from __future__ import annotations

import contextlib
import copy
import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from sandbox.dinero import gate
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from sandbox.services import free_port
from sandbox.services import wait_for_port
from tests.e2e.transfers_setup import TERMINAL
from tests.e2e.transfers_setup import configure
from tests.flows import connection_for
from tests.flows import installed_and_active
from tests.stack import Stack
from tests.stack import running_stack

ACCOUNT_ID = 12345
ORGANIZATION_ID = 400555
BOOKED_EVENT = "customer_invoice.booked"
# Domestic, EU and abroad customers; goods, services and raw materials in several units.
CUSTOMERS = (1, 2, 3, 4, 5, 6)
LINES = (
    [{"child_id": "100", "quantity": 1}, {"child_id": "201", "quantity": 1}],
    [{"child_id": "101", "quantity": 4}],
    [{"child_id": "200", "quantity": 2.5}, {"child_id": "300", "quantity": 12}],
    [{"child_id": "CHAIR-OAK-01", "quantity": 2}, {"child_id": "301", "quantity": 3}],
)


# Dinero allows 100 requests a minute; tests raise it on both sides so faults, not the
# limit, decide how long a test takes (the 429 test lowers the sandbox's limit again).
GENEROUS_RATE_LIMIT = {"limit": 6000, "window_seconds": 60}


def fast_transfers(**overrides: Any) -> dict[str, Any]:
    """Engine settings that make retries, leases and the sweeper act within seconds."""
    return {
        "DINERO_RATE_LIMIT": GENEROUS_RATE_LIMIT["limit"],
        "DINERO_RATE_WINDOW": GENEROUS_RATE_LIMIT["window_seconds"],
        "TRANSFER_MAX_ATTEMPTS": 30,
        "TRANSFER_RETRY_BASE_SECONDS": 0.5,
        "TRANSFER_RETRY_CAP_SECONDS": 4,
        "TRANSFER_LEASE_SECONDS": 30,
        "SWEEP_GRACE_SECONDS": 3,
        "SWEEP_INTERVAL_SECONDS": 2,
        **overrides,
    }


@contextlib.contextmanager
def active_stack(
    app_config: dict[str, Any],
    tmp_path: Path,
    *,
    settings: dict[str, Any] | None = None,
    workers: int = 1,
) -> Iterator[tuple[Stack, int]]:
    """The whole system with account 12345 installed, activated and configured; yields the
    stack (inside its app context) and the connection id. ``settings`` go to the app and to
    every worker."""
    settings = settings or fast_transfers()
    with running_stack(
        {**app_config, **settings},
        tmp_path,
        dinero_config={"KNOBS": {"rate_limit": GENEROUS_RATE_LIMIT}},
        worker_config=settings,
        workers=workers,
    ) as stack:
        with requests.Session() as browser:
            installed_and_active(stack, browser)
        with stack.app.app_context():
            connection = connection_for(ACCOUNT_ID)
            configure(connection.id)
            yield stack, connection.id


def set_dinero_knobs(stack: Stack, **knobs: Any) -> None:
    response = requests.post(f"{stack.dinero_url}/_sandbox/knobs", json=knobs, timeout=10)
    assert response.status_code == 200, response.text


def rackbeat_store(stack: Stack):
    return stack.rackbeat.extensions["rackbeat_sandbox"]


def book_invoices(stack: Stack, count: int, *, suppress: bool = False) -> list[int]:
    """Create and book ``count`` customer invoices in the Rackbeat sandbox (each fires
    ``customer_invoice.booked`` unless ``suppress``); return their numbers."""
    store = rackbeat_store(stack)
    numbers = []
    for index in range(count):
        body = {
            "customer_id": CUSTOMERS[index % len(CUSTOMERS)],
            "lines": copy.deepcopy(LINES[index % len(LINES)]),
        }
        with store.lock:
            account = store.account(ACCOUNT_ID)
            record = create_invoice(
                store, account, CUSTOMER_INVOICES, body, book=True, suppress=suppress
            )
        numbers.append(record["number"])
    return numbers


def deliver_concurrently(stack: Stack, numbers: list[int], copies: int) -> Counter:
    """Post each invoice's booked webhook ``copies`` times at the same moment, as Rackbeat
    would (same body, token and headers); return the count of each answer status."""
    store = rackbeat_store(stack)
    with store.lock:
        (hook,) = [h for h in store.webhooks_for(ACCOUNT_ID, BOOKED_EVENT) if h.is_active]
        account = store.account(ACCOUNT_ID)
        bodies = {
            number: json.dumps(
                {
                    "key": number,
                    "key_name": "number",
                    "event": BOOKED_EVENT,
                    "data": copy.deepcopy(account.records["customer_invoices"][number]),
                },
                separators=(",", ":"),
            ).encode()
            for number in numbers
        }
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Rackbeat Webhook",
        "Rackbeat-Webhook-Token": hook.token,
        "Rackbeat-Webhook-Event": BOOKED_EVENT,
        "Rackbeat-Account-Id": str(ACCOUNT_ID),
    }
    barriers = {number: threading.Barrier(copies) for number in numbers}

    def post(number: int) -> str:
        barriers[number].wait(10)
        response = requests.post(hook.url, data=bodies[number], headers=headers, timeout=30)
        assert response.status_code in (200, 202), (response.status_code, response.text)
        return response.json()["status"]

    with ThreadPoolExecutor(max_workers=len(numbers) * copies) as pool:
        statuses = list(pool.map(post, [n for n in numbers for _ in range(copies)]))
    return Counter(statuses)


def invoice_transfers() -> list[Transfer]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Transfer)
        .where(Transfer.kind == EntityKind.CUSTOMER_INVOICE)
        .order_by(Transfer.id)
    ).all()


def wait_until_settled(expected: int, timeout: float = 60) -> list[Transfer]:
    """Wait until ``expected`` invoice transfers exist, every transfer is finished and every
    received webhook is processed."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        rows = db.session.scalars(sa.select(Transfer).order_by(Transfer.id)).all()
        unprocessed = db.session.scalar(
            sa.select(sa.func.count()).where(InboxEvent.processed_at.is_(None))
        )
        invoices = [row for row in rows if row.kind == EntityKind.CUSTOMER_INVOICE]
        if (
            len(invoices) >= expected
            and not unprocessed
            and all(row.state in TERMINAL for row in rows)
        ):
            return rows
        if time.monotonic() > deadline:
            states = Counter(row.state.value for row in rows)
            open_rows = [
                (row.source_key, row.state.value, row.attempts, row.message)
                for row in rows
                if row.state not in TERMINAL
            ][:5]
            raise TimeoutError(
                f"not settled after {timeout}s: {len(invoices)}/{expected} invoice transfers, "
                f"{dict(states)}, {unprocessed} unprocessed webhooks; open: {open_rows}"
            )
        time.sleep(0.25)


def dinero_records(stack: Stack, table: str) -> list[dict[str, Any]]:
    sandbox = stack.dinero.extensions["dinero_sandbox"]
    with sandbox.lock:
        organization = sandbox.organizations[ORGANIZATION_ID]
        return [copy.deepcopy(record) for record in getattr(organization, table).values()]


def assert_each_invoice_once(
    stack: Stack, numbers: list[int], timeout: float = 60
) -> list[Transfer]:
    """Every Rackbeat invoice is in Dinero exactly once, booked; no other invoice of ours is
    there; each customer is one contact; every transfer succeeded."""
    rows = wait_until_settled(len(numbers), timeout)
    failed = [(r.kind.value, r.source_key, r.state.value, r.message) for r in rows]
    assert all(r.state == TransferState.SUCCEEDED for r in rows), failed
    transfers = [r for r in rows if r.kind == EntityKind.CUSTOMER_INVOICE]
    assert sorted(int(r.source_key) for r in transfers) == sorted(numbers)

    prefix = f"rackbeat:{ACCOUNT_ID}:{EntityKind.CUSTOMER_INVOICE}:"
    ours = [
        invoice
        for invoice in dinero_records(stack, "invoices")
        if str(invoice.get("ExternalReference") or "").startswith(prefix)
    ]
    per_reference = Counter(invoice["ExternalReference"] for invoice in ours)
    expected = Counter(f"{prefix}{number}" for number in numbers)
    assert per_reference == expected, (per_reference - expected, expected - per_reference)
    assert {invoice["Status"] for invoice in ours} == {"Booked"}
    by_guid = {invoice["Guid"]: invoice for invoice in ours}
    for transfer in transfers:
        invoice = by_guid[transfer.dinero_guid]
        assert invoice["ExternalReference"] == f"{prefix}{transfer.source_key}"
        assert str(invoice["Number"]) == transfer.dinero_number

    contact_prefix = f"rackbeat:{ACCOUNT_ID}:{EntityKind.CUSTOMER}:"
    contacts = Counter(
        contact["ExternalReference"]
        for contact in dinero_records(stack, "contacts")
        if str(contact.get("ExternalReference") or "").startswith(contact_prefix)
    )
    assert contacts and set(contacts.values()) == {1}, contacts
    return transfers


class FaultCounter:
    """Wraps the Dinero sandbox's gate (in this process) to count the faults it injected,
    without changing what it does: 429s with and without Retry-After, stalled writes."""

    def __init__(self, monkeypatch, stall_threshold: float = 0.5) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        rate_limited = gate._rate_limited
        after = gate._after

        def counting_rate_limited(organization_id):
            response = rate_limited(organization_id)
            if response is not None:
                with self.lock:
                    with_header = "Retry-After" in response.headers
                    self.counts["429 with Retry-After" if with_header else "429 bare"] += 1
            return response

        def counting_after(response):
            if response.status_code == 500:
                with self.lock:
                    self.counts["500"] += 1
            started = time.monotonic()
            result = after(response)
            if time.monotonic() - started >= stall_threshold:
                with self.lock:
                    self.counts["stalled after commit"] += 1
            return result

        # The gate registers these by name when the sandbox app is created.
        monkeypatch.setattr(gate, "_rate_limited", counting_rate_limited)
        monkeypatch.setattr(gate, "_after", counting_after)


class RedisProcess:
    """A ``redis-server`` without persistence on one fixed port, to stop and start again
    (empty) while the app and the worker keep its URL."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = Path(tempfile.mkdtemp(prefix="rackdinero-fault-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
