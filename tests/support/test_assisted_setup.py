"""Assisted setup: an operator changes a connection's settings for the customer, with a reason,
through the same checks as the customer's pages, filled from the live sandboxes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import AuditEntry
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import VatZone
from rackdinero_app.transfers.context import load_settings
from tests.support.staff_login import csrf_token
from tests.support.staff_login import fresh_request
from tests.support.test_connections import viewer  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import OPERATOR
from tests.support.test_operator_actions import REASON
from tests.support.test_operator_actions import operator  # noqa: F401  (a fixture)
from tests.transfers.conftest import ACCOUNT_ID
from tests.transfers.conftest import DINERO_API_KEY
from tests.transfers.conftest import app_config  # noqa: F401  (points the app at the sandboxes)
from tests.transfers.conftest import connection  # noqa: F401  (a fixture)
from tests.transfers.conftest import sandboxes  # noqa: F401  (a fixture)

MISSING_CELL = "sales-2-domestic"
NOT_IN_DINERO = "9999"


class FormReader(HTMLParser):
    """What a browser would submit from the page's settings form, as it was rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            # With none selected, a browser submits the first option.
            if "selected" in attributes or self._select not in self.values:
                self.values[self._select] = attributes.get("value", "")
        elif tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in attributes:
                self.values[name] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def url(customer, section: str) -> str:
    return f"/support/connections/{customer.id}/settings/{section}"


def open_form(client, customer, section: str, **headers):
    fresh_request()
    return client.get(url(customer, section), headers=headers)


def form_of(client, customer, section: str) -> dict[str, str]:
    """The form's values as the page shows them (its CSRF token included)."""
    page = open_form(client, customer, section)
    assert page.status_code == 200, page.get_data(as_text=True)
    reader = FormReader()
    reader.feed(page.get_data(as_text=True))
    return reader.values


def save(client, customer, section: str, form: dict[str, str], **headers):
    fresh_request()
    return client.post(url(customer, section), data=form, headers=headers)


def assisted_entries() -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "settings.assisted")
    ).all()


def revenue_account(customer, group: str, zone: VatZone) -> int | None:
    db.session.expire_all()
    return load_settings(customer.id).revenue_accounts.get((group, zone))


@pytest.fixture
def missing_revenue(connection):  # noqa: F811
    """The demo connection with one revenue account not chosen: the customer integration is on,
    so transfers still miss it."""
    db.session.execute(
        sa.delete(AccountMapping).where(
            AccountMapping.connection_id == connection.id,
            AccountMapping.direction == MappingDirection.SALES,
            AccountMapping.product_group == "2",
            AccountMapping.vat_zone == VatZone.DOMESTIC,
        )
    )
    db.session.commit()
    return connection


def test_an_operator_fixes_a_missing_revenue_account(
    operator,  # noqa: F811
    missing_revenue,
    open_session,
):
    page = open_form(operator, missing_revenue, "sales").get_data(as_text=True)
    assert 'id="still-missing"' in page
    assert "Choose a revenue account for every product group and VAT zone" in page

    form = form_of(operator, missing_revenue, "sales")
    assert form[MISSING_CELL] == ""
    response = save(
        operator, missing_revenue, "sales", {**form, MISSING_CELL: "1300", "reason": REASON}
    )

    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.location == f"/support/connections/{missing_revenue.id}"
    fresh_request()
    assert "Settings saved for the customer (1 change)." in operator.get(
        response.location
    ).get_data(as_text=True)
    assert revenue_account(missing_revenue, "2", VatZone.DOMESTIC) == 1300
    (entry,) = assisted_entries()
    assert (entry.actor_type, entry.actor, entry.reason) == (ActorType.STAFF, OPERATOR, REASON)
    assert entry.connection_id == missing_revenue.id
    assert entry.details == {
        "section": "sales",
        "changes": {"revenue_accounts[2/domestic]": {"before": None, "after": 1300}},
    }

    fresh_request()
    session = open_session(ACCOUNT_ID)
    fresh_request()
    customer = operator.get("/embedded/settings/sales", query_string={"s": session})
    cell = re.search(
        rf'<select id="{MISSING_CELL}" name="{MISSING_CELL}".*?</select>',
        customer.get_data(as_text=True),
        re.S,
    ).group(0)
    assert '<option value="1300" selected>' in cell


def test_no_reason_saves_nothing(operator, missing_revenue):  # noqa: F811
    form = form_of(operator, missing_revenue, "sales")
    for reason in ("", "   ", "x" * 501):
        response = save(
            operator, missing_revenue, "sales", {**form, MISSING_CELL: "1300", "reason": reason}
        )
        assert response.status_code == 400
    assert revenue_account(missing_revenue, "2", VatZone.DOMESTIC) is None
    assert assisted_entries() == []


def test_an_account_not_in_dinero_is_refused_next_to_its_field_in_english(
    operator,  # noqa: F811
    missing_revenue,
):
    form = form_of(operator, missing_revenue, "sales")
    posted = {**form, MISSING_CELL: NOT_IN_DINERO, "customer_number_in_name": "on"}
    response = save(
        operator,
        missing_revenue,
        "sales",
        {**posted, "reason": REASON},
        **{"Accept-Language": "da"},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{MISSING_CELL}-error">([^<]+)<', page).group(1)
    assert NOT_IN_DINERO in error and "Dinero" in error
    assert "Nothing was saved" in page and 'id="settings-errors"' in page
    kept = FormReader()
    kept.feed(page)
    assert kept.values[MISSING_CELL] == NOT_IN_DINERO  # what was posted stays in the form
    assert kept.values["reason"] == REASON
    assert revenue_account(missing_revenue, "2", VatZone.DOMESTIC) is None
    assert assisted_entries() == []


def test_an_unchanged_form_saves_and_audits_nothing(operator, connection):  # noqa: F811
    for section in ("purchase", "sales", "units"):
        form = form_of(operator, connection, section)
        response = save(operator, connection, section, {**form, "reason": REASON})
        assert response.status_code == 303, response.get_data(as_text=True)
        fresh_request()
        assert "Nothing changed." in operator.get(response.location).get_data(as_text=True)
    assert assisted_entries() == []


def test_a_viewer_can_neither_open_nor_save(viewer, connection):  # noqa: F811
    assert open_form(viewer, connection, "sales").status_code == 403
    token = csrf_token(viewer, "/support/connections")
    response = save(viewer, connection, "sales", {"csrf_token": token, "reason": REASON})
    assert response.status_code == 403
    fresh_request()
    page = viewer.get(f"/support/connections/{connection.id}").get_data(as_text=True)
    assert "Settings (read-only)" in page and "Edit sales settings" not in page
    assert assisted_entries() == []


def test_an_operator_finds_the_three_sections_on_the_connection_page(
    operator,  # noqa: F811
    connection,  # noqa: F811
):
    fresh_request()
    page = operator.get(f"/support/connections/{connection.id}").get_data(as_text=True)
    for section in ("purchase", "sales", "units"):
        assert f'href="{url(connection, section)}"' in page
    for name in ("Edit purchase settings", "Edit sales settings", "Edit units and layouts"):
        assert name in page


@pytest.mark.parametrize(
    ("state", "organization", "expected"),
    [
        (ConnectionState.UNINSTALLED, 400555, "uninstalled"),
        (ConnectionState.INSTALLED, None, "not activated"),
    ],
)
def test_uninstalled_or_not_activated_is_refused(
    operator,  # noqa: F811
    connection,  # noqa: F811
    state,
    organization,
    expected,
):
    form = form_of(operator, connection, "purchase")
    connection.state = state
    connection.dinero_organization_id = organization
    db.session.commit()
    assert open_form(operator, connection, "purchase").status_code == 409
    response = save(
        operator, connection, "purchase", {**form, "purchase-1-eu": "", "reason": REASON}
    )
    assert response.status_code == 409
    assert expected in response.get_data(as_text=True)
    assert assisted_entries() == []


def test_a_list_that_cannot_be_read_is_named_and_pauses_saving(
    operator,  # noqa: F811
    missing_revenue,
):
    missing_revenue.dinero_api_key = "not-the-customer-s-key"
    db.session.commit()
    page = open_form(operator, missing_revenue, "sales").get_data(as_text=True)
    form = form_of(operator, missing_revenue, "sales")
    assert 'id="dinero-unavailable"' in page and "chart of accounts could not be read" in page
    assert 'id="rackbeat-unavailable"' not in page
    response = save(
        operator, missing_revenue, "sales", {**form, MISSING_CELL: "1300", "reason": REASON}
    )
    assert response.status_code == 503
    assert revenue_account(missing_revenue, "2", VatZone.DOMESTIC) is None
    assert assisted_entries() == []


def test_no_secret_is_in_the_pages(operator, connection):  # noqa: F811
    secrets = (DINERO_API_KEY, connection.rackbeat_access_token, connection.rackbeat_refresh_token)
    for section in ("purchase", "sales", "units"):
        page = open_form(operator, connection, section).get_data(as_text=True)
        assert 'name="reason"' in page
        assert not [secret for secret in secrets if secret in page], section


def test_an_unknown_section_or_connection_is_404(operator, connection):  # noqa: F811
    assert open_form(operator, connection, "start-sync").status_code == 404
    fresh_request()
    assert operator.get("/support/connections/999999/settings/sales").status_code == 404
