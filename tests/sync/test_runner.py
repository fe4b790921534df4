"""The start sync's jobs against both sandboxes over HTTP: the preview, the run, running it
again, resuming after a crash, slices, cancelling, and what a refusal or an outage leaves."""

from __future__ import annotations

import time
from collections import Counter
from functools import partial

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import EntityLink
from rackdinero_app.models import SyncRecord
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import SyncState
from rackdinero_app.sync import lease as lease_module
from rackdinero_app.sync import rackbeat as rackbeat_side
from rackdinero_app.sync import runner
from rackdinero_app.sync import runs
from rackdinero_app.sync import sources
from rackdinero_app.sync import work
from rackdinero_app.sync.progress import empty_preview
from rackdinero_app.sync.progress import run_counts
from sandbox.dinero import bulk
from sandbox.dinero import state as dinero_state
from sandbox.dinero.views.contacts import create_contact as dinero_contact
from sandbox.rackbeat.records.contacts import create_contact
from sandbox.rackbeat.records.products import create_product
from tests.sync.conftest import fresh_run
from tests.sync.conftest import outcomes

# The demo organization: customers Nordisk, Berliner, Oslo and Peter Hansen have an e-mail,
# Jensen Byg has none; supplier Grossist has one, Shenzhen none; products HJ-100, LK-200 and
# KD-300 have numbers, Montering and Fragt none.
CREATED_FROM_DEMO = {
    "customers": {
        "indkob@nordiskcykel.dk",
        "einkauf@berliner-fahrrad.de",
        "post@oslosykkel.no",
        "peter@hansen.dk",
    },
    "suppliers": {"ordre@grossist.dk"},
    "products": {"HJ-100", "LK-200", "KD-300"},
}


def emails(sandboxes, resource: str) -> Counter:
    return Counter(record["contact_email"] for record in sandboxes.records(resource))


def numbers(sandboxes) -> Counter:
    return Counter(record["number"] for record in sandboxes.records("products"))


def already_in_rackbeat(sandboxes) -> None:
    """Nordisk Cykel (same e-mail) and HJ-100 (same number) exist in Rackbeat already."""
    store, account = sandboxes.store, sandboxes.account
    with store.lock:
        create_contact(
            store,
            account,
            "customers",
            {"company_name": "Nordisk Cykel", "contact_email": "indkob@nordiskcykel.dk"},
            suppress=True,
        )
        create_product(store, account, {"number": "HJ-100", "name": "Hjelm", "group": 1})


def started(new_run) -> int:
    return new_run(SyncState.PENDING, counts=run_counts(empty_preview()))


def run_to_the_end(run_id: int) -> int:
    """Run slice after slice, as the chain of jobs does; returns how many slices it took."""
    slices = 1
    while runner.run_slice(run_id):
        slices += 1
    return slices


def test_the_preview_counts_what_would_happen_and_changes_nothing(app, new_run, sandboxes):
    already_in_rackbeat(sandboxes)
    before = {resource: len(sandboxes.records(resource)) for resource in ("customers", "products")}
    run_id = new_run(SyncState.PREVIEWING)

    assert runner.preview_slice(run_id) is False

    run = fresh_run(run_id)
    assert run.state == SyncState.READY and run.cursor is None
    assert run.preview["customer"] == {"created": 3, "linked": 1, "skipped": 1, "failed": 0}
    assert run.preview["supplier"] == {"created": 1, "linked": 0, "skipped": 1, "failed": 0}
    assert run.preview["product"] == {"created": 2, "linked": 1, "skipped": 2, "failed": 0}
    assert run.preview["reasons"]["product"] == {"no_product_number": 2}
    assert run.counts["customer"]["total"] == 5 and run.counts["customer"]["done"] == 0
    assert {r: len(sandboxes.records(r)) for r in ("customers", "products")} == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRecord)) == 0


def test_the_run_creates_the_eligible_links_what_exists_and_reports_the_rest(
    app, connection, new_run, sandboxes
):
    already_in_rackbeat(sandboxes)
    customers_before = len(sandboxes.records("customers"))
    run_id = started(new_run)

    assert run_to_the_end(run_id) == 1

    run = fresh_run(run_id)
    assert run.state == SyncState.SUCCEEDED and run.finished_at is not None
    assert run.counts["customer"] == {
        "total": 5, "done": 5, "created": 3, "linked": 1, "skipped": 1, "failed": 0,
    }  # fmt: skip
    assert run.counts["product"]["created"] == 2 and run.counts["product"]["linked"] == 1
    assert len(sandboxes.records("customers")) == customers_before + 3
    assert set(emails(sandboxes, "customers").values()) == {1}
    assert CREATED_FROM_DEMO["customers"] <= set(emails(sandboxes, "customers"))
    assert emails(sandboxes, "suppliers")["ordre@grossist.dk"] == 1
    assert set(numbers(sandboxes).values()) == {1}
    assert outcomes(run_id)[("customer", "Jensen Byg ApS")] == "skipped"
    assert outcomes(run_id)[("customer", "Nordisk Cykel A/S")] == "linked"

    links = db.session.execute(sa.select(EntityLink.kind, EntityLink.rackbeat_key)).all()
    assert Counter(kind for kind, _ in links) == {
        EntityKind.CUSTOMER: 4,
        EntityKind.SUPPLIER: 1,
        EntityKind.PRODUCT: 3,
    }
    assert (EntityKind.PRODUCT, "HJ-100") in links
    reasons = dict(
        db.session.execute(
            sa.select(SyncRecord.label, SyncRecord.reason_code).where(
                SyncRecord.outcome == "skipped"
            )
        ).all()
    )
    assert reasons == {
        "Jensen Byg ApS": "no_email",
        "Shenzhen Parts Ltd.": "no_email",
        "Montering": "no_product_number",
        "Fragt": "no_product_number",
    }
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "start_sync.finished" in actions


def test_running_it_again_creates_nothing_new(app, connection, new_run, sandboxes):
    run_to_the_end(started(new_run))
    counts = {resource: len(sandboxes.records(resource)) for resource in CREATED_FROM_DEMO}
    requests_before = sandboxes.store.api_requests[12345]

    second = started(new_run)
    run_to_the_end(second)

    assert {resource: len(sandboxes.records(resource)) for resource in CREATED_FROM_DEMO} == counts
    run = fresh_run(second)
    assert run.counts["customer"]["linked"] == 4 and run.counts["customer"]["created"] == 0
    # Linked records need no lookup: only the product groups and payment terms are read.
    assert sandboxes.store.api_requests[12345] - requests_before == 2


class Crash(BaseException):
    """The worker dies (SIGKILL): nothing in the job gets to run afterwards."""


def test_a_crashed_run_resumes_where_it_was_and_creates_nothing_twice(
    app, connection, new_run, sandboxes, monkeypatch
):
    run_id = started(new_run)
    real_create = rackbeat_side.create
    made = []

    def create_then_die(client, kind, body):
        record = real_create(client, kind, body)
        made.append(record)
        if len(made) == 3:  # created in Rackbeat, but the outcome was never stored
            raise Crash()
        return record

    monkeypatch.setattr(rackbeat_side, "create", create_then_die)
    with pytest.raises(Crash):
        runner.run_slice(run_id)
    db.session.rollback()
    monkeypatch.setattr(rackbeat_side, "create", real_create)
    crashed = fresh_run(run_id)
    assert crashed.state == SyncState.RUNNING and crashed.heartbeat_at is not None
    # Stored before the crash: Nordisk and Berliner created, Jensen Byg skipped (no e-mail).
    assert crashed.counts["customer"]["done"] == 3

    assert runner.run_slice(run_id) is False  # the heartbeat is fresh: another job holds it
    app.config["START_SYNC_STALE_SECONDS"] = 0  # …until it is older than the stale limit
    assert run_to_the_end(run_id) == 1

    run = fresh_run(run_id)
    assert run.state == SyncState.SUCCEEDED
    assert set(emails(sandboxes, "customers").values()) == {1}
    assert set(numbers(sandboxes).values()) == {1}
    assert run.counts["customer"] == {
        "total": 5, "done": 5, "created": 3, "linked": 1, "skipped": 1, "failed": 0,
    }  # fmt: skip
    third = made[2]["contact_email"]
    label = next(
        r["company_name"] for r in sandboxes.records("customers") if r["contact_email"] == third
    )
    assert outcomes(run_id)[("customer", label)] == "linked"  # found again by its e-mail
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRecord)) == 12
    assert "start_sync.resumed" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_slices_let_go_and_the_next_one_carries_on(app, connection, new_run, sandboxes):
    app.config["START_SYNC_SLICE_SECONDS"] = 0  # let go after every record
    run_id = started(new_run)

    assert runner.run_slice(run_id) is True
    between = fresh_run(run_id)
    assert between.state == SyncState.RUNNING and between.heartbeat_at is None
    assert between.cursor == "contacts:0"

    assert run_to_the_end(run_id) > 12  # one record per slice (and one to end each phase)
    run = fresh_run(run_id)
    assert run.state == SyncState.SUCCEEDED
    assert sum(entry["done"] for entry in run.counts.values()) == 12
    assert set(emails(sandboxes, "customers").values()) == {1}


def test_cancel_between_slices_ends_the_run_and_keeps_what_it_did(
    app, connection, new_run, sandboxes
):
    app.config["START_SYNC_SLICE_SECONDS"] = 0
    run_id = started(new_run)
    runner.run_slice(run_id)

    runs.cancel(connection, run_id, "mette@demo-lager.dk")
    assert runner.run_slice(run_id) is False

    run = fresh_run(run_id)
    assert run.state == SyncState.CANCELLED and run.finished_at is not None
    assert run.counts["customer"]["done"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntityLink)) == 1
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["start_sync.cancelled", "start_sync.finished"]


def test_cancel_while_a_job_works_stops_it_after_the_record_in_hand(
    app, connection, new_run, sandboxes, monkeypatch
):
    run_id = started(new_run)
    real_create = rackbeat_side.create

    def create_and_cancel(client, kind, body):
        runs.cancel(connection, run_id, "mette@demo-lager.dk")
        return real_create(client, kind, body)

    monkeypatch.setattr(rackbeat_side, "create", create_and_cancel)
    assert runner.run_slice(run_id) is False
    run = fresh_run(run_id)
    assert run.state == SyncState.CANCELLED
    assert run.counts["customer"]["created"] == 1  # the one created was stored and linked
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntityLink)) == 1


def test_a_job_that_lost_the_run_stops_before_it_stores_anything(app, connection, new_run):
    run_id = started(new_run)
    slow = lease_module.claim(run_id, 300, runner.RUN_STATES)
    assert lease_module.claim(run_id, 300, runner.RUN_STATES) is None
    taken_over = lease_module.claim(run_id, 0, runner.RUN_STATES)
    assert taken_over is not None

    with pytest.raises(lease_module.LostLease):
        slow.advance("contacts:1")
    assert fresh_run(run_id).cursor is None


def test_a_record_rackbeat_refuses_is_reported_failed_and_the_run_goes_on(
    app, connection, new_run, sandboxes
):
    with sandboxes.dinero.extensions["dinero_sandbox"].lock:
        dinero_contact(
            sandboxes.organization,
            {"Name": "Skæv Mail ApS", "CountryKey": "DK", "IsPerson": False, "IsMember": False,
             "UseCvr": False, "Email": "not-an-address"},
            debtor=True,
        )  # fmt: skip
    run_id = started(new_run)
    run_to_the_end(run_id)

    failed = db.session.execute(
        sa.select(SyncRecord.reason_code, SyncRecord.message_params).where(
            SyncRecord.outcome == "failed"
        )
    ).one()
    assert failed.reason_code == "rejected_by_rackbeat"
    assert "contact_email" in failed.message_params["details"]
    run = fresh_run(run_id)
    assert run.state == SyncState.SUCCEEDED and run.counts["customer"]["failed"] == 1


def test_rackbeat_down_stops_the_run_with_the_reason_stored_as_a_code(
    app, connection, new_run, sandboxes, monkeypatch
):
    monkeypatch.setattr(work, "ATTEMPTS", 1)
    sandboxes.store.set_knobs({"error_rate": 1.0})
    run_id = started(new_run)

    assert runner.run_slice(run_id) is False

    run = fresh_run(run_id)
    assert (run.state, run.message_code, run.message_params) == (
        SyncState.FAILED,
        "stopped_for_now",
        {},
    )
    assert "did not answer properly" in run.message


def test_a_refused_api_key_stops_the_run_naming_the_fix(app, connection, new_run):
    connection.dinero_api_key = "revoked-key"
    db.session.commit()
    run_id = started(new_run)

    runner.run_slice(run_id)

    run = fresh_run(run_id)
    assert run.state == SyncState.FAILED and run.message_code == "stopped"
    assert run.message_params["error"]["code"] == "client.dinero_key_not_accepted"
    assert "Create a new API key in Dinero" in run.message


def test_a_preview_cancelled_or_without_an_active_connection_ends_with_the_reason(
    app, connection, new_run
):
    cancelled = new_run(SyncState.PREVIEWING, cancel_requested=True)
    assert runner.preview_slice(cancelled) is False
    assert fresh_run(cancelled).state == SyncState.CANCELLED

    connection.state = "installed"  # (a paused one waits instead: test_paused_connection.py)
    db.session.commit()
    inactive = new_run(SyncState.PREVIEWING)
    runner.preview_slice(inactive)
    run = fresh_run(inactive)
    assert (run.state, run.message_code) == (SyncState.FAILED, "connection_not_active")


def test_a_preview_job_does_not_take_a_started_run_nor_a_run_job_a_preview(app, new_run):
    pending, previewing = started(new_run), new_run(SyncState.PREVIEWING)
    runner_states = (runner.preview_slice(pending), runner.run_slice(previewing))
    assert runner_states == (False, False)
    assert fresh_run(pending).state == SyncState.PENDING
    assert fresh_run(previewing).state == SyncState.PREVIEWING


def test_a_record_pushed_back_by_a_change_during_the_run_is_still_copied(
    app, connection, new_run, sandboxes, monkeypatch
):
    """Dinero lists products by when they last changed. One changed after its page was read
    moves to the end, and pushes the first product of the next page back onto a page already
    read: the run reads everything once more and copies it."""
    dinero = sandboxes.dinero.extensions["dinero_sandbox"]
    with dinero.lock:
        bulk.add(sandboxes.organization, bulk.Bulk(products=12, prefix="flyt"))
    monkeypatch.setattr(runner, "read_page", partial(sources.read_page, page_size=5))
    app.config["START_SYNC_SLICE_SECONDS"] = 0
    time.sleep(1.1)  # Dinero keeps seconds: the run starts after the records were made
    run_id = started(new_run)
    while fresh_run(run_id).cursor != "products:2":
        assert runner.run_slice(run_id)

    time.sleep(1.1)
    with dinero.lock:
        products = sandboxes.organization.products.values()
        first = min(products, key=lambda p: (p["UpdatedAt"], p["ProductGuid"]))
        first["Name"] += " (ny pris)"
        first["UpdatedAt"] = dinero_state.iso(dinero_state.now())
    run_to_the_end(run_id)

    with dinero.lock:
        in_dinero = {
            p["ProductNumber"]
            for p in sandboxes.organization.products.values()
            if p.get("ProductNumber") and not p.get("DeletedAt")
        }
    copied = numbers(sandboxes)
    assert in_dinero <= set(copied), sorted(in_dinero - set(copied))
    assert max(copied.values()) == 1
    assert fresh_run(run_id).state == SyncState.SUCCEEDED
