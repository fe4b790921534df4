"""``flask support add-staff`` and ``disable-staff``: accounts, one-time passwords, audit."""

import json

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import StaffUser
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import StaffRole
from tests.support.staff_login import STRONG_PASSWORD
from tests.support.staff_login import csrf_token
from tests.support.staff_login import post_login
from tests.support.staff_login import post_password


def added_password(output: str) -> str:
    return output.splitlines()[1].strip()


def test_add_staff_prints_a_one_time_password_that_must_be_changed(runner, client):
    result = runner.invoke(
        args=["support", "add-staff", "Ida@Vendor.example", "--role", "viewer", "--name", "Ida"]
    )
    assert result.exit_code == 0, result.output
    password = added_password(result.output)
    staff = db.session.scalar(sa.select(StaffUser))
    assert (staff.email, staff.name, staff.role) == ("ida@vendor.example", "Ida", StaffRole.VIEWER)
    assert staff.must_change_password and staff.disabled_at is None
    # argon2, never the password itself
    assert staff.password_hash.startswith("$argon2id$") and password not in staff.password_hash

    response = post_login(client, "ida@vendor.example", password)
    assert response.status_code == 302 and response.location.endswith("/support/password")
    assert client.get("/support/").status_code == 302  # not signed in before the change
    assert post_password(client, password).status_code == 400  # the one-time password again
    assert post_password(client, "short").status_code == 400
    assert post_password(client, STRONG_PASSWORD).location.endswith("/support/")
    assert "Ida" in client.get("/support/").get_data(as_text=True)

    client.post("/support/logout", data={"csrf_token": csrf_token(client, "/support/")})
    assert post_login(client, "ida@vendor.example", password).status_code == 401  # used up
    assert post_login(client, "ida@vendor.example", STRONG_PASSWORD).status_code == 302


def test_adding_an_existing_email_is_a_clear_error(runner):
    assert (
        runner.invoke(args=["support", "add-staff", "a@v.example", "--role", "viewer"]).exit_code
        == 0
    )
    again = runner.invoke(args=["support", "add-staff", "A@v.example", "--role", "operator"])
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 1


def test_unknown_role_is_refused(runner):
    result = runner.invoke(args=["support", "add-staff", "a@v.example", "--role", "admin"])
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 0


def test_disable_staff_stops_sign_in_and_ends_the_open_session(runner, client, make_staff):
    make_staff("v@v.example", ready=True)
    assert post_login(client, "v@v.example", STRONG_PASSWORD).status_code == 302
    assert client.get("/support/").status_code == 200

    result = runner.invoke(args=["support", "disable-staff", "v@v.example"])
    assert result.exit_code == 0, result.output
    assert client.get("/support/").status_code == 302
    assert post_login(client, "v@v.example", STRONG_PASSWORD).status_code == 401
    missing = runner.invoke(args=["support", "disable-staff", "nobody@v.example"])
    assert missing.exit_code != 0 and "no staff account" in missing.output


def test_cli_actions_are_audited_without_the_password(runner):
    result = runner.invoke(args=["support", "add-staff", "o@v.example", "--role", "operator"])
    password = added_password(result.output)
    runner.invoke(args=["support", "disable-staff", "o@v.example"])
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["staff.added", "staff.disabled"]
    for entry in entries:
        assert entry.actor_type == ActorType.STAFF and entry.connection_id is None
        assert entry.actor.startswith("cli")
        assert entry.details["staff"] == "o@v.example"
        assert password not in json.dumps(entry.details)
    assert entries[0].details["role"] == "operator"


def test_demo_commands_only_in_the_demo(runner):
    assert runner.invoke(args=["support", "demo-staff"]).exit_code != 0
    assert runner.invoke(args=["support", "demo-code"]).exit_code != 0
