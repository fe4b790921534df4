"""The month-end reconciliation's pages (RC1): start a run, follow it, the report in Danish with
its fixes, the confirmation, the CSV, the overview's card; bad input and a paused connection
change nothing; another account's run is not found."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import flask
import flask_babel
import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import ReconciliationItem
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.models.reconciliation import ReconciliationState as State
from rackdinero_app.reconcile import runs
from rackdinero_app.reconcile import wording

ACCOUNT = 12345
OCTOBER = date(2026, 10, 1)
DRAFT_GUID = "d0000000-0000-4000-8000-000000000001"


@pytest.fixture
def connection(make_connection):
    return make_connection(rackbeat_account_id=ACCOUNT)


@pytest.fixture
def session(client, connection, open_session):
    """The embedded session token and its CSRF token (a Danish user)."""
    token = open_session(ACCOUNT)
    page = client.get("/embedded/reconciliation", query_string={"s": token})
    assert page.status_code == 200, page.get_data(as_text=True)
    return token, re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(True))[1]


def fresh() -> None:
    """Each request as if alone (pytest-flask keeps one app context for the whole test)."""
    flask.g.pop("embedded", None)
    flask_babel.refresh()


def get(client, session, path: str, **query):
    fresh()
    return client.get(path, query_string={"s": session[0], **query})


def post(client, session, path: str, **form):
    fresh()
    return client.post(path, data={"s": session[0], "csrf_token": session[1], **form})


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def finished_run(connection, lines: list[dict], month: date = OCTOBER) -> Reconciliation:
    """A finished run holding ``lines`` (inserted directly: the job is the lead's tests')."""
    counts = {group.value: 0 for group in Group}
    for line in lines:
        counts[line["group"].value] += 1
    run = Reconciliation(
        connection_id=connection.id,
        month=month,
        state=State.FINISHED,
        actor_type=ActorType.RACKBEAT_USER,
        requested_by="mette@demo-lager.dk",
        counts=counts,
        finished_at=utcnow(),
    )
    db.session.add(run)
    db.session.flush()
    for line in lines:
        db.session.add(ReconciliationItem(reconciliation_id=run.id, **line))
    db.session.commit()
    return run


def line(group: Group, number: str | None, **values) -> dict:
    return {"group": group, "kind": EntityKind.CUSTOMER_INVOICE, "rackbeat_number": number} | values


def report_lines() -> list[dict]:
    return [
        line(
            Group.MATCHED,
            "1001",
            document_date=date(2026, 10, 3),
            rackbeat_total=Decimal("1204.50"),
            dinero_total=Decimal("1204.50"),
            dinero_number="7",
            dinero_status="booked",
        ),
        line(
            Group.MISSING,
            "1002",
            rackbeat_total=Decimal("250.00"),
            reason_code="rc_never_sent",
            reason_params={},
        ),
        line(
            Group.AMOUNT_DIFFERS,
            "1003",
            rackbeat_total=Decimal("100.00"),
            dinero_total=Decimal("90.00"),
            dinero_guid="d0000000-0000-4000-8000-000000000003",
            dinero_status="draft",
            reason_code="rc_amount_differs_draft",
            reason_params={},
        ),
        line(
            Group.UNLINKED,
            "=HYPERLINK(1004)",
            dinero_guid=DRAFT_GUID,
            dinero_status="draft",
            reason_code="rc_stray_draft",
            reason_params={"reference": "rackbeat:12345:customer_invoice:1004"},
        ),
        line(
            Group.UNLINKED,
            None,
            kind=EntityKind.CREDIT_NOTE,
            dinero_total=Decimal("-80.00"),
            dinero_number="9",
            dinero_status="booked",
            reason_code="rc_stray_booked",
            reason_params={"reference": "rackbeat:12345:credit_note:77"},
        ),
    ]


def item_of(run, group: Group, status: str) -> ReconciliationItem:
    return db.session.scalar(
        sa.select(ReconciliationItem).where(
            ReconciliationItem.reconciliation_id == run.id,
            ReconciliationItem.group == group,
            ReconciliationItem.dinero_status == status,
        )
    )


def audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_running_one_queues_one_job_and_the_page_follows_it(client, connection, session):
    month = f"{runs.default_month(wording.today()):%Y-%m}"
    first = post(client, session, "/embedded/reconciliation", month=month)
    again = post(client, session, "/embedded/reconciliation", month=month)
    assert first.status_code == again.status_code == 303
    (run,) = db.session.scalars(sa.select(Reconciliation)).all()
    assert (run.connection_id, f"{run.month:%Y-%m}", run.state) == (connection.id, month, "queued")
    (job,) = rq.queue().jobs
    assert (job.func_name, job.args) == ("rackdinero_app.tasks.reconcile.reconcile", (run.id,))
    assert [entry.actor for entry in audited("reconciliation_started")] == ["mette@demo-lager.dk"]

    page = text_of(get(client, session, "/embedded/reconciliation"))
    assert "Venter på at starte…" in page and "data-status-url" in page
    assert 'http-equiv="refresh"' in page and 'id="run-reconciliation"' not in page

    run.state, run.step, run.records_read, run.dinero_requests = "running", "dinero_ledger", 120, 2
    db.session.commit()
    status = get(client, session, f"/embedded/reconciliation/{run.id}/status").get_json()
    assert status == {
        "state": "running",
        "finished": False,
        "step": "Læser Dineros posteringer…",
        "records_read": 120,
        "dinero_requests": 2,
        "rackbeat_requests": 0,
    }
    run.state, run.counts = State.FINISHED, {group.value: 0 for group in Group}
    db.session.commit()
    assert get(client, session, f"/embedded/reconciliation/{run.id}/status").json["finished"]


@pytest.mark.parametrize("month", ["2020-01", "2026-13", "oktober", ""])
def test_a_month_not_offered_is_refused_and_nothing_is_written(client, session, month):
    response = post(client, session, "/embedded/reconciliation", month=month)
    assert response.status_code == 422
    assert "Vælg en af månederne på listen." in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reconciliation)) == 0
    assert rq.queue().count == 0
    assert audited("reconciliation_started") == []


def test_the_report_in_danish_with_its_fixes(client, connection, session):
    run = finished_run(connection, report_lines())
    page = text_of(get(client, session, "/embedded/reconciliation"))
    words = text_of_html(page)
    assert (
        "oktober 2026: 1 stemmer, 1 mangler i Dinero, 1 med et andet beløb, 2 ikke knyttet" in page
    )
    for heading in ("Stemmer (1)", "Mangler i Dinero (1)", "Beløbet afviger (1)"):
        assert heading in words
    assert "I Dinero, men ikke knyttet til noget i Rackbeat (2)" in words
    assert "Overført to gange (0) Ingen: alle fakturaer er i Dinero én gang." in words
    matched = page.split('id="group-matched"')[1].split("</section>")[0]
    assert "<details>" in matched and "1.204,50" in matched and "nr. 7" in matched
    assert "Appen kender ikke denne faktura" in page  # rc_never_sent, translated
    assert "Kladden i Dinero har en anden total." in page
    assert "Appen sletter aldrig bogførte bilag" in page
    assert "Send de manglende (1)" in page
    differs, stray = (
        item_of(run, Group.AMOUNT_DIFFERS, "draft"),
        item_of(run, Group.UNLINKED, "draft"),
    )
    booked = item_of(run, Group.UNLINKED, "booked")
    base = f"/embedded/reconciliation/{run.id}/items"
    assert f"{base}/{differs.id}/delete" in page and "Erstat med Rackbeats version…" in page
    assert f"{base}/{stray.id}/delete" in page and "Slet kladde…" in page
    assert f"{base}/{booked.id}/delete" not in page
    assert "Kør igen" in page and f"/embedded/reconciliation/{run.id}/report.csv" in page


def test_the_confirmation_names_the_draft_and_a_booked_one_has_none(client, connection, session):
    run = finished_run(connection, report_lines())
    stray = item_of(run, Group.UNLINKED, "draft")
    confirm = get(client, session, f"/embedded/reconciliation/{run.id}/items/{stray.id}/delete")
    assert confirm.status_code == 200
    assert "Slet kladde =HYPERLINK(1004) i Dinero? Det kan ikke fortrydes." in text_of(confirm)
    differs = item_of(run, Group.AMOUNT_DIFFERS, "draft")
    replace = get(client, session, f"/embedded/reconciliation/{run.id}/items/{differs.id}/delete")
    assert "Derefter sendes faktura 1003 igen fra Rackbeat" in text_of(replace)
    booked = item_of(run, Group.UNLINKED, "booked")
    refused = get(client, session, f"/embedded/reconciliation/{run.id}/items/{booked.id}/delete")
    assert refused.status_code == 409


def test_the_csv_in_danish_guarded_and_audited(client, connection, session):
    run = finished_run(connection, report_lines())
    response = get(client, session, f"/embedded/reconciliation/{run.id}/report.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = 'attachment; filename="reconciliation-2026-10.csv"'
    assert response.headers["Content-Disposition"] == disposition
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:5] == ["Gruppe", "Type", "Rackbeat-nummer", "Dato", "Total i Rackbeat"]
    assert len(rows) == 6
    matched = rows[1]
    assert matched[:8] == [
        "Stemmer",
        "Salgsfaktura",
        "1001",
        "2026-10-03",
        "1204.50",
        "1204.50",
        "7",
        "Bogført",
    ]
    stray = next(row for row in rows if "HYPERLINK" in row[2])
    assert stray[2] == "'=HYPERLINK(1004)"  # not run as a formula by a spreadsheet
    credit = next(row for row in rows if row[1] == "Kreditnota")
    assert credit[5] == "-80.00" and "Appen sletter aldrig bogførte bilag" in credit[8]
    (entry,) = audited("reconciliation_exported")
    assert entry.details == {"reconciliation": run.id, "month": "2026-10"}


def test_sending_the_missing_ones(client, connection, session):
    run = finished_run(connection, report_lines())
    response = post(client, session, f"/embedded/reconciliation/{run.id}/send-missing")
    assert response.status_code == 200
    assert "1 manglende faktura(er) sendt til Dinero" in text_of(response)
    (transfer,) = db.session.scalars(sa.select(Transfer)).all()
    assert (transfer.kind, transfer.source_key) == (EntityKind.CUSTOMER_INVOICE, "1002")
    assert [job.args for job in rq.queue().jobs] == [(transfer.id,)]
    db.session.expire_all()
    assert item_of_number(run, "1002").fix == "sent"
    assert "Send de manglende" not in text_of(get(client, session, "/embedded/reconciliation"))
    again = post(client, session, f"/embedded/reconciliation/{run.id}/send-missing")
    assert again.status_code == 409


def item_of_number(run, number: str) -> ReconciliationItem:
    return db.session.scalar(
        sa.select(ReconciliationItem).where(
            ReconciliationItem.reconciliation_id == run.id,
            ReconciliationItem.rackbeat_number == number,
        )
    )


def test_paused_the_fixes_are_refused_but_a_run_may_start(client, connection, session):
    run = finished_run(connection, report_lines())
    connection.state = ConnectionState.PAUSED
    db.session.commit()
    stray = item_of(run, Group.UNLINKED, "draft")
    for path in (f"{run.id}/send-missing", f"{run.id}/items/{stray.id}/delete"):
        response = post(client, session, f"/embedded/reconciliation/{path}")
        assert response.status_code == 409, path
        assert "sat overførslerne for denne konto på pause" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 0
    assert rq.queue().count == 0
    db.session.expire_all()
    assert item_of(run, Group.UNLINKED, "draft").fixed_at is None
    assert audited("reconciliation_sent_missing") == audited("reconciliation_draft_deleted") == []
    month = f"{runs.default_month(wording.today()):%Y-%m}"
    assert post(client, session, "/embedded/reconciliation", month=month).status_code == 303


def test_another_accounts_run_is_not_found(client, make_connection, session):
    theirs = finished_run(make_connection(rackbeat_account_id=ACCOUNT + 1), report_lines())
    stray = item_of(theirs, Group.UNLINKED, "draft")
    for path in ("status", "report.csv", f"items/{stray.id}/delete"):
        assert (
            get(client, session, f"/embedded/reconciliation/{theirs.id}/{path}").status_code == 404
        )
    for path in ("send-missing", f"items/{stray.id}/delete"):
        assert (
            post(client, session, f"/embedded/reconciliation/{theirs.id}/{path}").status_code == 404
        )
    assert rq.queue().count == 0
    assert audited("reconciliation_exported") == []


def test_the_overview_card(client, connection, session):
    def card() -> str:
        page = get(client, session, "/embedded/").get_data(as_text=True)
        return text_of_html(page.split('id="reconciliation-status"')[1].split("</div>")[0])

    assert "Ikke kørt endnu." in card() and "Kør en afstemning" in card()
    finished_run(connection, report_lines())
    assert "oktober 2026: 1 stemmer, 1 mangler i Dinero" in card()
    assert "Se rapporten" in card()
    finished_run(connection, [line(Group.MATCHED, "2001")], month=date(2026, 9, 1))
    assert "september 2026: ren: alle fakturaer er i Dinero én gang" in card()


def text_of_html(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))
