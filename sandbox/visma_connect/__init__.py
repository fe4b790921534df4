"""A stand-in for Visma Connect (connect.visma.com), mounted in the Dinero sandbox app.

Dinero requires Visma Connect OAuth 2.0 for public apps: authorization code with PKCE, client
ids ``isv_…``, scopes ``dineropublicapi:read dineropublicapi:write offline_access``, rotating
refresh tokens. Mounted under ``/visma-connect`` it shares the Dinero sandbox's process, so the
Dinero API accepts its access tokens for every organization the signed-in user reaches.

Config keys (of the Dinero sandbox app): ``VISMA_CONNECT_CLIENT_ID``,
``VISMA_CONNECT_CLIENT_SECRET`` and ``VISMA_CONNECT_KNOBS`` (see ``state.Knobs``).
"""

from __future__ import annotations

from flask import Flask

from sandbox.visma_connect import control
from sandbox.visma_connect import oauth
from sandbox.visma_connect import state

PREFIX = "/visma-connect"
DEFAULT_CLIENT_ID = "isv_rackdinero_demo"
DEFAULT_CLIENT_SECRET = "rackdinero-demo-visma-secret"


def init_app(app: Flask) -> None:
    client_id = app.config.get("VISMA_CONNECT_CLIENT_ID", DEFAULT_CLIENT_ID)
    secret = app.config.get("VISMA_CONNECT_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
    connect = state.VismaConnect(clients={client_id: secret})
    connect.knobs.update(app.config.get("VISMA_CONNECT_KNOBS", {}))
    connect.seed()
    app.extensions[state.EXTENSION] = connect
    app.register_blueprint(oauth.bp, url_prefix=PREFIX)
    app.register_blueprint(control.bp, url_prefix=PREFIX)
