"""The settings pages over HTTP, filled from the live sandboxes."""

from __future__ import annotations

import re

from rackdinero_app.setup.sources import ACCOUNTS_CACHE_SECONDS
from sandbox.dinero import state


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def open_page(stack, browser, session, section):
    return browser.get(f"{stack.app_url}/embedded/settings/{section}", params={"s": session})


def test_the_lists_come_from_both_sandboxes(stack, browser, active_session):
    purchase = open_page(stack, browser, active_session, "purchase").text
    assert '<option value="2050" >2050 – Varekøb EU</option>' in purchase
    assert "Finished goods" in purchase and "Raw materials" in purchase
    units = open_page(stack, browser, active_session, "units").text
    assert ">timer</label>" in units and ">Standard (English)</label>" in units


def test_an_account_deleted_in_dinero_is_flagged_on_the_next_visit(
    stack, browser, active_session, redis
):
    page = open_page(stack, browser, active_session, "purchase")
    form = {
        "s": active_session,
        "csrf_token": csrf_of(page.text),
        "supplier_invoice_status": "draft",
        "purchase-1-domestic": "2000",
        "purchase-1-eu": "2050",
        "purchase-1-abroad": "2150",
    }
    saved = browser.post(f"{stack.app_url}/embedded/settings/purchase", data=form)
    assert 'id="settings-saved"' in saved.text
    assert 'id="purchase-1-eu-error"' not in saved.text

    with stack.dinero.app_context():
        del state.current().organizations[400555].accounts[2050]
    assert ACCOUNTS_CACHE_SECONDS <= 60
    redis.delete(*redis.keys("rackdinero:settings:accounts:*"))  # the minute's cache has passed

    again = open_page(stack, browser, active_session, "purchase").text
    assert 'id="purchase-1-eu-error"' in again
    assert "2050" in re.search(r'id="purchase-1-eu-error">([^<]+)<', again).group(1)
