"""rackdinero: the app that connects Rackbeat to Dinero. ``create_app`` builds it."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from rackdinero_app import config
from rackdinero_app import formatting
from rackdinero_app import security_headers
from rackdinero_app.config import PROJECT_ROOT

__all__ = ["PROJECT_ROOT", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, commands."""
    app = Flask(
        __name__,
        instance_path=config.instance_path_from_env(),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    register_extensions(app)
    register_blueprints(app)
    security_headers.init_app(app)
    formatting.init_app(app)
    register_errorhandlers(app)
    register_commands(app)
    configure_logger(app)
    return app


def register_extensions(app: Flask) -> None:
    from rackdinero_app import limits
    from rackdinero_app import models  # noqa: F401  (registers every table on the metadata)
    from rackdinero_app.embedded.locale import select_locale
    from rackdinero_app.extensions import babel
    from rackdinero_app.extensions import crypto
    from rackdinero_app.extensions import csrf
    from rackdinero_app.extensions import db
    from rackdinero_app.extensions import migrate
    from rackdinero_app.extensions import rq
    from rackdinero_app.install.oauth import oauth

    crypto.init_app(app)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_item=models.base.render_migration_item,
    )
    csrf.init_app(app)
    rq.init_app(app)
    limits.init_app(app)
    oauth.init_app(app)
    # Embedded pages speak the Rackbeat user's language; times are shown in Danish time.
    babel.init_app(app, default_timezone="Europe/Copenhagen", locale_selector=select_locale)
    _dispose_engine_after_fork(app)


def _dispose_engine_after_fork(app: Flask) -> None:
    """RQ forks a work horse per job; pooled connections must not be shared with the parent."""

    def dispose() -> None:
        with app.app_context():
            from rackdinero_app.extensions import db

            db.engine.dispose(close=False)

    os.register_at_fork(after_in_child=dispose)


def register_blueprints(app: Flask) -> None:
    from rackdinero_app import support
    from rackdinero_app.dinero_sign_in.window import bp as dinero_sign_in_bp
    from rackdinero_app.embedded import bp as embedded_bp
    from rackdinero_app.extensions import csrf
    from rackdinero_app.health import bp as health_bp
    from rackdinero_app.install import bp as install_bp
    from rackdinero_app.webhooks import bp as webhooks_bp

    # Webhooks authenticate by token; embedded forms carry their own session-bound CSRF token,
    # since the cookie that Flask-WTF relies on is not available inside Rackbeat's iframe.
    csrf.exempt(webhooks_bp)
    csrf.exempt(embedded_bp)
    for blueprint in (health_bp, install_bp, embedded_bp, webhooks_bp, dinero_sign_in_bp):
        app.register_blueprint(blueprint)
    # The support dashboard: its own login and cookie, CSRF by Flask-WTF like any top-level page.
    support.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Errors answer with a short message; a stack trace never reaches the user."""

    def render_http_error(error: HTTPException):
        if error.code == 413 and request.blueprint == "support":
            # Staff pages are English pages; the embedded pages answer in the page's language.
            text = "What was sent is larger than this page accepts. Go back and send less."
            return render_template("support/error.html", title="Too large", text=text), 413
        return jsonify(error=error.name, message=error.description), error.code

    def render_unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        return (
            jsonify(error="Internal Server Error", message="Something went wrong on our side."),
            500,
        )

    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(Exception, render_unexpected)


def register_commands(app: Flask) -> None:
    from rackdinero_app import cli

    cli.init_app(app)


def configure_logger(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
