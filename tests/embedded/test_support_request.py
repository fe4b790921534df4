""" "Ask support to set this up" on the overview: the paid offer said plainly, one waiting
request per connection (also when two clicks arrive at once), its state in the customer's
language, and bad input refused with nothing written."""

from __future__ import annotations

import threading
from datetime import datetime
from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlparse

import flask
import flask_babel
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import format_date

from rackdinero_app import support_requests
from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import SupportRequest
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.support_request import SupportRequestState as State
from tests.embedded.test_overview import ACCOUNT
from tests.embedded.test_overview import connection  # noqa: F401  (a fixture)

USER = "mette@demo-lager.dk"  # the launch's user (tests/conftest.py)


@pytest.fixture
def launch(client, launch_token):
    """Open the embedded pages as the launch's user, reading ``locale``; the session token."""

    def open_in(locale: str = "da", account: int = ACCOUNT) -> str:
        fresh()
        user = {"id": 7, "name": "Mette Demo", "email": USER, "locale": locale}
        token = launch_token(account, user=user)
        response = client.get("/embedded/launch", query_string={"launch": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return parse_qs(urlparse(response.location).query)["s"][0]

    return open_in


def fresh() -> None:
    """Each request as if it came alone (pytest-flask keeps one app context per test)."""
    flask.g.pop("embedded", None)
    flask_babel.refresh()


def setup_card(client, session: str) -> str:
    fresh()
    page = client.get("/embedded/", query_string={"s": session}).get_data(as_text=True)
    return page.split('id="assisted-setup"')[1].split('id="connection-status"')[0]


def csrf_of(client, session: str) -> str:
    fresh()
    page = client.get("/embedded/", query_string={"s": session}).get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def ask(client, session: str, message: str = "", csrf: str | None = None):
    csrf = csrf_of(client, session) if csrf is None else csrf
    fresh()
    data = {"s": session, "csrf_token": csrf, "message": message}
    return client.post("/embedded/support-request", data=data)


def requests_of(connection_id: int) -> list[SupportRequest]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(SupportRequest)
        .where(SupportRequest.connection_id == connection_id)
        .order_by(SupportRequest.id)
    ).all()


def created_entries() -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "support_request.created")
    ).all()


def add_request(connection_id: int, state: State, **fields) -> SupportRequest:
    row = SupportRequest(connection_id=connection_id, state=state, requested_by=USER, **fields)
    db.session.add(row)
    db.session.commit()
    return row


def long_date(moment: datetime, locale: str) -> str:
    with force_locale(locale):
        return format_date(moment, "long")


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "da",
            (
                "Vores supportteam sætter konti, enheder og layouts op sammen med dig.",
                "den koster 2.500 kr. ekskl. moms.",
                "Bed support om at sætte det op",
            ),
        ),
        (
            "en",
            (
                "Our support team sets up the accounts, units and layouts with you.",
                "it costs 2,500 DKK excl. VAT.",
                "Ask support to set this up",
            ),
        ),
    ],
)
def test_the_card_says_what_assisted_setup_is_and_what_it_costs(
    client,
    connection,  # noqa: F811
    launch,
    locale,
    texts,
):
    card = setup_card(client, launch(locale))
    for text in texts:
        assert text in card
    assert 'action="/embedded/support-request"' in card
    assert 'name="message"' in card and 'maxlength="1000"' in card


def test_asking_makes_one_audited_request_and_the_card_shows_it(
    client,
    connection,  # noqa: F811
    launch,
):
    session = launch("da")
    response = ask(client, session, "  Ring gerne om formiddagen.  ")

    assert response.status_code == 303
    assert "support_request=created" in response.location
    (row,) = requests_of(connection.id)
    assert (row.state, row.requested_by, row.message) == (
        State.OPEN,
        USER,
        "Ring gerne om formiddagen.",
    )
    assert (row.staff_note, row.handled_by, row.closed_at) == (None, None, None)
    (entry,) = created_entries()
    assert (entry.actor_type, entry.actor, entry.connection_id) == (
        ActorType.RACKBEAT_USER,
        USER,
        connection.id,
    )
    assert entry.details == {"support_request_id": row.id}
    fresh()
    card = client.get(response.location).get_data(as_text=True).split('id="assisted-setup"')[1]
    assert "Support har fået din anmodning" in card
    waiting = f"Anmodet den {long_date(row.created_at, 'da')} — venter på support."
    assert waiting in card
    assert "Bed support om at sætte det op" not in card.split('id="connection-status"')[0]


def test_a_second_click_while_one_waits_makes_nothing_new(
    client,
    connection,  # noqa: F811
    launch,
):
    session = launch("en")
    csrf = csrf_of(client, session)  # the second click comes from the same page
    assert ask(client, session, "first", csrf).status_code == 303
    response = ask(client, session, "second", csrf)

    assert response.status_code == 303
    assert "support_request=already" in response.location
    assert [r.message for r in requests_of(connection.id)] == ["first"]
    assert len(created_entries()) == 1
    fresh()
    page = client.get(response.location).get_data(as_text=True)
    assert "You have already asked support to set this up" in page


@pytest.mark.parametrize("locale", ["da", "en", "sv"])
def test_each_state_in_the_customers_language(
    client,
    connection,  # noqa: F811
    launch,
    locale,
):
    expected = {
        "da": (
            "Support arbejder på det (Vi ringer tirsdag &lt;kl. 10&gt;).",
            "Udført den",
            "Afvist: Ikke muligt",
        ),
        "en": (
            "Support is working on it (Vi ringer tirsdag &lt;kl. 10&gt;).",
            "Done on",
            "Declined: Ikke muligt",
        ),
        "sv": (
            "Supporten arbetar med det (Vi ringer tirsdag &lt;kl. 10&gt;).",
            "Klart den",
            "Avböjd: Ikke muligt",
        ),
    }[locale]
    working, done_on, declined = expected
    button = {"da": "Bed support om", "en": "Ask support to", "sv": "Be supporten att"}[locale]
    session = launch(locale)
    row = add_request(connection.id, State.IN_PROGRESS, staff_note="Vi ringer tirsdag <kl. 10>")

    card = setup_card(client, session)
    assert working in card
    assert button not in card

    closed_at = utcnow() - timedelta(days=3)
    row.state, row.closed_at = State.DONE, closed_at
    db.session.commit()
    card = setup_card(client, session)
    assert f"{done_on} {long_date(closed_at, locale)}." in card
    assert button in card  # a closed request: the customer may ask again

    row.state, row.staff_note = State.DECLINED, "Ikke muligt"
    db.session.commit()
    card = setup_card(client, session)
    assert declined in card
    assert button in card


def test_after_a_closed_request_the_customer_may_ask_again(
    client,
    connection,  # noqa: F811
    launch,
):
    add_request(connection.id, State.DONE, closed_at=utcnow())
    session = launch("en")
    response = ask(client, session)

    assert "support_request=created" in response.location
    assert [r.state for r in requests_of(connection.id)] == [State.DONE, State.OPEN]
    assert requests_of(connection.id)[1].message is None


def test_a_note_too_long_is_refused_and_nothing_written(
    client,
    connection,  # noqa: F811
    launch,
):
    response = ask(client, launch("da"), "x" * 1001)

    assert response.status_code == 422
    assert "Beskeden må højst være på 1000 tegn" in response.get_data(as_text=True)
    assert requests_of(connection.id) == []
    assert created_entries() == []


def test_a_connection_that_is_not_activated_cannot_ask(client, make_connection, launch):
    installed = make_connection(rackbeat_account_id=ACCOUNT, state=ConnectionState.INSTALLED)
    session = launch("da")
    fresh()
    page = client.get("/embedded/activation", query_string={"s": session}).get_data(True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = ask(client, session, csrf=csrf)

    assert response.status_code == 409
    assert "Aktivér integrationen" in response.get_data(as_text=True)
    assert requests_of(installed.id) == []
    assert created_entries() == []


def test_asking_needs_the_forms_csrf_token(client, connection, launch):  # noqa: F811
    response = ask(client, launch("da"), csrf="")

    assert response.status_code == 400
    assert requests_of(connection.id) == []


@pytest.mark.postgres
def test_two_clicks_at_the_same_moment_make_one_request(any_db_app):
    """No check before the insert decides this: both threads insert, the index refuses one."""
    clicked = Connection(
        rackbeat_account_id=55_002,
        state=ConnectionState.ACTIVE,
        dinero_organization_id=66_002,
        dinero_api_key="k",
        rackbeat_access_token="t",
    )
    db.session.add(clicked)
    db.session.commit()
    connection_id = clicked.id
    both_ready = threading.Barrier(2, timeout=10)
    outcomes: list[tuple[int, bool]] = []

    def click(note: str) -> None:
        with any_db_app.app_context():
            mine = db.session.get(Connection, connection_id)
            both_ready.wait()
            row, created = support_requests.create(mine, USER, note)
            outcomes.append((row.id, created))
            db.session.remove()

    threads = [threading.Thread(target=click, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert sorted(created for _, created in outcomes) == [False, True]
    assert len({row_id for row_id, _ in outcomes}) == 1
    db.session.expire_all()
    assert len(requests_of(connection_id)) == 1
    assert len(created_entries()) == 1
