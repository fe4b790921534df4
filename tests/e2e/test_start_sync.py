"""The start sync (S1, S2) over real HTTP, with both sandboxes, Redis and ``flask worker``
processes: a person previews and starts it on the page (without JavaScript), and every eligible
Dinero record ends up in Rackbeat exactly once — created, or linked to what was there — and
everything else is reported. Killed midway (SIGKILL) and taken up by a new worker, it ends the
same way, with nothing created twice."""

from __future__ import annotations

import re
import time
from collections import Counter
from html import unescape

import pytest
import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import EntityLink
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.models.enums import SyncState
from sandbox.dinero import bulk
from sandbox.rackbeat.records.contacts import create_contact
from sandbox.rackbeat.records.products import create_product
from tests.flows import form_fields
from tests.flows import installed_and_active
from tests.stack import running_stack

ACCOUNT_ID = 12345
ORGANIZATION_ID = 400555
GENEROUS = {"limit": 6000, "window_seconds": 60}


def settings(rackbeat_rate: int) -> dict:
    """Dinero out of the way; Rackbeat's limit as given, in the app and the sandbox alike; a
    dead worker's run is taken up within seconds."""
    return {
        "DINERO_RATE_LIMIT": GENEROUS["limit"],
        "DINERO_RATE_WINDOW": GENEROUS["window_seconds"],
        "RACKBEAT_RATE_LIMIT": rackbeat_rate,
        "RACKBEAT_RATE_WINDOW": 60,
        "START_SYNC_SLICE_SECONDS": 5,
        "START_SYNC_STALE_SECONDS": 3,
        "SWEEP_INTERVAL_SECONDS": 1,
    }


def seed(stack, contacts: int, products: int) -> None:
    """Dinero: the demo books plus ``contacts`` and ``products`` more, some without e-mail or
    number. Rackbeat: a customer with bulk contact 1's e-mail and product bulk-000002 exist."""
    sandbox = stack.dinero.extensions["dinero_sandbox"]
    with sandbox.lock:
        bulk.add(
            sandbox.organizations[ORGANIZATION_ID],
            bulk.Bulk(
                contacts=contacts,
                products=products,
                no_email_every=6,
                supplier_every=5,
                no_number_every=7,
            ),
        )
    store = stack.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        account = store.account(ACCOUNT_ID)
        create_contact(
            store,
            account,
            "customers",
            {"company_name": "Bulk 1 (Rackbeat)", "contact_email": "bulk1@x.dk"},
            suppress=True,
        )
        create_product(store, account, {"number": "bulk-000002", "name": "Vare 2", "group": 1})


def expected(stack) -> dict[str, Counter]:
    """What must be in Rackbeat once it is done: each eligible Dinero record exactly once."""
    organization = stack.dinero.extensions["dinero_sandbox"].organizations[ORGANIZATION_ID]
    contacts = list(organization.contacts.values())
    return {
        "customers": Counter(c["Email"] for c in contacts if c["IsDebitor"] and c["Email"]),
        "suppliers": Counter(c["Email"] for c in contacts if c["IsCreditor"] and c["Email"]),
        "products": Counter(
            p["ProductNumber"] for p in organization.products.values() if p["ProductNumber"]
        ),
    }


def in_rackbeat(stack) -> dict[str, Counter]:
    store = stack.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        records = store.account(ACCOUNT_ID).records
        return {
            "customers": Counter(r["contact_email"] for r in records["customers"].values()),
            "suppliers": Counter(r["contact_email"] for r in records["suppliers"].values()),
            "products": Counter(r["number"] for r in records["products"].values()),
        }


def assert_exactly_once(stack) -> None:
    wanted, present = expected(stack), in_rackbeat(stack)
    for resource, counts in wanted.items():
        for key in counts:
            assert present[resource][key] == 1, (resource, key, present[resource][key])


def post_form(browser, stack, page: requests.Response, action: str) -> requests.Response:
    """Press the button of the form posting to ``action`` (its hidden fields included)."""
    form = re.search(
        rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', page.text, re.S
    )
    assert form, (action, page.text)
    response = browser.post(f"{stack.app_url}{action}", data=form_fields(form.group(1)))
    assert response.status_code == 200, response.text
    return response


def wait_for_page(
    browser, page: requests.Response, marker: str, timeout: float
) -> requests.Response:
    """Reload the page (as its no-JavaScript refresh does) until ``marker`` shows."""
    deadline = time.monotonic() + timeout
    while marker not in page.text:
        assert time.monotonic() < deadline, f"{marker!r} not shown in time:\n{page.text[-3000:]}"
        time.sleep(0.3)
        page = browser.get(page.url)
    return page


def the_run() -> SyncRun:
    db.session.expire_all()
    return db.session.scalars(sa.select(SyncRun)).one()


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def preview_and_start(stack, browser) -> requests.Response:
    offer = installed_and_active(stack, browser)
    assert 'id="start-sync"' in offer.text  # offered right after activation
    previewing = post_form(browser, stack, offer, "/embedded/settings/start-sync/preview")
    ready = wait_for_page(browser, previewing, 'id="start-sync-preview-table"', 60)
    run_id = the_run().id
    return post_form(browser, stack, ready, f"/embedded/settings/start-sync/{run_id}/start")


def test_a_start_sync_creates_the_eligible_links_the_rest_and_reports_the_skipped(
    app_config, tmp_path, redis, browser
):
    config = settings(rackbeat_rate=6000)
    with running_stack(
        {**app_config, **config},
        tmp_path,
        dinero_config={"KNOBS": {"rate_limit": GENEROUS}},
        worker_config=config,
    ) as stack:
        seed(stack, contacts=40, products=30)
        with stack.app.app_context():
            running = preview_and_start(stack, browser)
            done = wait_for_page(browser, running, "Startsynkroniseringen er færdig", 90)

            run = the_run()
            assert run.state == SyncState.SUCCEEDED, run.message
            assert_exactly_once(stack)
            counts = run.counts
            assert counts["customer"]["linked"] == 1 and counts["product"]["linked"] == 1
            # Products: 3 of the demo's 5 and 26 of the 30 bulk ones have a number.
            assert counts["product"] == {
                "total": 35, "done": 35, "created": 28, "linked": 1, "skipped": 6, "failed": 0
            }  # fmt: skip
            # Bulk contacts 6, 12, 18, 24, 36 (customers) and 30 (a supplier) have no e-mail;
            # the demo's Jensen Byg and Shenzhen neither.
            assert (counts["customer"]["skipped"], counts["supplier"]["skipped"]) == (6, 2)
            skipped = db.session.scalars(
                sa.select(SyncRecord.reason_code).where(SyncRecord.outcome == "skipped")
            ).all()
            assert set(skipped) == {"no_email", "no_product_number"}
            assert done.text.count('class="report-line"') == len(skipped)
            assert "Den har ingen e-mailadresse i Dinero." in unescape(done.text)
            links = db.session.scalar(sa.select(sa.func.count()).select_from(EntityLink))
            assert links == sum(counts[k]["created"] + counts[k]["linked"] for k in counts)
            # Every Rackbeat write suppressed its webhook: nothing came back to the app.
            assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) == 0

            csv = browser.get(f"{stack.app_url}/embedded/settings/start-sync/{run.id}/report.csv",
                              params={"s": form_fields(done.text)["s"]})  # fmt: skip
            assert csv.status_code == 200 and csv.text.count("\n") == len(skipped) + 1


@pytest.mark.backends("postgresql")
def test_a_start_sync_killed_midway_ends_the_same_with_nothing_created_twice(
    app_config, tmp_path, redis, browser
):
    config = settings(rackbeat_rate=1200)  # about 20 requests a second: long enough to kill
    with running_stack(
        {**app_config, **config},
        tmp_path,
        dinero_config={"KNOBS": {"rate_limit": GENEROUS}},
        worker_config=config,
    ) as stack:
        store = stack.rackbeat.extensions["rackbeat_sandbox"]
        store.set_knobs({"rate_limit_per_minute": 1200})
        seed(stack, contacts=150, products=150)
        with stack.app.app_context():
            running = preview_and_start(stack, browser)
            deadline = time.monotonic() + 60
            while sum(entry["done"] for entry in the_run().counts.values()) < 60:
                assert time.monotonic() < deadline, "the run did not get going"
                time.sleep(0.2)

            stack.workers.kill()  # SIGKILL, mid-run
            killed = the_run()
            assert killed.state == SyncState.RUNNING
            done_when_killed = sum(entry["done"] for entry in killed.counts.values())
            # The kill lands inside a slice (the run's lease is held: a takeover follows, and is
            # audited) or, rarely, between two slices (no lease: the next slice starts as usual).
            mid_slice = killed.heartbeat_at is not None
            stack.workers.start(1)

            wait_for_page(browser, running, "Startsynkroniseringen er færdig", 120)
            run = the_run()
            assert run.state == SyncState.SUCCEEDED, run.message
            assert sum(entry["done"] for entry in run.counts.values()) > done_when_killed
            assert_exactly_once(stack)
            records = db.session.scalar(sa.select(sa.func.count()).select_from(SyncRecord))
            assert records == sum(entry["done"] for entry in run.counts.values())
            actions = db.session.scalars(sa.select(AuditEntry.action)).all()
            assert ("start_sync.resumed" in actions) == mid_slice, (mid_slice, actions)
            # The app kept under Rackbeat's limit: no request was refused.
            assert store.api_requests[ACCOUNT_ID] > 300 and store.api_refused[ACCOUNT_ID] == 0
