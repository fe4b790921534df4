"""Commands: ``flask crypto new-key|rotate``, ``flask worker`` and ``flask support ...``
(staff accounts of the support dashboard)."""

from __future__ import annotations

import getpass

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
from rackdinero_app.models.enums import StaffRole
from rackdinero_app.support import accounts

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


support_cli = click.Group("support", help="Staff accounts of the support dashboard (/support).")


def _cli_actor() -> str:
    """Who ran the command, for the audit trail (the shell user; the CLI has no login)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@support_cli.command("add-staff")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), required=True)
@click.option("--name", default=None, help="Shown on the dashboard; the e-mail if not given.")
@with_appcontext
def add_staff(email: str, role: str, name: str | None) -> None:
    """Create a staff account and print its one-time password (changed at first sign-in)."""
    try:
        staff, password = accounts.add_staff(email, StaffRole(role), name, _cli_actor())
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {staff.role.value} {staff.email}. One-time password (shown once):")
    click.echo(password)
    click.echo(f"Sign in at {current_app.config['PUBLIC_URL'].rstrip('/')}/support/login")


@support_cli.command("disable-staff")
@click.argument("email")
@with_appcontext
def disable_staff(email: str) -> None:
    """Disable a staff account: no more sign-ins, and its open sessions end."""
    try:
        staff = accounts.disable_staff(email, _cli_actor())
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Disabled {staff.email}.")


def _demo_only() -> None:
    if current_app.config["ENV"] != "demo":
        raise click.ClickException("Only in the demo (RACKDINERO_ENV=demo).")


@support_cli.command("demo-staff")
@with_appcontext
def demo_staff() -> None:
    """Demo only: create or reset the demo operator (fixed password and TOTP secret)."""
    _demo_only()
    staff = accounts.ensure_demo_staff()
    click.echo(f"Demo operator {staff.email} is ready.")


@support_cli.command("demo-code")
@with_appcontext
def demo_code() -> None:
    """Demo only: print the demo operator's current one-time code."""
    _demo_only()
    click.echo(accounts.current_code(accounts.DEMO_TOTP_SECRET))


def init_app(app: Flask) -> None:
    app.cli.add_command(crypto_cli)
    app.cli.add_command(worker)
    app.cli.add_command(support_cli)
