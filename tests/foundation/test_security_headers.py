"""Every response's security headers, and production's https-only cookie and HSTS (issue 13)."""

from __future__ import annotations

import pytest
from flask import session

from rackdinero_app import create_app
from tests.foundation.production import PRODUCTION_SETTINGS

HSTS = "max-age=31536000; includeSubDomains"
RACKBEAT_ORIGIN = "https://app.rackbeat.com"


@pytest.fixture
def production(app_config, redis):
    return create_app({**app_config, **PRODUCTION_SETTINGS, "RACKBEAT_BASE_URL": RACKBEAT_ORIGIN})


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    (directive,) = [d.strip() for d in policy.split(";") if "frame-ancestors" in d]
    return directive


@pytest.mark.parametrize(
    "path", ["/healthz", "/support/login", "/embedded/", "/embedded/no-such-page", "/nowhere"]
)
def test_production_answers_carry_hsts_and_no_sniffing(production, path):
    response = production.test_client().get(path)
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in response.headers  # it would keep Rackbeat from framing


@pytest.mark.parametrize("path", ["/embedded/", "/embedded/no-such-page"])
def test_only_rackbeat_frames_the_embedded_pages(production, path):
    response = production.test_client().get(path)
    assert frame_ancestors(response) == f"frame-ancestors {RACKBEAT_ORIGIN}"


@pytest.mark.parametrize("path", ["/support/login", "/support/", "/healthz", "/nowhere"])
def test_no_one_frames_any_other_page(production, path):
    response = production.test_client().get(path)
    assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_the_demo_and_the_tests_send_no_hsts(client):
    """They run on plain http on loopback, where HSTS would pin 127.0.0.1 to https."""
    response = client.get("/support/login")
    assert "Strict-Transport-Security" not in response.headers
    assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_the_production_session_cookie_is_secure_httponly_and_lax(production):
    @production.get("/_cookie")
    def set_cookie():
        session["probe"] = 1
        return "ok"

    response = production.test_client().get("/_cookie")
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
