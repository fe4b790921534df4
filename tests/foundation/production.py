"""Settings production accepts (issue 13): long random secrets and public https addresses.

Tests that build a production app use these on top of ``app_config`` (which brings its own
random encryption key, database and Redis)."""

from __future__ import annotations

import secrets

PRODUCTION_SETTINGS = {
    "ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "RACKBEAT_CLIENT_SECRET": secrets.token_urlsafe(32),
    "DINERO_CLIENT_SECRET": secrets.token_urlsafe(32),
    "RACKBEAT_CONSUMER_CONTACT": "ops@rackdinero.example",
    "PUBLIC_URL": "https://rackdinero.example.com",
    "RACKBEAT_BASE_URL": "https://app.rackbeat.com",
    "DINERO_API_URL": "https://api.dinero.dk",
    "DINERO_AUTH_URL": "https://authz.dinero.dk",
}
