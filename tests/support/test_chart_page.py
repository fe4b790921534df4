"""The chart page: the SVG and the same counts in a table, for all connections or one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from rackdinero_app.models.enums import TransferState
from tests.support.test_issues import connect
from tests.support.test_issues import transfer
from tests.support.test_issues_page import page
from tests.support.test_issues_page import viewer  # noqa: F401  (a fixture)

SUCCEEDED, SKIPPED, FAILED = TransferState.SUCCEEDED, TransferState.SKIPPED, TransferState.FAILED


@pytest.fixture
def seeded(app):
    """Finished transfers on three connections; one of them older than the chart's 7 days."""
    shop, farm, cafe = connect("Shop ApS"), connect("Farm A/S"), connect("Cafe I/S")
    for state, ago in ((SUCCEEDED, 1), (SUCCEEDED, 30), (FAILED, 2), (SKIPPED, 50)):
        transfer(shop, None, state=state, ago=timedelta(hours=ago))
    transfer(farm, None, state=SUCCEEDED, ago=timedelta(hours=3))
    transfer(farm, None, state=FAILED, ago=timedelta(days=8))  # outside the chart
    transfer(cafe, None, state=FAILED, ago=timedelta(minutes=5))
    return shop, farm, cafe


def total_row(html: str) -> list[int]:
    row = re.search(r'<tr class="total">(.*?)</tr>', html, re.S).group(1)
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", row)]


def day_rows(html: str) -> list[list[int]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [
        [int(n) for n in re.findall(r"<td>(\d+)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_signed_out_goes_to_the_login(client):
    response = client.get("/support/chart")
    assert response.status_code == 302 and response.location == "/support/login"


def test_all_connections(viewer, seeded):  # noqa: F811
    response = page(viewer, "/support/chart")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "<desc" in html and "Succeeded: 3, Skipped: 1, Failed: 2</desc>" in html
    # succeeded, skipped, failed, all: the 8-day-old failure is left out
    assert total_row(html) == [3, 1, 2, 6]
    rows = day_rows(html)
    assert len(rows) in (7, 8)  # 168 hours span 7 or 8 UTC days
    assert [sum(column) for column in zip(*rows, strict=True)] == [3, 1, 2, 6]
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert 'href="/support/chart"' in html  # the navigation


def test_one_connection(viewer, seeded):  # noqa: F811
    shop, farm, _ = seeded
    html = page(viewer, f"/support/chart?connection={shop.id}").get_data(as_text=True)
    assert total_row(html) == [2, 1, 1, 4]
    assert "Shop ApS" in html and f'href="/support/connections/{shop.id}"' in html
    farm_html = page(viewer, f"/support/chart?connection={farm.id}").get_data(as_text=True)
    assert total_row(farm_html) == [1, 0, 0, 1]


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "1.5", "١", "99999999999", " 1"])
def test_a_bad_connection_is_a_400(viewer, seeded, value):  # noqa: F811
    response = page(viewer, f"/support/chart?connection={value}")
    assert response.status_code == 400
    assert "connection must be a connection&#39;s number" in response.get_data(as_text=True)


def test_an_unknown_connection_is_a_404(viewer, seeded):  # noqa: F811
    response = page(viewer, "/support/chart?connection=987654")
    assert response.status_code == 404
    assert "There is no connection 987654." in response.get_data(as_text=True)
