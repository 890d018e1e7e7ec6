"""Factories: plain functions with keyword overrides; each commits what it creates."""

from __future__ import annotations

import itertools

from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.db import utcnow
from sportressources.core.security import Role
from sportressources.extensions import db

PASSWORD = "une phrase de passe solide"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    # Hashing is deliberately slow; the same password always verifies against the same hash.
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def make_user(
    email: str | None = None,
    display_name: str | None = None,
    password: str = PASSWORD,
    role: Role | str = Role.RESIDENT,
    confirmed: bool = True,
    home_commune_insee: str | None = "62498",  # Lens
    **fields,
) -> User:
    number = next(_counter)
    user = User(
        email=(email or f"membre{number}@example.org").lower(),
        display_name=display_name or f"Membre {number}",
        password_hash=_hash(password),
        role=Role(role).value,
        home_commune_insee=home_commune_insee,
        email_confirmed_at=utcnow() if confirmed else None,
        terms_accepted_at=utcnow(),
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user
