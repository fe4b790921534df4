import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey


@pytest.fixture
def launch_token(app):
    """Mint a launch token as Rackbeat's settings page does; any claim can be overridden."""

    def mint(account_id: int, *, secret: str | None = None, **claims) -> str:
        now = int(time.time())
        payload = {
            "iss": app.config["RACKBEAT_BASE_URL"],
            "aud": app.config["RACKBEAT_CLIENT_ID"],
            "sub": str(account_id),
            "user": {"id": 7, "name": "Mette Demo", "email": "mette@demo-lager.dk", "locale": "da"},
            "iat": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        }
        payload.update(claims)
        key = OctKey.import_key(secret or app.config["RACKBEAT_CLIENT_SECRET"])
        return jwt.encode({"alg": "HS256"}, payload, key)

    return mint


@pytest.fixture
def open_session(client, launch_token):
    """Launch the embedded pages for an account and return the session token."""

    def launch(account_id: int) -> str:
        response = client.get("/embedded/launch", query_string={"launch": launch_token(account_id)})
        assert response.status_code == 302, response.get_data(as_text=True)
        from urllib.parse import parse_qs
        from urllib.parse import urlparse

        return parse_qs(urlparse(response.location).query)["s"][0]

    return launch
