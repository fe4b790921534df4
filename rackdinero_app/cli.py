"""Commands: ``flask crypto new-key|rotate`` and ``flask worker``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask.cli import with_appcontext

from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models.base import EncryptedText

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


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of forking.")
@with_appcontext
def worker(burst: bool, simple: bool) -> None:
    """Run an RQ worker on the app's queues, with RQ's scheduler (retries, delayed jobs) and
    the ticker that enqueues periodic jobs (the sweeper)."""
    from flask import current_app
    from rq import SimpleWorker
    from rq import Worker

    from rackdinero_app.tasks.schedule import start_ticker

    start_ticker(current_app._get_current_object())
    worker_class = SimpleWorker if simple else Worker
    rq_worker = worker_class(rq.queues, connection=rq.redis)
    rq_worker.work(burst=burst, with_scheduler=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(crypto_cli)
    app.cli.add_command(worker)
