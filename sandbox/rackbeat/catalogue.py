"""The app catalogue (Apps > Install) and sign-up, both ending in the signed install redirect."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for

from sandbox.rackbeat.context import current_account
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.seed import sign_up
from sandbox.rackbeat.signing import install_query

bp = Blueprint("catalogue", __name__)


@bp.get("/apps")
def apps() -> Any:
    store = get_store()
    registration = store.registration
    installation = current_account().installations.get(registration.slug)
    return render_template("apps.html", app=registration, installation=installation)


@bp.get("/apps/<slug>/install")
def install(slug: str) -> Any:
    """Send the browser to the app's install URL with a fresh, HMAC-signed query."""
    store = get_store()
    registration = store.registration
    if slug != registration.slug:
        abort(404)
    query = install_query(current_account().id, int(store.now()), registration.client_secret)
    return redirect(f"{registration.install_url}?{urlencode(query)}")


@bp.get("/signup")
def signup_form() -> Any:
    return render_template("signup.html", app=get_store().registration)


@bp.post("/signup")
def signup() -> Any:
    """Create a brand-new account and go straight into installing the app (FEATURES I1)."""
    store = get_store()
    form = request.form
    account = sign_up(
        store,
        company_name=form.get("company_name", "").strip() or "Nyt Firma ApS",
        user_name=form.get("name", "").strip() or "Ny Bruger",
        email=form.get("email", "").strip() or "ny@example.dk",
        locale=form.get("locale", "da"),
    )
    session["account_id"] = account.id
    return redirect(url_for("catalogue.install", slug=store.registration.slug))
