"""The Visma Connect stand-in and the Dinero API's side of its tokens, and the password grant
without a scope: each test pins what a lenient fake would let through (or a too strict one
would refuse)."""

from __future__ import annotations

import base64
import hashlib
import re
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from sandbox.dinero import create_app

CLIENT_ID = "isv_rackdinero_demo"
CLIENT_SECRET = "rackdinero-demo-visma-secret"
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
DINERO_BASIC = (
    "Basic " + base64.b64encode(b"rackdinero-demo:rackdinero-demo-dinero-secret").decode()
)
REDIRECT_URI = "http://app.test/dinero-sign-in/callback"
SCOPES = "dineropublicapi:read dineropublicapi:write offline_access"
VERIFIER = "v" * 43 + "-verifier-of-the-test"
METTE = "mette@demo-lager.dk"


def challenge(verifier: str = VERIFIER) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def dinero_app():
    return create_app({"TESTING": True, "VALIDATE_RESPONSES": True})


@pytest.fixture
def client(dinero_app):
    return dinero_app.test_client()


def authorize_params(**overrides) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPES,
        "state": "state-1",
        "code_challenge": challenge(),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def consent(client, email: str = METTE, decision: str = "allow", **overrides) -> dict:
    """Sign in on the consent page and answer; return the query Visma sends back."""
    page = client.get(
        "/visma-connect/connect/authorize", query_string=authorize_params(**overrides)
    )
    assert page.status_code == 200, page.get_data(as_text=True)
    fields = dict(
        (unescape(n), unescape(v))
        for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.get_data(as_text=True))
    )
    fields.update(email=email, password="demo", decision=decision)
    answer = client.post("/visma-connect/connect/authorize", data=fields)
    assert answer.status_code == 302
    location = urlsplit(answer.location)
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def token_call(client, auth: str = BASIC, **form):
    return client.post("/visma-connect/connect/token", data=form, headers={"Authorization": auth})


def exchange(client, code: str, verifier: str = VERIFIER, **extra):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        **extra,
    }
    return token_call(client, **form)


def refresh(client, refresh_token: str):
    return token_call(client, grant_type="refresh_token", refresh_token=refresh_token)


@pytest.fixture
def tokens(client) -> dict:
    answer = exchange(client, consent(client)["code"])
    assert answer.status_code == 200, answer.json
    return answer.json


def test_the_code_flow_with_pkce_gives_tokens_that_open_every_organization_of_the_user(
    client, tokens
):
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    assert set(tokens["scope"].split()) == set(SCOPES.split())
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}

    listed = client.get("/v1/organizations", headers=bearer)
    assert listed.status_code == 200
    assert [(o["id"], o["isPro"]) for o in listed.json] == [(400555, True), (400556, False)]
    assert client.get("/v1/400555/contacts", headers=bearer).status_code == 200
    not_pro = client.get("/v1/400556/contacts", headers=bearer)
    assert not_pro.status_code == 403 and not_pro.json["code"] == 90
    assert client.get("/v1/400557/contacts", headers=bearer).status_code == 403


def test_a_user_reaching_one_organization_lists_only_that_one(client):
    code = consent(client, email="lars@demo-lager.dk")["code"]
    bearer = {"Authorization": f"Bearer {exchange(client, code).json['access_token']}"}
    assert [o["id"] for o in client.get("/v1/organizations", headers=bearer).json] == [400555]
    assert client.get("/v1/400556/contacts", headers=bearer).status_code == 403


def test_a_code_works_once_and_only_with_its_verifier_and_redirect_uri(client):
    code = consent(client)["code"]
    assert exchange(client, code, verifier="w" * 43).json["error"] == "invalid_grant"
    assert exchange(client, code).json["error"] == "invalid_grant"  # spent by the bad attempt

    code = consent(client)["code"]
    wrong_uri = exchange(client, code, redirect_uri="http://evil.test/cb")
    assert wrong_uri.json["error"] == "invalid_grant"

    code = consent(client)["code"]
    assert exchange(client, code).status_code == 200
    assert exchange(client, code).json["error"] == "invalid_grant"


def test_the_client_must_authenticate_and_send_a_s256_challenge(client):
    code = consent(client)["code"]
    wrong = "Basic " + base64.b64encode(f"{CLIENT_ID}:wrong".encode()).decode()
    refused = token_call(
        client,
        auth=wrong,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=VERIFIER,
    )
    assert refused.status_code == 401 and refused.json["error"] == "invalid_client"
    # client_secret_post works too
    code = consent(client)["code"]
    posted = client.post(
        "/visma-connect/connect/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert posted.status_code == 200

    no_pkce = client.get(
        "/visma-connect/connect/authorize",
        query_string=authorize_params(code_challenge=None, code_challenge_method=None),
    )
    assert no_pkce.status_code == 302 and "error=invalid_request" in no_pkce.location
    plain = client.get(
        "/visma-connect/connect/authorize",
        query_string=authorize_params(code_challenge_method="plain"),
    )
    assert "error=invalid_request" in plain.location


def test_an_unknown_client_or_bad_redirect_uri_is_shown_not_redirected(client):
    unknown = client.get(
        "/visma-connect/connect/authorize", query_string=authorize_params(client_id="isv_other")
    )
    assert unknown.status_code == 400 and "Unknown client_id" in unknown.get_data(as_text=True)
    relative = client.get(
        "/visma-connect/connect/authorize", query_string=authorize_params(redirect_uri="/cb")
    )
    assert relative.status_code == 400


def test_denying_sends_access_denied_with_the_state(client):
    answer = consent(client, decision="deny")
    assert answer == {"error": "access_denied", "state": "state-1"}


def test_refresh_tokens_rotate_and_a_used_one_is_refused(client, tokens):
    first = refresh(client, tokens["refresh_token"])
    assert first.status_code == 200
    assert first.json["refresh_token"] != tokens["refresh_token"]
    again = refresh(client, tokens["refresh_token"])
    assert again.status_code == 400 and again.json["error"] == "invalid_grant"
    assert refresh(client, first.json["refresh_token"]).status_code == 200


def test_the_grace_period_knob_lets_a_used_refresh_token_work_again_for_a_while(client, tokens):
    assert (
        client.post("/visma-connect/_sandbox/knobs", json={"refresh_grace_seconds": 30}).json[
            "refresh_grace_seconds"
        ]
        == 30
    )
    assert refresh(client, tokens["refresh_token"]).status_code == 200
    assert refresh(client, tokens["refresh_token"]).status_code == 200
    bad = client.post("/visma-connect/_sandbox/knobs", json={"refresh_grace_seconds": 61})
    assert bad.status_code == 400


def test_revoking_ends_the_refresh_token_and_the_access_tokens(client, tokens):
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/v1/400555/contacts", headers=bearer).status_code == 200

    revoked = client.post("/visma-connect/_sandbox/revoke", json={"email": METTE})
    assert revoked.json == {"revoked": 1}

    assert refresh(client, tokens["refresh_token"]).json["error"] == "invalid_grant"
    assert client.get("/v1/400555/contacts", headers=bearer).status_code == 401
    page = client.get("/visma-connect/").get_data(as_text=True)
    assert "revoked" in page


def test_the_revocation_endpoint_ends_a_grant(client, tokens):
    answer = client.post(
        "/visma-connect/connect/revocation",
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers={"Authorization": BASIC},
    )
    assert answer.status_code == 200
    assert refresh(client, tokens["refresh_token"]).json["error"] == "invalid_grant"


def test_a_token_without_the_write_scope_may_read_but_not_write(client):
    code = consent(client, scope="dineropublicapi:read offline_access")["code"]
    bearer = {"Authorization": f"Bearer {exchange(client, code).json['access_token']}"}
    assert client.get("/v1/400555/contacts", headers=bearer).status_code == 200
    write = client.post("/v1/400555/contacts", json={"Name": "X"}, headers=bearer)
    assert write.status_code == 403


def test_without_offline_access_there_is_no_refresh_token(client):
    code = consent(client, scope="dineropublicapi:read dineropublicapi:write")["code"]
    assert "refresh_token" not in exchange(client, code).json


def password_grant(client, **form):
    body = {"grant_type": "password", "username": "demo-dinero-api-key"}
    body["password"] = body["username"]
    body.update(form)
    return client.post("/dineroapi/oauth/token", data=body, headers={"Authorization": DINERO_BASIC})


def test_the_password_grant_needs_no_scope(client):
    # A published Dinero client sends no scope at all, and Dinero answers with a token.
    answer = password_grant(client)
    assert answer.status_code == 200, answer.json
    assert answer.json["access_token"]


@pytest.mark.parametrize("scope", ["read write", "read", "write read"])
def test_the_password_grant_takes_read_and_write(client, scope):
    assert password_grant(client, scope=scope).status_code == 200


@pytest.mark.parametrize("scope", ["dineropublicapi:read dineropublicapi:write", "read admin"])
def test_the_password_grant_refuses_another_scope(client, scope):
    answer = password_grant(client, scope=scope)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_scope"
