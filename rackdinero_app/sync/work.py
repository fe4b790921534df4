"""What one slice of a start sync works with: the connection's clients, the choices for the
Rackbeat bodies, patience with passing errors, and the time it may take."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import db
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import Connection
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import VatZone
from rackdinero_app.sync.mapping import Choices
from rackdinero_app.sync.reasons import CLIENT

# A passing error (timeout, 5xx, 429) is tried again this often, waiting 1, 2, 4 … seconds
# (or what the server asks, up to MAX_WAIT); a create is never repeated blindly, since the
# whole record is looked up again first.
ATTEMPTS = 4
MAX_WAIT = 30.0

T = TypeVar("T")


@dataclass(frozen=True)
class Work:
    connection_id: int
    dinero: DineroClient
    rackbeat: RackbeatClient
    deadline: float

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline


def open_work(connection_id: int) -> Work | None:
    """The clients of an active connection (``None`` when it is not active any more)."""
    connection = db.session.get(Connection, connection_id)
    if connection is None or connection.state != ConnectionState.ACTIVE:
        db.session.commit()
        return None
    work = Work(
        connection_id=connection.id,
        dinero=connection_dinero_client(connection),
        rackbeat=rackbeat_client(connection),
        deadline=time.monotonic() + float(current_app.config["START_SYNC_SLICE_SECONDS"]),
    )
    db.session.commit()
    return work


def is_paused(connection_id: int) -> bool:
    """Support paused the connection: its start sync waits, unclaimed, for the resume."""
    state = db.session.scalar(sa.select(Connection.state).where(Connection.id == connection_id))
    return state == ConnectionState.PAUSED


def _number(value: str) -> int | None:
    return int(value) if str(value).isdigit() else None


def load_choices(work: Work) -> Choices:
    """Rackbeat's product groups and payment terms, and the settings' revenue accounts (C6)
    and units (C7) read backwards."""
    group_by_account: dict[int, int] = {}
    rows = db.session.execute(
        sa.select(AccountMapping.account_number, AccountMapping.product_group)
        .where(
            AccountMapping.connection_id == work.connection_id,
            AccountMapping.direction == MappingDirection.SALES,
            AccountMapping.vat_zone == VatZone.DOMESTIC,
        )
        .order_by(AccountMapping.product_group)
    ).all()
    for account_number, group in rows:
        if _number(group) is not None:
            group_by_account.setdefault(account_number, _number(group))
    unit_by_dinero_unit: dict[str, int] = {}
    units = db.session.execute(
        sa.select(UnitMapping.dinero_unit, UnitMapping.rackbeat_unit)
        .where(UnitMapping.connection_id == work.connection_id)
        .order_by(UnitMapping.rackbeat_unit)
    ).all()
    for dinero_unit, rackbeat_unit in units:
        if _number(rackbeat_unit) is not None:
            unit_by_dinero_unit.setdefault(str(dinero_unit), _number(rackbeat_unit))
    db.session.commit()
    groups = patiently(
        lambda: sorted(int(g["number"]) for g in work.rackbeat.iter_product_groups())
    )
    terms = patiently(
        lambda: sorted(
            (int(t["number"]), t.get("days")) for t in work.rackbeat.iter_payment_terms()
        )
    )
    return Choices(
        groups=tuple(groups),
        group_by_account=group_by_account,
        unit_by_dinero_unit=unit_by_dinero_unit,
        payment_terms=tuple(terms),
    )


def patiently(call: Callable[[], T]) -> T:
    """``call()``, tried again after a passing client error; the last error is raised."""
    for attempt in range(ATTEMPTS):
        try:
            return call()
        except ClientError as error:
            if not error.is_transient or attempt == ATTEMPTS - 1:
                raise
            asked = getattr(error, "retry_after", None)
            time.sleep(min(MAX_WAIT, asked if asked is not None else 2.0**attempt))
    raise AssertionError("unreachable")


def client_message(error: ClientError) -> dict[str, Any]:
    """A client error as a nested message (its text comes from ``clients/errors.py``)."""
    return {"code": CLIENT + error.message_code, "params": dict(error.message_params)}
