"""The support login: password, TOTP (and its enrolment), forced password change, idle expiry,
roles, CSRF, the staff cookie, and an audit entry for every step."""

import json
import re
import time

import pytest
import sqlalchemy as sa

from rackdinero_app import create_app
from rackdinero_app.extensions import db
from rackdinero_app.models.enums import ActorType
from rackdinero_app.support import session as staff_session
from rackdinero_app.support.auth import staff_required
from tests.foundation.production import PRODUCTION_SETTINGS
from tests.support.staff_login import STRONG_PASSWORD
from tests.support.staff_login import actions
from tests.support.staff_login import audit_entries
from tests.support.staff_login import code_for
from tests.support.staff_login import csrf_token
from tests.support.staff_login import fresh_request
from tests.support.staff_login import post_code
from tests.support.staff_login import post_login
from tests.support.staff_login import post_password
from tests.support.staff_login import reload
from tests.support.staff_login import wrong_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_a_viewer_signs_in_with_the_password(client, make_staff):
    staff, _ = make_staff("viewer@v.example", ready=True)
    response = post_login(client, "Viewer@V.example", STRONG_PASSWORD)
    assert response.status_code == 302 and response.location == "/support/"
    fresh_request()
    page = client.get("/support/").get_data(as_text=True)
    assert "viewer@v.example" in page and "viewer" in page
    assert reload(staff).last_login_at is not None
    (entry,) = audit_entries("staff.login")
    assert (entry.actor, entry.actor_type, entry.connection_id) == (
        "viewer@v.example",
        ActorType.STAFF,
        None,
    )
    assert entry.details["address"] == "127.0.0.1"


def test_a_wrong_password_is_refused_and_audited(client, make_staff):
    make_staff("viewer@v.example", ready=True)
    response = post_login(client, "viewer@v.example", "wrong password!")
    assert response.status_code == 401
    assert "e-mail address or the password is not right" in response.get_data(as_text=True)
    unknown = post_login(client, "nobody@v.example", "wrong password!")
    assert unknown.status_code == 401
    assert client.get("/support/").status_code == 302
    failed = audit_entries("staff.login_failed")
    assert [(e.actor, e.details["step"]) for e in failed] == [
        ("viewer@v.example", "password"),
        ("nobody@v.example", "password"),
    ]
    assert "wrong password!" not in json.dumps([e.details for e in failed])


def test_an_operator_needs_the_code_and_a_code_works_once(client, make_staff):
    staff, _ = make_staff("op@v.example", "operator", ready=True, totp=SECRET)
    response = post_login(client, "op@v.example", STRONG_PASSWORD)
    assert response.location == "/support/login/code"
    assert client.get("/support/").status_code == 302  # the password alone is not enough
    assert post_code(client, "/support/login/code", wrong_code(SECRET)).status_code == 401
    code = code_for(SECRET)
    assert post_code(client, "/support/login/code", code).location == "/support/"
    fresh_request()
    assert "operator" in client.get("/support/").get_data(as_text=True)

    client.post("/support/logout", data={"csrf_token": csrf_token(client, "/support/")})
    post_login(client, "op@v.example", STRONG_PASSWORD)
    assert post_code(client, "/support/login/code", code).status_code == 401  # no replay
    steps = [e.details["step"] for e in audit_entries("staff.login_failed")]
    assert steps == ["code", "code"]
    assert [a for a, _ in actions() if a != "staff.added"] == [
        "staff.login_failed",
        "staff.login",
        "staff.logout",
        "staff.login_failed",
    ]


def test_an_operator_enrols_then_changes_the_one_time_password(client, make_staff):
    staff, one_time = make_staff("new-op@v.example", "operator")
    assert post_login(client, "new-op@v.example", one_time).location == "/support/login/enrol"
    fresh_request()
    page = client.get("/support/login/enrol").get_data(as_text=True)
    secret = re.search(r"Key: <code>([A-Z2-7]+)</code>", page)[1]
    assert "otpauth://totp/" in page and f"secret={secret}" in page
    assert "<img" not in page  # no QR image from an outside service
    assert post_code(client, "/support/login/enrol", wrong_code(secret)).status_code == 401
    assert reload(staff).totp_secret is None
    response = post_code(client, "/support/login/enrol", code_for(secret))
    assert response.location == "/support/password"
    assert client.get("/support/").status_code == 302  # not before the new password
    assert post_password(client, STRONG_PASSWORD).location == "/support/"
    fresh_request()
    assert client.get("/support/").status_code == 200

    staff = reload(staff)
    assert staff.totp_secret == secret and not staff.must_change_password
    raw = db.session.execute(sa.text("SELECT totp_secret FROM staff_users")).scalar_one()
    assert secret not in raw  # encrypted at rest
    assert [a for a, _ in actions()] == [
        "staff.added",
        "staff.login_failed",
        "staff.totp_enrolled",
        "staff.password_changed",
        "staff.login",
    ]
    details = json.dumps([e.details for e in audit_entries("staff.totp_enrolled")])
    assert secret not in details and one_time not in details


def test_the_password_change_checks_length_and_confirmation(client, make_staff):
    make_staff("v@v.example")
    _, one_time = make_staff("w@v.example")
    post_login(client, "w@v.example", one_time)
    assert post_password(client, "elevenchars").status_code == 400
    assert post_password(client, STRONG_PASSWORD, "something else").status_code == 400
    assert post_password(client, one_time).status_code == 400
    assert "staff.password_changed" not in [a for a, _ in actions()]


def test_an_idle_session_ends(app, client, make_staff):
    make_staff("v@v.example", ready=True)
    post_login(client, "v@v.example", STRONG_PASSWORD)
    fresh_request()
    assert client.get("/support/").status_code == 200
    idle = app.config["SUPPORT_SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction("/support/") as staff_cookie:
        staff_cookie[staff_session.SEEN] = int(time.time()) - idle + 60
    fresh_request()
    assert client.get("/support/").status_code == 200  # still within the idle time
    with client.session_transaction("/support/") as staff_cookie:
        staff_cookie[staff_session.SEEN] = int(time.time()) - idle - 1
    fresh_request()
    response = client.get("/support/")
    assert response.status_code == 302 and response.location == "/support/login"
    fresh_request()
    assert "inactivity" in client.get("/support/login").get_data(as_text=True)
    fresh_request()
    assert client.get("/support/").status_code == 302


def test_an_embedded_session_token_never_signs_in(client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345)
    token = open_session(12345)
    for path in ("/support/", "/support/password", "/support/login/code"):
        response = client.get(path, query_string={"s": token})
        assert response.status_code == 302 and response.location == "/support/login"
    response = client.post("/support/logout", query_string={"s": token}, data={"s": token})
    assert response.status_code == 400  # no CSRF token of the staff session


def test_an_operator_only_route_refuses_a_viewer(app, client, make_staff):
    @app.get("/support/test-operator-only")
    @staff_required("operator")
    def operator_only():
        return "acted"

    make_staff("v@v.example", ready=True)
    make_staff("op@v.example", "operator", ready=True, totp=SECRET)
    post_login(client, "v@v.example", STRONG_PASSWORD)
    fresh_request()
    assert client.get("/support/test-operator-only").status_code == 403
    client.post("/support/logout", data={"csrf_token": csrf_token(client, "/support/")})
    post_login(client, "op@v.example", STRONG_PASSWORD)
    post_code(client, "/support/login/code", code_for(SECRET))
    fresh_request()
    assert client.get("/support/test-operator-only").get_data(as_text=True) == "acted"


def test_the_role_of_a_route_must_exist():
    with pytest.raises(ValueError):
        staff_required("admin")


def test_the_login_form_needs_its_csrf_token(client, make_staff):
    make_staff("v@v.example", ready=True)
    response = client.post(
        "/support/login", data={"email": "v@v.example", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/support/").status_code == 302
    assert [a for a, _ in actions()] == ["staff.added"]


def test_logout_needs_its_csrf_token_and_is_audited(client, make_staff):
    make_staff("v@v.example", ready=True)
    post_login(client, "v@v.example", STRONG_PASSWORD)
    assert client.post("/support/logout").status_code == 400
    fresh_request()
    assert client.get("/support/").status_code == 200
    client.post("/support/logout", data={"csrf_token": csrf_token(client, "/support/")})
    fresh_request()
    assert client.get("/support/").status_code == 302
    assert audit_entries("staff.logout")[0].actor == "v@v.example"


def test_the_staff_cookie_is_its_own_and_strict(client):
    fresh_request()
    response = client.get("/support/login")
    (header,) = [
        h
        for h in response.headers.getlist("Set-Cookie")
        if h.startswith(staff_session.COOKIE_NAME + "=")
    ]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/support" in header
    assert "Secure" not in header  # the tests and the demo run on plain HTTP


def test_in_production_the_staff_cookie_is_secure(app_config, redis):
    production = create_app({**app_config, **PRODUCTION_SETTINGS})
    response = production.test_client().get("/support/login")
    (header,) = [
        h
        for h in response.headers.getlist("Set-Cookie")
        if h.startswith(staff_session.COOKIE_NAME + "=")
    ]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Strict" in header
