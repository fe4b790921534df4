"""Inbound Rackbeat webhooks: authenticate, record in the inbox, acknowledge fast."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from rackdinero_app.webhooks import views  # noqa: E402,F401
