"""The app catalogue (Apps > Install) and sign-up.

The app is listed once per install contract, both the same plugin (slug) and the same app:
"Dinero" installs with catalogue OAuth (the signed install redirect), "Dinero (integration
request)" with Rackbeat's integration request (the onboarding URL with a single-use token).
An account has the app installed one way at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for

from sandbox.rackbeat.config import AppRegistration
from sandbox.rackbeat.context import current_account
from sandbox.rackbeat.context import current_user
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.integration import new_request
from sandbox.rackbeat.seed import sign_up
from sandbox.rackbeat.signing import install_query
from sandbox.rackbeat.urls import with_query

bp = Blueprint("catalogue", __name__)

OAUTH = "oauth"
INTEGRATION = "integration"


@dataclass(frozen=True)
class Listing:
    """One entry of the catalogue: how the app named ``slug`` is installed from it."""

    id: str
    name: str
    contract: str
    slug: str


def listings(registration: AppRegistration) -> list[Listing]:
    entries = [Listing(registration.slug, registration.name, OAUTH, registration.slug)]
    if registration.onboarding_url:
        entries.append(
            Listing(
                f"{registration.slug}-integration",
                f"{registration.name} (integration request)",
                INTEGRATION,
                registration.slug,
            )
        )
    return entries


def _listing(listing_id: str) -> Listing:
    for listing in listings(get_store().registration):
        if listing.id == listing_id:
            return listing
    abort(404)


@bp.get("/apps")
def apps() -> Any:
    registration = get_store().registration
    installation = current_account().installations.get(registration.slug)
    return render_template(
        "apps.html",
        app=registration,
        listings=listings(registration),
        installation=installation,
    )


@bp.get("/apps/<listing_id>/install")
def install(listing_id: str) -> Any:
    """Send the browser to the app: a fresh HMAC-signed install URL (OAuth), or the onboarding
    URL with a new integration request token."""
    store = get_store()
    registration = store.registration
    listing = _listing(listing_id)
    installed = current_account().installations.get(listing.slug)
    if installed is not None and installed.contract != listing.contract:
        flash(f"{registration.name} is already installed. Uninstall it before installing it again.")
        return redirect(url_for("catalogue.apps"))
    if listing.contract == INTEGRATION:
        pending = new_request(store, current_account(), current_user())
        return redirect(with_query(registration.onboarding_url, token=pending.token))
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
    return redirect(url_for("catalogue.install", listing_id=store.registration.slug))
