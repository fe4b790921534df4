"""The alert rule: an e-mail to support about failures, run every 5 minutes (tasks/support.py).

Two rules, each sending at most one mail per subject per hour:

- **A failure group** (support/issues.py) is mailed when it appears, and again when it has new
  failures (its newest failure is newer than the one the last mail named) once the hour since
  that mail has passed. A group that merely stays open is not mailed again and again.
- **A connection** with at least ``SUPPORT_ALERT_THRESHOLD`` failed transfers finished in the
  last 24 hours is mailed by the same rule, keyed by the connection.

"At most one per hour" is a Redis key set with ``SET NX`` and an hour's expiry before the mail
is sent, so however many workers check at once, one sends; a failed send gives the key back so
the next check tries again. The newest failure each mail named is kept beside it (a week).

Alerts are off while ``SUPPORT_SMTP_HOST`` or ``SUPPORT_ALERT_TO`` is unset. Mails are plain
text in English for the vendor's support staff; they name message codes, company names and
connection ids, and the messages the customer reads, which never hold a secret.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from flask import current_app

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.support import issues

log = logging.getLogger(__name__)

HOUR_SECONDS = 3600
NEWEST_KEPT_SECONDS = 7 * 24 * 3600
WINDOW = timedelta(hours=24)
SMTP_TIMEOUT_SECONDS = 10
PREFIX = "rackdinero:support-alert"


@dataclass(frozen=True)
class Busy:
    """A connection over the threshold: its failures in the window and the newest one."""

    id: int
    company_name: str | None
    rackbeat_account_id: int
    count: int
    newest: datetime


def check_and_alert(now: datetime | None = None) -> dict[str, int]:
    """Mail support about new failure groups and busy connections; returns how many mails
    of each were sent (both 0 while alerts are off)."""
    config = current_app.config
    sent = {"groups": 0, "connections": 0}
    if not (config.get("SUPPORT_SMTP_HOST") and recipients(config)):
        return sent
    now = now or utcnow()
    for group in issues.all_groups():
        if group.last_seen and _deliver("group", group.key, group.last_seen, group_mail(group)):
            sent["groups"] += 1
    for busy in busy_connections(now, int(config["SUPPORT_ALERT_THRESHOLD"])):
        if _deliver("connection", str(busy.id), busy.newest, threshold_mail(busy, now)):
            sent["connections"] += 1
    return sent


def busy_connections(now: datetime, threshold: int) -> list[Busy]:
    """Connections with at least ``threshold`` failed transfers finished in the last 24 h
    (one GROUP BY)."""
    count = sa.func.count().label("count")
    rows = db.session.execute(
        sa.select(
            Connection.id,
            Connection.rackbeat_company_name,
            Connection.rackbeat_account_id,
            count,
            sa.func.max(Transfer.finished_at).label("newest"),
        )
        .join(Transfer, Transfer.connection_id == Connection.id)
        .where(
            Transfer.state == TransferState.FAILED,
            Transfer.finished_at > now - WINDOW,
            Connection.state != ConnectionState.UNINSTALLED,
        )
        .group_by(Connection.id, Connection.rackbeat_company_name, Connection.rackbeat_account_id)
        .having(count >= max(threshold, 1))
        .order_by(Connection.id)
    )
    return [Busy(*row) for row in rows]


def _deliver(kind: str, ident: str, newest: datetime, message: EmailMessage) -> bool:
    """Send ``message`` unless it tells nothing new or one about ``ident`` went in the last
    hour; True when this process sent it."""
    redis = rq.redis
    throttle, named = f"{PREFIX}:{kind}:{ident}", f"{PREFIX}:{kind}:{ident}:newest"
    stamp = newest.timestamp()
    last = redis.get(named)
    if last is not None and float(last) >= stamp:
        return False
    if not redis.set(throttle, stamp, nx=True, ex=HOUR_SECONDS):
        return False
    try:
        send(message)
    except (OSError, smtplib.SMTPException):
        redis.delete(throttle)  # the next check tries again
        log.warning("Support alert %s %s could not be sent", kind, ident, exc_info=True)
        return False
    redis.set(named, stamp, ex=NEWEST_KEPT_SECONDS)
    return True


def send(message: EmailMessage) -> None:
    """Hand ``message`` to the configured SMTP server (plain SMTP, no login)."""
    config = current_app.config
    with smtplib.SMTP(
        config["SUPPORT_SMTP_HOST"], int(config["SUPPORT_SMTP_PORT"]), timeout=SMTP_TIMEOUT_SECONDS
    ) as smtp:
        smtp.send_message(message)


def recipients(config: Mapping[str, Any]) -> list[str]:
    raw = config.get("SUPPORT_ALERT_TO") or ""
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    return [name.strip() for name in names if name.strip()]


def group_mail(group: issues.FailureGroup) -> EmailMessage:
    """The mail about a failure group: what the customer reads, the fix, the connections."""
    places = len(group.connections)
    fix = issues.english(group.fix["code"], group.fix["params"]) if group.fix else None
    lines = [
        f"Failure group: {group.key}",
        f"{group.total} open failure(s) on {places} connection(s); first {_when(group.first_seen)}"
        f", newest {_when(group.last_seen)}.",
        "",
        "The newest failure's message:",
        group.text,
        "",
        f"Fix: {fix}" if fix else "Fix: as the message says.",
        "",
        "Connections (id, company, open failures):",
        *(f"- {c.id} {c.company_name or '(no name)'}: {c.count}" for c in group.connections),
    ]
    return _mail(f"Failure group {group.key} on {places} connection(s)", lines)


def threshold_mail(busy: Busy, now: datetime) -> EmailMessage:
    """The mail about one connection with many failures in 24 hours."""
    lines = [
        f"Connection {busy.id} {busy.company_name or '(no name)'} (Rackbeat account "
        f"{busy.rackbeat_account_id}) had {busy.count} failed transfers in the 24 hours before "
        f"{_when(now)}; the newest at {_when(busy.newest)}.",
        "",
        "Its open failures by cause:",
        *(
            f"- {group.key}: {group.total} — {group.text}"
            for group in issues.open_failures(busy.id)
        ),
    ]
    return _mail(f"Connection {busy.id}: {busy.count} failed transfers in 24 hours", lines)


def _mail(subject: str, lines: list[str]) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = "[rackdinero] " + " ".join(subject.split())
    message["From"] = config["SUPPORT_ALERT_FROM"]
    message["To"] = ", ".join(recipients(config))
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain="rackdinero.support")
    message.set_content("\n".join(lines) + "\n")
    return message


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"
