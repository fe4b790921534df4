"""Visma Connect's last step (issue 13): the window asks the person who signed in to Dinero
which Rackbeat company gets their Dinero organization, and nothing is saved before Confirm."""

from __future__ import annotations

import re

import requests

from rackdinero_app.models.enums import ConnectionState
from tests.dinero_sign_in.conftest import ACCOUNT
from tests.dinero_sign_in.conftest import COMPANY
from tests.dinero_sign_in.conftest import local
from tests.dinero_sign_in.test_sign_in import assert_nothing_saved
from tests.dinero_sign_in.test_sign_in import stored
from tests.visma_steps import LARS
from tests.visma_steps import answer_consent

QUESTION = (
    f"Forbind Rackbeat-virksomheden {COMPANY} (konto {ACCOUNT}) med "
    "Dinero-organisationen Demo Lager ApS (400555)?"
)


def test_nothing_is_saved_until_the_window_confirms(db, installed, sign_in):
    person = sign_in(ACCOUNT)
    sign_in_id, answer = person.through_consent(LARS)
    assert answer.status_code == 303 and answer.location.endswith(f"/{sign_in_id}/confirm")

    question = person.client.get(answer.location).get_data(as_text=True)
    assert QUESTION in question
    assert_nothing_saved(db)
    # The iframe keeps waiting, and says where the question is.
    assert person.status(sign_in_id)["finished"] is False
    waiting = person.iframe(f"/embedded/visma-sign-in/{sign_in_id}").get_data(as_text=True)
    assert "Bekræft forbindelsen i det andet vindue" in waiting

    done = person.confirm(answer)
    assert 'id="sign-in-done"' in done.get_data(as_text=True)
    connection = stored(db)
    assert (connection.state, connection.dinero_organization_id) == (ConnectionState.ACTIVE, 400555)
    assert person.status(sign_in_id)["finished"] is True
    # The question was answered: it is not asked again.
    assert person.client.get(answer.location).status_code == 404


def test_a_forwarded_sign_in_shows_whose_company_and_cancel_saves_nothing(
    app, db, installed, sign_in
):
    """A's user starts the sign-in and passes the window's link to a victim: the victim signs
    in with their Visma user, is told which Rackbeat company would get their Dinero
    organization, and cancels."""
    attacker = sign_in(ACCOUNT)
    sign_in_id = attacker.begin()
    waiting = attacker.iframe(f"/embedded/visma-sign-in/{sign_in_id}").get_data(as_text=True)
    start = re.search(r'id="open-visma" href="([^"]+)"', waiting)[1]

    victim = app.test_client()
    authorize = victim.get(start).location
    answer = victim.get(local(answer_consent(requests.Session(), authorize, LARS)))
    assert answer.status_code == 303
    question = victim.get(answer.location).get_data(as_text=True)
    assert QUESTION in question
    assert_nothing_saved(db)

    # Only the browser that signed in is asked: not the one that started it.
    refused = attacker.client.get(answer.location)
    assert refused.status_code == 403 and "Forbind Rackbeat" not in refused.get_data(as_text=True)

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', question)[1]
    action = re.search(r'<form[^>]*action="([^"]+)"[^>]*id="cancel-connection"', question)[1]
    cancelled = victim.post(action, data={"csrf_token": csrf})
    assert "Annulleret: intet blev gemt" in cancelled.get_data(as_text=True)
    assert_nothing_saved(db)
    confirm = re.search(r'<form[^>]*action="([^"]+)"[^>]*id="confirm-connection"', question)[1]
    assert victim.post(confirm, data={"csrf_token": csrf}).status_code == 404  # too late
    assert_nothing_saved(db)

    assert attacker.status(sign_in_id)["finished"] is True
    page = attacker.iframe(f"/embedded/visma-sign-in/{sign_in_id}").get_data(as_text=True)
    assert "Annulleret: intet blev gemt" in page and 'name="api_key"' in page
