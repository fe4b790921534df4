"""HTTP errors inside the embedded pages: a page in the user's language with what to do,
never JSON in Rackbeat's iframe (the status poll, which asks for JSON, still gets JSON)."""

from __future__ import annotations

from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from rackdinero_app.embedded import bp

WHAT_TO_DO = {
    400: _l(
        "The app could not read this request. Reload the page and try again; if it happens "
        "again, open the app again from Rackbeat > Settings > Apps > Dinero."
    ),
    404: _l(
        "This page or record does not exist (any more). Go back to the overview and open it "
        "from there."
    ),
    405: _l("This page cannot be used like that. Go back to the overview and try again."),
    413: _l(
        "What was sent is too large for this page. Go back, shorten what you entered, and try "
        "again."
    ),
}
OTHERWISE = _l(
    "Something went wrong with this page. Go back to the overview and try again; if it keeps "
    "happening, contact the app's support."
)


@bp.errorhandler(HTTPException)
def render_http_error(error: HTTPException):
    message = str(WHAT_TO_DO.get(error.code or 500, OTHERWISE))
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=error.name, message=message), error.code
    overview = url_for("embedded.home", s=request.values.get("s")) if "embedded" in g else None
    return render_template("embedded/error.html", message=message, overview=overview), error.code
