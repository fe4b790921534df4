"""An HTTP error inside the embedded pages is a page in the user's language, not JSON."""

from __future__ import annotations

import re

from rackdinero_app.models.enums import ConnectionState


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_missing_record_is_a_danish_page_with_the_way_back(client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345)
    token = open_session(12345)
    page = client.get("/embedded/settings/start-sync", query_string={"s": token})
    csrf = csrf_of(page.get_data(as_text=True))

    response = client.post(
        "/embedded/transfers/999999/retry", data={"s": token, "csrf_token": csrf}
    )

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Denne side eller post findes ikke (længere)." in body
    assert f'href="/embedded/?s={token}"' in body
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]


def test_an_unknown_settings_page_is_a_swedish_page(client, make_connection, launch_token):
    make_connection(rackbeat_account_id=12345)
    swedish = launch_token(12345, user={"id": 8, "name": "Sven", "locale": "sv_SE"})
    launched = client.get("/embedded/launch", query_string={"launch": swedish})
    token = re.search(r"s=([^&]+)", launched.location).group(1)

    response = client.get("/embedded/settings/no-such-page", query_string={"s": token})

    assert response.status_code == 404
    assert "Den här sidan eller posten finns inte (längre)." in response.get_data(as_text=True)


def test_a_bad_request_says_what_to_do(client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345)
    token = open_session(12345)

    response = client.get(
        "/embedded/language/en", query_string={"s": token, "next": "https://evil.example/"}
    )

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Reload the page and try again" in response.get_data(as_text=True)


def test_the_status_poll_still_gets_json(client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345, state=ConnectionState.INSTALLED)
    token = open_session(12345)

    response = client.get(
        "/embedded/activation/no-such-attempt/status",
        query_string={"s": token},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 404
    assert response.json["error"] == "Not Found"
