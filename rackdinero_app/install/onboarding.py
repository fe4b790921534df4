"""Contract B's onboarding: Rackbeat's integration request, held server-side until accepted.

Rackbeat sends the browser to the onboarding URL with ``?token=<integration request token>``.
The token is single-use and worth an installation, so it never appears in a URL again: the
pending onboarding lives in Redis for ``ONBOARDING_SECONDS`` with the token encrypted, under an
unguessable id, and the browser goes on to ``/install/onboarding/<id>``.

The user signs in to Dinero first (activation, I2). Every sign-in method ends in the same step,
``accept_and_install(onboarding_id, sign_in)``, once it has verified the credentials: accept the
request in Rackbeat, install the connection (``service.complete_integration``), then let
``sign_in`` store the credentials and activate the connection.

The request token is spent once: accepting and cancelling both claim it first (``SET NX`` on a
key per token), so a double click, a retried job or a second tab never reaches Rackbeat twice.
Rackbeat's answer to accept is kept (encrypted) at once, so if installing fails afterwards a
retry installs with it instead of accepting again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis.exceptions import WatchError

from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.rackbeat import consumer
from rackdinero_app.clients.rackbeat_tokens import AcceptedIntegration
from rackdinero_app.clients.rackbeat_tokens import IntegrationRequests
from rackdinero_app.dinero_sign_in.messages import MESSAGES as SIGN_IN_MESSAGES
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.install import service
from rackdinero_app.models import Connection

log = logging.getLogger(__name__)

NEW = "new"  # the sign-in form
VERIFYING = "verifying"  # a sign-in method checks the credentials, then accept and install
FAILED = "failed"  # the form again, with why (the request token is not spent)
DONE = "done"  # installed and active: the browser goes to Rackbeat's ``redirect_to``
CLOSED = "closed"  # cancelled, or Rackbeat refused the request: start again from Rackbeat
TOKEN = re.compile(r"^[A-Za-z0-9._~-]{8,512}$")

# Why an onboarding failed, by code: the onboarding's own here, a Dinero sign-in's (any method)
# in ``dinero_sign_in.messages``.
FAILURES: dict[str, Any] = {
    "accept_refused": _l(
        "Rackbeat did not accept this installation request: it was already used, cancelled or "
        "has expired. Start the installation again from Rackbeat's Apps page."
    ),
    "accept_unknown": _l(
        "Rackbeat did not answer in time, so it is not known whether the installation was "
        "accepted. Start the installation again from Rackbeat's Apps page."
    ),
    "rackbeat_unreachable": _l(
        "Rackbeat could not be reached just now. Nothing was saved; please try again in a few "
        "minutes."
    ),
    "install_failed": _l(
        "Rackbeat accepted the installation, but the app could not finish setting itself up "
        "there. Please try again in a few minutes."
    ),
    "cancelled": _l("The installation was cancelled."),
}

# What a verified sign-in does to the installed connection: (connection, actor) → store the
# credentials, activate, commit.
SignIn = Callable[[Connection, str], None]


class MalformedToken(ValueError):
    """The onboarding link has no integration request token, or not one Rackbeat makes."""


@dataclass
class Onboarding:
    id: str
    token: str = field(repr=False)  # the integration request token, encrypted
    state: str = NEW
    code: str | None = None
    organization_id: int | None = None
    connection_id: int | None = None
    redirect_to: str | None = None
    accepted: str | None = field(default=None, repr=False)  # accept's answer, encrypted

    @property
    def message(self) -> str | None:
        if self.code is None:
            return None
        text = FAILURES.get(self.code) or SIGN_IN_MESSAGES.get(self.code)
        return str(text or FAILURES["install_failed"]) % {"organization_id": self.organization_id}

    @property
    def finished(self) -> bool:
        return self.state != VERIFYING


def _key(onboarding_id: str) -> str:
    return f"rackdinero:onboarding:{onboarding_id}"


def _token_key(kind: str, request_token: str) -> str:
    digest = hashlib.sha256(request_token.encode()).hexdigest()
    return f"rackdinero:onboarding:{kind}:{digest}"


def _ttl() -> int:
    return int(current_app.config["ONBOARDING_SECONDS"])


def begin(request_token: str | None) -> Onboarding:
    """The onboarding for this request token: a new one, or the one a reload already began."""
    if not request_token or not TOKEN.match(request_token):
        raise MalformedToken()
    onboarding = Onboarding(id=secrets.token_urlsafe(24), token=crypto.encrypt(request_token))
    rq.redis.set(_key(onboarding.id), json.dumps(asdict(onboarding)), ex=_ttl())
    if rq.redis.set(_token_key("by-token", request_token), onboarding.id, nx=True, ex=_ttl()):
        return onboarding
    rq.redis.delete(_key(onboarding.id))
    earlier = rq.redis.get(_token_key("by-token", request_token))
    return (get(earlier.decode()) if earlier else None) or onboarding


def get(onboarding_id: str) -> Onboarding | None:
    raw = rq.redis.get(_key(onboarding_id))
    return None if raw is None else Onboarding(**json.loads(raw))


def _change(onboarding_id: str, allowed: tuple[str, ...], **changes: Any) -> Onboarding | None:
    """Apply ``changes`` if the onboarding is in one of the ``allowed`` states (atomically:
    two workers or two clicks never both move it on)."""
    key = _key(onboarding_id)
    with rq.redis.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                onboarding = None if raw is None else Onboarding(**json.loads(raw))
                if onboarding is None or onboarding.state not in allowed:
                    pipe.unwatch()
                    return None
                for name, value in changes.items():
                    setattr(onboarding, name, value)
                pipe.multi()
                pipe.set(key, json.dumps(asdict(onboarding)), keepttl=True)
                pipe.execute()
                return onboarding
            except WatchError:
                continue


def start_verification(onboarding_id: str, organization_id: int | None) -> Onboarding | None:
    """The form was sent: on to ``VERIFYING``, unless it already is (a double click)."""
    return _change(
        onboarding_id, (NEW, FAILED), state=VERIFYING, code=None, organization_id=organization_id
    )


def verification_failed(onboarding_id: str, code: str) -> Onboarding | None:
    """The sign-in method refused the credentials; the form is shown again with why."""
    return _change(onboarding_id, (VERIFYING,), state=FAILED, code=code)


def _spend(onboarding: Onboarding, action: str) -> bool:
    """Claim the request token for ``action`` (accept or cancel); only one claim ever wins."""
    key = _token_key("spent", crypto.decrypt(onboarding.token))
    return bool(rq.redis.set(key, action, nx=True, ex=_ttl()))


def _unspend(onboarding: Onboarding) -> None:
    rq.redis.delete(_token_key("spent", crypto.decrypt(onboarding.token)))


def integration_requests() -> IntegrationRequests:
    config = current_app.config
    endpoint = config["RACKBEAT_INTEGRATION_URL"] or (
        config["RACKBEAT_BASE_URL"].rstrip("/") + "/integration"
    )
    return IntegrationRequests(endpoint, consumer(config))


def accept_and_install(onboarding_id: str, sign_in: SignIn) -> Onboarding | None:
    """The step every sign-in method ends in, once the Dinero credentials are verified: accept
    Rackbeat's integration request (once), install the connection, then ``sign_in``."""
    onboarding = get(onboarding_id)
    if onboarding is None or onboarding.state != VERIFYING:
        return onboarding
    accepted = _stored_answer(onboarding) or _accept(onboarding)
    if accepted is None:
        return get(onboarding_id)
    try:
        connection, me = service.complete_integration(accepted)
    except ClientError as error:
        db.session.rollback()
        log.warning("Onboarding %s: install after accept failed: %s", onboarding_id, error)
        return _change(onboarding_id, (VERIFYING,), state=FAILED, code="install_failed")
    try:
        sign_in(connection, service.installer(me))
    except Exception:
        db.session.rollback()
        _change(onboarding_id, (VERIFYING,), state=FAILED, code="install_failed")
        raise
    return _change(
        onboarding_id,
        (VERIFYING,),
        state=DONE,
        code=None,
        connection_id=connection.id,
        redirect_to=accepted.redirect_to or service.rackbeat_settings_page(accepted.app_slug),
        accepted=None,
    )


def _accept(onboarding: Onboarding) -> AcceptedIntegration | None:
    """``accept/{token}`` once; Rackbeat's answer is kept before anything else happens."""
    if not _spend(onboarding, "accept"):
        return None  # cancelled meanwhile: the state already says so
    try:
        accepted = integration_requests().accept(crypto.decrypt(onboarding.token))
    except Transient as error:
        if error.may_have_succeeded:
            _change(onboarding.id, (VERIFYING,), state=CLOSED, code="accept_unknown")
        else:
            _unspend(onboarding)
            _change(onboarding.id, (VERIFYING,), state=FAILED, code="rackbeat_unreachable")
        return None
    except ClientError as error:
        log.info("Onboarding %s: Rackbeat refused the accept (%s)", onboarding.id, error.status)
        _change(onboarding.id, (VERIFYING,), state=CLOSED, code="accept_refused")
        return None
    answer = {
        "access_token": accepted.access_token,
        "app_slug": accepted.app_slug,
        "redirect_to": accepted.redirect_to,
    }
    _change(onboarding.id, (VERIFYING,), accepted=crypto.encrypt(json.dumps(answer)))
    return accepted


def _stored_answer(onboarding: Onboarding) -> AcceptedIntegration | None:
    if onboarding.accepted is None:
        return None
    return AcceptedIntegration(**json.loads(crypto.decrypt(onboarding.accepted)))


def cancel(onboarding_id: str) -> Onboarding | None:
    """The user gives up: ``cancel/{token}`` in Rackbeat, unless the request was accepted (or
    is being accepted) already, in which case nothing changes."""
    onboarding = get(onboarding_id)
    if onboarding is None or onboarding.state in (DONE, CLOSED) or onboarding.accepted:
        return onboarding
    if not _spend(onboarding, "cancel"):
        return onboarding
    try:
        integration_requests().cancel(crypto.decrypt(onboarding.token))
    except ClientError as error:
        # The request stays open in Rackbeat until it expires; this onboarding ends anyway.
        log.warning("Onboarding %s: Rackbeat's cancel failed: %s", onboarding_id, error)
    return _change(onboarding_id, (NEW, VERIFYING, FAILED), state=CLOSED, code="cancelled")
