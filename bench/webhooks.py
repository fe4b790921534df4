"""Webhook ingest bench: ``POST /webhooks/rackbeat`` under gunicorn against PostgreSQL.

Everything runs on loopback and stops by itself: a throwaway PostgreSQL cluster and
``redis-server`` (``sandbox/services.py``), and two gunicorn servers with the same settings
(``--workers`` sync workers each):

- the real app (``app:app``) in production mode, on that database and Redis, with
  ``--connections`` active connections and their webhook subscriptions (a token per event)
  written to the database beforehand. Every accepted delivery is one inbox row and one RQ job,
  as in production; no worker runs, so the jobs stay queued and every row keeps waiting;
- the baseline (``bench/webhook_baseline.py``): a bare Flask endpoint that INSERTs one row
  into a table of the same database and commits, the least a webhook endpoint can do.

A client of ``--concurrency`` threads (one ``requests.Session`` each) sends real deliveries
(the headers Rackbeat sends and its body ``{"key_name": "number", "key": "..."}``) spread over
the connections and the subscribed events, plus ``--duplicates`` of them again (half right
after the original, so often at the same moment, half later). Both servers get the same
requests, in alternating rounds, after a warm-up; throughput is requests a second over all
rounds. Afterwards the inbox is counted: rows_ok is true when every distinct delivery has
exactly one inbox row, one of its sends was answered 202 accepted and every other one 200
duplicate, and one RQ job was queued per distinct delivery.

The last line printed is ``ratio=<ingest req/s ÷ bare req/s> p99_ms=<ingest p99 latency>
rows_ok=<true|false>``; the targets are ratio ≥ 0.5, p99 < 50 ms and rows_ok=true.
Run from the repository root: ``.venv/bin/python -m bench.webhooks [--workers 4]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import requests
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bench import webhook_baseline
from rackdinero_app import PROJECT_ROOT
from rackdinero_app import create_app
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.install import manifest
from rackdinero_app.models import Connection
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from sandbox.services import free_port
from sandbox.services import postgres_server
from sandbox.services import redis_server
from sandbox.services import wait_for_port

WEBHOOK_PATH = "/webhooks/rackbeat"
BARE_PATH = "/bare"
FIRST_ACCOUNT_ID = 70_000
SERVER_ERROR = "no answer or a server error"
# Every event but the uninstall, which the request handles itself rather than queueing.
EVENTS = tuple(event for event in manifest.webhook_events() if event != "plugin.uninstalled")


@dataclass(frozen=True)
class Delivery:
    """One webhook notice as Rackbeat sends it."""

    account_id: int
    event: str
    token: str
    key: str

    def headers(self) -> dict[str, str]:
        return {
            "Rackbeat-Webhook-Event": self.event,
            "Rackbeat-Webhook-Token": self.token,
            "Rackbeat-Account-Id": str(self.account_id),
            "Content-Type": "application/json",
        }

    def body(self) -> bytes:
        return json.dumps({"key_name": "number", "key": self.key}).encode()


@dataclass(frozen=True)
class Answer:
    delivery: int  # index into the round's deliveries
    status: int
    outcome: str  # the JSON answer's "status", or what went wrong
    seconds: float


# -- the system -----------------------------------------------------------------------------


def app_settings(database_url: str, redis_url: str, instance_path: str) -> dict[str, str]:
    """Production settings: fresh secrets; the services the webhook route never calls are
    named but unreachable."""
    return {
        "ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": instance_path,
        "PUBLIC_URL": "https://rackdinero.bench.invalid",
        "RACKBEAT_BASE_URL": "https://rackbeat.bench.invalid",
        "RACKBEAT_CLIENT_SECRET": secrets.token_urlsafe(32),
        "RACKBEAT_CONSUMER_CONTACT": "bench@rackdinero.invalid",
        "DINERO_API_URL": "https://api.dinero.bench.invalid",
        "DINERO_AUTH_URL": "https://authz.dinero.bench.invalid",
        "DINERO_CLIENT_SECRET": secrets.token_urlsafe(32),
    }


def server_environment(settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACKDINERO_")}
    env.update({f"RACKDINERO_{key}": value for key, value in settings.items()})
    env["BENCH_DATABASE_URL"] = settings["SQLALCHEMY_DATABASE_URI"]
    return env


def install(count: int) -> dict[int, dict[str, str]]:
    """The schema, the baseline's table, and ``count`` active connections, each subscribed to
    every event with its own token (as an install leaves them); returns account → event →
    token."""
    db.create_all()
    webhook_baseline.metadata.create_all(db.engine)
    tokens: dict[int, dict[str, str]] = {}
    for index in range(count):
        account_id = FIRST_ACCOUNT_ID + index
        tokens[account_id] = {event: secrets.token_hex(16) for event in EVENTS}
        connection = Connection(
            rackbeat_account_id=account_id,
            rackbeat_company_name=f"Bench {index} ApS",
            state=ConnectionState.ACTIVE,
            dinero_organization_id=410_000 + index,
        )
        connection.webhook_subscriptions.extend(
            WebhookSubscription(event=event, token=token)
            for event, token in tokens[account_id].items()
        )
        db.session.add(connection)
    db.session.commit()
    return tokens


@contextlib.contextmanager
def gunicorn(target: str, env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """``target`` served by gunicorn with ``workers`` sync workers; yields its base URL. Both
    servers of the bench start here, so they differ only in the app."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "--log-level",
        "warning",
        target,
    ]
    # gunicorn's own log and the app's go to ``log``, read when something went wrong.
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while not listening(port):
            if process.poll() is not None:  # e.g. the app refused its configuration
                raise SystemExit(f"gunicorn {target} stopped:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def listening(port: int) -> bool:
    try:
        wait_for_port(port, timeout=0.1)
    except TimeoutError:
        return False
    return True


# -- the load -------------------------------------------------------------------------------


def deliveries(tokens: dict[int, dict[str, str]], count: int, prefix: str) -> list[Delivery]:
    """``count`` distinct deliveries, spread over the connections and events."""
    pairs = [(account, event) for account in tokens for event in EVENTS]
    batch = []
    for index in range(count):
        account, event = pairs[index % len(pairs)]
        batch.append(Delivery(account, event, tokens[account][event], f"{prefix}{index}"))
    return batch


def send_order(count: int, duplicate_share: float, rng: random.Random) -> list[int]:
    """Each delivery once, in order, and a share of them again: half right behind the
    original (so often in flight together), half somewhere later."""
    order = list(range(count))
    repeated = rng.sample(range(count), round(count * duplicate_share))
    for position, index in enumerate(repeated):
        place = order.index(index) + 1
        if position % 2:
            place = rng.randint(place, len(order))
        order.insert(place, index)
    return order


def send_all(
    url: str, batch: list[Delivery], order: list[int], concurrency: int
) -> tuple[float, list[Answer]]:
    """Send ``batch`` in ``order`` from ``concurrency`` threads as fast as answers come;
    returns the elapsed seconds and every answer."""
    lock = threading.Lock()
    upcoming = iter(order)
    answers: list[Answer] = []

    def client() -> None:
        with requests.Session() as session:
            while True:
                with lock:
                    index = next(upcoming, None)
                if index is None:
                    return
                answer = post(session, url, index, batch[index])
                with lock:
                    answers.append(answer)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, answers


def post(session: requests.Session, url: str, index: int, delivery: Delivery) -> Answer:
    started = time.perf_counter()
    try:
        response = session.post(url, data=delivery.body(), headers=delivery.headers(), timeout=30)
        seconds = time.perf_counter() - started
        try:
            answer = response.json()
            outcome = str(answer.get("status") or answer.get("error"))
        except ValueError:
            outcome = "not JSON"
        return Answer(index, response.status_code, outcome, seconds)
    except requests.RequestException as error:
        return Answer(index, 0, type(error).__name__, time.perf_counter() - started)


# -- the measurement ------------------------------------------------------------------------


@dataclass
class Tally:
    """What one server did over the measured rounds."""

    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def add(self, elapsed: float, answers: list[Answer]) -> None:
        self.requests += len(answers)
        self.seconds += elapsed
        self.latencies += [answer.seconds for answer in answers]

    def throughput(self) -> float:
        return self.requests / self.seconds

    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[math.ceil(0.99 * len(ordered)) - 1] * 1000

    def p50_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[len(ordered) // 2] * 1000


def answers_ok(batch: list[Delivery], answers: list[Answer]) -> list[str]:
    """Each delivery: exactly one 202 accepted, every repeat 200 duplicate."""
    outcomes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for answer in answers:
        outcomes[answer.delivery].append((answer.status, answer.outcome))
    problems = []
    for index, delivery in enumerate(batch):
        got = Counter(outcomes[index])
        accepted = got.pop((202, "accepted"), 0)
        got.pop((200, "duplicate"), None)
        if accepted != 1 or got:
            problems.append(
                f"{delivery.account_id}/{delivery.event}/{delivery.key}: {outcomes[index]}"
            )
    return problems


def rows_ok(batches: list[list[Delivery]]) -> list[str]:
    """Each distinct delivery exactly one inbox row, and no row that was not sent."""
    pairs = db.session.execute(sa.select(Connection.id, Connection.rackbeat_account_id))
    account_of = {connection_id: account_id for connection_id, account_id in pairs}
    counted = db.session.execute(
        sa.select(
            InboxEvent.connection_id, InboxEvent.event, InboxEvent.key, sa.func.count()
        ).group_by(InboxEvent.connection_id, InboxEvent.event, InboxEvent.key)
    ).all()
    rows = {(account_of[c], event, key): n for c, event, key, n in counted}
    expected = {(d.account_id, d.event, d.key) for batch in batches for d in batch}
    problems = [f"{item}: {rows.get(item, 0)} rows" for item in expected if rows.get(item) != 1]
    problems += [f"{item}: not sent, {n} rows" for item, n in rows.items() if item not in expected]
    return problems


def run(args: argparse.Namespace, database_url: str, redis_url: str, tmp: Path) -> None:
    settings = app_settings(database_url, redis_url, str(tmp / "instance"))
    app = create_app(settings)
    rng = random.Random(args.seed)
    with app.app_context():
        tokens = install(args.connections)
        env = server_environment(settings)
        with (
            gunicorn("app:app", env, args.workers, tmp / "app.log") as app_url,
            gunicorn(
                "bench.webhook_baseline:create_app()", env, args.workers, tmp / "bare.log"
            ) as bare_url,
        ):
            ingest, bare, batches, problems = measure(args, tokens, rng, app_url, bare_url)
        if any(SERVER_ERROR in problem for problem in problems):  # the servers' own words
            print((tmp / "app.log").read_text()[-3000:] + (tmp / "bare.log").read_text()[-1000:])
        db.session.expire_all()
        problems += rows_ok(batches)
        queued = rq.queue().count
        db.session.remove()

    sent = sum(len(batch) for batch in batches)
    ratio = ingest.throughput() / bare.throughput()
    print(f"Webhook ingest: gunicorn, {args.workers} sync workers, PostgreSQL, Redis")
    print(f"  connections          {args.connections}, events {len(EVENTS)}")
    print(f"  distinct deliveries  {sent} (warm-up included), repeats {args.duplicates:.0%}")
    print(f"  client               {args.concurrency} threads, {args.rounds} rounds per server")
    print(
        f"  ingest               {ingest.requests} requests, {ingest.throughput():.0f} req/s, "
        f"p50 {ingest.p50_ms():.1f} ms, p99 {ingest.p99_ms():.1f} ms"
    )
    print(
        f"  bare INSERT+commit   {bare.requests} requests, {bare.throughput():.0f} req/s, "
        f"p50 {bare.p50_ms():.1f} ms, p99 {bare.p99_ms():.1f} ms"
    )
    print(f"  RQ jobs queued       {queued} (one per accepted delivery: {queued == sent})")
    for problem in problems[:10]:
        print(f"  problem: {problem}")
    ok = not problems and queued == sent
    print(f"ratio={ratio:.2f} p99_ms={ingest.p99_ms():.1f} rows_ok={str(ok).lower()}")


def measure(
    args: argparse.Namespace,
    tokens: dict[int, dict[str, str]],
    rng: random.Random,
    app_url: str,
    bare_url: str,
) -> tuple[Tally, Tally, list[list[Delivery]], list[str]]:
    """A warm-up, then ``--rounds`` rounds, bare and ingest in turn, each with fresh
    deliveries."""
    ingest, bare = Tally(), Tally()
    batches: list[list[Delivery]] = []
    problems: list[str] = []
    warm_up = max(50, 25 * args.workers)
    per_round = max(1, args.deliveries // args.rounds)
    for round_number in range(args.rounds + 1):
        size = warm_up if round_number == 0 else per_round
        batch = deliveries(tokens, size, prefix=f"{round_number}-")
        order = send_order(size, args.duplicates, rng)
        bare_elapsed, bare_answers = send_all(bare_url + BARE_PATH, batch, order, args.concurrency)
        elapsed, answers = send_all(app_url + WEBHOOK_PATH, batch, order, args.concurrency)
        batches.append(batch)
        problems += answers_ok(batch, answers)
        problems += [f"bare: {a.status} {a.outcome}" for a in bare_answers if a.status != 202]
        failed = [a for a in answers + bare_answers if a.status == 0 or a.status >= 500]
        problems += [f"{SERVER_ERROR}: {a.status} {a.outcome}" for a in failed[:3]]
        if round_number:
            bare.add(bare_elapsed, bare_answers)
            ingest.add(elapsed, answers)
    return ingest, bare, batches, problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument("--connections", type=int, default=20, help="installed connections")
    parser.add_argument("--deliveries", type=int, default=5000, help="distinct deliveries")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share sent twice")
    parser.add_argument(
        "--concurrency", type=int, default=None, help="client threads (default: --workers)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per server")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    args.concurrency = args.concurrency or args.workers
    # Stopped from outside (e.g. `timeout`): unwind, so the servers are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    with (
        postgres_server() as database_url,
        redis_server() as redis_url,
        tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp,
    ):
        run(args, database_url, redis_url, Path(tmp))


if __name__ == "__main__":
    main()
