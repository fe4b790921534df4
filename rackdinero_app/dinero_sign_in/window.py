"""The top-level window of a Visma Connect sign-in: start, callback, company picker, outcome.

These pages are not framed (Visma's consent page refuses to be), so they have no embedded
session: a pending sign-in is found by its id or by the OAuth state, and the browser that
started it is recognised by a nonce in the app's (SameSite=Lax) session cookie. They speak the
language of the user who started the sign-in. Every failure ends the sign-in with nothing
saved and says so.
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from rackdinero_app.dinero_sign_in import flow
from rackdinero_app.dinero_sign_in import pending as pending_store
from rackdinero_app.dinero_sign_in.credentials import ORGANIZATION_ID
from rackdinero_app.dinero_sign_in.messages import message
from rackdinero_app.dinero_sign_in.pending import PendingSignIn

bp = Blueprint("dinero_sign_in", __name__, url_prefix="/dinero-sign-in")

BROWSERS = "dinero_sign_in"  # session key: {sign-in id: nonce}
KEPT_NONCES = 5


@bp.after_request
def window_headers(response):
    """Not framed by anyone (a picker in a frame could be clickjacked), and the callback URL,
    which carries the code, goes to no one."""
    response.headers["Content-Security-Policy"] = (
        "frame-ancestors 'none'; default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _outcome(pending: PendingSignIn | None, failure: str | None = None, status: int = 400):
    """The page that ends the window: done, or what went wrong (nothing was saved)."""
    code = failure or (pending.failure if pending else None)
    organization_id = pending.failed_organization_id if pending else None
    page = render_template(
        "embedded/visma_window_outcome.html",
        failure=message(code, organization_id) if code else None,
        rackbeat_url=current_app.config["RACKBEAT_BASE_URL"].rstrip("/"),
    )
    return page, (200 if code is None else status)


def _in_language(pending: PendingSignIn | None, render):
    if pending is None:
        return render()
    with force_locale(pending.locale):
        return render()


@bp.get("/<sign_in_id>/start")
def start(sign_in_id: str):
    pending = pending_store.get(sign_in_id)
    if pending is None or pending.status not in ("created", "started"):
        return _in_language(pending, lambda: _outcome(None, "expired", 404))
    url, nonce = flow.authorization_url(pending)
    kept = dict(list(session.get(BROWSERS, {}).items())[-(KEPT_NONCES - 1) :])
    session[BROWSERS] = {**kept, pending.id: nonce}
    return redirect(url)


def _browser_nonce(sign_in_id: str) -> str | None:
    return session.get(BROWSERS, {}).get(sign_in_id)


@bp.get("/callback")
def callback():
    pending = flow.callback(request.args, _browser_nonce)
    if pending is None:
        return _outcome(None, "expired")
    if pending.status == "choosing":
        return redirect(url_for("dinero_sign_in.choose", sign_in_id=pending.id), 303)
    return _in_language(pending, lambda: _ended(pending))


def _ended(pending: PendingSignIn):
    if pending.status == "succeeded" and pending.next_url:
        return redirect(pending.next_url, 303)
    status = 200 if pending.failure == "denied" else 400
    return _outcome(pending, status=status)


@bp.route("/<sign_in_id>/company", methods=["GET", "POST"])
def choose(sign_in_id: str):
    """The companies the Visma user reaches; a non-Pro one is shown but refused."""
    pending = pending_store.get(sign_in_id)
    if pending is None or pending.status != "choosing":
        return _in_language(pending, lambda: _outcome(None, "expired"))
    if not pending.bound_to(_browser_nonce(pending.id)):
        return _in_language(pending, lambda: _outcome(None, "other_browser"))
    return _in_language(pending, lambda: _picker(pending))


def _picker(pending: PendingSignIn):
    error, chosen = None, None
    if request.method == "POST":
        raw = request.form.get("organization_id", "")
        chosen = int(raw) if ORGANIZATION_ID.match(raw) else None
        confirmed = request.form.get("confirm_organization") == raw
        if chosen is not None and flow.needs_confirmation(pending, chosen) and not confirmed:
            error = _("Tick the box to confirm that you want to connect another Dinero company.")
        else:
            failure = flow.choose(pending, chosen) if chosen is not None else "unknown"
            if failure is None:
                return _ended(pending)
            if failure == "expired":
                return _outcome(None, "expired")
            error = (
                message(failure, chosen)
                if failure == "not_pro"
                else _("Choose one of the Dinero companies listed.")
            )
    page = render_template(
        "embedded/visma_window_choose.html",
        pending=pending,
        chosen=chosen,
        error=error,
        confirming=chosen is not None and flow.needs_confirmation(pending, chosen),
        form_token=generate_csrf(),  # Flask-WTF's: this window has the app's own cookie
    )
    return page, (422 if error else 200)
