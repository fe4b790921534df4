"""The month-end reconciliation on the support dashboard (RC1): the section on a connection's
page, the list's column, the read-only report and its CSV (viewers too), and the operators'
actions (run one, send the missing ones), each with a reason and audited."""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.reconcile import runs
from rackdinero_app.reconcile import wording
from tests.embedded.test_reconciliation_pages import finished_run
from tests.embedded.test_reconciliation_pages import line
from tests.embedded.test_reconciliation_pages import report_lines
from tests.embedded.test_reconciliation_pages import text_of_html
from tests.support.staff_login import fresh_request
from tests.support.test_connections import viewer  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import OPERATOR
from tests.support.test_operator_actions import REASON
from tests.support.test_operator_actions import operator  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import post


def get(client, path: str):
    fresh_request()
    return client.get(path)


def audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def last_month() -> str:
    return f"{runs.default_month(wording.today()):%Y-%m}"


def test_the_list_column_and_the_connection_section(viewer, make_connection):  # noqa: F811
    differing, clean, never = make_connection(), make_connection(), make_connection()
    finished_run(differing, report_lines())
    finished_run(clean, [line(Group.MATCHED, "2001")], month=date(2026, 9, 1))
    listing = get(viewer, "/support/connections").get_data(as_text=True)

    def column(connection) -> str:
        row = listing.split(f'id="connection-{connection.id}"')[1].split("</tr>")[0]
        return row.split('class="last-reconciliation">')[1].split("</td>")[0]

    assert (column(differing), column(clean), column(never)) == (
        "2026-10: 4 differences",
        "2026-09: clean",
        "never",
    )
    page = get(viewer, f"/support/connections/{differing.id}").get_data(as_text=True)
    section = text_of_html(page.split('id="reconciliation"')[1].split('id="start-sync"')[0])
    assert "October 2026: 1 matched, 1 missing in Dinero, 1 with a different amount" in section
    assert f"/support/connections/{differing.id}/reconciliation/" in page
    assert "Run a reconciliation" not in section  # a viewer has no operator form


def test_a_viewer_reads_the_report_and_its_csv(viewer, make_connection):  # noqa: F811
    connection, other = make_connection(), make_connection()
    run = finished_run(connection, report_lines())
    theirs = finished_run(other, report_lines())
    response = get(viewer, f"/support/connections/{connection.id}/reconciliation")
    assert response.status_code == 200
    page = text_of_html(response.get_data(as_text=True))
    assert "October 2026" in page and "Transferred twice (0)" in page
    assert "Missing in Dinero (1)" in page and "1,204.50" in page
    assert "The app has no record of this invoice" in page  # the reason, in English
    assert "/delete" not in response.get_data(as_text=True)  # read-only: no fix buttons
    assert 'method="post"' not in response.get_data(as_text=True).split("<h1>")[1]
    url = f"/support/connections/{connection.id}/reconciliation/{theirs.id}"
    assert get(viewer, url).status_code == 404

    exported = get(
        viewer, f"/support/connections/{connection.id}/reconciliation/{run.id}/report.csv"
    )
    assert exported.headers["Content-Disposition"] == (
        'attachment; filename="reconciliation-2026-10.csv"'
    )
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][:3] == ["Group", "Kind", "Rackbeat number"]
    assert rows[1][:2] == ["Matched", "Sales invoice"]
    (entry,) = audited("reconciliation_exported")
    assert (entry.actor_type, entry.actor) == (ActorType.STAFF, "viewer@support.example")


def test_an_operator_runs_one_and_sends_the_missing_ones(operator, make_connection):  # noqa: F811
    connection = make_connection()
    base = f"/support/connections/{connection.id}/reconciliation"
    assert post(operator, base, month=last_month()).status_code == 400  # no reason
    assert post(operator, base, month="2019-01", reason=REASON).status_code == 400
    assert rq.queue().count == 0

    response = post(operator, base, month=last_month(), reason=REASON)
    assert response.status_code == 303
    (run,) = db.session.scalars(sa.select(Reconciliation)).all()
    assert (f"{run.month:%Y-%m}", run.actor_type, run.requested_by) == (
        last_month(),
        ActorType.STAFF,
        OPERATOR,
    )
    (started,) = audited("reconciliation_started")
    assert (started.actor, started.reason) == (OPERATOR, REASON)
    assert rq.queue().count == 1

    done = finished_run(connection, report_lines())
    page = text_of_html(get(operator, f"/support/connections/{connection.id}").get_data(True))
    assert "Run a reconciliation" in page and "Send the missing ones (1)" in page
    response = post(operator, f"{base}/{done.id}/send-missing", reason=REASON)
    assert response.status_code == 303
    fresh_request()
    page = operator.get(response.location).get_data(as_text=True)
    assert "1 missing invoice(s) sent to Dinero" in page
    (transfer,) = db.session.scalars(sa.select(Transfer)).all()
    assert transfer.source_key == "1002"
    (sent,) = audited("reconciliation_sent_missing")
    assert (sent.actor_type, sent.actor, sent.reason) == (ActorType.STAFF, OPERATOR, REASON)
    again = post(operator, f"{base}/{done.id}/send-missing", reason=REASON)
    assert again.status_code == 409


def test_a_viewer_may_not_run_or_send(viewer, make_connection):  # noqa: F811
    connection = make_connection()
    run = finished_run(connection, report_lines())
    base = f"/support/connections/{connection.id}/reconciliation"
    assert post(viewer, base, month=last_month(), reason=REASON).status_code == 403
    assert post(viewer, f"{base}/{run.id}/send-missing", reason=REASON).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reconciliation)) == 1
    assert rq.queue().count == 0
