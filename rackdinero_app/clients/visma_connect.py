"""Visma Connect (connect.visma.com): the OAuth 2.0 server Dinero's public API trusts.

Authorization code with PKCE (S256), through authlib: ``authorization_url`` sends the user to
``/connect/authorize``, ``exchange_code`` and ``refresh`` call ``/connect/token`` (the app's
client id and secret by HTTP Basic). Refresh tokens may rotate: every answer that carries a new
one must be stored before anything else happens. A refused grant (``invalid_grant``: revoked,
expired or already used) is ``SignInRevoked``; a refused client is ``AuthFailed``; an outage
is ``Transient``. Messages never contain a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.requests_client import OAuthError

from rackdinero_app.clients import http
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import SignInRevoked
from rackdinero_app.clients.errors import Transient

SERVICE = "Visma Connect"
# What the app asks for: Dinero's API, read and write, and a refresh token (offline_access).
SCOPES = "dineropublicapi:read dineropublicapi:write offline_access"


@dataclass(frozen=True)
class Tokens:
    """One token answer: the access token, how long it lives, and the refresh token to keep."""

    access_token: str = field(repr=False)
    expires_in: float
    refresh_token: str | None = field(default=None, repr=False)


class VismaConnect:
    """The app's client registration at Visma Connect (``client_id`` is ``isv_…``)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"VismaConnect(base_url={self.base_url!r}, client_id={self.client_id!r})"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/connect/token"

    def _session(self, redirect_uri: str | None = None, scope: str | None = None) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self._client_secret,
            token_endpoint_auth_method="client_secret_basic",
            scope=scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )

    def authorization_url(self, redirect_uri: str, state: str, code_verifier: str) -> str:
        """Where the user signs in and consents; Visma comes back to ``redirect_uri``."""
        with self._session(redirect_uri, SCOPES) as session:
            url, _ = session.create_authorization_url(
                f"{self.base_url}/connect/authorize", state=state, code_verifier=code_verifier
            )
        return url

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> Tokens:
        """The tokens for the authorization code the callback received (single use)."""
        with self._session(redirect_uri) as session:
            return self._tokens(
                lambda: session.fetch_token(
                    self.token_url,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                    timeout=self._timeout,
                )
            )

    def refresh(self, refresh_token: str) -> Tokens:
        """A new access token, and (when Visma rotates it) a new refresh token to store."""
        with self._session() as session:  # no scope: the refresh keeps the grant's
            return self._tokens(
                lambda: session.refresh_token(
                    self.token_url, refresh_token=refresh_token, timeout=self._timeout
                )
            )

    def _tokens(self, ask) -> Tokens:
        try:
            answer = ask()
        except OAuthError as error:
            raise _refused(error.error) from None
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else None
            raise Transient(
                message_code="server_error", params={"service": SERVICE, "status": status}
            ) from None
        except requests.ConnectTimeout:
            raise Transient(
                message_code="connect_timeout",
                params={"service": SERVICE},
                may_have_succeeded=False,
            ) from None
        except requests.Timeout:
            raise Transient(message_code="read_timeout", params={"service": SERVICE}) from None
        except requests.ConnectionError:
            raise Transient(message_code="connection_failed", params={"service": SERVICE}) from None
        return Tokens(
            access_token=answer["access_token"],
            expires_in=float(answer.get("expires_in") or 3600),
            refresh_token=answer.get("refresh_token"),
        )


def _refused(error: str | None) -> ClientError:
    if error == "invalid_grant":
        return SignInRevoked(status=400)
    if error in ("invalid_client", "unauthorized_client"):
        return AuthFailed(message_code="visma_connect_client_refused", status=401)
    return AuthFailed(message_code="visma_connect_refused", params={"error": error or "?"})
