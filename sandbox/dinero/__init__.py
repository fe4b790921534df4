"""A stand-in for Dinero's public API, as strict as the real one.

Every request and response shape comes from Dinero's OpenAPI document, copied here as
``openapi-subset.json``. Config keys: ``CLIENT_ID``, ``CLIENT_SECRET``,
``TOKEN_LIFETIME_SECONDS``, ``VALIDATE_RESPONSES`` (check every JSON response against the
documented schema and raise on drift), and ``KNOBS`` (a dict, see ``knobs.Knobs``; knob names
may also be given as top-level keys).
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask

from sandbox.dinero import auth
from sandbox.dinero import control
from sandbox.dinero import created_answers
from sandbox.dinero import seed
from sandbox.dinero import spec
from sandbox.dinero import state
from sandbox.dinero import ui
from sandbox.dinero.errors import register_errorhandlers
from sandbox.dinero.gate import register_gate
from sandbox.dinero.knobs import Knobs
from sandbox.dinero.views import accounts
from sandbox.dinero.views import contacts
from sandbox.dinero.views import creditnotes
from sandbox.dinero.views import entries
from sandbox.dinero.views import files
from sandbox.dinero.views import invoices
from sandbox.dinero.views import manual
from sandbox.dinero.views import organizations
from sandbox.dinero.views import products
from sandbox.dinero.views import purchase
from sandbox.visma_connect import init_app as init_visma_connect

API_BLUEPRINTS = (
    organizations.bp,
    accounts.bp,
    contacts.bp,
    products.bp,
    invoices.bp,
    creditnotes.bp,
    purchase.bp,
    manual.bp,
    files.bp,
    entries.bp,
)

DEFAULTS: dict[str, Any] = {
    "CLIENT_ID": "rackdinero-demo",
    "CLIENT_SECRET": "rackdinero-demo-dinero-secret",
    "TOKEN_LIFETIME_SECONDS": 3600,
    "VALIDATE_RESPONSES": False,
    "JSON_SORT_KEYS": False,
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.json.sort_keys = False
    register_sandbox(app)
    register_blueprints(app)
    register_errorhandlers(app)
    created_answers.register(app)
    register_gate(app)
    with app.app_context():
        seed.populate(state.current())
    return app


def register_sandbox(app: Flask) -> None:
    knobs = Knobs(token_lifetime_seconds=int(app.config["TOKEN_LIFETIME_SECONDS"]))
    top_level = {k: v for k, v in app.config.items() if k in knobs.as_dict()}
    knobs.update({**top_level, **app.config.get("KNOBS", {})})
    app.extensions["dinero_sandbox"] = state.Sandbox(
        knobs, app.config["CLIENT_ID"], app.config["CLIENT_SECRET"]
    )


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(ui.bp)
    for blueprint in API_BLUEPRINTS:
        app.register_blueprint(blueprint)
    init_visma_connect(app)  # Visma Connect's stand-in, under /visma-connect
    api_endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in {bp.name for bp in API_BLUEPRINTS}
    }
    for endpoint in api_endpoints:
        app.view_functions[endpoint] = _under_lock(app, app.view_functions[endpoint])


def _under_lock(app: Flask, view):
    """Run an API view while holding the state lock: each call is one atomic change."""

    @functools.wraps(view)
    def locked(**kwargs):
        with app.extensions["dinero_sandbox"].lock:
            return view(**kwargs)

    return locked


def implemented_operations(app: Flask) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every API route the app serves (to compare with ``spec``)."""
    names = {bp.name for bp in API_BLUEPRINTS}
    return {
        (method, spec.openapi_path(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in names
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
