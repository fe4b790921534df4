"""Every POST endpoint answers bad input with a 4xx and a clear message, and writes nothing."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

import flask
import flask_babel
import sqlalchemy as sa
from flask_wtf.csrf import generate_csrf

from rackdinero_app.dinero_sign_in import pending as sign_ins
from rackdinero_app.embedded.activation import visma_confirm
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Base
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from tests.support.staff_login import csrf_token


def row_counts() -> dict[str, int]:
    """Rows per table; audit entries apart: a refused staff sign-in is put on record on purpose
    (``audit_actions`` checks that nothing else is)."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
        if table.name != AuditEntry.__tablename__
    }


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def support_cases(client, path: str):
    """The support dashboard's forms: each refuses a post without its CSRF token; the sign-in
    refuses an unknown e-mail and an empty form without saying which was wrong."""
    yield client.post(path, data={"email": "x@example.com", "password": "p"}), "CSRF token is"
    if path == "/support/login":
        token = csrf_token(client, "/support/login")
        data = {"csrf_token": token, "email": "nobody@example.com", "password": "wrong"}
        yield client.post(path, data=data), "The e-mail address or the password is not right."
        token = csrf_token(client, "/support/login")
        yield client.post(path, data={"csrf_token": token}), "is not right"


def webhook_cases(client):
    headers = {
        "Rackbeat-Webhook-Event": "customer.created",
        "Rackbeat-Webhook-Token": "tok",
        "Rackbeat-Account-Id": "12345",
        "Content-Type": "application/json",
    }
    for body, expected in (
        ("{broken", "not valid"),
        ("[]", "not valid"),
        ('{"event": "customer.created"}', "key"),
        ('{"key": 1, "key_name": "number", "event": "supplier.created"}', "event"),
        ('{"key_name": "number", "key": "%s"}' % ("1" * 129), "128 characters"),
    ):
        yield client.post("/webhooks/rackbeat", data=body, headers=headers), expected


def activation_cases(client, session_token, csrf_token):
    for form, expected in (
        ({}, "Indtast den API-nøgle"),
        ({"api_key": "k", "organization_id": "abc"}, "cifre alene"),
        ({"api_key": "k" * 500, "organization_id": "400555"}, "alt for lang"),
        ({"api_key": "", "organization_id": ""}, "Indtast den API-nøgle"),
    ):
        data = {"s": session_token, "csrf_token": csrf_token, **form}
        yield client.post("/embedded/activation", data=data), expected


def settings_cases(client, session_token, csrf_token, url, form):
    """The connection is not activated yet: no settings can be saved, whatever is sent."""
    data = {"s": session_token, "csrf_token": csrf_token, **form}
    yield client.post(url, data=data), "Aktivér integrationen"  # the launch locale is "da"


def retry_cases(client, session_token, csrf_token):
    """Retrying a transfer that does not exist (or is another account's) changes nothing."""
    data = {"s": session_token, "csrf_token": csrf_token}
    yield client.post("/embedded/transfers/999999/retry", data=data), "findes ikke (længere)"
    yield client.post("/embedded/transfers/1/retry", data={"s": session_token}), "Genindlæs siden"


def change_connection_cases(client, installed, active):
    """``installed`` and ``active`` are (session token, CSRF token) of a connection in that state;
    the active one is connected to Dinero company 400555."""
    url = "/embedded/dinero-connection"
    for form, expected in (
        ({}, "Indtast den API-nøgle"),
        ({"api_key": "k", "organization_id": "400 555"}, "cifre alene"),
        ({"api_key": "k" * 500, "organization_id": "400555"}, "alt for lang"),
        ({"api_key": "k", "organization_id": "400777"}, "Sæt flueben for at bekræfte"),
        (
            {"api_key": "k", "organization_id": "400777", "confirm_organization": "400778"},
            "bliver oprettet igen i den nye virksomhed",
        ),
    ):
        data = {"s": active[0], "csrf_token": active[1], **form}
        yield client.post(url, data=data), expected
    data = {"s": installed[0], "csrf_token": installed[1], "api_key": "k", "organization_id": "1"}
    yield client.post(url, data=data), "før du ændrer dens Dinero-forbindelse"


def visma_sign_in_cases(client, installed, active):
    """Start a Visma sign-in: without the form's CSRF token, for a purpose that does not exist,
    or to change the connection of one that is not activated."""
    url = "/embedded/visma-sign-in"
    yield client.post(url, data={"s": installed[0], "purpose": "activation"}), "Genindlæs siden"
    data = {"s": active[0], "csrf_token": active[1], "purpose": "everything"}
    yield client.post(url, data=data), "findes ikke (længere)"
    data = {"s": installed[0], "csrf_token": installed[1], "purpose": "change"}
    yield client.post(url, data=data), "før du ændrer dens Dinero-forbindelse"


def visma_window_cases(app, client):
    """The Visma window's company picker: no CSRF token, an unknown sign-in, one started in
    another browser, no company chosen."""
    with app.test_request_context():
        form_token = generate_csrf()
        raw_token = flask.session["csrf_token"]
    pending = sign_ins.create("activation", "1", "mette", "en")
    _, nonce = sign_ins.start(pending, "verifier")
    pending.status = "choosing"
    pending.organizations = [{"id": 400555, "name": "Demo Lager ApS", "is_pro": True}]
    sign_ins.save(pending)
    with client.session_transaction() as browser:
        browser["csrf_token"] = raw_token
    url = f"/dinero-sign-in/{pending.id}/company"
    yield client.post(url, data={"organization_id": "400555"}), "CSRF token is missing"
    unknown = "/dinero-sign-in/not-a-sign-in/company"
    # No sign-in, so no language of its own: the page speaks the browser's.
    yield client.post(unknown, data={"csrf_token": form_token}), "expired or was already used"
    data = {"csrf_token": form_token, "organization_id": "400555"}
    yield client.post(url, data=data), "started in another browser"
    pending = sign_ins.create("activation", "1", "mette", "en")
    _, nonce = sign_ins.start(pending, "verifier")
    pending.status = "choosing"
    sign_ins.save(pending)
    with client.session_transaction() as browser:
        browser["dinero_sign_in"] = {pending.id: nonce}
    url = f"/dinero-sign-in/{pending.id}/company"
    yield client.post(url, data={"csrf_token": form_token, "organization_id": "x"}), "Choose one"


def confirm_cases(client, url, session):
    """Confirm or cancel connecting Dinero: without the form's CSRF token, or for an attempt
    that does not exist (or is another account's)."""
    yield client.post(url.replace("<attempt_id>", "1"), data={"s": session[0]}), "Genindlæs siden"
    data = {"s": session[0], "csrf_token": session[1]}
    yield client.post(url.replace("<attempt_id>", "unknown"), data=data), "findes ikke (længere)"


def visma_confirm_cases(app, client, url):
    """The Visma window's last question (confirm or cancel): no CSRF token, an unknown sign-in,
    one started in another browser."""
    with app.test_request_context():
        flask.g.pop("csrf_token", None)  # made for the picker's cases, in another session
        form_token = generate_csrf()
        raw_token = flask.session["csrf_token"]
    with client.session_transaction() as browser:
        browser["csrf_token"] = raw_token
        browser.pop("dinero_sign_in", None)
    held = visma_confirm.Confirmation(
        "held-sign-in", "activation", 1, 400555, "Demo Lager ApS", "mette", "en", "0" * 64, None
    )
    rq.redis.set("rackdinero:visma-confirm:held-sign-in", json.dumps(asdict(held)))
    yield client.post(url.replace("<sign_in_id>", "held-sign-in")), "CSRF token is missing"
    data = {"csrf_token": form_token}
    yield client.post(url.replace("<sign_in_id>", "unknown"), data=data), "expired or was"
    yield client.post(url.replace("<sign_in_id>", "held-sign-in"), data=data), "another browser"


def troubleshooting_cases(client, installed, active, url="/embedded/troubleshooting"):
    """A number that is not an invoice number, a kind that does not exist, an inactive
    connection: refused, nothing queued; the preview (PV1) also refuses a Dinero invoice."""
    preview_only = (
        [({"direction": "sales_from_dinero", "number": "1"}, "Kun fakturaer fra Rackbeat")]
        if url.endswith("/preview")
        else []
    )
    for form, expected in (
        ({"direction": "sales_to_dinero"}, "Indtast fakturanummeret"),
        ({"direction": "sales_to_dinero", "number": "10 01"}, "Indtast fakturanummeret"),
        ({"direction": "sales_to_dinero", "number": "x" * 65}, "Indtast fakturanummeret"),
        ({"direction": "everything", "number": "1001"}, "Vælg hvilken slags faktura"),
        *preview_only,
    ):
        yield client.post(url, data={"s": active[0], "csrf_token": active[1], **form}), expected
    data = {"s": installed[0], "csrf_token": installed[1], "number": "1001"}
    yield client.post(url, data=data), "Aktivér integrationen"


def start_sync_cases(client, action, installed, active):
    """Preview, start or cancel a start sync: refused for a connection that is not activated,
    without the form's CSRF token, and for a run that does not exist (or is another's)."""
    url = "/embedded/settings/start-sync/" + ("preview" if action == "preview" else f"1/{action}")
    data = {"s": installed[0], "csrf_token": installed[1]}
    yield client.post(url, data=data), "Aktivér integrationen"
    yield client.post(url, data={"s": active[0]}), "Genindlæs siden"
    if action != "preview":
        data = {"s": active[0], "csrf_token": active[1]}
        url = f"/embedded/settings/start-sync/999999/{action}"
        yield client.post(url, data=data), "findes ikke (længere)"


def invoice_import_cases(client, installed, active):
    """Run now: refused for a connection that is not activated, without the form's CSRF token,
    and while invoices are not set to come from Dinero (nothing is queued)."""
    url = "/embedded/settings/sales/import-now"
    yield client.post(url, data={"s": installed[0], "csrf_token": installed[1]}), "Aktivér"
    yield client.post(url, data={"s": active[0]}), "Genindlæs siden"
    data = {"s": active[0], "csrf_token": active[1]}
    yield client.post(url, data=data), "importeres ikke fra Dinero"


def support_request_cases(client, installed, active):
    """Ask support to set this up: refused for a connection that is not activated, without the
    form's CSRF token, and with a note that is too long (no request is made)."""
    url = "/embedded/support-request"
    yield client.post(url, data={"s": installed[0], "csrf_token": installed[1]}), "Aktivér"
    yield client.post(url, data={"s": active[0]}), "Genindlæs siden"
    data = {"s": active[0], "csrf_token": active[1], "message": "x" * 1001}
    yield client.post(url, data=data), "højst være på 1000 tegn"


def reconciliation_cases(client, action, installed, active):
    """Run a reconciliation or one of its fixes: refused for a connection that is not
    activated, without the form's CSRF token, for a month not offered, and for a run (or a
    line) that does not exist or is another account's."""
    url = "/embedded/reconciliation" + (f"/999999/{action}" if action else "")
    yield client.post(url, data={"s": installed[0], "csrf_token": installed[1]}), "Aktivér"
    yield client.post(url, data={"s": active[0]}), "Genindlæs siden"
    data = {"s": active[0], "csrf_token": active[1]}
    if not action:
        for month in ("", "2019-01", "2026-13", "x" * 300):
            yield client.post(url, data={**data, "month": month}), "Vælg en af månederne"
    else:
        yield client.post(url, data=data), "findes ikke (længere)"


def onboarding_cases(client, action: str = ""):
    """Contract B's onboarding: an unknown (or expired) onboarding, a form without its CSRF
    token, and (for the sign-in form) a missing key and a malformed company ID."""
    begun = client.get("/install/onboarding", query_string={"token": "integration-request-1"})
    url = begun.location + action
    page = client.get(begun.location).get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    unknown = "/install/onboarding/not-an-onboarding" + action
    yield client.post(unknown, data={"csrf_token": csrf_token}), "This installation has expired."
    yield client.post(url, data={"api_key": "k", "organization_id": "1"}), "CSRF token is missing"
    if not action:
        form = {"csrf_token": csrf_token, "api_key": "", "organization_id": "4OO555"}
        yield client.post(url, data=form), "Enter the API key you created in Dinero."


def each_in_a_fresh_context(responses):
    """Each case's request as if it came alone: pytest-flask keeps one app context for the
    whole test, so the previous request's embedded session and cached locale are forgotten."""
    while True:
        flask.g.pop("embedded", None)
        flask_babel.refresh()
        try:
            yield next(responses)
        except StopIteration:
            return


def test_every_post_endpoint_refuses_bad_input(app, client, make_connection, open_session):
    connection = make_connection(rackbeat_account_id=12345, state=ConnectionState.INSTALLED)
    connection.webhook_subscriptions.append(
        WebhookSubscription(event="customer.created", token="tok")
    )
    db.session.commit()
    session_token = open_session(12345)
    page = client.get("/embedded/activation", query_string={"s": session_token})
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    make_connection(rackbeat_account_id=23456, dinero_organization_id=400555)
    active_token = open_session(23456)
    page = client.get("/embedded/dinero-connection", query_string={"s": active_token})
    active_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    before = row_counts()
    audited = audit_actions()

    cases = {
        "/webhooks/rackbeat": webhook_cases(client),
        "/embedded/activation": activation_cases(client, session_token, csrf_token),
        "/embedded/settings/<section>": settings_cases(
            client, session_token, csrf_token, "/embedded/settings/purchase", {"purchase-1-eu": "x"}
        ),
        "/embedded/transfers/<int:transfer_id>/retry": retry_cases(
            client, session_token, csrf_token
        ),
        "/embedded/settings/start-sync": settings_cases(
            client, session_token, csrf_token, "/embedded/settings/start-sync", {"start_sync": "?"}
        ),
        "/embedded/troubleshooting": troubleshooting_cases(
            client, (session_token, csrf_token), (active_token, active_csrf)
        ),
        "/embedded/troubleshooting/preview": troubleshooting_cases(
            client,
            (session_token, csrf_token),
            (active_token, active_csrf),
            "/embedded/troubleshooting/preview",
        ),
        **{
            rule: start_sync_cases(
                client, action, (session_token, csrf_token), (active_token, active_csrf)
            )
            for rule, action in (
                ("/embedded/settings/start-sync/preview", "preview"),
                ("/embedded/settings/start-sync/<int:run_id>/start", "start"),
                ("/embedded/settings/start-sync/<int:run_id>/cancel", "cancel"),
            )
        },
        "/embedded/settings/sales/import-now": invoice_import_cases(
            client, (session_token, csrf_token), (active_token, active_csrf)
        ),
        **{
            rule: reconciliation_cases(
                client, action, (session_token, csrf_token), (active_token, active_csrf)
            )
            for rule, action in (
                ("/embedded/reconciliation", ""),
                ("/embedded/reconciliation/<int:run_id>/send-missing", "send-missing"),
                (
                    "/embedded/reconciliation/<int:run_id>/items/<int:item_id>/delete",
                    "items/1/delete",
                ),
            )
        },
        "/embedded/support-request": support_request_cases(
            client, (session_token, csrf_token), (active_token, active_csrf)
        ),
        "/embedded/dinero-connection": change_connection_cases(
            client, (session_token, csrf_token), (active_token, active_csrf)
        ),
        "/embedded/visma-sign-in": visma_sign_in_cases(
            client, (session_token, csrf_token), (active_token, active_csrf)
        ),
        "/dinero-sign-in/<sign_in_id>/company": visma_window_cases(app, client),
        **{
            rule: visma_confirm_cases(app, client, rule)
            for rule in (
                "/dinero-sign-in/<sign_in_id>/confirm",
                "/dinero-sign-in/<sign_in_id>/cancel",
            )
        },
        **{
            rule: confirm_cases(client, rule, (session_token, csrf_token))
            for rule in (
                "/embedded/activation/<attempt_id>/confirm",
                "/embedded/activation/<attempt_id>/cancel",
            )
        },
        **{
            rule: confirm_cases(client, rule, (active_token, active_csrf))
            for rule in (
                "/embedded/dinero-connection/<attempt_id>/confirm",
                "/embedded/dinero-connection/<attempt_id>/cancel",
            )
        },
        "/install/onboarding/<onboarding_id>": onboarding_cases(client),
        "/install/onboarding/<onboarding_id>/cancel": onboarding_cases(client, "/cancel"),
        "/install/onboarding/<onboarding_id>/visma": onboarding_cases(client, "/visma"),
        **{
            path: support_cases(client, path)
            for path in (
                "/support/login",
                "/support/login/code",
                "/support/login/enrol",
                "/support/password",
                "/support/logout",
            )
        },
        **{
            rule: support_cases(
                client,
                rule.replace("<int:connection_id>", "1")
                .replace("<int:transfer_id>", "1")
                .replace("<int:run_id>", "1")
                .replace("<section>", "sales"),
            )
            for rule in (
                "/support/connections/<int:connection_id>/transfers/<int:transfer_id>/retry",
                "/support/connections/<int:connection_id>/retry-failed",
                "/support/connections/<int:connection_id>/troubleshoot",
                "/support/connections/<int:connection_id>/import-now",
                "/support/connections/<int:connection_id>/pause",
                "/support/connections/<int:connection_id>/resume",
                "/support/connections/<int:connection_id>/start-sync/preview",
                "/support/connections/<int:connection_id>/start-sync/<int:run_id>/start",
                "/support/connections/<int:connection_id>/start-sync/<int:run_id>/cancel",
                "/support/connections/<int:connection_id>/settings/<section>",
                "/support/connections/<int:connection_id>/reconciliation",
                "/support/connections/<int:connection_id>/reconciliation/<int:run_id>/send-missing",
            )
        },
        "/support/requests/<int:request_id>/state": support_cases(
            client, "/support/requests/1/state"
        ),
    }
    post_rules = {r.rule for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert post_rules == set(cases), "every POST endpoint needs bad-input cases here"

    for url, responses in cases.items():
        for response, expected in each_in_a_fresh_context(responses):
            body = response.get_data(as_text=True)
            assert 400 <= response.status_code < 500, (url, response.status_code, body)
            assert expected in body, (url, body)
            assert "Traceback" not in body
    assert row_counts() == before
    added = audit_actions()[len(audited) :]
    assert set(added) == {"staff.login_failed"}, added
    assert rq.queue().count == 0
