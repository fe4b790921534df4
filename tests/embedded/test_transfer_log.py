import re
from datetime import timedelta

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState


def add_transfer(
    connection,
    key,
    kind=EntityKind.CUSTOMER_INVOICE,
    state=TransferState.SUCCEEDED,
    age_minutes=0,
    **fields,
):
    transfer = Transfer(
        connection_id=connection.id,
        kind=kind,
        source_key=key,
        idempotency_key=f"{kind}:{key}",
        state=state,
        created_at=utcnow() - timedelta(minutes=age_minutes),
        **fields,
    )
    db.session.add(transfer)
    db.session.commit()
    return transfer


def page(client, token, **params):
    response = client.get("/embedded/transfers", query_string={"s": token, **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def row_keys(html: str) -> list[str]:
    return re.findall(r'<tr id="transfer-\d+"[^>]*>.*?>(\w[\w-]*)</a></td>', html, re.S)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_log_shows_transfers_newest_first_with_their_message(
    client, make_connection, open_session
):
    connection = make_connection(rackbeat_account_id=12345)
    add_transfer(
        connection,
        "1001",
        age_minutes=30,
        message="Created in Dinero as a booked invoice no. 7.",
        dinero_guid="a0000000-0000-4000-8000-000000000001",
        dinero_number="7",
    )
    add_transfer(
        connection,
        "1002",
        state=TransferState.FAILED,
        age_minutes=1,
        reason_code="missing_mapping",
        message='Map product group "Services" (2) for the EU zone',
    )
    html = page(client, open_session(12345))
    assert row_keys(html) == ["1002", "1001"]
    assert "Map product group" in html
    assert "no. 7" in html
    assert html.count("Prøv igen</button>") == 1


def test_filters_by_state_kind_and_number(client, make_connection, open_session):
    connection = make_connection(rackbeat_account_id=12345)
    add_transfer(connection, "1001")
    add_transfer(connection, "1002", state=TransferState.FAILED)
    add_transfer(connection, "7", kind=EntityKind.CUSTOMER)
    token = open_session(12345)
    assert row_keys(page(client, token, state="failed")) == ["1002"]
    assert row_keys(page(client, token, kind="customer")) == ["7"]
    assert row_keys(page(client, token, q="1001")) == ["1001"]


def test_the_log_never_shows_another_accounts_transfers(client, make_connection, open_session):
    mine = make_connection(rackbeat_account_id=12345)
    other = make_connection(rackbeat_account_id=99999)
    add_transfer(mine, "1001")
    add_transfer(other, "5555")
    assert row_keys(page(client, open_session(12345))) == ["1001"]


def test_retry_requeues_a_failed_transfer_and_is_audited(client, make_connection, open_session):
    connection = make_connection(rackbeat_account_id=12345)
    failed = add_transfer(connection, "1002", state=TransferState.FAILED, reason_code="gave_up")
    token = open_session(12345)
    html = page(client, token)
    response = client.post(
        f"/embedded/transfers/{failed.id}/retry", data={"s": token, "csrf_token": csrf_of(html)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Transfer, failed.id).state == TransferState.PENDING
    assert [job.args for job in rq.queue().jobs] == [(failed.id,)]
    audit = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "transfer_retried")
    ).one()
    assert audit.actor == "mette@demo-lager.dk"


def test_retry_needs_csrf_and_the_own_account(client, make_connection, open_session):
    mine = make_connection(rackbeat_account_id=12345)
    other = make_connection(rackbeat_account_id=99999)
    theirs = add_transfer(other, "5555", state=TransferState.FAILED)
    own = add_transfer(mine, "1002", state=TransferState.FAILED)
    token = open_session(12345)
    csrf = csrf_of(page(client, token))
    assert client.post(f"/embedded/transfers/{own.id}/retry", data={"s": token}).status_code == 400
    response = client.post(
        f"/embedded/transfers/{theirs.id}/retry", data={"s": token, "csrf_token": csrf}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Transfer, theirs.id).state == TransferState.FAILED
    assert db.session.get(Transfer, own.id).state == TransferState.FAILED
