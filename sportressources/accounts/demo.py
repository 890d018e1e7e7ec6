"""Demo accounts for development, so that a newcomer can sign in with each role at once."""

from __future__ import annotations

from sqlalchemy import func, select

from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.db import transaction, utcnow
from sportressources.core.security import Role
from sportressources.extensions import db

DEMO_PASSWORD = "demo-sport-62"
DEMO_ACCOUNTS = (
    ("admin@example.org", "Admin démo", Role.ADMIN, "Lens"),
    ("moderation@example.org", "Modération démo", Role.MODERATOR, "Liévin"),
    ("club@example.org", "US Club démo", Role.ASSOCIATION_MEMBER, "Béthune"),
    ("camille@example.org", "Camille D.", Role.RESIDENT, "Hénin-Beaumont"),
    ("yanis@example.org", "Yanis B.", Role.RESIDENT, "Bruay-la-Buissière"),
)


def load_demo_accounts() -> str:
    """Create the demo accounts when the database has no account at all; idempotent."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return "des comptes existent déjà, rien à faire"
    password_hash = hash_password(DEMO_PASSWORD)
    with transaction():
        for email, name, role, commune in DEMO_ACCOUNTS:
            db.session.add(
                User(
                    email=email,
                    display_name=name,
                    role=role.value,
                    home_commune=commune,
                    password_hash=password_hash,
                    email_confirmed_at=utcnow(),
                    terms_accepted_at=utcnow(),
                )
            )
    return f"{len(DEMO_ACCOUNTS)} comptes créés (mot de passe : {DEMO_PASSWORD})"
