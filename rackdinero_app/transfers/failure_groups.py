"""Open failures grouped by their cause across connections (issue 12 D2, and A1's own list).

Here, below the surfaces, because both the support dashboard (every connection's groups) and
the customer's overview (their own) show them; ``support/issues.py`` re-exports it.

**Open failure.** A transfer is an open failure while it is ``failed`` and still the newest
transfer of its record (same connection, kind, direction and source key): a Retry turns the
row itself back into pending work, and a later transfer of the same record (an update that
succeeded, or one still running) supersedes it. So counts are of records, not of attempts.
Connections that are uninstalled have no open failures: nobody can fix them.

**Group key.** The message code plus only the parameters that name the *cause*, never the
record (an invoice number, a line, Dinero's validation text):

- ``missing_setting`` / ``missing_settings``: one group per fix, keyed by the fix's code,
  ``missing_setting/map_revenue_account_domestic``; the product group, unit or layout the fix
  names differs per connection and is left out. A transfer missing two settings is in both
  groups (each fix is its own cause).
- ``gave_up``: by the error it gave up on, ``gave_up/client.dinero_unavailable``.
- every other code: the code alone (``totals_mismatch``, ``link_conflict``, ``client.…``).
- a row written before messages had codes: ``reason/<reason_code>``.

The grouping runs as one ``GROUP BY`` over the open failures (per connection and per the
JSON that decides the key), and one query for the newest message of each group.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers.translation import render
from rackdinero_app.transfers.translation import translated

# Codes whose parameters are fixes (one group per fix).
FIX_CODES = ("missing_setting", "missing_settings")
GAVE_UP = "gave_up"


@dataclass
class AffectedConnection:
    id: int
    company_name: str | None
    count: int = 0
    rackbeat_account_id: int | None = None


@dataclass
class FailureGroup:
    """Failures with one cause. ``code``/``params`` is the newest failure's message (for
    ``missing_setting(s)`` the one fix of this group), ``text`` its English text."""

    key: str
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    connections: list[AffectedConnection] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    total: int = 0
    _newest_id: int = 0

    def render(self) -> str:
        """The message in the current locale (Flask-Babel), like the transfer log shows it."""
        return translated(self.code, self.params, self.text)

    @property
    def fix(self) -> dict[str, Any] | None:
        """The fix as a message ``{"code", "params"}`` when the group is a missing setting;
        other messages name their fix in their own text."""
        return self.params.get("fix") if self.code == "missing_setting" else None


def all_groups() -> list[FailureGroup]:
    """Every open failure group, the most connections (then failures) first."""
    return _groups(None)


def open_failures(connection_id: int) -> list[FailureGroup]:
    """One connection's open failure groups (the customer's overview, A1)."""
    return _groups(connection_id)


def open_failure_condition() -> sa.ColumnElement[bool]:
    """``Transfer`` rows that are open failures (see the module's docstring)."""
    newer = orm.aliased(Transfer)
    superseded = (
        sa.select(newer.id)
        .where(
            newer.connection_id == Transfer.connection_id,
            newer.kind == Transfer.kind,
            newer.direction == Transfer.direction,
            newer.source_key == Transfer.source_key,
            newer.id > Transfer.id,
        )
        .exists()
    )
    return sa.and_(Transfer.state == TransferState.FAILED, ~superseded)


def seen_at() -> sa.ColumnElement[datetime]:
    """When a failure happened: when it finished, else its last change."""
    return sa.func.coalesce(
        Transfer.finished_at, Transfer.updated_at, type_=Transfer.finished_at.type
    )


def _key_detail() -> sa.ColumnElement[str | None]:
    """The JSON that decides the key beyond the code: the fixes, or the gave-up reason's code."""
    return sa.case(
        (Transfer.message_code.in_(FIX_CODES), sa.cast(Transfer.message_params, sa.Text)),
        (Transfer.message_code == GAVE_UP, Transfer.message_params[("reason", "code")].as_string()),
        else_=None,
    )


def _groups(connection_id: int | None) -> list[FailureGroup]:
    detail = _key_detail().label("detail")
    query = (
        sa.select(
            Transfer.connection_id,
            Connection.rackbeat_company_name,
            Connection.rackbeat_account_id,
            Transfer.message_code,
            Transfer.reason_code,
            detail,
            sa.func.count().label("count"),
            sa.func.min(seen_at()).label("first"),
            sa.func.max(seen_at()).label("last"),
            sa.func.max(Transfer.id).label("newest"),
        )
        .join(Connection, Connection.id == Transfer.connection_id)
        .where(open_failure_condition(), Connection.state != ConnectionState.UNINSTALLED)
        .group_by(
            Transfer.connection_id,
            Connection.rackbeat_company_name,
            Connection.rackbeat_account_id,
            Transfer.message_code,
            Transfer.reason_code,
            detail,
        )
    )
    if connection_id is not None:
        query = query.where(Transfer.connection_id == connection_id)
    groups: dict[str, FailureGroup] = {}
    for row in db.session.execute(query):
        for key, fix in _keys(row.message_code, row.reason_code, row.detail):
            _add(groups.setdefault(key, FailureGroup(key)), row, fix)
    _fill_messages(groups.values())
    return sorted(groups.values(), key=lambda g: (-len(g.connections), -g.total, g.key))


def _keys(code: str | None, reason_code: str | None, detail: str | None) -> list[tuple]:
    """``[(key, fix or None)]`` for one SQL row: several for ``missing_settings``."""
    if code is None:
        return [(f"reason/{reason_code or 'unknown'}", None)]
    if code in FIX_CODES and detail:
        params = json.loads(detail)
        fixes = params.get("fixes") or [params.get("fix")]
        found = [(f"missing_setting/{fix['code']}", fix) for fix in fixes if fix]
        return found or [(code, None)]
    if code == GAVE_UP and detail:
        return [(f"{GAVE_UP}/{detail}", None)]
    return [(code, None)]


def _add(group: FailureGroup, row: Any, fix: dict[str, Any] | None) -> None:
    affected = next((c for c in group.connections if c.id == row.connection_id), None)
    if affected is None:
        affected = AffectedConnection(
            row.connection_id, row.rackbeat_company_name, 0, row.rackbeat_account_id
        )
        group.connections.append(affected)
    affected.count += row.count
    group.total += row.count
    group.first_seen = min(filter(None, (group.first_seen, row.first)), default=None)
    group.last_seen = max(filter(None, (group.last_seen, row.last)), default=None)
    if row.newest > group._newest_id:
        group._newest_id = row.newest
        if fix is not None:  # this group's own fix, with the newest connection's names
            group.code, group.params = "missing_setting", {"fix": fix}


def _fill_messages(groups: Iterable[FailureGroup]) -> None:
    """The newest failure's message for every group that is not a single fix (one query)."""
    wanted = {g._newest_id: g for g in groups if g.code is None}
    if wanted:
        rows = db.session.execute(
            sa.select(
                Transfer.id, Transfer.message_code, Transfer.message_params, Transfer.message
            ).where(Transfer.id.in_(wanted))
        )
        for row in rows:
            group = wanted[row.id]
            group.code, group.params, group.text = (
                row.message_code,
                row.message_params or {},
                row.message or "",
            )
    for group in groups:
        if group.code is not None and not group.text:
            group.text = english(group.code, group.params)


def english(code: str, params: dict[str, Any]) -> str:
    """A catalogue message in English, whatever the current locale."""
    try:
        return render(code, params, lambda template: template)
    except (KeyError, TypeError, ValueError):
        return code
