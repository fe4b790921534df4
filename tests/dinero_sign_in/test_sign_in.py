"""Activation and change of connection with Visma Connect: PKCE code flow against the sandbox,
the company picker, and every way the sign-in can fail with nothing saved."""

from __future__ import annotations

import time

import sqlalchemy as sa

from rackdinero_app.connections import ConnectionSignInStore
from rackdinero_app.dinero_sign_in import pending as sign_ins
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models.enums import ConnectionState
from tests.dinero_sign_in.conftest import ACCOUNT
from tests.visma_steps import LARS
from tests.visma_steps import METTE
from tests.visma_steps import SOFIE


def stored(db) -> Connection:
    db.session.expire_all()
    return db.session.scalar(sa.select(Connection).where(Connection.rackbeat_account_id == ACCOUNT))


def raw_column(db, name: str) -> str | None:
    return db.session.execute(
        sa.text(f"SELECT {name} FROM connections WHERE rackbeat_account_id = :a"), {"a": ACCOUNT}
    ).scalar_one()


def assert_nothing_saved(db) -> None:
    connection = stored(db)
    assert connection.state == ConnectionState.INSTALLED
    assert connection.dinero_refresh_token is None and connection.dinero_organization_id is None
    assert connection.dinero_sign_in == "api_key"


def test_the_picker_refuses_a_non_pro_company_then_activates_the_pro_one(
    db, installed, sign_in, dinero
):
    person = sign_in(ACCOUNT)
    sign_in_id, answer = person.through_consent(METTE)
    assert answer.status_code == 303
    assert answer.location == f"/dinero-sign-in/{sign_in_id}/company"
    picker = person.client.get(answer.location).get_data(as_text=True)
    assert "400555" in picker and "400556" in picker and "Demo Lager ApS" in picker
    assert person.status(sign_in_id) == {"state": "choosing", "finished": False, "message": None}

    refused = person.choose(sign_in_id, 400556)
    assert refused.status_code == 422
    assert "har ikke Dinero Pro" in refused.get_data(as_text=True)  # the user's language: da
    assert_nothing_saved(db)

    done = person.confirm(person.choose(sign_in_id, 400555))
    assert done.status_code == 200
    assert 'id="sign-in-done"' in done.get_data(as_text=True)

    connection = stored(db)
    assert connection.state == ConnectionState.ACTIVE
    assert connection.dinero_sign_in == "visma_connect"
    assert (connection.dinero_organization_id, connection.dinero_organization_name) == (
        400555,
        "Demo Lager ApS",
    )
    assert connection.dinero_api_key is None and connection.dinero_sign_in_lost_at is None
    refresh_token = connection.dinero_refresh_token
    assert refresh_token and refresh_token not in raw_column(db, "dinero_refresh_token")
    (entry,) = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "activated"))
    assert entry.details["dinero_sign_in"] == "visma_connect"
    assert refresh_token not in str(entry.details)
    assert db.session.scalar(sa.select(Settings).where(Settings.connection_id == connection.id))

    # The iframe, polling, sees the end and moves on to the start-sync offer.
    assert person.status(sign_in_id)["finished"] is True
    after = person.iframe(f"/embedded/visma-sign-in/{sign_in_id}")
    assert after.status_code == 302 and "/embedded/settings/start-sync" in after.location
    # The access token the code gave is cached, encrypted, for every process.
    cached = rq.redis.get(f"rackdinero:dinero:visma-token:connection-{connection.id}").decode()
    issued = dinero.app.extensions["visma_connect"].access_tokens
    assert cached not in issued and crypto.decrypt(cached) in issued


def test_a_user_with_one_pro_company_is_done_without_a_picker(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id, answer = person.through_consent(LARS)
    answer = person.confirm(answer)
    assert answer.status_code == 200
    assert 'id="sign-in-done"' in answer.get_data(as_text=True)
    assert stored(db).dinero_organization_id == 400555
    assert person.status(sign_in_id)["state"] == "succeeded"


def test_a_user_with_only_a_non_pro_company_is_refused(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id, answer = person.through_consent(SOFIE)
    assert answer.status_code == 400
    assert "Dinero-firmaet 400556 har ikke Dinero Pro" in answer.get_data(as_text=True)
    assert_nothing_saved(db)
    iframe = person.iframe(f"/embedded/visma-sign-in/{sign_in_id}").get_data(as_text=True)
    assert 'id="activation-error"' in iframe and "400556" in iframe


def test_denying_consent_saves_nothing_and_says_so_in_both_windows(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id = person.begin()
    callback = person.consent(person.open_window(sign_in_id), METTE, decision="deny")
    answer = person.callback(callback)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert 'id="sign-in-failed"' in page and "intet blev gemt" in page
    assert_nothing_saved(db)
    status = person.status(sign_in_id)
    assert status["state"] == "failed" and "Visma" in status["message"]


def test_a_callback_with_another_state_is_refused(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id = person.begin()
    callback = person.consent(person.open_window(sign_in_id), METTE)
    forged = callback.replace("state=", "state=forged")
    answer = person.callback(forged)
    assert answer.status_code == 400
    assert 'id="sign-in-failed"' in answer.get_data(as_text=True)
    assert_nothing_saved(db)
    # The real answer still works: a wrong state spent nothing.
    assert person.callback(callback).status_code == 303


def test_a_replayed_callback_is_refused(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id = person.begin()
    callback = person.consent(person.open_window(sign_in_id), LARS)
    assert person.callback(callback).status_code == 303  # to the confirmation
    replay = person.callback(callback)
    assert replay.status_code == 400
    assert 'id="sign-in-failed"' in replay.get_data(as_text=True)


def test_an_expired_sign_in_saves_nothing(app, db, installed, sign_in):
    app.config["VISMA_SIGN_IN_SECONDS"] = 1
    person = sign_in(ACCOUNT)
    sign_in_id = person.begin()
    callback = person.consent(person.open_window(sign_in_id), LARS)
    time.sleep(1.2)
    answer = person.callback(callback)
    assert answer.status_code == 400
    assert_nothing_saved(db)
    assert person.iframe(f"/embedded/visma-sign-in/{sign_in_id}").status_code == 404


def test_the_callback_in_another_browser_is_refused(app, db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id = person.begin()
    callback = person.consent(person.open_window(sign_in_id), LARS)
    answer = person.callback(callback, client=app.test_client())
    assert answer.status_code == 400
    assert_nothing_saved(db)
    assert person.status(sign_in_id)["state"] == "failed"


def test_a_code_visma_does_not_accept_saves_nothing(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id = person.begin()
    callback = person.consent(person.open_window(sign_in_id), LARS)
    spoiled = person.callback(callback.replace("code=", "code=x"))
    assert spoiled.status_code == 400
    assert "Visma bekræftede ikke" in spoiled.get_data(as_text=True)
    assert_nothing_saved(db)


def test_the_window_opened_twice_uses_only_the_newest_state(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id = person.begin()
    first = person.consent(person.open_window(sign_in_id), LARS)
    second = person.consent(person.open_window(sign_in_id), LARS)
    assert person.callback(first).status_code == 400
    assert person.callback(second).status_code == 303  # to the confirmation


def test_another_connections_sign_in_is_not_found(make_connection, installed, sign_in):
    other = make_connection(rackbeat_account_id=777, state=ConnectionState.INSTALLED)
    sign_in_id = sign_in(ACCOUNT).begin()
    stranger = sign_in(other.rackbeat_account_id)
    assert stranger.iframe(f"/embedded/visma-sign-in/{sign_in_id}").status_code == 404
    assert stranger.iframe(f"/embedded/visma-sign-in/{sign_in_id}/status").status_code == 404


def test_the_start_needs_the_embedded_csrf_token(client, open_session, installed):
    s = open_session(ACCOUNT)
    answer = client.post("/embedded/visma-sign-in", data={"s": s, "purpose": "activation"})
    assert answer.status_code == 400


def test_without_a_client_id_visma_is_not_offered(app, client, open_session, installed):
    app.config["VISMA_CONNECT_CLIENT_ID"] = None
    s = open_session(ACCOUNT)
    page = client.get("/embedded/activation", query_string={"s": s}).get_data(as_text=True)
    assert 'id="visma-sign-in"' not in page
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(
        "/embedded/visma-sign-in", data={"s": s, "csrf_token": csrf, "purpose": "activation"}
    )
    assert answer.status_code == 404


def test_a_rotated_refresh_token_is_not_lost_when_the_sign_in_changes_meanwhile(db, installed):
    """A refresh that ends after the user signed in again must not overwrite the new token."""
    connection = stored(db)
    connection.dinero_refresh_token = "old-grant-token"
    db.session.commit()
    store = ConnectionSignInStore(connection.id)
    assert store.load() == "old-grant-token"
    connection.dinero_refresh_token = "new-grant-token"  # the user signed in again
    db.session.commit()
    store.save("rotated-old-grant-token")
    store.lost()
    connection = stored(db)
    assert connection.dinero_refresh_token == "new-grant-token"
    assert connection.dinero_sign_in_lost_at is None


def test_a_double_clicked_choice_finishes_the_sign_in_once(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id, _ = person.through_consent(METTE)
    assert sign_ins.claim(sign_ins.get(sign_in_id))  # the first click is finishing it now
    second = person.choose(sign_in_id, 400555)
    assert second.status_code == 400
    assert_nothing_saved(db)  # (the first click's request would save it)
