"""Every body is bounded before it is read: the whole request (MAX_CONTENT_LENGTH), each form
field (MAX_FORM_MEMORY_SIZE) and the number of fields (MAX_FORM_PARTS), each refused with 413
in the page's own terms: the embedded pages in the user's language, support in English."""

from __future__ import annotations

import re

from werkzeug.formparser import FormDataParser

from rackdinero_app.extensions import rq
from rackdinero_app.models.enums import ConnectionState

TOO_LARGE_DA = "Det sendte er for stort til denne side."


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def activation_form(client, make_connection, open_session) -> tuple[str, dict[str, str]]:
    make_connection(rackbeat_account_id=12345, state=ConnectionState.INSTALLED)
    token = open_session(12345)
    page = client.get("/embedded/activation", query_string={"s": token}).get_data(as_text=True)
    return token, {"csrf_token": csrf_of(page), "api_key": "k", "organization_id": "400555"}


def test_a_body_over_the_limit_is_refused_in_the_users_language(
    client, make_connection, open_session
):
    token, form = activation_form(client, make_connection, open_session)

    response = client.post(
        "/embedded/activation",
        query_string={"s": token},
        data={**form, "padding": "x" * 3_000_000},
    )

    assert response.status_code == 413
    assert TOO_LARGE_DA in response.get_data(as_text=True)
    assert rq.queue().count == 0


def test_one_field_over_its_limit_is_refused(client, make_connection, open_session, app):
    token, form = activation_form(client, make_connection, open_session)
    field = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    assert len(field) < app.config["MAX_CONTENT_LENGTH"]

    response = client.post(
        "/embedded/activation",
        data={**form, "s": token, "api_key": field},
        content_type="multipart/form-data",  # a urlencoded body is bounded as a whole
    )

    assert response.status_code == 413
    assert TOO_LARGE_DA in response.get_data(as_text=True)
    assert rq.queue().count == 0


def test_too_many_fields_are_refused(client, make_connection, open_session, app):
    token, form = activation_form(client, make_connection, open_session)
    extra = {f"f{number}": "" for number in range(app.config["MAX_FORM_PARTS"] + 1)}

    response = client.post(
        "/embedded/activation",
        data={**form, "s": token, **extra},
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
    assert rq.queue().count == 0


def test_a_session_in_the_query_string_is_checked_before_the_body_is_read(
    client, make_connection, open_session, monkeypatch
):
    token, form = activation_form(client, make_connection, open_session)
    parsed = []
    real_parse = FormDataParser.parse
    monkeypatch.setattr(
        FormDataParser, "parse", lambda self, *args: parsed.append(args) or real_parse(self, *args)
    )

    response = client.post(
        "/embedded/activation", query_string={"s": token[:-3] + "xyz"}, data=form
    )

    assert response.status_code == 401
    assert parsed == []


def test_the_support_login_answers_an_oversized_body_in_english(client):
    response = client.post("/support/login", data={"email": "x" * 300_000, "password": "y"})
    assert response.status_code == 413
    assert "text/html" in response.content_type
    assert "larger than this page accepts" in response.get_data(as_text=True)
