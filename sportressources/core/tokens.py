"""Signed, expiring tokens for links sent by email.

A token names its purpose (the salt), a subject and a fingerprint of the state it was issued for: a
password-reset token stops working once the password changes, so each link works once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from sportressources.core.errors import DomainError


class InvalidToken(DomainError):
    code = "invalid_token"
    status = 400

    def __init__(self, expired: bool = False):
        from flask_babel import lazy_gettext as _l

        self.expired = expired
        if expired:
            super().__init__(_l("Ce lien a expiré. Demandez-en un nouveau."), code="expired_token")
        else:
            super().__init__(
                _l("Ce lien n’est pas valide ou a déjà servi. Demandez-en un nouveau.")
            )


def fingerprint(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:16]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"sr62.{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """The payload of a valid token; raises ``InvalidToken`` (``expired`` set when too old)."""
    if not token or len(token) > 1000:
        raise InvalidToken()
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
    if not isinstance(payload, dict):
        raise InvalidToken()
    return payload
