"""Password hashing (argon2id) and the minimum strength rules."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

# Passwords people pick first; a longer list would live in a data file, this catches the obvious.
COMMON_PASSWORDS = frozenset(
    {
        "motdepasse",
        "motdepasse1",
        "motdepasse123",
        "azertyuiop",
        "azerty1234",
        "azerty12345",
        "qwertyuiop",
        "1234567890",
        "0123456789",
        "12345678910",
        "123456789a",
        "password123",
        "password1234",
        "passw0rd123",
        "soleil1234",
        "bonjour1234",
        "doudou1234",
        "chouchou12",
        "jetaime1234",
        "football123",
        "footballeur",
        "rclens1906",
        "sangetor1906",
        "iloveyou123",
        "administrateur",
        "sportressources",
        "sportressources62",
        "pasdecalais62",
        "motdepasse62",
        "aaaaaaaaaa",
        "abcdefghij",
        "abcdef12345",
    }
)


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_HASH_TIME_COST"],
        memory_cost=config["PASSWORD_HASH_MEMORY_COST"],
        parallelism=config["PASSWORD_HASH_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def password_problem(password: str, email: str = "", display_name: str = "") -> LazyString | None:
    """Why ``password`` is too weak, or None. Length matters most (NIST SP 800-63B)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _l("Le mot de passe doit contenir au moins %(minimum)s caractères.", minimum=minimum)
    if len(password) > 256:
        return _l("Le mot de passe ne peut pas dépasser 256 caractères.")
    folded = _fold(password)
    if folded in COMMON_PASSWORDS or len(set(folded)) < 4:
        return _l("Ce mot de passe est trop courant ou trop simple : choisissez-en un autre.")
    local_part = _fold(email.split("@", 1)[0]) if email else ""
    name = "".join(_fold(display_name).split())
    # "Léa Martin 2024" reuses the name "Léa Martin" as much as "LeaMartin2024" does.
    compact = "".join(folded.split())
    for personal in (local_part, name):
        if len(personal) >= 4 and (personal in folded or personal in compact):
            return _l("Le mot de passe ne doit pas reprendre votre adresse e-mail ni votre nom.")
    return None
