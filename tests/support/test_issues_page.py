"""The issues pages: failure groups across connections, their fixes and their connections."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers.messages import Message
from tests.support.staff_login import STRONG_PASSWORD
from tests.support.staff_login import fresh_request
from tests.support.staff_login import post_login
from tests.support.test_issues import connect
from tests.support.test_issues import missing
from tests.support.test_issues import revenue
from tests.support.test_issues import transfer


@pytest.fixture
def viewer(client, make_staff):
    """A signed-in viewer: reading pages is all the issues pages need."""
    make_staff("viewer@v.example", ready=True)
    assert post_login(client, "viewer@v.example", STRONG_PASSWORD).status_code == 302
    fresh_request()
    return client


@pytest.fixture
def seeded(app):
    """Three connections: a missing revenue account on two (three failures), a totals
    mismatch on the third, and a superseded failure that is no longer open."""
    shop, farm, cafe = connect("Shop ApS"), connect("Farm <A/S>"), connect("Cafe I/S")
    transfer(shop, missing(revenue("Tools")), ago=timedelta(hours=3))
    transfer(shop, missing(revenue("Tools")), ago=timedelta(hours=1))
    transfer(farm, missing(revenue("Seeds")), ago=timedelta(minutes=2))
    mismatch = Message.of("totals_mismatch", differences="excl. VAT: Rackbeat 10, Dinero 11")
    transfer(cafe, mismatch, reason_code="totals_mismatch")
    transfer(cafe, mismatch, source_key="old", reason_code="totals_mismatch")
    transfer(cafe, None, source_key="old", state=TransferState.SUCCEEDED)
    return shop, farm, cafe


def page(client, path: str):
    fresh_request()
    return client.get(path)


def sections(html: str) -> list[str]:
    return re.findall(r'<section class="failure-group".*?</section>', html, re.S)


def test_signed_out_goes_to_the_login(client, seeded):
    for path in ("/support/issues", "/support/issues/totals_mismatch"):
        response = client.get(path)
        assert response.status_code == 302 and response.location == "/support/login"


def test_the_groups_biggest_first_with_fix_totals_and_connections(viewer, seeded):
    shop, farm, cafe = seeded
    response = page(viewer, "/support/issues")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    first, second = sections(html)

    assert "missing_setting/map_revenue_account_domestic" in first
    assert (
        'href="/support/issues/missing_setting/map_revenue_account_domestic"' in first
    )  # the key in the URL as it is
    fix = re.search(r'<dd class="fix">(.*?)</dd>', first, re.S).group(1)
    assert fix.startswith("Map product group Seeds for the Domestic zone")  # the newest's
    assert re.search(r'<dd class="total">3</dd>', first)
    assert re.search(r'<dd class="affected">2</dd>', first)
    rows = re.findall(
        r"<tr>\s*<td><a href=\"([^\"]+)\">([^<]+)</a></td>\s*<td>(\d+)</td>\s*"
        r"<td>(\d+)</td>",
        first,
    )
    assert rows == [
        (f"/support/connections/{shop.id}", "Shop ApS", str(shop.rackbeat_account_id), "2"),
        (f"/support/connections/{farm.id}", "Farm &lt;A/S&gt;", str(farm.rackbeat_account_id), "1"),
    ]

    assert "totals_mismatch" in second and "Cafe I/S" in second
    assert re.search(r'<dd class="total">1</dd>', second)  # the superseded one is not open
    assert "As the message says." in second
    assert "The totals in Dinero differ from Rackbeat" in second
    assert 'href="/support/connections"' in html  # the navigation


def test_one_group_with_all_its_connections(viewer, seeded):
    shop, farm, _ = seeded
    response = page(viewer, "/support/issues/missing_setting/map_revenue_account_domestic")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Shop ApS" in html and "Farm &lt;A/S&gt;" in html and "Cafe I/S" not in html
    assert f'href="/support/connections/{farm.id}"' in html


def test_no_failures_says_so(viewer):
    html = page(viewer, "/support/issues").get_data(as_text=True)
    assert 'id="no-issues"' in html and not sections(html)


@pytest.mark.parametrize(
    "key",
    ["a/b/c", "totals mismatch", "%3Cscript%3E", "x" * 200, "missing_setting/", "a;b"],
)
def test_a_key_that_cannot_be_a_group_is_refused(viewer, seeded, key):
    response = page(viewer, f"/support/issues/{key}")
    assert response.status_code == 400
    assert "not the key of a failure group" in response.get_data(as_text=True)


def test_a_malformed_key_is_a_400_and_an_unknown_one_a_404(viewer, seeded):
    assert page(viewer, "/support/issues/a/b/c").status_code == 400
    unknown = page(viewer, "/support/issues/missing_setting/map_unit")
    assert unknown.status_code == 404
    assert "No open failures have this cause now" in unknown.get_data(as_text=True)
