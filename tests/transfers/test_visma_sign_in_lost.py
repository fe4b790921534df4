"""A revoked Visma Connect grant: the transfer fails with "sign in again" (not lost), the
connection's sign-in is marked lost, the overview says so (in the reader's language), and a
new sign-in sends the failed transfers again."""

from __future__ import annotations

import pytest
from flask_babel import refresh

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from tests.dinero_sign_in.conftest import SignIn
from tests.jobs import run_queued_jobs
from tests.visma_steps import METTE
from tests.visma_steps import issue_tokens
from tests.visma_steps import revoke

ACCOUNT = 12345


@pytest.fixture
def app_config(app_config, sandboxes):
    return {**app_config, "VISMA_CONNECT_URL": f"{sandboxes.dinero_url}/visma-connect"}


@pytest.fixture
def signed_in_with_visma(connection: Connection, sandboxes) -> Connection:
    connection.dinero_sign_in = "visma_connect"
    connection.dinero_api_key = None
    connection.dinero_refresh_token = issue_tokens(sandboxes.dinero, METTE)
    db.session.commit()
    return connection


def overview(client, launch_token, locale: str) -> str:
    refresh()  # the test's app context outlives requests: forget the locale of the last one
    user = {"id": 7, "name": "Mette Demo", "email": "mette@demo-lager.dk", "locale": locale}
    launched = client.get(
        "/embedded/launch", query_string={"launch": launch_token(ACCOUNT, user=user)}
    )
    return client.get(launched.location).get_data(as_text=True)


def test_a_revoked_grant_fails_the_transfer_until_the_user_signs_in_again(
    client, launch_token, open_session, signed_in_with_visma, sandboxes, transfer_now
):
    connection_id = signed_in_with_visma.id
    assert transfer_now(EntityKind.CUSTOMER, "1").state == TransferState.SUCCEEDED

    revoke(sandboxes.dinero, METTE)
    failed = transfer_now(EntityKind.CUSTOMER, "2")
    failed_id = failed.id

    assert (failed.state, failed.reason_code) == (TransferState.FAILED, "access_refused")
    assert failed.message_code == "client.dinero_sign_in_revoked"
    assert failed.message.startswith("Dinero sign-in was revoked: sign in again.")
    db.session.expire_all()
    assert db.session.get(Connection, connection_id).dinero_sign_in_lost_at is not None

    english = overview(client, launch_token, "en")
    assert 'id="sign-in-lost"' in english and "Sign in again with Visma" in english
    danish = overview(client, launch_token, "da")
    assert "Log ind igen med Visma" in danish
    assert "Login til Dinero blev tilbagekaldt" in danish  # the failure, in the attention list
    swedish = overview(client, launch_token, "sv")
    assert "Logga in igen med Visma" in swedish

    person = SignIn(client, open_session(ACCOUNT))
    sign_in_id, answer = person.through_consent(METTE, purpose="change", page="/embedded/")
    assert answer.status_code == 303  # two companies: the picker
    assert person.confirm(person.choose(sign_in_id, 400555)).status_code == 200

    db.session.expire_all()
    connection = db.session.get(Connection, connection_id)
    assert connection.dinero_sign_in_lost_at is None
    assert db.session.get(Transfer, failed_id).state == TransferState.PENDING
    run_queued_jobs()
    db.session.expire_all()
    assert db.session.get(Transfer, failed_id).state == TransferState.SUCCEEDED
    actions = [entry.action for entry in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["dinero_connection_changed", "transfers_sent_again_after_sign_in"]
    assert 'id="sign-in-lost"' not in overview(client, launch_token, "en")
