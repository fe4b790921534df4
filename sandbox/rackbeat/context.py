"""Per-request helpers: the store, and the simulated signed-in Rackbeat user and account."""

from __future__ import annotations

from flask import current_app
from flask import request
from flask import session

from sandbox.rackbeat.seed import DEMO_ACCOUNT_ID
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Store
from sandbox.rackbeat.store import User

ACCOUNT_PARAM = "account"


def get_store() -> Store:
    return current_app.extensions["rackbeat_sandbox"]


def select_account_from_query() -> None:
    """``?account=<id>`` on any page signs the simulated user into that (seeded) account."""
    raw = request.args.get(ACCOUNT_PARAM, "")
    if raw.isdigit() and get_store().account(int(raw)) is not None:
        session["account_id"] = int(raw)


def current_account() -> Account:
    store = get_store()
    account = store.account(session.get("account_id", DEMO_ACCOUNT_ID))
    if account is None:  # the session outlived a reset
        session["account_id"] = DEMO_ACCOUNT_ID
        account = store.accounts[DEMO_ACCOUNT_ID]
    return account


def current_user() -> User:
    return get_store().first_user(current_account())
