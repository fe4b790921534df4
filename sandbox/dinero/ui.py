"""``GET /``: a plain HTML page to look inside the sandbox (no external assets)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

from sandbox.dinero import sales
from sandbox.dinero import state

bp = Blueprint("dinero_ui", __name__, template_folder="templates")


@bp.get("/")
def index():
    sandbox = state.current()
    with sandbox.lock:
        orgs = sorted(sandbox.organizations.values(), key=lambda o: o.id)
        return render_template("dinero_sandbox/index.html", orgs=orgs, present=sales.present)
