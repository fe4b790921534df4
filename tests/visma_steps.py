"""Steps of a Visma Connect sign-in for tests: what a person does on Visma's consent page, and
tokens issued straight into the sandbox (as an earlier sign-in would have left them)."""

from __future__ import annotations

import re
import secrets
import time
from html import unescape

import requests
from flask import Flask

from sandbox.visma_connect import state as visma_state

METTE = "mette@demo-lager.dk"  # reaches 400555 (Pro) and 400556 (not Pro)
LARS = "lars@demo-lager.dk"  # reaches 400555 only
SOFIE = "sofie@starter.dk"  # reaches 400556 only
CLIENT_ID = "isv_rackdinero_demo"


def consent_fields(html: str) -> dict[str, str]:
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    }


def answer_consent(
    browser: requests.Session, authorize_url: str, email: str = METTE, decision: str = "allow"
) -> str:
    """Open Visma's consent page, sign in as ``email`` and answer; return the URL Visma sends
    the browser back to (the app's callback), without following it."""
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    fields = consent_fields(page.text)
    fields.update(email=email, password="demo", decision=decision)
    answer = browser.post(page.url, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def issue_tokens(dinero: Flask, email: str = METTE, client_id: str = CLIENT_ID) -> str:
    """A refresh token of a live grant of ``email``, as a finished sign-in leaves it."""
    connect = dinero.extensions[visma_state.EXTENSION]
    with connect.lock:
        grant = visma_state.Grant(
            id=secrets.token_hex(8),
            client_id=client_id,
            email=email,
            scopes=("dineropublicapi:read", "dineropublicapi:write", "offline_access"),
            created_at=time.monotonic(),
        )
        connect.grants[grant.id] = grant
        return connect.issue_tokens(grant)["refresh_token"]


def refreshes(dinero: Flask) -> int:
    """How many refresh-token exchanges Visma answered with new tokens."""
    connect = dinero.extensions[visma_state.EXTENSION]
    with connect.lock:
        return connect.token_requests["refresh_token:issued"]


def revoke(dinero: Flask, email: str = METTE) -> None:
    connect = dinero.extensions[visma_state.EXTENSION]
    with connect.lock:
        assert connect.revoke(email) >= 1
