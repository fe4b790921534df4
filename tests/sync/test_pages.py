"""The start synchronisation page: offer → preview → Start → progress → report and CSV, in the
user's language; one start sync at a time; every step audited and its job enqueued."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.models.enums import SyncOutcome
from rackdinero_app.models.enums import SyncState
from rackdinero_app.sync import runner
from sandbox.dinero.views.contacts import create_contact as dinero_contact
from tests.sync.conftest import ACCOUNT_ID
from tests.sync.conftest import fresh_run

PAGE = "/embedded/settings/start-sync"


@pytest.fixture
def session(connection, open_session):
    return open_session(ACCOUNT_ID)


def page(client, session, **args) -> str:
    response = client.get(PAGE, query_string={"s": session, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def post(client, session, url: str, **form):
    """Post a form of the page (its CSRF token is bound to the session, so any form's will do)."""
    csrf = client.get("/embedded/settings/units", query_string={"s": session}).get_data(
        as_text=True
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', csrf)[1]
    return client.post(url, data={"s": session, "csrf_token": token, **form})


def queued() -> list[tuple[str, tuple]]:
    return [(job.func_name, job.args) for job in rq.queue().jobs]


def only_run() -> SyncRun:
    db.session.expire_all()
    return db.session.scalars(sa.select(SyncRun)).one()


def test_from_the_offer_to_the_report_in_danish(client, session, sandboxes):
    offer = page(client, session)
    assert "Vis, hvad der overføres fra Dinero" in offer and "Nej tak" in offer

    response = post(client, session, f"{PAGE}/preview")
    assert response.status_code == 303
    run = only_run()
    assert run.state == SyncState.PREVIEWING and run.requested_by == "mette@demo-lager.dk"
    assert queued() == [("rackdinero_app.tasks.sync.preview_start_sync", (run.id,))]
    assert db.session.scalar(sa.select(Settings.start_sync)) == StartSyncChoice.REQUESTED
    assert 'data-status-url="/embedded/settings/start-sync/' in page(client, session)

    runner.preview_slice(run.id)
    ready = page(client, session)
    assert 'id="start-sync-preview-table"' in ready and "Ville blive oprettet" in ready
    assert '<td class="created">4</td>' in ready  # customers
    assert "Ingen e-mailadresse i Dinero: 1" in ready

    rq.queue().empty()
    assert post(client, session, f"{PAGE}/{run.id}/start").status_code == 303
    assert queued() == [("rackdinero_app.tasks.sync.run_start_sync", (run.id,))]
    running = page(client, session)
    assert '<progress id="progress-customer"' in running and "0 af 5" in running
    assert '<meta http-equiv="refresh"' in running  # inside <noscript>, for no JavaScript

    runner.run_slice(run.id)
    done = page(client, session)
    assert "Startsynkroniseringen er færdig" in done
    assert "Den har ingen e-mailadresse i Dinero." in done
    assert "Den har intet varenummer i Dinero." in done
    assert done.count('class="report-line"') == 4
    assert 'id="start-sync-csv"' in done

    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == [
        "start_sync.preview_requested",
        "start_sync.preview_finished",
        "start_sync.started",
        "start_sync.finished",
    ]
    actors = db.session.scalars(sa.select(AuditEntry.actor).order_by(AuditEntry.id)).all()
    assert actors[0] == actors[2] == "mette@demo-lager.dk"


def test_the_status_poll_says_when_the_page_must_change(client, session, new_run):
    run_id = new_run(SyncState.RUNNING, counts={"customer": {"total": 8, "done": 3}})
    url = f"{PAGE}/{run_id}/status"

    status = client.get(url, query_string={"s": session, "shown": "pending"}).get_json()

    assert status["state"] == "running" and status["finished"] is False
    assert status["progress"]["customer"] == {"done": 3, "total": 8}
    assert status["progress"]["product"] == {"done": 0, "total": 0}
    db.session.get(SyncRun, run_id).state = SyncState.SUCCEEDED
    db.session.commit()
    assert client.get(url, query_string={"s": session, "shown": "running"}).get_json()["finished"]


def test_one_start_sync_at_a_time(client, session, sandboxes):
    assert post(client, session, f"{PAGE}/preview").status_code == 303

    again = post(client, session, f"{PAGE}/preview")

    assert again.status_code == 409
    assert "Der er allerede en startsynkronisering i gang" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 1


def test_only_a_ready_preview_can_be_started(client, session, new_run):
    previewing = new_run(SyncState.PREVIEWING)

    response = post(client, session, f"{PAGE}/{previewing}/start")

    assert response.status_code == 409
    assert "kan ikke længere startes" in response.get_data(as_text=True)
    assert fresh_run(previewing).state == SyncState.PREVIEWING
    assert rq.queue().count == 0


def test_cancel_ends_a_ready_preview_at_once_and_asks_a_running_job_to_stop(
    client, session, new_run
):
    ready = new_run(SyncState.READY)
    assert post(client, session, f"{PAGE}/{ready}/cancel").status_code == 303
    assert fresh_run(ready).state == SyncState.CANCELLED

    running = new_run(SyncState.RUNNING)
    assert post(client, session, f"{PAGE}/{running}/cancel").status_code == 303
    run = fresh_run(running)
    assert run.state == SyncState.RUNNING and run.cancel_requested
    assert "Annullerer… det, der allerede er overført, bliver bevaret." in page(client, session)

    finished = post(client, session, f"{PAGE}/{ready}/cancel")
    assert finished.status_code == 409 and "allerede afsluttet" in finished.get_data(as_text=True)


def test_no_thanks_is_kept_and_the_offer_stays_open(client, session):
    response = post(client, session, PAGE, start_sync="declined")

    assert response.status_code == 303
    assert db.session.scalar(sa.select(Settings.start_sync)) == StartSyncChoice.DECLINED
    assert "Du valgte ikke at overføre data fra Dinero" in page(client, session)


def finished_run_with(new_run, records: list[tuple[str, str, str, dict]]) -> int:
    run_id = new_run(SyncState.SUCCEEDED, started_at=None)
    run = db.session.get(SyncRun, run_id)
    run.started_at = run.finished_at = run.created_at
    for index, (kind, label, code, params) in enumerate(records):
        db.session.add(
            SyncRecord(
                sync_run_id=run_id,
                kind=EntityKind(kind),
                dinero_guid=f"guid-{index}",
                label=label,
                outcome=SyncOutcome.FAILED
                if code == "rejected_by_rackbeat"
                else SyncOutcome.SKIPPED,
                reason_code=code,
                message_params=params,
            )
        )
    db.session.commit()
    return run_id


def test_the_report_is_paged(client, session, new_run):
    finished_run_with(new_run, [("customer", f"Kunde {i:03d}", "no_email", {}) for i in range(120)])

    first = page(client, session)
    third = page(client, session, page=3)

    assert first.count('class="report-line"') == 50 and "Side 1 af 3" in first
    assert "Kunde 000" in first and "Kunde 050" not in first
    assert third.count('class="report-line"') == 20 and "Kunde 119" in third
    assert 'rel="prev"' in third and 'rel="next"' not in third


def test_the_csv_is_in_the_readers_language_and_safe_to_open(client, session, new_run):
    run_id = finished_run_with(
        new_run,
        [
            ("customer", '=HYPERLINK("http://evil")', "no_email", {}),
            ("product", "Fragt", "no_product_number", {}),
            (
                "customer",
                "Skæv Mail ApS",
                "rejected_by_rackbeat",
                {"details": "contact_email: bad"},
            ),
        ],
    )

    response = client.get(f"{PAGE}/{run_id}/report.csv", query_string={"s": session})

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Type", "Dinero-nummer og navn", "Resultat", "Årsag"]
    assert rows[1] == [
        "Kunde",
        '\'=HYPERLINK("http://evil")',
        "Sprunget over",
        "Den har ingen e-mailadresse i Dinero.",
    ]
    assert rows[2][0] == "Vare" and rows[2][3] == "Den har intet varenummer i Dinero."
    assert rows[3][2:] == ["Fejlet", "Rackbeat accepterede den ikke: contact_email: bad"]


def test_another_accounts_run_is_not_found(client, session, make_connection, new_run):
    other = make_connection(rackbeat_account_id=777)
    run = SyncRun(connection_id=other.id, kind="start_sync", state=SyncState.SUCCEEDED)
    db.session.add(run)
    db.session.commit()

    for url in (f"{PAGE}/{run.id}/status", f"{PAGE}/{run.id}/report.csv"):
        assert client.get(url, query_string={"s": session}).status_code == 404
    response = post(client, session, f"{PAGE}/{run.id}/cancel")
    assert response.status_code == 404


def test_a_failed_run_says_why_in_swedish(client, connection, launch_token, new_run):
    run_id = new_run(SyncState.FAILED)
    run = db.session.get(SyncRun, run_id)
    run.message_code = "stopped"
    run.message_params = {"error": {"code": "client.rackbeat_reinstall", "params": {}}}
    db.session.commit()
    swedish = launch_token(ACCOUNT_ID, user={"id": 8, "name": "Sven", "locale": "sv_SE"})
    launched = client.get("/embedded/launch", query_string={"launch": swedish})
    token = re.search(r"s=([^&]+)", launched.location).group(1)

    html = client.get(PAGE, query_string={"s": token}).get_data(as_text=True)

    assert "Startsynkroniseringen stoppade: " in html
    assert "Starta den igen för att fortsätta" in html


def test_a_contact_with_an_odd_email_is_reported_failed_on_the_page(
    client, session, sandboxes, new_run
):
    with sandboxes.dinero.extensions["dinero_sandbox"].lock:
        dinero_contact(
            sandboxes.organization,
            {"Name": "Skæv Mail ApS", "CountryKey": "DK", "IsPerson": False, "IsMember": False,
             "UseCvr": False, "Email": "not-an-address"},
            debtor=True,
        )  # fmt: skip
    run_id = new_run(SyncState.PENDING, counts={})
    runner.run_slice(run_id)

    html = page(client, session)

    assert "Rackbeat accepterede den ikke: contact_email:" in html
