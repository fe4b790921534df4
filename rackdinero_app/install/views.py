"""Contract A's install handshake: signed request → OAuth (code + PKCE + state) → connection
upsert. Every page speaks the browser's language."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask_babel import gettext as _

from rackdinero_app.clients.errors import ClientError
from rackdinero_app.install import bp
from rackdinero_app.install import manifest
from rackdinero_app.install import signed_request
from rackdinero_app.install.contracts import OAUTH
from rackdinero_app.install.contracts import only_if_offered
from rackdinero_app.install.oauth import oauth
from rackdinero_app.install.service import InstallRefused
from rackdinero_app.install.service import complete_install
from rackdinero_app.install.service import rackbeat_settings_page

SESSION_ACCOUNT = "install_account_id"


def install_error(message: str, status: int = 400):
    return render_template("install/error.html", message=message), status


def start_again() -> str:
    return _("Start the installation again from Rackbeat's Apps page.")


@bp.get("")
@only_if_offered(OAUTH)
def start():
    """The catalogue's Install button lands here with a signed request."""
    try:
        account_id = signed_request.verify(
            request.args, current_app.config["RACKBEAT_CLIENT_SECRET"]
        )
    except signed_request.InvalidInstallRequest as error:
        return install_error(str(error), error.status)
    session[SESSION_ACCOUNT] = account_id
    return oauth.rackbeat.authorize_redirect(manifest.absolute_url("redirect_uri"))


@bp.get("/callback")
@only_if_offered(OAUTH)
def callback():
    """Rackbeat sends the browser back with a code (or an error) and our state."""
    if "error" in request.args:
        return install_error(
            _("The installation was cancelled in Rackbeat. You can start it again from Apps.")
        )
    try:
        token = oauth.rackbeat.authorize_access_token()
    except OAuthError as error:
        # A forged or stale state changes nothing: the pending install (its state, verifier
        # and account) stays for Rackbeat's real answer.
        current_app.logger.warning("Install callback refused: %s", error.error)
        return install_error(
            _("This installation link was already used or has expired.") + " " + start_again()
        )
    account_id = session.pop(SESSION_ACCOUNT, None)
    if account_id is None:
        return install_error(_("Start the installation from Rackbeat's Apps page."))
    try:
        complete_install(token, expected_account_id=account_id)
    except InstallRefused as error:
        return install_error(str(error))
    except ClientError as error:
        current_app.logger.warning("Install failed talking to Rackbeat: %s", error)
        return install_error(
            _("Rackbeat could not be reached to finish the installation.") + " " + start_again(),
            502,
        )
    return redirect(rackbeat_settings_page(manifest.slug()))
