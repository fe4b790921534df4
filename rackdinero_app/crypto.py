"""Secrets at rest: MultiFernet with the configured keys (newest first, so keys can rotate)."""

from __future__ import annotations

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet
from flask import Flask
from flask import current_app

from rackdinero_app import config


class SecretUnreadable(RuntimeError):
    """A stored secret cannot be decrypted with any configured key."""

    def __init__(self) -> None:
        super().__init__(
            "A stored secret could not be decrypted with any key in RACKDINERO_ENCRYPTION_KEYS. "
            "Was a key removed before `flask crypto rotate` ran?"
        )


class Crypto:
    """Encrypts and decrypts text with the app's keys; ``rotate`` re-encrypts with the newest."""

    def init_app(self, app: Flask) -> None:
        keys = config.encryption_keys(app.config)
        app.extensions["rackdinero.crypto"] = MultiFernet([Fernet(k) for k in keys])

    @staticmethod
    def _fernet() -> MultiFernet:
        return current_app.extensions["rackdinero.crypto"]

    def encrypt(self, plaintext: str) -> str:
        return self._fernet().encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet().decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable() from None

    def rotate(self, token: str) -> str:
        try:
            return self._fernet().rotate(token.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable() from None
