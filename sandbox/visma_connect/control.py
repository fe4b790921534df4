"""The sandbox's own pages and controls: who signed in to what, revoke a grant, knobs, reset.

``GET /visma-connect/`` shows the demo users and their grants, each user with a Revoke button
(what a user does under "Connected apps" in Visma Connect). ``/visma-connect/_sandbox/*`` is
for tests: ``knobs`` (GET/POST a partial JSON object), ``revoke`` (``{"email": …}``),
``reset`` and ``state`` (grants and token request counts, no secrets).
"""

from __future__ import annotations

import time

from flask import Blueprint
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from sandbox.visma_connect import state

bp = Blueprint("visma_connect_control", __name__, template_folder="templates")


@bp.get("/")
def index():
    connect = state.current()
    with connect.lock:
        users = sorted(connect.users.values(), key=lambda user: user.email)
        grants = sorted(connect.grants.values(), key=lambda grant: grant.created_at)
        return render_template(
            "visma_connect/index.html",
            users=users,
            grants=grants,
            knobs=connect.knobs.as_dict(),
            now=time.monotonic(),
        )


@bp.post("/_sandbox/revoke")
def revoke():
    """Revoke every grant of a user (JSON ``{"email"}`` or the page's form)."""
    body = request.get_json(silent=True) if request.is_json else request.form
    email = str((body or {}).get("email", "")).strip().lower()
    connect = state.current()
    with connect.lock:
        if email not in connect.users:
            return jsonify({"error": f"No demo user {email!r}."}), 404
        revoked = connect.revoke(email)
    if request.is_json:
        return jsonify({"revoked": revoked})
    return redirect(url_for("visma_connect_control.index"))


@bp.get("/_sandbox/knobs")
def get_knobs():
    return jsonify(state.current().knobs.as_dict())


@bp.post("/_sandbox/knobs")
def set_knobs():
    changes = request.get_json(silent=True)
    if not isinstance(changes, dict):
        return jsonify({"error": "Send a JSON object of knobs."}), 400
    connect = state.current()
    with connect.lock:
        try:
            connect.knobs.update(changes)
        except ValueError as error:
            return jsonify({"error": str(error)}), 400
        return jsonify(connect.knobs.as_dict())


@bp.post("/_sandbox/reset")
def reset():
    """Forget every grant, code and token (knobs stay)."""
    state.current().seed()
    return jsonify({"reset": True})


@bp.get("/_sandbox/state")
def dump():
    connect = state.current()
    with connect.lock:
        return jsonify(
            {
                "grants": [
                    {
                        "id": grant.id,
                        "client_id": grant.client_id,
                        "email": grant.email,
                        "scopes": list(grant.scopes),
                        "revoked": grant.revoked_at is not None,
                    }
                    for grant in connect.grants.values()
                ],
                "token_requests": dict(connect.token_requests),
            }
        )
