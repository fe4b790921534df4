"""The dry run of an invoice (PV1) on a connection's support page: open to a viewer (it is
read-only), in English whatever the browser asks for, 400 on bad input, writing nothing."""

from __future__ import annotations

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Transfer
from tests.support.staff_login import fresh_request
from tests.support.test_connections import viewer  # noqa: F401  (a fixture)
from tests.transfers.conftest import app_config  # noqa: F401  (points the app at the sandboxes)
from tests.transfers.conftest import connection  # noqa: F401  (a fixture)
from tests.transfers.conftest import sandboxes  # noqa: F401  (a fixture)


def preview_page(client, connection_id: int, **query):
    fresh_request()
    return client.get(
        f"/support/connections/{connection_id}/preview",
        query_string=query,
        headers={"Accept-Language": "da"},
    )


def rows() -> tuple[int, int]:
    count = sa.func.count()
    return (
        db.session.scalar(sa.select(count).select_from(Transfer)),
        db.session.scalar(sa.select(count).select_from(AuditEntry)),
    )


def test_a_viewer_previews_an_invoice_in_english(sandboxes, connection, viewer):  # noqa: F811
    fresh_request()
    connection_page = viewer.get(f"/support/connections/{connection.id}").get_data(as_text=True)
    assert 'id="preview-form"' in connection_page
    before = rows()

    answer = preview_page(viewer, connection.id, number="1001", direction="sales_to_dinero")

    page = answer.get_data(as_text=True)
    assert answer.status_code == 200, page
    assert "Preview of sales invoice 1001" in page
    assert "product group 2 “Services” × Domestic → 1300" in page
    assert "timer → Hours" in page and "chosen by layout &#34;Standard (dansk)&#34; (1)" in page
    assert "1 – Hansen Byg A/S (will be created in Dinero)" in page
    assert "As Dinero computes them" in page and "The totals agree." in page
    assert 'value="1001"' in page  # the form again
    assert "Forhåndsvisning" not in page
    assert rows() == before


def test_bad_input_is_a_400_page_and_an_unknown_connection_a_404(
    sandboxes,  # noqa: F811
    connection,  # noqa: F811
    viewer,  # noqa: F811
):
    bad_number = preview_page(viewer, connection.id, number="10 01", direction="sales_to_dinero")
    from_dinero = preview_page(viewer, connection.id, number="1001", direction="sales_from_dinero")
    unknown = preview_page(viewer, connection.id + 1, number="1001", direction="sales_to_dinero")

    assert bad_number.status_code == 400
    assert "Enter the invoice number" in bad_number.get_data(as_text=True)
    assert from_dinero.status_code == 400
    assert "Choose what kind of invoice it is" in from_dinero.get_data(as_text=True)
    assert unknown.status_code == 404
