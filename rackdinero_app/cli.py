"""Commands: ``flask crypto new-key|rotate`` and ``flask worker``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext

from rackdinero_app import worker as app_worker
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import db
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
@click.option(
    "--fork",
    is_flag=True,
    help="Run each job in a forked work horse (RQ's default) instead of in this process.",
)
@with_appcontext
def worker(burst: bool, fork: bool) -> None:
    """Run an RQ worker on the app's queues, with RQ's scheduler (retries, delayed jobs) and
    the periodic jobs of tasks/cron.py; it survives Redis restarts (see worker.py)."""
    app_worker.run(current_app._get_current_object(), burst=burst, fork=fork)


def init_app(app: Flask) -> None:
    app.cli.add_command(crypto_cli)
    app.cli.add_command(worker)
