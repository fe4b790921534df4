"""Settings > Apps > <app>: hosts the app's settings page in an iframe, and uninstalls it.

An app installed with catalogue OAuth is framed at its settings URL with a fresh ``?launch=``
JWT; one installed with an integration request at the URL it registered
(``set-settings-url``), as it is: nothing is signed and no parameter is added (rackbeat.md §4).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from sandbox.rackbeat import events
from sandbox.rackbeat.context import current_account
from sandbox.rackbeat.context import current_user
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.signing import launch_token
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Store
from sandbox.rackbeat.urls import with_query

bp = Blueprint("settings_host", __name__, url_prefix="/settings/apps")


@bp.get("")
def installed_apps() -> Any:
    registration = get_store().registration
    installed = registration.slug in current_account().installations
    return render_template("settings_apps.html", app=registration, installed=installed)


@bp.get("/<slug>")
def app_settings(slug: str) -> Any:
    """The iframe host: ``src`` is the app's settings URL with a fresh ``?launch=<JWT>``."""
    store = get_store()
    registration = store.registration
    if slug != registration.slug:
        abort(404)
    account = current_account()
    installation = account.installations.get(slug)
    if installation is None:
        return render_template("settings_app.html", app=registration, frame_url=None), 404
    if installation.contract == "integration":
        return _framed(registration, installation.settings_url)
    user = current_user()
    token = launch_token(
        issuer=current_app.config["PUBLIC_URL"],
        client_id=registration.client_id,
        client_secret=registration.client_secret,
        account_id=account.id,
        user={"id": user.id, "name": user.name, "email": user.email, "locale": user.locale},
        issued_at=int(store.now()),
    )
    settings_url = installation.settings_url or registration.settings_url
    return _framed(registration, with_query(settings_url, launch=token))


def _framed(registration: Any, frame_url: str | None) -> Any:
    if frame_url is None:
        page = "settings_app.html"
        return render_template(page, app=registration, frame_url=None, installed=True)
    parts = urlsplit(frame_url)
    return render_template(
        "settings_app.html",
        app=registration,
        frame_url=frame_url,
        frame_origin=f"{parts.scheme}://{parts.netloc}",
    )


@bp.post("/<slug>/uninstall")
def uninstall_app(slug: str) -> Any:
    store = get_store()
    if slug != store.registration.slug:
        abort(404)
    if uninstall(store, current_account(), slug):
        flash(f"{store.registration.name} was uninstalled.")
    return redirect(url_for("catalogue.apps"))


def uninstall(store: Store, account: Account, slug: str) -> bool:
    """Remove the app: fire ``plugin.uninstalled``, revoke its tokens, drop its webhooks."""
    with store.lock:
        if account.installations.pop(slug, None) is None:
            return False
        events.fire(
            store,
            account.id,
            "plugin.uninstalled",
            key=account.id,
            key_name="user_account_id",
            data={"user_account_id": account.id, "plugin": slug},
            plugin=slug,
        )
        store.revoke_account_tokens(account.id, store.registration.client_id)
        store.revoke_account_tokens(account.id, store.registration.integration_client_id)
        for hook in store.webhooks_for(account.id):
            if hook.plugin == slug:
                del store.webhooks[hook.id]
        return True
