"""Every defence of the embedded pages, each proven by a request that must be refused."""

import re
import time

from rackdinero_app.models.enums import ConnectionState


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_valid_launch_opens_a_session(client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345, state=ConnectionState.INSTALLED)
    token = open_session(12345)
    response = client.get("/embedded/activation", query_string={"s": token})
    assert response.status_code == 200
    assert "Aktivér integration" in response.get_data(as_text=True)  # the launch locale is "da"


def test_an_expired_launch_token_is_refused(client, make_connection, launch_token):
    make_connection(rackbeat_account_id=12345)
    past = int(time.time()) - 120
    token = launch_token(12345, iat=past, exp=past + 60)
    response = client.get("/embedded/launch", query_string={"launch": token})
    assert response.status_code == 401
    assert "expired" in response.get_data(as_text=True)


def test_a_launch_token_works_only_once(client, make_connection, launch_token):
    make_connection(rackbeat_account_id=12345)
    token = launch_token(12345)
    assert client.get("/embedded/launch", query_string={"launch": token}).status_code == 302
    again = client.get("/embedded/launch", query_string={"launch": token})
    assert again.status_code == 401
    assert "already used" in again.get_data(as_text=True)


def test_a_launch_token_for_another_app_is_refused(client, make_connection, launch_token):
    make_connection(rackbeat_account_id=12345)
    token = launch_token(12345, aud="some-other-app")
    assert client.get("/embedded/launch", query_string={"launch": token}).status_code == 401


def test_a_launch_token_from_another_issuer_is_refused(client, make_connection, launch_token):
    make_connection(rackbeat_account_id=12345)
    token = launch_token(12345, iss="https://evil.example")
    assert client.get("/embedded/launch", query_string={"launch": token}).status_code == 401


def test_a_launch_token_signed_with_another_secret_is_refused(
    client, make_connection, launch_token
):
    make_connection(rackbeat_account_id=12345)
    token = launch_token(12345, secret="an-attacker-s-own-secret-of-32-bytes!")
    assert client.get("/embedded/launch", query_string={"launch": token}).status_code == 401


def test_a_launch_for_an_account_without_installation_is_refused(client, launch_token):
    response = client.get("/embedded/launch", query_string={"launch": launch_token(55555)})
    assert response.status_code == 403
    assert "not installed" in response.get_data(as_text=True)


def test_a_tampered_session_token_is_refused(client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345)
    token = open_session(12345)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert client.get("/embedded/", query_string={"s": tampered}).status_code == 401
    assert client.get("/embedded/").status_code == 401


def test_an_expired_session_is_refused(app, client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345)
    token = open_session(12345)
    app.config["EMBEDDED_SESSION_SECONDS"] = -1
    assert client.get("/embedded/", query_string={"s": token}).status_code == 401


def test_account_a_cannot_read_or_change_account_b(client, make_connection, open_session, redis):
    make_connection(rackbeat_account_id=111, rackbeat_company_name="Alpha ApS")
    beta = make_connection(
        rackbeat_account_id=222, rackbeat_company_name="Beta ApS", state=ConnectionState.INSTALLED
    )
    token_a = open_session(111)
    token_b = open_session(222)

    page = client.get("/embedded/", query_string={"s": token_a, "connection_id": beta.id})
    assert "Alpha ApS" in page.get_data(as_text=True)
    assert "Beta ApS" not in page.get_data(as_text=True)

    form = client.get("/embedded/activation", query_string={"s": token_b}).get_data(as_text=True)
    started = client.post(
        "/embedded/activation",
        data={"s": token_b, "csrf_token": csrf_of(form), "api_key": "k", "organization_id": "1"},
    )
    attempt_of_b = started.location.split("/activation/")[1].split("?")[0]
    response = client.get(f"/embedded/activation/{attempt_of_b}", query_string={"s": token_a})
    assert response.status_code == 404
    status = client.get(f"/embedded/activation/{attempt_of_b}/status", query_string={"s": token_a})
    assert status.status_code == 404

    # B's CSRF token does not work in A's session either.
    refused = client.post(
        "/embedded/activation",
        data={"s": token_a, "csrf_token": csrf_of(form), "api_key": "k", "organization_id": "1"},
    )
    assert refused.status_code == 400


def test_a_form_post_without_csrf_token_is_refused_and_changes_nothing(
    client, make_connection, open_session, redis, app
):
    make_connection(rackbeat_account_id=12345, state=ConnectionState.INSTALLED)
    token = open_session(12345)
    response = client.post(
        "/embedded/activation",
        data={"s": token, "api_key": "some-key", "organization_id": "400555"},
    )
    assert response.status_code == 400
    assert "Genindlæs siden og prøv igen" in response.get_data(as_text=True)
    assert redis.keys("rackdinero:activation:*") == []
    from rackdinero_app.extensions import rq

    assert rq.queue().count == 0


def test_frame_ancestors_is_sent_on_every_embedded_page(app, client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345, state=ConnectionState.INSTALLED)
    token = open_session(12345)
    rackbeat = app.config["RACKBEAT_BASE_URL"]
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("embedded.") and "GET" in rule.methods:
            # Every variable part filled with something that does not exist.
            url = re.sub(r"<int:[^>]+>", "999999", rule.rule)
            urls.append(re.sub(r"<[^>]+>", "unknown", url))
    assert len(urls) >= 5
    for url in urls:
        for params in ({"s": token}, {}):
            response = client.get(url, query_string=params)
            policy = response.headers.get("Content-Security-Policy", "")
            assert f"frame-ancestors {rackbeat}" in policy, (url, response.status_code)
            assert response.headers["Referrer-Policy"] == "no-referrer"
