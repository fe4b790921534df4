"""The overview's open failures by cause (A1), in the customer's language with the fix."""

from __future__ import annotations

import re

from rackdinero_app.extensions import db
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers.errors import MissingMapping
from rackdinero_app.transfers.messages import Message
from tests.embedded.test_overview import ACCOUNT
from tests.embedded.test_overview import add
from tests.embedded.test_overview import card
from tests.embedded.test_overview import connection  # noqa: F401  (a fixture)
from tests.embedded.test_overview import overview


def missing_revenue(group: str) -> Message:
    return MissingMapping([Message.of("map_revenue_account_domestic", group=group)]).explanation


def test_the_open_failures_grouped_in_danish_with_their_fix(
    client,
    connection,  # noqa: F811
    open_session,
    make_connection,
):
    add(connection, "1001", TransferState.FAILED, message=missing_revenue("Værktøj"))
    add(connection, "1002", TransferState.FAILED, message=missing_revenue("Værktøj"))
    mismatch = Message.of("totals_mismatch", differences="moms: Rackbeat 10, Dinero 11")
    add(connection, "1003", TransferState.FAILED, message=mismatch)
    add(connection, "1004", TransferState.SUCCEEDED)
    other = make_connection(rackbeat_account_id=ACCOUNT + 1)
    add(other, "2001", TransferState.FAILED, message=missing_revenue("Frø"))  # not theirs

    section = card(overview(client, open_session), "open-failures")

    assert "Hvorfor overførsler fejler" in section
    groups = re.findall(r'<li class="failure-group">(.*?)</li>', section, re.S)
    assert len(groups) == 2
    first, second = groups
    assert first.startswith(
        "En indstilling mangler. Vælg en omsætningskonto for varegruppe Værktøj"
    )
    assert "Indstillinger &gt; Salg og kunder &gt; Omsætningskonti." in first
    assert "(2 overførsler)" in first
    assert second.startswith("Beløbene i Dinero afviger fra Rackbeat")
    assert "(1 overførsel)" in second
    assert "Frø" not in section
    assert re.search(r'href="/embedded/transfers\?[^"]*state=failed', section)


def test_no_open_failures_no_section(client, connection, open_session):  # noqa: F811
    add(connection, "1001", TransferState.SUCCEEDED)
    # A failure that a later transfer of the same record replaced is not open.
    add(connection, "1002", TransferState.FAILED, message=missing_revenue("Værktøj"))
    update = add(connection, "1002-update", TransferState.SUCCEEDED)
    update.source_key = "1002"
    db.session.commit()

    html = overview(client, open_session)

    assert 'id="open-failures"' not in html
    assert 'id="last-24-hours"' in html
