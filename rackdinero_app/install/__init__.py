"""Install from Rackbeat (I1: contract A's OAuth, contract B's onboarding) and uninstall (I4)."""

from flask import Blueprint

bp = Blueprint("install", __name__, url_prefix="/install")

from rackdinero_app.install import onboarding_views  # noqa: E402,F401
from rackdinero_app.install import views  # noqa: E402,F401
