"""The customer's dry run of an invoice (PV1) on the troubleshooting page: in the user's Danish,
with the form again, refusing what cannot be previewed, allowed while paused, writing nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Transfer
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import DineroUnit
from tests.transfers.conftest import ACCOUNT_ID
from tests.transfers.conftest import app_config  # noqa: F401  (points the app at the sandboxes)
from tests.transfers.conftest import connection  # noqa: F401  (a fixture)
from tests.transfers.conftest import sandboxes  # noqa: F401  (a fixture)

pytestmark = pytest.mark.redis


@pytest.fixture
def post(client, connection, open_session):  # noqa: F811
    """Post the troubleshooting form to ``path`` as the demo account's Danish user."""
    token = open_session(ACCOUNT_ID)
    form = client.get("/embedded/troubleshooting", query_string={"s": token})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))[1]

    def send(number: str, direction: str = "sales_to_dinero", path: str = "preview"):
        data = {"s": token, "csrf_token": csrf, "number": number, "direction": direction}
        return client.post(f"/embedded/troubleshooting/{path}".rstrip("/"), data=data)

    return send


def written() -> tuple[int, int, int]:
    count = sa.func.count()
    return (
        db.session.scalar(sa.select(count).select_from(Transfer)),
        db.session.scalar(sa.select(count).select_from(AuditEntry)),
        rq.queue().count,
    )


def test_a_missing_unit_is_named_in_danish_and_gone_once_mapped(sandboxes, connection, post):  # noqa: F811
    db.session.execute(sa.delete(UnitMapping).where(UnitMapping.rackbeat_unit == "4"))
    db.session.commit()
    before = written()

    first = post("1001")

    page = first.get_data(as_text=True)
    assert first.status_code == 200, page
    assert "Forhåndsvisning af salgsfaktura 1001" in page
    assert "Hvad stopper overførslen" in page
    blockers = re.search(r'id="preview-blockers">(.*?)</ul>', page, re.S)[1]
    assert "Indstillinger" in blockers and "&#34;timer&#34; (4)" in blockers  # the fix, in Danish
    assert "varegruppe 2 “Services” × Indland → 1300" in page
    assert 'timer → <strong class="field-error">ikke tilknyttet</strong>' in page
    assert "Som Dinero beregner dem" in page and "11.940,00" in page  # Rackbeat's totals still
    assert 'name="number" value="1001"' in page and "Send nu" in page  # the form again
    assert written() == before

    db.session.add(
        UnitMapping(connection_id=connection.id, rackbeat_unit="4", dinero_unit=DineroUnit.HOURS)
    )
    db.session.commit()
    again = post("1001").get_data(as_text=True)

    assert 'id="preview-blockers"' not in again and 'id="preview-ready"' in again
    assert "Som Dinero beregner dem" in again and "Totalerne stemmer overens." in again
    assert written() == before


def test_what_cannot_be_previewed_is_refused_with_a_field_error(sandboxes, connection, post):  # noqa: F811
    before = written()

    from_dinero = post("1001", "sales_from_dinero")
    bad_number = post("10 01")

    assert from_dinero.status_code == 422
    assert "Kun fakturaer fra Rackbeat til Dinero kan forhåndsvises" in from_dinero.get_data(
        as_text=True
    )
    assert bad_number.status_code == 422
    assert "Indtast fakturanummeret" in bad_number.get_data(as_text=True)
    assert written() == before


def test_a_paused_connection_can_preview_but_not_send(sandboxes, connection, post):  # noqa: F811
    connection.state = ConnectionState.PAUSED
    db.session.commit()

    previewed = post("5001", "supplier_to_dinero")
    sent = post("5001", "supplier_to_dinero", path="")

    assert previewed.status_code == 200
    page = previewed.get_data(as_text=True)
    assert "Support har sat overførslerne for denne konto på pause" in page
    assert "Som appen beregner dem" in page
    assert sent.status_code == 409


def test_a_rackbeat_error_is_a_clear_message_not_a_stack_trace(sandboxes, connection, post):  # noqa: F811
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    store.knobs.error_rate = 1.0

    answer = post("1001")

    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Fakturaen kunne ikke forhåndsvises lige nu. Prøv igen om et minut." in page
    assert "Traceback" not in page
