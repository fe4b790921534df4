"""Secrets at rest: MultiFernet with the configured keys (newest first, so keys can rotate).

``Crypto.init_app`` keeps the app's keys on the app; the module functions use the current app's
keys, so a column type can encrypt without importing the extension singletons.
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet
from flask import Flask
from flask import current_app

from rackdinero_app import config

EXTENSION_KEY = "rackdinero.crypto"


class SecretUnreadable(RuntimeError):
    """A stored secret cannot be decrypted with any configured key."""

    def __init__(self) -> None:
        super().__init__(
            "A stored secret could not be decrypted with any key in RACKDINERO_ENCRYPTION_KEYS. "
            "Was a key removed before `flask crypto rotate` ran?"
        )


def _fernet() -> MultiFernet:
    return current_app.extensions[EXTENSION_KEY]


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    plaintext = decrypt_or_none(token)
    if plaintext is None:
        raise SecretUnreadable()
    return plaintext


def decrypt_or_none(token: str) -> str | None:
    """The secret, or None when no configured key reads it: for short-lived copies (a cached
    access token) that are simply fetched again, e.g. after the key that sealed them went."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def rotate(token: str) -> str:
    """The same secret, encrypted with the newest key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable() from None


class Crypto:
    """The app's encryption keys; ``encrypt``/``decrypt``/``rotate`` use them."""

    def init_app(self, app: Flask) -> None:
        keys = config.encryption_keys(app.config)
        app.extensions[EXTENSION_KEY] = MultiFernet([Fernet(k) for k in keys])

    encrypt = staticmethod(encrypt)
    decrypt = staticmethod(decrypt)
    decrypt_or_none = staticmethod(decrypt_or_none)
    rotate = staticmethod(rotate)
