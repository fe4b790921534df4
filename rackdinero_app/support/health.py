"""Connections at a glance for support: the search, and each connection's health.

The health of a page of connections is a fixed number of queries whatever the page holds:
one aggregate over the page's transfers (``GROUP BY connection_id`` with filtered counts),
one for the newest start-sync run of each, one for their start-sync choice and one for their
last finished reconciliation. Nothing here reads out a secret: only whether a token or key is
present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRun
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.reconcile import runs as reconciliations
from rackdinero_app.reconcile import wording as reconciliation_wording

PAGE_SIZE = 25
MAX_PAGE = 1000
MAX_SEARCH = 255
FAILURE_WINDOW = timedelta(hours=24)


@dataclass
class Health:
    """What support needs to see first about one connection."""

    connection: Connection
    last_success: datetime | None = None
    failures_24h: int = 0
    queued: int = 0
    start_sync_run: SyncState | None = None
    start_sync_choice: StartSyncChoice = StartSyncChoice.UNDECIDED
    last_reconciliation: Reconciliation | None = None

    @property
    def rackbeat_token(self) -> str:
        """ "missing", "expired" or "present" (never the token itself)."""
        connection = self.connection
        if not connection.rackbeat_access_token:
            return "missing"
        expires = connection.rackbeat_token_expires_at
        if expires is not None and expires <= utcnow() and not connection.rackbeat_refresh_token:
            return "expired"
        return "present"

    @property
    def dinero_sign_in(self) -> str:
        """ "not connected", "sign in again" (Dinero refused the stored sign-in) or "valid"."""
        connection = self.connection
        if connection.dinero_organization_id is None:
            return "not connected"
        if connection.dinero_sign_in_lost_at is not None:
            return "sign in again"
        stored = (
            connection.dinero_refresh_token
            if connection.dinero_sign_in == "visma_connect"
            else connection.dinero_api_key
        )
        return "valid" if stored else "sign in again"

    @property
    def start_sync(self) -> str:
        """The newest start-sync run's state, else the customer's choice about it."""
        if self.start_sync_run is not None:
            return str(self.start_sync_run)
        return str(self.start_sync_choice)

    @property
    def reconciliation(self) -> str:
        """The last finished reconciliation: "2026-10 clean", "2026-10: 3 differences"."""
        run = self.last_reconciliation
        if run is None:
            return "never"
        differences = reconciliation_wording.differences(run)
        if not differences:
            return f"{run.month:%Y-%m}: clean"
        return f"{run.month:%Y-%m}: {differences} difference{'s' if differences != 1 else ''}"

    @property
    def uninstalled(self) -> bool:
        return self.connection.state == ConnectionState.UNINSTALLED


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(text: str) -> sa.ColumnElement[bool]:
    """A number matches the Rackbeat account id or the Dinero organization id exactly; any
    text matches the company or the Dinero organization name in part, ignoring case."""
    pattern = f"%{_escape_like(text)}%"
    conditions = [
        Connection.rackbeat_company_name.ilike(pattern, escape="\\"),
        Connection.dinero_organization_name.ilike(pattern, escape="\\"),
    ]
    if text.isdigit() and len(text) <= 18:
        number = int(text)
        conditions += [
            Connection.rackbeat_account_id == number,
            Connection.dinero_organization_id == number,
        ]
    return sa.or_(*conditions)


def search(text: str, page: int) -> tuple[list[Connection], bool]:
    """One page of connections (the newest installation first) and whether more follow."""
    query = sa.select(Connection)
    if text:
        query = query.where(search_condition(text))
    rows = db.session.scalars(
        query.order_by(Connection.id.desc()).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def health_of(connections: list[Connection]) -> list[Health]:
    """The health of each connection, in the given order, in four queries."""
    healths = {connection.id: Health(connection) for connection in connections}
    if not healths:
        return []
    ids = list(healths)
    for connection_id, last_success, failures, queued in db.session.execute(_transfer_figures(ids)):
        health = healths[connection_id]
        health.last_success, health.failures_24h, health.queued = last_success, failures, queued
    for connection_id, state in db.session.execute(_newest_start_sync(ids)):
        healths[connection_id].start_sync_run = state
    choices = sa.select(Settings.connection_id, Settings.start_sync).where(
        Settings.connection_id.in_(ids)
    )
    for connection_id, choice in db.session.execute(choices):
        healths[connection_id].start_sync_choice = choice or StartSyncChoice.UNDECIDED
    for connection_id, run in reconciliations.latest_finished(ids).items():
        healths[connection_id].last_reconciliation = run
    return list(healths.values())


def _transfer_figures(ids: list[int]) -> sa.Select:
    """Per connection: the last success, failures finished in the last 24 h, queued work."""
    since = utcnow() - FAILURE_WINDOW
    return (
        sa.select(
            Transfer.connection_id,
            sa.func.max(Transfer.finished_at).filter(Transfer.state == TransferState.SUCCEEDED),
            sa.func.count().filter(
                Transfer.state == TransferState.FAILED, Transfer.finished_at >= since
            ),
            sa.func.count().filter(
                Transfer.state.in_((TransferState.PENDING, TransferState.RUNNING))
            ),
        )
        .where(Transfer.connection_id.in_(ids))
        .group_by(Transfer.connection_id)
    )


def _newest_start_sync(ids: list[int]) -> sa.Select:
    newest = (
        sa.select(sa.func.max(SyncRun.id))
        .where(SyncRun.connection_id.in_(ids), SyncRun.kind == SyncKind.START_SYNC)
        .group_by(SyncRun.connection_id)
    )
    return sa.select(SyncRun.connection_id, SyncRun.state).where(SyncRun.id.in_(newest))
