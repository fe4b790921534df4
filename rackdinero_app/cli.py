"""Commands: ``flask crypto new-key|rotate`` and ``flask worker``."""

from __future__ import annotations

import logging
import signal
import time

import click
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models.base import EncryptedText

log = logging.getLogger(__name__)

crypto_cli = click.Group("crypto", help="Encryption keys for secrets at rest.")


@crypto_cli.command("new-key")
def new_key() -> None:
    """Print a new key to put first in RACKDINERO_ENCRYPTION_KEYS."""
    click.echo(Fernet.generate_key().decode())


@crypto_cli.command("rotate")
@with_appcontext
def rotate() -> None:
    """Re-encrypt every stored secret with the first key in RACKDINERO_ENCRYPTION_KEYS.

    Put the new key first, keep the old ones after it, run this, then drop the old keys.
    """
    total = rotate_secrets()
    click.echo(f"Re-encrypted {total} secret(s) with the newest key.")


def encrypted_columns() -> list[tuple[sa.Table, sa.Column]]:
    return [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def rotate_secrets() -> int:
    """Rewrite each ciphertext with the newest key, in one transaction."""
    total = 0
    for table, column in encrypted_columns():
        raw = sa.type_coerce(column, sa.Text)
        (pk,) = table.primary_key.columns
        rows = db.session.execute(sa.select(pk, raw.label("token")).where(column.is_not(None)))
        for row_id, token in rows.all():
            db.session.execute(
                table.update()
                .where(pk == row_id)
                .values({column.name: sa.type_coerce(crypto.rotate(token), sa.Text)})
            )
            total += 1
    db.session.commit()
    return total


# RQ runs its maintenance (registry cleaning, restarting a scheduler that died, e.g. with a
# lost Redis) this often; its default of 10 minutes would leave delayed retries waiting.
WORKER_MAINTENANCE_SECONDS = 30
REDIS_WAIT_SECONDS = 1.0


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option(
    "--fork",
    is_flag=True,
    help="Run each job in a forked work horse (RQ's default) instead of in this process.",
)
@with_appcontext
def worker(burst: bool, fork: bool) -> None:
    """Run an RQ worker on the app's queues, with RQ's scheduler (retries, delayed jobs) and
    the ticker that enqueues periodic jobs (the sweeper).

    RQ's worker quits when Redis goes away in the middle of a job. This command then waits
    until Redis answers again and starts a fresh worker, so a Redis restart needs no process
    supervisor; work lost with Redis's memory is re-enqueued by the sweeper.

    Jobs run in this process by default: forking a work horse for every job cost a third of
    the transfer throughput (bench/transfers.py), and a job that dies with its process is
    recovered by the transfer lease and the sweeper. Each job ends with a clean session."""
    from flask import current_app
    from rq import SimpleWorker
    from rq import Worker

    from rackdinero_app.tasks.schedule import start_ticker

    class StopAware:
        """Remembers a stop asked for by a signal: RQ's loop ends the same way for that and
        for a lost Redis connection."""

        stop_asked = False

        def handle_warm_shutdown_request(self) -> None:
            self.stop_asked = True
            super().handle_warm_shutdown_request()  # type: ignore[misc]

    class AppWorker(StopAware, Worker if fork else SimpleWorker):
        pass

    start_ticker(current_app._get_current_object())
    while True:
        rq_worker = None
        try:
            rq_worker = AppWorker(
                rq.queues, connection=rq.redis, maintenance_interval=WORKER_MAINTENANCE_SECONDS
            )
            rq_worker.work(burst=burst, with_scheduler=True)
        except RedisError as error:
            log.warning("The worker lost Redis (%s)", error)
        if burst or (rq_worker is not None and rq_worker.stop_asked):
            return
        # RQ's signal handlers belong to the worker that quit; while nothing runs, a signal
        # may stop the command at once.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _wait_for_redis()
        log.warning("Starting the worker again")


def _wait_for_redis() -> None:
    while True:
        time.sleep(REDIS_WAIT_SECONDS)
        try:
            rq.redis.ping()
            return
        except RedisError:
            continue


def init_app(app: Flask) -> None:
    app.cli.add_command(crypto_cli)
    app.cli.add_command(worker)
