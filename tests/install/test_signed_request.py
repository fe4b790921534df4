import time
from urllib.parse import parse_qs
from urllib.parse import urlparse

import pytest

from rackdinero_app.install import signed_request

SECRET = "rackdinero-demo-rackbeat-secret"


def signed(account_id=12345, timestamp=None, secret=SECRET):
    params = {"account_id": str(account_id), "timestamp": str(int(timestamp or time.time()))}
    params["hmac"] = signed_request.signature(params, secret)
    return params


def test_a_correctly_signed_request_names_the_account():
    assert signed_request.verify(signed(), SECRET) == 12345


def test_a_forged_signature_is_refused():
    params = signed(secret="not-the-client-secret")
    with pytest.raises(signed_request.InvalidInstallRequest, match="not signed by Rackbeat"):
        signed_request.verify(params, SECRET)


def test_a_changed_account_breaks_the_signature():
    params = signed()
    params["account_id"] = "99999"
    with pytest.raises(signed_request.InvalidInstallRequest):
        signed_request.verify(params, SECRET)


def test_a_request_older_than_five_minutes_is_refused():
    params = signed(timestamp=time.time() - 301)
    with pytest.raises(signed_request.InvalidInstallRequest, match="expired"):
        signed_request.verify(params, SECRET)


def test_a_request_four_minutes_old_is_accepted():
    assert signed_request.verify(signed(timestamp=time.time() - 240), SECRET) == 12345


def test_forged_install_request_gets_403_and_starts_no_oauth(client):
    response = client.get("/install", query_string=signed(secret="forged"))
    assert response.status_code == 403
    assert "not signed by Rackbeat" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert not any(key.startswith("_state_rackbeat") for key in session)


def test_stale_install_request_gets_403(client):
    response = client.get("/install", query_string=signed(timestamp=time.time() - 600))
    assert response.status_code == 403


def test_valid_install_request_starts_authorization_code_with_pkce(app, client):
    response = client.get("/install", query_string=signed())
    assert response.status_code == 302
    location = urlparse(response.location)
    assert f"{location.scheme}://{location.netloc}" == app.config["RACKBEAT_BASE_URL"]
    assert location.path == "/oauth/authorize"
    query = parse_qs(location.query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["redirect_uri"] == [app.config["PUBLIC_URL"] + "/install/callback"]
    assert query["state"][0]


@pytest.mark.parametrize("given", ["ø" * 64, "é", "zz" * 32, "", "a" * 63])
def test_a_malformed_hmac_is_a_400_and_starts_no_oauth(client, given):
    params = {**signed(), "hmac": given}
    response = client.get("/install", query_string=params)
    assert response.status_code == 400
    assert "The install link is incomplete." in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert not any(key.startswith("_state_rackbeat") for key in session)
