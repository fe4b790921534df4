"""Visma Connect sign-in is configured only where it is offered."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from rackdinero_app.config import ConfigError
from rackdinero_app.config import validate
from tests.foundation.production import PRODUCTION_SETTINGS

PRODUCTION = {**PRODUCTION_SETTINGS, "ENCRYPTION_KEYS": Fernet.generate_key().decode()}


def test_without_a_visma_client_id_no_visma_secret_is_needed():
    validate(dict(PRODUCTION))


def test_a_visma_client_id_without_its_secret_names_the_missing_variable():
    with pytest.raises(ConfigError, match="RACKDINERO_VISMA_CONNECT_CLIENT_SECRET"):
        validate({**PRODUCTION, "VISMA_CONNECT_CLIENT_ID": "isv_rackdinero"})
    validate(
        {
            **PRODUCTION,
            "VISMA_CONNECT_CLIENT_ID": "isv_rackdinero",
            "VISMA_CONNECT_CLIENT_SECRET": "x",
        }
    )


def test_the_demo_offers_visma_with_its_sandbox_credentials(app):
    assert app.config["VISMA_CONNECT_CLIENT_ID"] == "isv_rackdinero_demo"
    assert app.config["VISMA_CONNECT_CLIENT_SECRET"]
