"""Pages shown inside Rackbeat's iframe (Settings > Apps > Dinero)."""

from flask import Blueprint

bp = Blueprint("embedded", __name__, url_prefix="/embedded")

from rackdinero_app.embedded import errors  # noqa: E402,F401
from rackdinero_app.embedded import invoice_import  # noqa: E402,F401
from rackdinero_app.embedded import locale  # noqa: E402,F401
from rackdinero_app.embedded import onboarding  # noqa: E402,F401
from rackdinero_app.embedded import overview  # noqa: E402,F401
from rackdinero_app.embedded import reconciliation  # noqa: E402,F401
from rackdinero_app.embedded import settings_link  # noqa: E402,F401
from rackdinero_app.embedded import settings_views  # noqa: E402,F401
from rackdinero_app.embedded import start_sync  # noqa: E402,F401
from rackdinero_app.embedded import support_request  # noqa: E402,F401
from rackdinero_app.embedded import transfer_log  # noqa: E402,F401
from rackdinero_app.embedded import troubleshoot  # noqa: E402,F401
from rackdinero_app.embedded import views  # noqa: E402,F401
from rackdinero_app.embedded.activation import views as activation_views  # noqa: E402,F401
