"""The overview (O1), the first page after activation: what is on, what is still missing,
what happened in the last 24 hours, what needs attention (and, A1, the open failures grouped by
cause, each with its fix), and when work from Dinero runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import format_datetime
from flask_babel import format_time
from flask_babel import lazy_gettext as _l

from rackdinero_app.embedded import bp
from rackdinero_app.embedded.support_request import support_request_card
from rackdinero_app.embedded.transfer_log import KIND_LABELS
from rackdinero_app.embedded.transfer_log import STATE_LABELS
from rackdinero_app.embedded.transfer_log import shown_message
from rackdinero_app.embedded.transfer_log import transfer_title
from rackdinero_app.embedded.views import paused_text
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models import SyncRun
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.reconcile import runs as reconciliations
from rackdinero_app.reconcile import wording as reconciliation_wording
from rackdinero_app.settings.checklist import checklist
from rackdinero_app.settings.schedule import next_hourly_import
from rackdinero_app.setup.sources import load_catalogue
from rackdinero_app.setup.store import current_snapshot
from rackdinero_app.transfers.failure_groups import open_failures

SYNC_STATE_LABELS = {
    SyncState.PREVIEWING: _l("Counting what would be transferred"),
    SyncState.READY: _l("Preview ready, not started"),
    SyncState.PENDING: _l("Waiting to start"),
    SyncState.RUNNING: _l("Running"),
    SyncState.SUCCEEDED: _l("Finished"),
    SyncState.FAILED: _l("Stopped with an error"),
    SyncState.CANCELLED: _l("Cancelled"),
}
RECENT = timedelta(hours=24)
ATTENTION_SHOWN = 5
OUTCOMES = (
    TransferState.SUCCEEDED,
    TransferState.FAILED,
    TransferState.SKIPPED,
    TransferState.PENDING,
    TransferState.RUNNING,
)


@dataclass(frozen=True)
class Activity:
    """Transfers of the last 24 hours by outcome, and the failures waiting for a person."""

    by_state: dict[TransferState, int]
    failed_total: int
    failed_latest: list[Transfer]


def recent_activity(connection_id: int, now: datetime) -> Activity:
    counts = dict(
        db.session.execute(
            sa.select(Transfer.state, sa.func.count())
            .where(Transfer.connection_id == connection_id, Transfer.created_at >= now - RECENT)
            .group_by(Transfer.state)
        ).all()
    )
    failed = sa.select(Transfer).where(
        Transfer.connection_id == connection_id, Transfer.state == TransferState.FAILED
    )
    failed_total = db.session.scalar(sa.select(sa.func.count()).select_from(failed.subquery()))
    latest = db.session.scalars(
        failed.order_by(Transfer.updated_at.desc(), Transfer.id.desc()).limit(ATTENTION_SHOWN)
    ).all()
    return Activity({state: counts.get(state, 0) for state in OUTCOMES}, failed_total, latest)


def latest_run(connection_id: int, kind: SyncKind) -> SyncRun | None:
    return db.session.scalar(
        sa.select(SyncRun)
        .where(SyncRun.connection_id == connection_id, SyncRun.kind == kind)
        .order_by(SyncRun.id.desc())
        .limit(1)
    )


@bp.get("/")
def home():
    if g.connection.state == ConnectionState.INSTALLED:
        return redirect(to("embedded.activation"))
    if not g.connection.activated:
        return render_template("embedded/home.html")
    now = datetime.now(UTC)
    settings = current_snapshot(g.connection)
    catalogue = load_catalogue(g.connection)
    from_dinero = settings.invoice_direction == InvoiceDirection.DINERO_TO_RACKBEAT
    return render_template(
        "embedded/home.html",
        settings=settings,
        catalogue=catalogue,
        checklist_steps=checklist(settings, catalogue),
        activity=recent_activity(g.connection.id, now),
        # A1: the open failures by cause, each message (with its fix) in the reader's language.
        failure_groups=open_failures(g.connection.id),
        from_dinero=from_dinero,
        next_import=format_time(next_hourly_import(now), "HH:mm") if from_dinero else None,
        run_now=request.args.get("run_now") if from_dinero else None,
        last_import=latest_run(g.connection.id, SyncKind.HOURLY_INVOICE_IMPORT),
        start_sync=latest_run(g.connection.id, SyncKind.START_SYNC),
        reconciliation=reconciliations.latest(g.connection.id),
        reconciliation_wording=reconciliation_wording,
        state_labels=STATE_LABELS,
        sync_state_labels=SYNC_STATE_LABELS,
        when=lambda moment: format_datetime(moment, "d. MMM HH:mm") if moment else "",
        kind_labels=KIND_LABELS,
        shown_message=shown_message,
        transfer_title=transfer_title,
        InvoiceDirection=InvoiceDirection,
        # A revoked Visma Connect grant: nothing reaches Dinero until the user signs in again.
        sign_in_lost=g.connection.dinero_sign_in_lost_at is not None,
        paused=paused_text() if g.connection.state == ConnectionState.PAUSED else None,
        **support_request_card(g.connection.id),
    )
