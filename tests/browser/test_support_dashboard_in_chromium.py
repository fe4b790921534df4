"""The support dashboard in a real browser: an operator signs in with password and one-time
code, finds the connection whose invoice failed on a missing revenue account through its
issue group, maps the account on the customer's behalf with a reason, retries, and sees the
transfer succeed, the audit entries and the chart. Screenshots in test-output/."""

from __future__ import annotations

import time

import pyotp
import sqlalchemy as sa
from playwright.sync_api import expect

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import StaffRole
from rackdinero_app.models.enums import TransferState
from rackdinero_app.support import accounts
from sandbox.demo_support import seed
from tests.e2e.transfers_setup import wait_for_transfers
from tests.support.staff_login import STRONG_PASSWORD

OPERATOR = "operator@support.example"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"
REASON_FIX = "Customer asked for assisted setup: revenue account for gift cards"
REASON_RETRY = "Mapping fixed, sending the failed invoice again"


def an_operator(app) -> None:
    with app.app_context():
        staff, _ = accounts.add_staff(OPERATOR, StaffRole.OPERATOR, None, "test")
        staff.password_hash = accounts._hasher.hash(STRONG_PASSWORD)
        staff.must_change_password = False
        staff.totp_secret = TOTP_SECRET
        db.session.commit()


def invoice_transfer(app) -> Transfer:
    with app.app_context():
        return db.session.scalars(
            sa.select(Transfer).where(Transfer.kind == EntityKind.CUSTOMER_INVOICE)
        ).one()


def wait_until_succeeded(app, timeout: float = 30) -> Transfer:
    deadline = time.monotonic() + timeout
    while (transfer := invoice_transfer(app)).state != TransferState.SUCCEEDED:
        assert time.monotonic() < deadline, (transfer.state, transfer.message)
        time.sleep(0.2)
    return transfer


def test_an_operator_fixes_a_mapping_and_retries_from_the_dashboard(page, stack, screenshot_path):
    connection_id = seed(stack.app, stack.app_url, stack.rackbeat_url)
    with stack.app.app_context():
        wait_for_transfers(1)
    failed = invoice_transfer(stack.app)
    assert failed.state == TransferState.FAILED, failed.message
    an_operator(stack.app)

    page.goto(f"{stack.app_url}/support/login")
    page.get_by_label("E-mail").fill(OPERATOR)
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(pyotp.TOTP(TOTP_SECRET).now())
    page.get_by_role("button", name="Continue").click()
    row = page.locator("tr", has_text="Anden Butik ApS")
    expect(row).to_contain_text("1")  # one failure in the last 24 h
    page.screenshot(path=screenshot_path("support-connections.png"), full_page=True)

    page.get_by_role("link", name="Issues").click()
    group = page.locator(".failure-group", has_text="Revenue accounts")
    expect(group).to_contain_text('Map product group "Services" (2) for the Domestic zone')
    group.locator("h2 a").click()
    expect(page.locator(".group-connections")).to_contain_text("Anden Butik ApS")
    page.screenshot(path=screenshot_path("support-issue-group.png"), full_page=True)
    page.get_by_role("link", name="Anden Butik ApS").click()
    expect(page.locator(f"#transfer-{failed.id}")).to_contain_text("failed")

    page.get_by_role("link", name="Edit sales settings").click()
    page.locator("#sales-2-domestic").select_option("1300")
    page.get_by_label("Reason").fill(REASON_FIX)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".notice")).to_contain_text("Settings saved")

    page.locator("form", has_text="Retry all failed transfers").get_by_label("Reason").fill(
        REASON_RETRY
    )
    page.get_by_role("button", name="Retry all failed transfers").click()
    expect(page.locator(".notice")).to_contain_text("queued again")
    transfer = wait_until_succeeded(stack.app)
    page.reload()
    expect(page.locator(f"#transfer-{transfer.id}")).to_contain_text("succeeded")
    audit = page.locator("table.audit")
    expect(audit).to_contain_text("settings.assisted")
    expect(audit).to_contain_text(REASON_FIX)
    expect(audit).to_contain_text("transfers_retried")
    expect(audit).to_contain_text(REASON_RETRY)
    expect(page.locator("svg").first).to_be_visible()
    page.screenshot(path=screenshot_path("support-connection-fixed.png"), full_page=True)

    with stack.app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.connection_id == connection_id,
                AuditEntry.action == "settings.assisted",
            )
        ).one()
        assert (entry.actor, entry.reason) == (OPERATOR, REASON_FIX)
        assert entry.details["changes"] == {
            "revenue_accounts[2/domestic]": {"before": None, "after": 1300}
        }
