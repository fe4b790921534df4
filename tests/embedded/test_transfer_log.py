import html as html_text
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from rackdinero_app.clients.errors import Transient
from rackdinero_app.embedded import transfer_log
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers import engine
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.kinds import HANDLERS


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
    """The Rackbeat number of each row ("Salgsfaktura 1001" → "1001")."""
    return re.findall(r'<tr id="transfer-\d+"[^>]*>.*?(\w[\w-]*)</a></td>', html, re.S)


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


def test_a_skipped_transfer_can_be_sent_again(client, make_connection, open_session):
    connection = make_connection(rackbeat_account_id=12345)
    skipped = add_transfer(
        connection, "1003", state=TransferState.SKIPPED, reason_code="integration_off"
    )
    token = open_session(12345)
    html = page(client, token)
    assert "Send igen" in html

    response = client.post(
        f"/embedded/transfers/{skipped.id}/retry", data={"s": token, "csrf_token": csrf_of(html)}
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Transfer, skipped.id).state == TransferState.PENDING
    assert [job.args for job in rq.queue().jobs] == [(skipped.id,)]


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


# --- messages in the reader's language -----------------------------------------------------

MISSING_MAPPINGS_IN_ENGLISH = (
    "Some settings are missing:\n"
    '- Map product group "Services" (2) for the Domestic zone in Settings > Sales and '
    "customers > Revenue accounts.\n"
    '- Map the Rackbeat unit "kasse" (5) to a Dinero unit in Settings > Units and languages > '
    "Units."
)
SHOWN = {
    "da": [
        "Nogle indstillinger mangler:",
        'Vælg en omsætningskonto for varegruppe "Services" (2) og momszonen Indland i '
        "Indstillinger > Salg og kunder > Omsætningskonti.",
        'Vælg en Dinero-enhed for Rackbeat-enheden "kasse" (5) i Indstillinger > Enheder og '
        "sprog > Enheder.",
        "Kundeintegrationen er slået fra (Indstillinger > Salg og kunder).",
        "Dinero havde et midlertidigt problem (HTTP 503). Overførslen prøves igen senere. "
        "Prøver igen automatisk.",
    ],
    "sv": [
        "Några inställningar saknas:",
        'Välj ett intäktskonto för varugrupp "Services" (2) och momszonen Inrikes i '
        "Inställningar > Försäljning och kunder > Intäktskonton.",
        'Välj en Dinero-enhet för Rackbeat-enheten "kasse" (5) i Inställningar > Enheter och '
        "språk > Enheter.",
        "Kundintegrationen är avslagen (Inställningar > Försäljning och kunder).",
        "Dinero hade ett tillfälligt problem (HTTP 503). Överföringen försöks igen senare. "
        "Försöker igen automatiskt.",
    ],
    "en": [
        "Some settings are missing:",
        'Map product group "Services" (2) for the Domestic zone in Settings > Sales and '
        "customers > Revenue accounts.",
        'Map the Rackbeat unit "kasse" (5) to a Dinero unit in Settings > Units and languages > '
        "Units.",
        "Customer integration is off (Settings > Sales and customers).",
        "Dinero had a temporary problem (HTTP 503). The transfer is retried later. "
        "Trying again automatically.",
    ],
}


def product_without_mappings(job):
    """A product whose group and unit are mapped nowhere: two fixes in one error."""
    mapping.product_payload(
        {"number": "300", "name": "Kasse", "group": 2, "unit": 5},
        SettingsSnapshot(customer_integration_enabled=True),
        external_reference="r",
        group_names={"2": "Services"},
        unit_names={"5": "kasse"},
    )


def dinero_unavailable(job):
    raise Transient(message_code="server_error", params={"service": "Dinero", "status": 503})


@pytest.fixture
def transfers_with_messages(app, make_connection, monkeypatch):
    """A failed, a skipped and a retrying transfer, each run by the engine."""
    monkeypatch.setitem(HANDLERS, EntityKind.PRODUCT, product_without_mappings)
    monkeypatch.setitem(HANDLERS, EntityKind.SUPPLIER, dinero_unavailable)
    connection = make_connection(rackbeat_account_id=12345)  # no settings: customers off
    ran = {}
    for kind, key in (
        (EntityKind.PRODUCT, "300"),
        (EntityKind.CUSTOMER_INVOICE, "1001"),
        (EntityKind.SUPPLIER, "5"),
    ):
        transfer, _ = rows.request_transfer(connection.id, kind, key, trigger="test")
        engine.run_transfer(transfer.id)
        ran[kind] = transfer.id
    db.session.expire_all()
    return {kind: db.session.get(Transfer, transfer_id) for kind, transfer_id in ran.items()}


def shown_text(client, token) -> str:
    refresh()  # the test client shares one app context, and so Babel's cached locale
    return html_text.unescape(page(client, token))


@pytest.mark.parametrize("language", ["da", "sv", "en"])
def test_transfer_messages_are_shown_in_the_readers_language(
    client, open_session, transfers_with_messages, language
):
    token = open_session(12345)  # Mette Demo's Rackbeat speaks Danish
    if language != "da":
        switch = client.get(
            f"/embedded/language/{language}",
            query_string={"s": token, "next": f"/embedded/transfers?s={token}"},
        )
        assert switch.status_code == 302

    shown = shown_text(client, token)

    assert [text for text in SHOWN[language] if text not in shown] == []
    others = [text for other in SHOWN if other != language for text in SHOWN[other]]
    assert [text for text in others if text in shown] == []


def test_the_message_column_keeps_the_english_text_and_the_code_its_parameters(
    transfers_with_messages,
):
    failed = transfers_with_messages[EntityKind.PRODUCT]
    assert (failed.state, failed.reason_code) == (TransferState.FAILED, "missing_mapping")
    assert failed.message == MISSING_MAPPINGS_IN_ENGLISH
    assert failed.message_code == "missing_settings"
    assert failed.message_params == {
        "fixes": [
            {"code": "map_revenue_account_domestic", "params": {"group": '"Services" (2)'}},
            {"code": "map_unit", "params": {"unit": '"kasse" (5)'}},
        ]
    }
    skipped = transfers_with_messages[EntityKind.CUSTOMER_INVOICE]
    assert skipped.message == "Customer integration is off (Settings > Sales and customers)."
    assert (skipped.message_code, skipped.message_params) == ("customers_off", {})
    retrying = transfers_with_messages[EntityKind.SUPPLIER]
    assert (retrying.state, retrying.message_code) == (TransferState.PENDING, "retrying")
    assert retrying.message_params == {
        "reason": {"code": "client.server_error", "params": {"service": "Dinero", "status": 503}}
    }


def test_a_row_written_before_message_codes_shows_its_english_text(
    client, make_connection, open_session
):
    connection = make_connection(rackbeat_account_id=12345)
    add_transfer(connection, "1001", message="Created in Dinero as a booked invoice no. 7.")

    shown = shown_text(client, open_session(12345))

    assert "Created in Dinero as a booked invoice no. 7." in shown


@pytest.mark.parametrize("page_number", ["1001", "99999999999999999999", "0", "-1", "x", "١"])
def test_a_page_number_out_of_bounds_is_a_400_in_the_users_language(
    client, make_connection, open_session, page_number
):
    make_connection(rackbeat_account_id=12345)
    response = client.get(
        "/embedded/transfers", query_string={"s": open_session(12345), "page": page_number}
    )
    assert response.status_code == 400
    assert "Sidenummeret skal være et helt tal fra 1 til 1000." in response.get_data(as_text=True)


def test_the_last_page_allowed_offers_no_older_one(
    client, make_connection, open_session, monkeypatch
):
    monkeypatch.setattr(transfer_log, "MAX_PAGE", 1)
    connection = make_connection(rackbeat_account_id=12345)
    for number in range(transfer_log.PAGE_SIZE + 1):
        add_transfer(connection, str(1000 + number))
    assert "page=2" not in page(client, open_session(12345))


def test_a_search_over_255_characters_is_a_400(client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345)
    response = client.get(
        "/embedded/transfers", query_string={"s": open_session(12345), "q": "7" * 256}
    )
    assert response.status_code == 400
    assert "Søg efter højst 255 tegn." in response.get_data(as_text=True)
