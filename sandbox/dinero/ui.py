"""``GET /``: a plain HTML page to look inside the sandbox (no external assets)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template

from sandbox.dinero import sales
from sandbox.dinero import state
from sandbox.dinero.views.files import file_response

bp = Blueprint("dinero_ui", __name__, template_folder="templates")


@bp.get("/")
def index():
    sandbox = state.current()
    with sandbox.lock:
        orgs = sorted(sandbox.organizations.values(), key=lambda o: o.id)
        return render_template("dinero_sandbox/index.html", orgs=orgs, present=sales.present)


@bp.get("/ui/<int:organization_id>/files/<file_guid>")
def attached_file(organization_id: int, file_guid: str):
    """A voucher's attached file, for a person looking at the sandbox (no token needed)."""
    sandbox = state.current()
    with sandbox.lock:
        org = sandbox.organizations.get(organization_id)
        record = org.files.get(file_guid.lower()) if org else None
        if record is None:
            abort(404)
        return file_response(record)
