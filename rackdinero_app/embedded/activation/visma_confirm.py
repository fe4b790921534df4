"""The last step of activation (or a change) with Visma Connect: the window asks the person who
signed in to Dinero to confirm which Rackbeat company gets access, before anything is saved.

The sign-in window is top-level and has no embedded session (``dinero_sign_in/window.py``), so
the sign-in's continuation keeps what Visma verified here, under the sign-in's id: the company,
the sealed tokens and the hash of the browser nonce that started the sign-in. Only that browser
is asked. Confirm applies it as the API key's confirmation does (``attempts.activate`` /
``change_credentials``) and sends again the transfers a revoked sign-in had failed; Cancel drops
the tokens. The iframe follows the outcome through ``get``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from rackdinero_app.audit import record
from rackdinero_app.clients.visma_connect import Tokens
from rackdinero_app.dinero_sign_in import flow
from rackdinero_app.dinero_sign_in.messages import message
from rackdinero_app.dinero_sign_in.pending import PendingSignIn
from rackdinero_app.dinero_sign_in.window import BROWSERS
from rackdinero_app.dinero_sign_in.window import bp as window
from rackdinero_app.embedded.activation.attempts import CHANGE
from rackdinero_app.embedded.activation.attempts import activate
from rackdinero_app.embedded.activation.attempts import change_credentials
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers.messages import CLIENT
from rackdinero_app.transfers.rows import send_again

AWAITING, CONFIRMED, CANCELLED = "awaiting", "confirmed", "cancelled"
REVOKED = CLIENT + "dinero_sign_in_revoked"


@dataclass
class Confirmation:
    sign_in_id: str
    purpose: str
    connection_id: int
    organization_id: int
    organization_name: str | None
    actor: str
    locale: str
    browser_hash: str | None
    sealed_tokens: str | None
    state: str = AWAITING


def _key(sign_in_id: str) -> str:
    return f"rackdinero:visma-confirm:{sign_in_id}"


def _seconds() -> int:
    return int(current_app.config["VISMA_SIGN_IN_SECONDS"])


def _save(confirmation: Confirmation) -> None:
    rq.redis.set(_key(confirmation.sign_in_id), json.dumps(asdict(confirmation)), ex=_seconds())


def get(sign_in_id: str) -> Confirmation | None:
    raw = rq.redis.get(_key(sign_in_id))
    return Confirmation(**json.loads(raw)) if raw is not None else None


def hold(pending: PendingSignIn, verified: flow.Verified, connection: Connection) -> str:
    """Keep the verified sign-in for the window's question; return the question's URL."""
    tokens = crypto.encrypt(json.dumps(asdict(verified.tokens)))
    _save(
        Confirmation(
            pending.id,
            pending.purpose,
            connection.id,
            verified.organization_id,
            verified.organization_name,
            pending.actor,
            pending.locale,
            pending.browser_hash,
            tokens,
        )
    )
    return url_for("dinero_sign_in.confirm_connection", sign_in_id=pending.id)


def _outcome(failure: str | None, status: int = 200):
    page = render_template(
        "embedded/visma_window_outcome.html",
        failure=failure,
        rackbeat_url=current_app.config["RACKBEAT_BASE_URL"].rstrip("/"),
    )
    return page, status


def _from_this_browser(confirmation: Confirmation) -> bool:
    nonce = session.get(BROWSERS, {}).get(confirmation.sign_in_id)
    digest = hashlib.sha256(nonce.encode()).hexdigest() if nonce else ""
    return bool(nonce and confirmation.browser_hash) and secrets.compare_digest(
        digest, confirmation.browser_hash
    )


def _awaiting(sign_in_id: str):
    """The confirmation if this browser may answer it now; else the page that says why."""
    confirmation = get(sign_in_id)
    if confirmation is None or confirmation.state != AWAITING:
        return None, _outcome(message("expired"), 404)
    if not _from_this_browser(confirmation):
        return None, _outcome(message("other_browser"), 403)
    return confirmation, None


@window.route("/<sign_in_id>/confirm", methods=["GET", "POST"])
def confirm_connection(sign_in_id: str):
    """GET asks; POST (Confirm) saves the sign-in on the connection."""
    confirmation, refused = _awaiting(sign_in_id)
    if confirmation is None:
        return refused
    with force_locale(confirmation.locale):
        if request.method == "GET":
            return _question(confirmation)
        return _confirmed(confirmation)


@window.post("/<sign_in_id>/cancel")
def cancel_connection(sign_in_id: str):
    confirmation, refused = _awaiting(sign_in_id)
    if confirmation is None:
        return refused
    with force_locale(confirmation.locale):
        if _claim(confirmation):
            confirmation.state, confirmation.sealed_tokens = CANCELLED, None
            _save(confirmation)
        return _outcome(cancelled_text())


def cancelled_text() -> str:
    return _("Cancelled: nothing was saved, and the integration is as it was.")


def _question(confirmation: Confirmation):
    sign_in_id = confirmation.sign_in_id
    connection = db.session.get(Connection, confirmation.connection_id)
    return render_template(
        "embedded/activation_confirm.html",
        change=confirmation.purpose == CHANGE,
        company=connection.rackbeat_company_name if connection else None,
        account_id=connection.rackbeat_account_id if connection else None,
        organization_name=confirmation.organization_name,
        organization_id=confirmation.organization_id,
        confirm_url=url_for("dinero_sign_in.confirm_connection", sign_in_id=sign_in_id),
        cancel_url=url_for("dinero_sign_in.cancel_connection", sign_in_id=sign_in_id),
        hidden={"csrf_token": generate_csrf()},  # Flask-WTF's: this window has the app's cookie
    )


def _claim(confirmation: Confirmation) -> bool:
    """Whether this request decides (a double click confirms once; Confirm and Cancel cannot
    both win)."""
    key = f"{_key(confirmation.sign_in_id)}:decided"
    return bool(rq.redis.set(key, 1, nx=True, ex=_seconds()))


def _confirmed(confirmation: Confirmation):
    connection = db.session.get(Connection, confirmation.connection_id)
    if connection is None or connection.state == ConnectionState.UNINSTALLED:
        return _outcome(message("not_installed"), 409)
    if confirmation.purpose == CHANGE and not connection.activated:
        return _outcome(message("not_active"), 409)
    if not _claim(confirmation):
        return _outcome(message("expired"), 409)
    tokens = Tokens(**json.loads(crypto.decrypt(confirmation.sealed_tokens or "")))
    apply = change_credentials if confirmation.purpose == CHANGE else activate
    apply(
        connection,
        confirmation.organization_id,
        confirmation.organization_name,
        tokens,
        confirmation.actor,
    )
    confirmation.state, confirmation.sealed_tokens = CONFIRMED, None
    _save(confirmation)
    send_revoked_again(connection, confirmation.actor)
    return _outcome(None)


def send_revoked_again(connection: Connection, who: str) -> int:
    """Queue again every transfer that failed because the Dinero sign-in was revoked: they
    never reached Dinero with a valid sign-in, and now one is there. Returns how many."""
    failed = db.session.scalars(
        sa.select(Transfer.id).where(
            Transfer.connection_id == connection.id,
            Transfer.state == TransferState.FAILED,
            Transfer.message_code == REVOKED,
        )
    ).all()
    sent = [transfer_id for transfer_id in failed if send_again(transfer_id)]
    if sent:
        record(
            connection,
            ActorType.RACKBEAT_USER,
            who,
            "transfers_sent_again_after_sign_in",
            details={"count": len(sent), "transfer_ids": sent[:100]},
        )
        db.session.commit()
    return len(sent)
