"""Operator actions on a connection's support page: retry one / all failed, troubleshooting
(T1), the invoice import now. Each needs a reason and CSRF, is audited, refuses a viewer,
and does nothing for an uninstalled connection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRun
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.reconcile import runs
from rackdinero_app.reconcile import wording
from tests.support.staff_login import STRONG_PASSWORD
from tests.support.staff_login import code_for
from tests.support.staff_login import csrf_token
from tests.support.staff_login import fresh_request
from tests.support.staff_login import post_code
from tests.support.staff_login import post_login
from tests.support.test_connections import add_transfer
from tests.support.test_connections import viewer  # noqa: F401  (a fixture)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OPERATOR = "op@support.example"
REASON = "Customer called: invoice 1001 missing"


@pytest.fixture
def operator(client, make_staff):
    """A signed-in operator (password and TOTP code)."""
    make_staff(OPERATOR, "operator", ready=True, totp=SECRET)
    post_login(client, OPERATOR, STRONG_PASSWORD)
    assert post_code(client, "/support/login/code", code_for(SECRET)).status_code == 302
    fresh_request()
    return client


def post(client, path: str, **form):
    token = csrf_token(client, "/support/connections")
    fresh_request()
    return client.post(path, data={"csrf_token": token, **form})


def failed_transfer(connection, **fields) -> Transfer:
    add_transfer(connection, TransferState.FAILED, reason_code="gave_up", **fields)
    return db.session.scalars(sa.select(Transfer).order_by(Transfer.id.desc())).first()


def entries() -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.actor_type == ActorType.STAFF)
        .order_by(AuditEntry.id)
    ).all()


def staff_actions() -> list[str]:
    return [e.action for e in entries() if not e.action.startswith("staff.")]


def state_of(transfer_id: int) -> TransferState:
    db.session.expire_all()
    return db.session.get(Transfer, transfer_id).state


def assert_back_with(client, response, connection, text: str) -> None:
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.location == f"/support/connections/{connection.id}"
    fresh_request()
    assert text in client.get(response.location).get_data(as_text=True)


def importing(connection) -> None:
    db.session.add(
        Settings(
            connection_id=connection.id,
            customer_integration_enabled=True,
            invoice_direction=InvoiceDirection.DINERO_TO_RACKBEAT,
        )
    )
    db.session.commit()


def test_an_operator_sees_the_forms_and_a_viewer_none(
    operator,
    make_connection,
):
    connection = make_connection()
    transfer = failed_transfer(connection)
    page = operator.get(f"/support/connections/{connection.id}").get_data(as_text=True)
    assert "Operator actions" in page
    assert f"/support/connections/{connection.id}/transfers/{transfer.id}/retry" in page
    for action in ("retry-failed", "troubleshoot", "import-now"):
        assert f"/support/connections/{connection.id}/{action}" in page


def test_a_viewer_sees_no_operator_form(viewer, make_connection):  # noqa: F811
    connection = make_connection()
    failed_transfer(connection)
    fresh_request()
    page = viewer.get(f"/support/connections/{connection.id}").get_data(as_text=True)
    assert "Operator actions" not in page
    assert 'method="post"' not in page.split("<h2>Transfer log</h2>")[0].split("<h2>Health")[1]


def test_retry_one_failed_transfer(operator, make_connection):
    connection = make_connection()
    transfer = failed_transfer(connection)
    response = post(
        operator,
        f"/support/connections/{connection.id}/transfers/{transfer.id}/retry",
        reason=REASON,
    )
    assert_back_with(operator, response, connection, f"Transfer {transfer.id} is queued again.")
    assert state_of(transfer.id) == TransferState.PENDING
    assert [job.args for job in rq.queue().jobs] == [(transfer.id,)]
    (entry,) = [e for e in entries() if e.action == "transfer_retried"]
    assert (entry.actor, entry.reason, entry.connection_id) == (OPERATOR, REASON, connection.id)
    assert entry.details == {"transfer_id": transfer.id, "kind": "customer_invoice"}


def test_retry_refuses_another_connections_transfer_and_one_not_failed(operator, make_connection):
    connection, other = make_connection(), make_connection()
    theirs = failed_transfer(other)
    url = f"/support/connections/{connection.id}/transfers/{theirs.id}/retry"
    assert post(operator, url, reason=REASON).status_code == 404
    add_transfer(connection, TransferState.SUCCEEDED)
    done = db.session.scalars(sa.select(Transfer).order_by(Transfer.id.desc())).first()
    response = post(
        operator, f"/support/connections/{connection.id}/transfers/{done.id}/retry", reason=REASON
    )
    assert response.status_code == 409
    assert "only a failed one is retried" in response.get_data(as_text=True)
    assert state_of(theirs.id) == TransferState.FAILED
    assert state_of(done.id) == TransferState.SUCCEEDED
    assert rq.queue().count == 0
    assert staff_actions() == []


def test_retry_all_failed_transfers(operator, make_connection):
    connection, other = make_connection(), make_connection()
    failed = [failed_transfer(connection) for _ in range(3)]
    theirs = failed_transfer(other)
    add_transfer(connection, TransferState.SUCCEEDED)
    response = post(operator, f"/support/connections/{connection.id}/retry-failed", reason=REASON)
    assert_back_with(operator, response, connection, "3 failed transfer(s) queued again.")
    assert [state_of(t.id) for t in failed] == [TransferState.PENDING] * 3
    assert state_of(theirs.id) == TransferState.FAILED
    assert sorted(job.args[0] for job in rq.queue().jobs) == [t.id for t in failed]
    (entry,) = [e for e in entries() if e.action == "transfers_retried"]
    assert (entry.actor, entry.reason, entry.connection_id) == (OPERATOR, REASON, connection.id)
    assert entry.details == {"count": 3, "transfer_ids": [t.id for t in failed]}


def test_troubleshooting_sends_an_invoice_now(operator, make_connection):
    connection = make_connection()
    response = post(
        operator,
        f"/support/connections/{connection.id}/troubleshoot",
        reason=REASON,
        number="1001",
        direction="sales_to_dinero",
    )
    transfer = db.session.scalars(sa.select(Transfer)).one()
    assert_back_with(operator, response, connection, "Invoice 1001 is being sent now")
    assert (transfer.kind, transfer.source_key) == (EntityKind.CUSTOMER_INVOICE, "1001")
    assert transfer.state == TransferState.PENDING
    assert [job.args for job in rq.queue().jobs] == [(transfer.id,)]
    (entry,) = [e for e in entries() if e.action == "troubleshooting"]
    assert (entry.actor, entry.reason, entry.connection_id) == (OPERATOR, REASON, connection.id)
    assert entry.details == {
        "direction": "sales_to_dinero",
        "number": "1001",
        "transfer_id": transfer.id,
    }


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"number": "10 01", "direction": "sales_to_dinero"}, "Enter the invoice number"),
        ({"number": "x" * 65, "direction": "sales_to_dinero"}, "Enter the invoice number"),
        ({"number": "1001", "direction": "everything"}, "Choose what kind of invoice"),
    ],
)
def test_troubleshooting_refuses_bad_input(operator, make_connection, form, expected):
    connection = make_connection()
    url = f"/support/connections/{connection.id}/troubleshoot"
    response = post(operator, url, reason=REASON, **form)
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 0
    assert rq.queue().count == 0
    assert staff_actions() == []


def test_import_now_queues_the_import(operator, make_connection):
    connection = make_connection()
    importing(connection)
    response = post(operator, f"/support/connections/{connection.id}/import-now", reason=REASON)
    assert_back_with(operator, response, connection, "The import is queued.")
    run = db.session.scalars(sa.select(SyncRun)).one()
    assert (run.connection_id, run.requested_by) == (connection.id, OPERATOR)
    (job,) = rq.queue().jobs
    assert (job.func_name, job.args) == (
        "rackdinero_app.tasks.invoice_import.import_invoices",
        (run.id,),
    )
    (entry,) = [e for e in entries() if e.action == "invoice_import.run_now"]
    assert (entry.actor, entry.reason, entry.connection_id) == (OPERATOR, REASON, connection.id)
    assert entry.details == {"sync_run_id": run.id}


@pytest.mark.parametrize("state", [ConnectionState.PAUSED, ConnectionState.INSTALLED])
def test_import_now_needs_the_import_on_and_an_active_connection(operator, make_connection, state):
    off = make_connection()
    response = post(operator, f"/support/connections/{off.id}/import-now", reason=REASON)
    assert response.status_code == 409
    assert "Invoices are not imported from Dinero" in response.get_data(as_text=True)
    inactive = make_connection(state=state)
    importing(inactive)
    response = post(operator, f"/support/connections/{inactive.id}/import-now", reason=REASON)
    assert response.status_code == 409
    assert "not active" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0
    assert rq.queue().count == 0
    assert staff_actions() == []


def action_urls(connection, transfer) -> dict[str, dict]:
    base = f"/support/connections/{connection.id}"
    return {
        f"{base}/transfers/{transfer.id}/retry": {},
        f"{base}/retry-failed": {},
        f"{base}/troubleshoot": {"number": "1001", "direction": "sales_to_dinero"},
        f"{base}/import-now": {},
    }


def test_every_action_refuses_an_uninstalled_connection(operator, make_connection):
    connection = make_connection(state=ConnectionState.UNINSTALLED)
    importing(connection)
    transfer = failed_transfer(connection)
    for url, form in action_urls(connection, transfer).items():
        response = post(operator, url, reason=REASON, **form)
        assert response.status_code == 409, url
        assert "uninstalled" in response.get_data(as_text=True)
    assert state_of(transfer.id) == TransferState.FAILED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0
    assert rq.queue().count == 0
    assert staff_actions() == []


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_every_action_needs_a_reason(operator, make_connection, reason):
    connection = make_connection()
    importing(connection)
    transfer = failed_transfer(connection)
    for url, form in action_urls(connection, transfer).items():
        response = post(operator, url, reason=reason, **form)
        assert response.status_code == 400, url
        assert "reason" in response.get_data(as_text=True)
    assert state_of(transfer.id) == TransferState.FAILED
    assert rq.queue().count == 0
    assert staff_actions() == []


def test_every_action_needs_the_csrf_token(operator, make_connection):
    connection = make_connection()
    importing(connection)
    transfer = failed_transfer(connection)
    for url, form in action_urls(connection, transfer).items():
        fresh_request()
        response = operator.post(url, data={"reason": REASON, **form})
        assert response.status_code == 400, url
        assert "CSRF token" in response.get_data(as_text=True)
    assert state_of(transfer.id) == TransferState.FAILED
    assert rq.queue().count == 0
    assert staff_actions() == []


def test_every_operator_route_refuses_a_viewer(app, viewer, make_connection):  # noqa: F811
    connection = make_connection()
    importing(connection)
    transfer = failed_transfer(connection)
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "operator_only", False)
    ]
    assert {rule.endpoint for rule in rules} >= {
        "support.retry_transfer",
        "support.retry_failed",
        "support.troubleshoot_invoice",
        "support.import_now",
        "support.pause",
        "support.resume",
        "support.start_sync_preview",
        "support.start_sync_start",
        "support.start_sync_cancel",
        "support.reconciliation_run",
        "support.reconciliation_send_missing",
    }
    adapter = app.url_map.bind("localhost")
    values = {"connection_id": connection.id, "transfer_id": transfer.id, "run_id": 1}
    values |= {"section": "sales", "request_id": 1}
    reconciled_month = f"{runs.default_month(wording.today()):%Y-%m}"
    for rule in rules:
        assert rule.rule.startswith("/support/")
        url = adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
        form = {"number": "1001", "direction": "sales_to_dinero", "month": reconciled_month}
        response = post(viewer, url, reason=REASON, **form)
        assert response.status_code == 403, url
    assert state_of(transfer.id) == TransferState.FAILED
    assert rq.queue().count == 0
    assert staff_actions() == []


def test_retry_all_with_nothing_failed_says_so_and_audits_nothing(operator, make_connection):
    connection = make_connection()
    add_transfer(connection, TransferState.SUCCEEDED)
    response = post(operator, f"/support/connections/{connection.id}/retry-failed", reason=REASON)
    assert_back_with(operator, response, connection, "There were no failed transfers to retry.")
    assert rq.queue().count == 0
    assert staff_actions() == []


def test_troubleshooting_a_dinero_invoice_starts_the_lookup(operator, make_connection):
    connection = make_connection()
    url = f"/support/connections/{connection.id}/troubleshoot"
    response = post(operator, url, reason=REASON, number="77", direction="sales_from_dinero")
    assert_back_with(operator, response, connection, "Dinero is searched for invoice 77")
    (job,) = rq.queue().jobs
    assert job.func_name == "rackdinero_app.tasks.invoice_import.import_by_number"
    (entry,) = [e for e in entries() if e.action == "troubleshooting"]
    assert entry.details == {
        "direction": "sales_from_dinero",
        "number": "77",
        "lookup_id": job.args[0],
    }


def test_import_now_twice_queues_one_run(operator, make_connection):
    connection = make_connection()
    importing(connection)
    url = f"/support/connections/{connection.id}/import-now"
    assert post(operator, url, reason=REASON).status_code == 303
    response = post(operator, url, reason=REASON)
    assert_back_with(operator, response, connection, "An import is already queued or running")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 1
    assert rq.queue().count == 1
    assert staff_actions() == ["invoice_import.run_now"]
