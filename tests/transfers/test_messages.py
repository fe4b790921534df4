"""Transfer messages: a catalogue code with parameters, English for the log, translated to
Danish and Swedish for the reader."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import gettext

from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import Transient
from rackdinero_app.transfers.engine import client_message
from rackdinero_app.transfers.errors import LinkConflict
from rackdinero_app.transfers.errors import TotalsMismatch
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.translation import CATALOGUE
from rackdinero_app.transfers.translation import render
from rackdinero_app.transfers.translation import translated


@pytest.mark.parametrize("language", ["da", "sv"])
def test_every_message_in_the_catalogue_is_translated(app, language):
    with app.test_request_context(), force_locale(language):
        untranslated = [code for code, english in CATALOGUE.items() if gettext(english) == english]

    assert untranslated == []


def test_a_message_keeps_its_english_text_and_nests_messages_as_codes():
    error = TotalsMismatch([(Message.of("total_vat"), 2985, 2497.5)])

    assert error.message.startswith("The totals in Dinero differ from Rackbeat (VAT: Rackbeat ")
    assert error.explanation.json_params() == {
        "differences": [
            {
                "code": "totals_difference",
                "params": {
                    "total": {"code": "total_vat", "params": {}},
                    "rackbeat": "2985.00",
                    "dinero": "2497.50",
                },
            }
        ]
    }


def test_nested_messages_are_translated_with_the_message_around_them(app):
    conflict = LinkConflict("customer", "1", "2").explanation

    with app.test_request_context(), force_locale("da"):
        shown = render(conflict.code, conflict.json_params())

    assert shown.startswith("Dineros kunde for 1 er allerede knyttet til Rackbeats kunde 2")


def test_a_client_error_is_a_message_under_its_client_code():
    message = client_message(
        Transient(message_code="server_error", params={"service": "Rackbeat", "status": 502})
    )

    assert (message.code, message.params) == (
        "client.server_error",
        {"service": "Rackbeat", "status": 502},
    )
    assert message.text == (
        "Rackbeat had a temporary problem (HTTP 502). The transfer is retried later."
    )
    assert render(message.code, message.json_params(), str) == message.text


def test_a_client_error_given_only_english_text_is_shown_as_its_type():
    unknown = AuthFailed("Something no catalogue knows.")

    assert (unknown.message_code, unknown.message) == (
        "access_refused",
        "Something no catalogue knows.",
    )


def test_a_code_that_no_longer_fits_shows_the_stored_english_text(app):
    with app.test_request_context(), force_locale("da"):
        assert translated("no_such_code", {}, "Stored English.") == "Stored English."
        assert translated("retrying", {}, "Stored English.") == "Stored English."
        assert translated(None, None, "Written before codes.") == "Written before codes."
