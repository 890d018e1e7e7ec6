"""Demo accounts for development, so that a newcomer can sign in with each role at once."""

from __future__ import annotations

from sqlalchemy import func, select

from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.db import db, utcnow
from sportressources.core.security import Role

DEMO_PASSWORD = "demo-sport-62"
DEMO_ACCOUNTS = (
    # email, display name, role, home commune (INSEE): Lens, Liévin, Béthune, Hénin-Beaumont, Bruay
    ("admin@example.org", "Alice R.", Role.ADMIN, "62498"),
    ("moderation@example.org", "Mehdi L.", Role.MODERATOR, "62510"),
    # A resident until organisations exist; it will then act for its club
    ("club@example.org", "US Club démo", Role.RESIDENT, "62119"),
    ("camille@example.org", "Camille D.", Role.RESIDENT, "62427"),
    ("yanis@example.org", "Yanis B.", Role.RESIDENT, "62178"),
)


def load_demo_accounts() -> str:
    """Create the demo accounts when the database has no account at all; idempotent."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return "des comptes existent déjà, rien à faire"
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, role, commune in DEMO_ACCOUNTS:
        db.session.add(
            User(
                email=email,
                display_name=name,
                role=role.value,
                home_commune_insee=commune,
                password_hash=password_hash,
                email_confirmed_at=utcnow(),
                terms_accepted_at=utcnow(),
            )
        )
    db.session.flush()
    return f"{len(DEMO_ACCOUNTS)} comptes créés (mot de passe : {DEMO_PASSWORD})"
