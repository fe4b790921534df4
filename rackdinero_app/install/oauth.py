"""The OAuth client for Rackbeat's install handshake (authorization code + PKCE + state).

Its token request names the consumer like every other call to Rackbeat (``Consumer-Name``,
``Consumer-Contact``, ``User-Agent``): authlib's session takes them as default headers.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask
from flask import current_app

from rackdinero_app.clients.rackbeat import consumer
from rackdinero_app.install import manifest


class RackbeatOAuth:
    """One authlib registry per app, so each app uses its own Rackbeat URLs and credentials."""

    def init_app(self, app: Flask) -> None:
        registry = OAuth(app)
        base = app.config["RACKBEAT_BASE_URL"].rstrip("/")
        headers = consumer(app.config).headers()

        def name_the_consumer(session) -> None:
            session.headers.update(headers)

        registry.register(
            "rackbeat",
            client_id=app.config["RACKBEAT_CLIENT_ID"],
            client_secret=app.config["RACKBEAT_CLIENT_SECRET"],
            authorize_url=f"{base}/oauth/authorize",
            access_token_url=f"{base}/oauth/token",
            client_kwargs={
                "scope": " ".join(manifest.manifest()["scopes"]),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_post",
                "timeout": 15,
            },
            compliance_fix=name_the_consumer,
            user_agent=headers["User-Agent"],
        )
        app.extensions["rackdinero.oauth"] = registry

    @property
    def rackbeat(self):
        return current_app.extensions["rackdinero.oauth"].rackbeat


oauth = RackbeatOAuth()
