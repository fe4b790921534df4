"""Contract B's onboarding pages (top-level, in the browser's language).

``GET /install/onboarding?token=…`` is Rackbeat's integration request; the token goes into the
server-side onboarding at once and the browser continues at ``/install/onboarding/<id>``. There
the user signs in to Dinero (the API key today; each sign-in method is one more button whose
flow ends in ``onboarding.accept_and_install``): the API key (checked by a job) or Visma
Connect (``VISMA``: the same window goes to Visma and comes back here), or cancels and goes back
to Rackbeat.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from rackdinero_app import jobs
from rackdinero_app.dinero_sign_in import flow
from rackdinero_app.dinero_sign_in.credentials import read_credentials
from rackdinero_app.extensions import crypto
from rackdinero_app.install import bp
from rackdinero_app.install import onboarding
from rackdinero_app.install.contracts import INTEGRATION
from rackdinero_app.install.contracts import only_if_offered
from rackdinero_app.install.views import install_error
from rackdinero_app.install.views import start_again
from rackdinero_app.limits import activation_allowed
from rackdinero_app.limits import too_many_activations

# The Visma Connect sign-in's purpose for an onboarding; its continuation, which accepts and
# installs, is registered by ``embedded/onboarding.py``.
VISMA = "onboarding"
ONBOARDING_ACTOR = "rackbeat-onboarding"


def _expired():
    return install_error(_("This installation has expired.") + " " + start_again(), 404)


def _pending(onboarding_id: str) -> onboarding.Onboarding:
    pending = onboarding.get(onboarding_id)
    if pending is None:
        abort(make_response(_expired()))
    return pending


def _form(pending: onboarding.Onboarding, values=None, errors=None, status: int = 200):
    values = values or {"organization_id": str(pending.organization_id or "")}
    page = render_template(
        "install/onboarding.html",
        onboarding=pending,
        values=values,
        errors=errors or {},
        failure=pending.message,
        visma_enabled=flow.enabled(),
    )
    return page, status


def _next_page(target: str | None) -> str:
    """Rackbeat's ``redirect_to`` if it is on Rackbeat, else Rackbeat's Apps page."""
    rackbeat = urlsplit(current_app.config["RACKBEAT_BASE_URL"])
    parts = urlsplit(target or "")
    if (parts.scheme, parts.netloc) == (rackbeat.scheme, rackbeat.netloc):
        return target
    return current_app.config["RACKBEAT_BASE_URL"].rstrip("/") + "/apps"


@bp.after_request
def private_pages(response):
    """While it lasts, an onboarding's id is worth the request token: no install page is
    framed by another site, cached, or leaks its address onwards."""
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/onboarding")
@only_if_offered(INTEGRATION)
def onboarding_begin():
    """Rackbeat's integration request arrives; its token leaves the URL here."""
    try:
        pending = onboarding.begin(request.args.get("token"))
    except onboarding.MalformedToken:
        return install_error(
            _("This installation link is incomplete or damaged.") + " " + start_again()
        )
    return redirect(url_for("install.onboarding_page", onboarding_id=pending.id), 303)


@bp.route("/onboarding/<onboarding_id>", methods=["GET", "POST"])
@only_if_offered(INTEGRATION)
def onboarding_page(onboarding_id: str):
    pending = _pending(onboarding_id)
    if request.method == "POST":
        return _submit(pending)
    if pending.state == onboarding.DONE:
        return redirect(_next_page(pending.redirect_to))
    if pending.state == onboarding.CLOSED:
        return install_error(pending.message or start_again(), 410)
    if pending.state == onboarding.VERIFYING:
        return render_template("install/onboarding_progress.html", onboarding=pending)
    return _form(pending)


def _submit(pending: onboarding.Onboarding):
    """The API key form: start the check, once however often it is sent."""
    if pending.state not in (onboarding.NEW, onboarding.FAILED):
        return redirect(url_for("install.onboarding_page", onboarding_id=pending.id), 303)
    values, api_key, errors = read_credentials(request.form)
    if errors:
        return _form(pending, values, errors, 422)
    if not activation_allowed(f"onboarding:{pending.id}", int(values["organization_id"])):
        return _form(pending, values, {"organization_id": too_many_activations()}, 429)
    started = onboarding.start_verification(pending.id, int(values["organization_id"]))
    if started is not None:
        jobs.enqueue_onboarding(started.id, crypto.encrypt(api_key))
    return redirect(url_for("install.onboarding_page", onboarding_id=pending.id), 303)


@bp.post("/onboarding/<onboarding_id>/visma")
@only_if_offered(INTEGRATION)
def onboarding_visma(onboarding_id: str):
    """Sign in with Visma instead of an API key: this window goes to Visma's sign-in (the
    onboarding is top-level, so nothing needs a second window) and comes back to this page."""
    pending = _pending(onboarding_id)
    if not flow.enabled():
        abort(404)
    if pending.state not in (onboarding.NEW, onboarding.FAILED):
        return redirect(url_for("install.onboarding_page", onboarding_id=pending.id), 303)
    sign_in = flow.begin(VISMA, pending.id, ONBOARDING_ACTOR, str(get_locale()))
    return redirect(flow.start_url(sign_in), 303)


@bp.get("/onboarding/<onboarding_id>/status")
@only_if_offered(INTEGRATION)
def onboarding_status(onboarding_id: str):
    """What the progress page polls for."""
    pending = onboarding.get(onboarding_id) or abort(404)
    return jsonify(state=pending.state, finished=pending.finished)


@bp.post("/onboarding/<onboarding_id>/cancel")
@only_if_offered(INTEGRATION)
def onboarding_cancel(onboarding_id: str):
    """Give up: Rackbeat is told, and the browser goes back to Rackbeat's Apps page. Once the
    request was accepted there is nothing to cancel; the page shows where things stand."""
    pending = onboarding.cancel(_pending(onboarding_id).id)
    if pending is not None and pending.state == onboarding.CLOSED:
        return redirect(_next_page(None), 303)
    return redirect(url_for("install.onboarding_page", onboarding_id=onboarding_id), 303)
