"""One slice of a start sync's work, for its preview and for the run itself.

A job works on a run for ``START_SYNC_SLICE_SECONDS`` and then lets go; its caller enqueues
the next slice (``tasks/sync.py``), so a long start sync never blocks the queue or outlives a
job timeout, and one whose worker died is taken up again by the resume check. Both walk the
same Dinero pages (``sources``) from the run's cursor:

- the preview asks Rackbeat about every eligible record and tallies what would happen,
  storing its tally and cursor page by page (a page cut short is simply read again);
- the run creates or links each record, storing each outcome as it goes, so a record with a
  row in this run is never handled again and one created just before a crash is found again
  in Rackbeat by its key and linked.
"""

from __future__ import annotations

import copy
import logging
from functools import partial

from flask import current_app
from sqlalchemy.exc import IntegrityError

from rackdinero_app.clients.errors import ClientError
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import SyncOutcome
from rackdinero_app.models.enums import SyncState
from rackdinero_app.sync import records
from rackdinero_app.sync.handling import carry_out
from rackdinero_app.sync.handling import needs_link
from rackdinero_app.sync.handling import predict
from rackdinero_app.sync.lease import Lease
from rackdinero_app.sync.lease import LostLease
from rackdinero_app.sync.lease import claim
from rackdinero_app.sync.progress import add_to_preview
from rackdinero_app.sync.progress import empty_preview
from rackdinero_app.sync.progress import run_counts
from rackdinero_app.sync.rules import Decision
from rackdinero_app.sync.rules import Item
from rackdinero_app.sync.rules import Reason
from rackdinero_app.sync.sources import Position
from rackdinero_app.sync.sources import changed_since
from rackdinero_app.sync.sources import read_page
from rackdinero_app.sync.work import Work
from rackdinero_app.sync.work import client_message
from rackdinero_app.sync.work import is_paused
from rackdinero_app.sync.work import load_choices
from rackdinero_app.sync.work import open_work
from rackdinero_app.sync.work import patiently

log = logging.getLogger(__name__)

RUN_STATES = (SyncState.PENDING, SyncState.RUNNING)
PREVIEW_STATES = (SyncState.PREVIEWING,)


def run_slice(run_id: int) -> bool:
    """Work on a started run for one slice; returns whether another slice is needed."""
    return _slice(run_id, RUN_STATES, _run, "stopped")


def preview_slice(run_id: int) -> bool:
    """Work on a run's preview for one slice; returns whether another slice is needed."""
    return _slice(run_id, PREVIEW_STATES, _preview, "preview_stopped")


def _slice(run_id: int, states, work_on, stopped: str) -> bool:
    lease = claim(run_id, current_app.config["START_SYNC_STALE_SECONDS"], states)
    if lease is None:
        return False
    try:
        if lease.cancel_requested:
            lease.finish(SyncState.CANCELLED)
            return False
        if is_paused(lease.connection_id):  # resuming the connection enqueues it again
            lease.release()
            return False
        work = open_work(lease.connection_id)
        if work is None:
            lease.finish(SyncState.FAILED, Reason("connection_not_active"))
            return False
        try:
            return work_on(lease, work)
        except ClientError as error:
            log.warning("Start sync %s stopped: %s", run_id, error)
            if error.is_transient:  # still failing after patient retries
                reason = Reason(f"{stopped}_for_now")
            else:
                reason = Reason(stopped, {"error": client_message(error)})
            lease.finish(SyncState.FAILED, reason)
            return False
    except LostLease:
        log.info("Start sync %s is held by another job now", run_id)
        return False
    except Exception:
        log.exception("Start sync %s failed unexpectedly", run_id)
        try:
            lease.finish(SyncState.FAILED, Reason(f"{stopped}_unexpectedly"))
        except LostLease:
            pass
        return False


def _pages(lease: Lease, work: Work):
    """The pages from the run's cursor on: (position, items, what is linked, last page?)."""
    position: Position | None = Position.parse(lease.cursor)
    while position is not None:
        items, last = patiently(partial(read_page, work.dinero, position))
        linked = records.linked_guids(lease.connection_id, items)
        yield position, items, linked, last
        position = position.after(last)


def _run(lease: Lease, work: Work) -> bool:
    choices = load_choices(work)
    for position, items, linked, last in _pages(lease, work):
        handled = records.handled(lease.run_id, items)
        records.done_reading()
        for item in items:
            if (item.kind, item.guid) in handled:
                continue
            decision = patiently(partial(carry_out, work, choices, item, linked))
            if _store(lease, item, decision, str(position)):
                lease.finish(SyncState.CANCELLED)
                return False
            if work.out_of_time():
                lease.release()
                return True
        following = position.after(last) or _another_pass(lease, work, position)
        if lease.advance(None if following is None else str(following)):
            lease.finish(SyncState.CANCELLED)
            return False
        if following is not None and work.out_of_time():
            lease.release()
            return True
    lease.finish(SyncState.SUCCEEDED)
    return False


def _another_pass(lease: Lease, work: Work, position: Position) -> Position | None:
    """After the last page: if anything changed in Dinero since this pass began, its order
    may have moved a record past the pages read, so read everything once more (records this
    run handled cost nothing but the page read)."""
    began = position.began_at(records.run_started_at(lease.run_id))
    if not patiently(partial(changed_since, work.dinero, began)):
        return None
    return position.next_pass(utcnow())


def _store(lease: Lease, item: Item, decision: Decision, cursor: str) -> bool:
    """Record the outcome; a link another record took meanwhile leaves this one skipped."""
    try:
        return lease.record(item, decision, cursor, needs_link(decision))
    except IntegrityError:
        code = "number_taken" if item.kind == EntityKind.PRODUCT else "email_taken"
        params = {"number": decision.rackbeat_key}
        if item.kind != EntityKind.PRODUCT:
            params["email"] = item.key
        skipped = Decision(SyncOutcome.SKIPPED, reason=Reason(code, params))
        return lease.record(item, skipped, cursor, link=False)


def _preview(lease: Lease, work: Work) -> bool:
    tally = lease.preview if lease.cursor else empty_preview()
    for position, items, linked, last in _pages(lease, work):
        records.done_reading()
        page = copy.deepcopy(tally)
        for item in items:
            decision = patiently(partial(predict, work, item, linked))
            add_to_preview(page, item.kind.value, decision)
        tally = page
        following = position.after(last)
        if lease.advance(None if following is None else str(following), tally):
            lease.finish(SyncState.CANCELLED)
            return False
        if following is not None and work.out_of_time():
            lease.release()
            return True
    lease.finish(SyncState.READY, preview=tally, cursor=None, counts=run_counts(tally))
    return False
