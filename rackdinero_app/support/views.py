"""The support login: password, then (operators) a one-time code or its enrolment, then (first
sign-in) a new password, then the landing page. Staff pages are in English only.

Every step writes an audit entry; wrong passwords and wrong codes count against the limits.
"""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from rackdinero_app import crypto
from rackdinero_app.extensions import db
from rackdinero_app.models import StaffUser
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import StaffRole
from rackdinero_app.support import accounts
from rackdinero_app.support import bp
from rackdinero_app.support import limits
from rackdinero_app.support import session as staff_session
from rackdinero_app.support.auth import check_idle
from rackdinero_app.support.auth import staff_required
from rackdinero_app.support.connections import connection_list

WRONG_LOGIN = "The e-mail address or the password is not right."
WRONG_CODE = "That code is not right (or was already used). Try the next one."


@bp.before_request
def before_every_request():
    check_idle()


@bp.get("/")
@staff_required()
def home():
    """The landing page after the login: the first page of connections."""
    return connection_list()


@bp.route("/login", methods=["GET", "POST"])
@limits.login_limits
def login():
    if request.method == "GET":
        return render_template("support/login.html")
    email = request.form.get("email", "")
    staff = accounts.find(email) if email.strip() else None
    if not accounts.check_password(staff, request.form.get("password", "")):
        return _refused(staff, email, "password", "support/login.html", WRONG_LOGIN)
    staff_session.begin(staff.id, _step_after_password(staff))
    return _to_step()


@bp.route("/login/code", methods=["GET", "POST"])
@limits.code_limits
def code():
    staff = _pending("code")
    if staff is None:
        return redirect(url_for("support.login"))
    if request.method == "GET":
        return render_template("support/code.html")
    if not accounts.accept_code(staff, staff.totp_secret, request.form.get("code", "")):
        return _refused(staff, staff.email, "code", "support/code.html", WRONG_CODE)
    return _after_code(staff)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limits.code_limits
def enrol():
    staff = _pending("enrol")
    if staff is None:
        return redirect(url_for("support.login"))
    secret = _enrol_secret()
    page = {"secret": secret, "uri": accounts.provisioning_uri(staff, secret)}
    if request.method == "GET":
        return render_template("support/enrol.html", **page)
    if not accounts.accept_code(staff, secret, request.form.get("code", "")):
        return _refused(staff, staff.email, "enrol", "support/enrol.html", WRONG_CODE, **page)
    staff.totp_secret = secret
    accounts.record(staff, "staff.totp_enrolled")
    return _after_code(staff)


@bp.route("/password", methods=["GET", "POST"])
def password():
    staff = _pending("password")
    if staff is None:
        return redirect(url_for("support.login"))
    if request.method == "GET":
        return render_template("support/password.html")
    new_password = request.form.get("password", "")
    problem = accounts.password_problem(staff, new_password)
    if problem is None and new_password != request.form.get("confirm", ""):
        problem = "The two passwords are not the same."
    if problem:
        return render_template("support/password.html", error=problem), 400
    accounts.set_password(staff, new_password)
    return _finish(staff)


@bp.post("/logout")
def logout():
    staff_id = staff_session.session.get(staff_session.STAFF_ID)
    staff = db.session.get(StaffUser, staff_id) if staff_id else None
    if staff is not None:
        accounts.record(staff, "staff.logout", address=request.remote_addr)
        db.session.commit()
    staff_session.end()
    flash("You are signed out.")
    return redirect(url_for("support.login"))


def _step_after_password(staff: StaffUser) -> str:
    if staff.role == StaffRole.OPERATOR:
        return "code" if staff.totp_secret else "enrol"
    return "password" if staff.must_change_password else staff_session.SIGNED_IN


def _after_code(staff: StaffUser):
    if staff.must_change_password:
        db.session.commit()
        staff_session.advance("password")
        return _to_step()
    return _finish(staff)


def _finish(staff: StaffUser):
    """The last step passed: the session is signed in, and the sign-in is on record."""
    staff.last_login_at = utcnow()
    accounts.record(staff, "staff.login", address=request.remote_addr)
    db.session.commit()
    staff_session.advance(staff_session.SIGNED_IN)
    return redirect(url_for("support.home"))


def _to_step():
    step = staff_session.current_step()
    if step == staff_session.SIGNED_IN:
        staff = db.session.get(StaffUser, staff_session.staff_id())
        return _finish(staff)
    return redirect(
        url_for({"code": "support.code", "enrol": "support.enrol"}.get(step, "support.password"))
    )


def _pending(step: str) -> StaffUser | None:
    staff_id = staff_session.staff_id(step)
    staff = db.session.get(StaffUser, staff_id) if staff_id else None
    return staff if staff is not None and staff.disabled_at is None else None


def _enrol_secret() -> str:
    """The secret offered for enrolment: kept encrypted in the session until confirmed."""
    stored = staff_session.session.get(staff_session.ENROL_SECRET)
    if stored:
        return crypto.decrypt(stored)
    secret = accounts.new_totp_secret()
    staff_session.session[staff_session.ENROL_SECRET] = crypto.encrypt(secret)
    return secret


def _refused(staff, email: str, step: str, template: str, message: str, **page):
    """A wrong password or code: counted, on record, and answered without saying which."""
    limits.failed_attempt()
    accounts.record(
        staff,
        "staff.login_failed",
        actor=email.strip() or "unknown",
        step=step,
        address=request.remote_addr,
    )
    db.session.commit()
    return render_template(template, error=message, **page), 401
