"""The bad-input catalogue (issues 13, 14): malformed and hostile requests across install,
launch, activation, settings, troubleshooting, the preview, the reconciliation, webhooks and
the support dashboard. Each is answered with a clear 4xx — in the page's language (the demo
account's user reads Danish), as JSON for webhooks, in English on the staff pages — writes
nothing, queues nothing, and logs no secret.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import flask
import flask_babel
import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Base
from rackdinero_app.models import Transfer
from rackdinero_app.models import WebhookSubscription
from tests.support.staff_login import STRONG_PASSWORD
from tests.support.staff_login import csrf_token as staff_csrf
from tests.support.staff_login import fresh_request
from tests.support.staff_login import make_staff  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import operator  # noqa: F401  (a fixture)
from tests.transfers.conftest import ACCOUNT_ID
from tests.transfers.conftest import DINERO_API_KEY
from tests.transfers.conftest import app_config  # noqa: F401  (a fixture)
from tests.transfers.conftest import connection  # noqa: F401  (a fixture)
from tests.transfers.conftest import sandboxes  # noqa: F401  (a fixture)

pytestmark = pytest.mark.redis
INJECTION = "1001'; DROP TABLE transfers; --"
RTL_OVERRIDE = "\u202e1001"
HUGE = "9" * 40


@dataclass(frozen=True)
class Case:
    name: str
    send: Callable  # (Context) -> response
    expect: str  # text the answer must contain
    kind: str = "da"  # "da": a Danish page, "json", "en": an English staff page


@dataclass
class Context:
    client: flask.testing.FlaskClient
    s: str
    csrf: str
    connection_id: int
    staff_csrf: str
    transfer_id: int

    def embedded(self, path: str, **form):
        return self.client.post(path, data={"s": self.s, "csrf_token": self.csrf, **form})

    def staff(self, path: str, **form):
        return self.client.post(path, data={"csrf_token": self.staff_csrf, **form})

    def webhook(self, body, *, event="customer.created", token=None, account=ACCOUNT_ID, raw=None):
        headers = {
            "Rackbeat-Webhook-Event": event,
            "Rackbeat-Webhook-Token": token if token is not None else f"tok-{event}",
            "Rackbeat-Account-Id": str(account),
            "Content-Type": "application/json",
        }
        data = raw if raw is not None else json.dumps(body)
        return self.client.post("/webhooks/rackbeat", data=data, headers=headers)


def settings(ctx: Context, section: str, **fields):
    """The sales page's saved form, changed by ``fields`` (a save sends every field)."""
    page = ctx.client.get(f"/embedded/settings/{section}", query_string={"s": ctx.s})
    html = page.get_data(as_text=True)
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    for select, chosen in re.findall(
        r'<select[^>]*name="([^"]+)".*?<option[^>]*value="([^"]*)"[^>]*selected', html, re.S
    ):
        form.setdefault(select, chosen)
    form.pop("s", None)
    form.pop("csrf_token", None)
    return ctx.embedded(f"/embedded/settings/{section}", **{**form, **fields})


CASES = [
    # Install (contract A) and its callback.
    Case(
        "install: non-ASCII hmac",
        lambda c: c.client.get(
            "/install", query_string={"account_id": "12345", "timestamp": "1", "hmac": "å" * 64}
        ),
        "install link is incomplete",
        "en",
    ),
    Case(
        "install: no timestamp",
        lambda c: c.client.get("/install", query_string={"account_id": "12345", "hmac": "0" * 64}),
        "not signed by Rackbeat",
        "en",
    ),
    Case(
        "install: huge account id",
        lambda c: c.client.get(
            "/install", query_string={"account_id": HUGE, "timestamp": "1", "hmac": "0" * 64}
        ),
        "not signed by Rackbeat",
        "en",
    ),
    Case(
        "install: forged callback state",
        lambda c: c.client.get("/install/callback", query_string={"state": "x", "code": "y"}),
        "",
        "any",
    ),
    # Launch and the session.
    Case(
        "launch: garbage token",
        lambda c: c.client.get("/embedded/launch", query_string={"launch": "not.a.jwt"}),
        "Rackbeat",
        "any",
    ),
    Case(
        "session: forged s",
        lambda c: c.client.get("/embedded/", query_string={"s": "forged-session-token"}),
        "Rackbeat",
        "any",
    ),
    Case(
        "session: another browser's s",
        lambda c: c.client.application.test_client().get("/embedded/", query_string={"s": c.s}),
        "Rackbeat",
        "any",
    ),
    # Activation (change of connection, the activated account's form).
    Case(
        "activation: letters as company id",
        lambda c: c.embedded(
            "/embedded/dinero-connection", api_key="k" * 32, organization_id="abc"
        ),
        "",
        "da",
    ),
    Case(
        "activation: negative company id",
        lambda c: c.embedded(
            "/embedded/dinero-connection", api_key="k" * 32, organization_id="-400555"
        ),
        "",
        "da",
    ),
    Case(
        "activation: injection as company id",
        lambda c: c.embedded(
            "/embedded/dinero-connection", api_key="k" * 32, organization_id=INJECTION
        ),
        "",
        "da",
    ),
    Case(
        "activation: no CSRF token",
        lambda c: c.client.post(
            "/embedded/dinero-connection",
            data={"s": c.s, "api_key": "k" * 32, "organization_id": "400555"},
        ),
        "Genindlæs siden",
        "da",
    ),
    Case(
        "activation: 3 MB body",
        lambda c: c.client.post(
            f"/embedded/dinero-connection?s={c.s}",
            data={"csrf_token": c.csrf, "api_key": "k" * 3_000_000, "organization_id": "1"},
        ),
        "",
        "da",
    ),
    # Settings.
    Case(
        "settings: an account that is no number",
        lambda c: settings(c, "sales", inventory_account="1000; DROP TABLE settings"),
        "",
        "da",
    ),
    Case(
        "settings: a negative account",
        lambda c: settings(c, "sales", inventory_account="-5800"),
        "",
        "da",
    ),
    Case(
        "settings: a huge account", lambda c: settings(c, "sales", inventory_account=HUGE), "", "da"
    ),
    Case(
        "settings: a unit Dinero does not have",
        lambda c: settings(c, "units", **{"unit-1": "<script>alert(1)</script>"}),
        "",
        "da",
    ),
    Case(
        "settings: an unknown section", lambda c: c.embedded("/embedded/settings/secrets"), "", "da"
    ),
    # Troubleshooting.
    Case(
        "troubleshooting: injection as number",
        lambda c: c.embedded(
            "/embedded/troubleshooting", number=INJECTION, direction="sales_to_dinero"
        ),
        "",
        "da",
    ),
    Case(
        "troubleshooting: a negative number",
        lambda c: c.embedded(
            "/embedded/troubleshooting", number="-1001", direction="sales_to_dinero"
        ),
        "",
        "da",
    ),
    Case(
        "troubleshooting: Arabic-Indic digits",
        lambda c: c.embedded(
            "/embedded/troubleshooting", number="١٠٠١", direction="sales_to_dinero"
        ),
        "",
        "da",
    ),
    Case(
        "troubleshooting: right-to-left override",
        lambda c: c.embedded(
            "/embedded/troubleshooting", number=RTL_OVERRIDE, direction="sales_to_dinero"
        ),
        "",
        "da",
    ),
    Case(
        "troubleshooting: an unknown kind",
        lambda c: c.embedded("/embedded/troubleshooting", number="1001", direction="sideways"),
        "",
        "da",
    ),
    # The dry run (PV1) and the reconciliation (RC1).
    Case(
        "preview: injection as number",
        lambda c: c.embedded(
            "/embedded/troubleshooting/preview", number=INJECTION, direction="sales_to_dinero"
        ),
        "",
        "da",
    ),
    Case(
        "preview: a Dinero invoice",
        lambda c: c.embedded(
            "/embedded/troubleshooting/preview", number="1001", direction="sales_from_dinero"
        ),
        "",
        "da",
    ),
    Case(
        "reconciliation: a month that does not exist",
        lambda c: c.embedded("/embedded/reconciliation", month="2026-13"),
        "",
        "da",
    ),
    Case(
        "reconciliation: Arabic-Indic digits as month",
        lambda c: c.embedded("/embedded/reconciliation", month="٢٠٢٦-١٠"),
        "",
        "da",
    ),
    Case(
        "reconciliation: a month years back",
        lambda c: c.embedded("/embedded/reconciliation", month="1999-01"),
        "",
        "da",
    ),
    Case(
        "reconciliation: another account's report",
        lambda c: c.embedded("/embedded/reconciliation/999999/send-missing"),
        "",
        "da",
    ),
    Case(
        "transfer log: page beyond the last",
        lambda c: c.client.get("/embedded/transfers", query_string={"s": c.s, "page": HUGE}),
        "",
        "da",
    ),
    # Webhooks.
    Case("webhook: not JSON", lambda c: c.webhook(None, raw="{broken"), "not valid", "json"),
    Case(
        "webhook: key of the wrong type",
        lambda c: c.webhook({"key": ["1001"]}),
        "not valid",
        "json",
    ),
    Case("webhook: empty key", lambda c: c.webhook({"key": ""}), "not valid", "json"),
    Case(
        "webhook: key longer than 128", lambda c: c.webhook({"key": "9" * 129}), "not valid", "json"
    ),
    Case(
        "webhook: another account's id",
        lambda c: c.webhook({"key": "1"}, account=ACCOUNT_ID + 1),
        "not valid for this account",
        "json",
    ),
    Case(
        "webhook: replayed with a wrong token",
        lambda c: c.webhook({"key": "1"}, token="tok-x"),
        "not valid for this account",
        "json",
    ),
    Case(
        "webhook: unknown event",
        lambda c: c.webhook({"key": "1"}, event="invoice.paid"),
        "not one this app subscribes to",
        "json",
    ),
    Case(
        "webhook: 100 KB body",
        lambda c: c.webhook({"key": "1", "data": {"x": "y" * 100_000}}),
        "",
        "json",
    ),
    # The support dashboard (signed in as an operator).
    Case(
        "support: retry another connection's transfer",
        lambda c: c.staff(
            f"/support/connections/{c.connection_id + 1}/transfers/{c.transfer_id}/retry",
            reason="test",
        ),
        "",
        "en",
    ),
    Case(
        "support: a reason over 500 characters",
        lambda c: c.staff(f"/support/connections/{c.connection_id}/pause", reason="r" * 501),
        "at most 500",
        "en",
    ),
    Case(
        "support: injection as search",
        lambda c: c.client.get("/support/connections", query_string={"q": "x" * 300}),
        "at most",
        "en",
    ),
    Case(
        "support: page out of range",
        lambda c: c.client.get(
            f"/support/connections/{c.connection_id}", query_string={"page": "-1"}
        ),
        "page number",
        "en",
    ),
    Case(
        "support: unknown request state",
        lambda c: c.staff("/support/requests/1/state", state="hacked", reason="test"),
        "",
        "en",
    ),
    Case(
        "support: preview with an unknown kind",
        lambda c: c.client.get(
            f"/support/connections/{c.connection_id}/preview",
            query_string={"number": "1001", "direction": "sideways"},
        ),
        "",
        "en",
    ),
    Case(
        "support: reconciliation of a month not offered",
        lambda c: c.staff(
            f"/support/connections/{c.connection_id}/reconciliation", month="2026-00", reason="t"
        ),
        "",
        "en",
    ),
    Case(
        "support: assisted setup with a letter account",
        lambda c: c.staff(
            f"/support/connections/{c.connection_id}/settings/sales",
            reason="test",
            inventory_account="abc",
        ),
        "",
        "en",
    ),
]


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def context(client, connection, open_session, operator):  # noqa: F811
    for event in ("customer.created", "customer_invoice.booked"):
        connection.webhook_subscriptions.append(
            WebhookSubscription(event=event, token=f"tok-{event}")
        )
    transfer = Transfer(
        connection_id=connection.id,
        kind="customer_invoice",
        direction="rackbeat_to_dinero",
        source_key="1001",
        idempotency_key="test:1001",
        state="failed",
    )
    db.session.add(transfer)
    db.session.commit()
    s = open_session(ACCOUNT_ID)
    page = client.get("/embedded/troubleshooting", query_string={"s": s}).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    return Context(
        client, s, csrf, connection.id, staff_csrf(client, "/support/connections"), transfer.id
    )


def test_the_catalogue_is_at_least_thirty_cases_across_every_surface():
    assert len(CASES) >= 30
    areas = {case.name.split(":")[0] for case in CASES}
    assert {"install", "launch", "activation", "settings", "troubleshooting", "webhook"} <= areas
    assert "support" in areas


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(case, context, caplog):
    caplog.set_level(logging.DEBUG)
    before = row_counts()
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    fresh_request()
    flask.g.pop("embedded", None)
    flask_babel.refresh()

    response = case.send(context)

    body = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (response.status_code, body[:500])
    assert "Traceback" not in body
    assert case.expect in body, body[:2000]
    if case.kind == "json":
        assert response.is_json and "error" in response.json, body[:500]
    elif case.kind == "da":
        assert '<html lang="da"' in body, body[:300]
    elif case.kind == "en":
        assert '<html lang="en"' in body, body[:300]
    else:  # no session yet: the browser's language, but always a page of ours
        assert "<html lang=" in body, body[:300]
    db.session.rollback()
    db.session.expire_all()
    assert row_counts() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audited
    assert rq.queue().count == 0
    secrets = (DINERO_API_KEY, STRONG_PASSWORD, context.s, "tok-customer.created")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [secret for secret in secrets if secret in logged]
