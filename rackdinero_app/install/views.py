"""The install handshake: signed request → OAuth (code + PKCE + state) → connection upsert."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import session

from rackdinero_app.clients.errors import ClientError
from rackdinero_app.install import bp
from rackdinero_app.install import manifest
from rackdinero_app.install import signed_request
from rackdinero_app.install.oauth import oauth
from rackdinero_app.install.service import InstallRefused
from rackdinero_app.install.service import complete_install

SESSION_ACCOUNT = "install_account_id"


def install_error(message: str, status: int = 400):
    return render_template("install/error.html", message=message), status


@bp.get("")
def start():
    """The catalogue's Install button lands here with a signed request."""
    try:
        account_id = signed_request.verify(
            request.args, current_app.config["RACKBEAT_CLIENT_SECRET"]
        )
    except signed_request.InvalidInstallRequest as error:
        return install_error(str(error), 403)
    session[SESSION_ACCOUNT] = account_id
    return oauth.rackbeat.authorize_redirect(manifest.absolute_url("redirect_uri"))


@bp.get("/callback")
def callback():
    """Rackbeat sends the browser back with a code (or an error) and our state."""
    if "error" in request.args:
        return install_error(
            "The installation was cancelled in Rackbeat. You can start it again from Apps."
        )
    account_id = session.pop(SESSION_ACCOUNT, None)
    try:
        token = oauth.rackbeat.authorize_access_token()
    except OAuthError as error:
        current_app.logger.warning("Install callback refused: %s", error.error)
        return install_error(
            "This installation link was already used or has expired. "
            "Start the installation again from Rackbeat's Apps page."
        )
    if account_id is None:
        return install_error("Start the installation from Rackbeat's Apps page.")
    try:
        complete_install(token, expected_account_id=account_id)
    except (InstallRefused, ClientError) as error:
        return install_error(str(error), 502 if isinstance(error, ClientError) else 400)
    return redirect(
        f"{current_app.config['RACKBEAT_BASE_URL'].rstrip('/')}/settings/apps/{manifest.slug()}"
    )
