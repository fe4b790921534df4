"""A stand-in for Rackbeat: app catalogue, both install contracts (OAuth server, integration
request), REST API, webhooks and the iframe host.

``create_app`` builds it; ``python -m sandbox.rackbeat`` runs it. State is in memory and seeded
at start and on ``POST /_sandbox/reset``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from sandbox.rackbeat.config import DEFAULTS
from sandbox.rackbeat.config import load_registration
from sandbox.rackbeat.knobs import Knobs
from sandbox.rackbeat.store import Store

JSON_PREFIXES = ("/api/", "/oauth/token", "/integration/", "/_sandbox/")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the sandbox; ``config`` overrides the defaults in ``config.DEFAULTS``."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.update(config or {})
    # The app under test runs on the same host; a distinct cookie name keeps sessions apart.
    app.config["SESSION_COOKIE_NAME"] = "rackbeat_sandbox_session"
    register_store(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    return app


def register_store(app: Flask) -> None:
    knobs = Knobs(
        access_token_lifetime_seconds=int(app.config["ACCESS_TOKEN_LIFETIME_SECONDS"]),
        seed=app.config["SEED"],
    )
    app.extensions["rackbeat_sandbox"] = Store(load_registration(app.config), knobs)


def register_blueprints(app: Flask) -> None:
    from sandbox.rackbeat import api
    from sandbox.rackbeat import catalogue
    from sandbox.rackbeat import control
    from sandbox.rackbeat import integration
    from sandbox.rackbeat import oauth
    from sandbox.rackbeat import settings_host
    from sandbox.rackbeat import tokens
    from sandbox.rackbeat import ui

    for module in (api, tokens, oauth, integration, catalogue, settings_host, control, ui):
        app.register_blueprint(module.bp)


def register_request_hooks(app: Flask) -> None:
    from sandbox.rackbeat import consumers
    from sandbox.rackbeat.context import current_account
    from sandbox.rackbeat.context import current_user
    from sandbox.rackbeat.context import get_store
    from sandbox.rackbeat.context import select_account_from_query

    app.before_request(consumers.record)

    @app.before_request
    def sign_in_from_query() -> None:
        if not request.path.startswith(JSON_PREFIXES):
            select_account_from_query()

    @app.context_processor
    def signed_in() -> dict[str, Any]:
        store = get_store()
        return {
            "signed_in_account": current_account(),
            "signed_in_user": current_user(),
            "all_accounts": sorted(store.accounts.values(), key=lambda account: account.id),
        }


def register_errorhandlers(app: Flask) -> None:
    """JSON errors for machine endpoints, an HTML page for the browser."""

    def render_http_error(error: HTTPException) -> Any:
        if request.path.startswith(JSON_PREFIXES):
            return jsonify(message=error.name), error.code
        page = render_template("error.html", title=error.name, message=error.description)
        return page, error.code

    app.register_error_handler(HTTPException, render_http_error)
