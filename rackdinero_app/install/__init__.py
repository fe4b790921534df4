"""Install from the Rackbeat catalogue (I1), Dinero activation (I2) and uninstall (I4)."""

from flask import Blueprint

bp = Blueprint("install", __name__, url_prefix="/install")

from rackdinero_app.install import views  # noqa: E402,F401
