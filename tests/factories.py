"""Factories: plain functions with keyword overrides; each commits what it creates."""

from __future__ import annotations

import itertools

from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.db import db, utcnow
from sportressources.core.security import Role

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


def make_listing(
    owner: User | None = None,
    kind: str = "gift",
    title: str = "Chaussures de football à crampons",
    description: str = "Portées une saison, crampons en bon état.",
    sport: str = "football",
    category: str = "chaussures",
    size: str = "38",
    condition: str = "good",
    commune_insee: str = "62498",
    venue=None,
    price_cents: int | None = None,
    new_price_cents: int | None = None,
    status: str = "published",
    **fields,
):
    """A listing written straight to the database (no moderation), placed like the service does."""
    from sportressources.geo.models import Commune
    from sportressources.listings.models import Listing

    owner = owner or make_user()
    commune = db.session.get(Commune, commune_insee)
    place = venue or commune
    if kind == "sale" and price_cents is None:
        price_cents = 1000
    listing = Listing(
        owner_id=owner.id,
        kind=kind,
        title=title,
        description=description,
        sport=sport,
        category=category,
        size=size,
        condition=condition,
        commune_insee=commune_insee,
        venue_id=venue.id if venue is not None else None,
        latitude=place.latitude,
        longitude=place.longitude,
        price_cents=price_cents,
        new_price_cents=new_price_cents,
        status=status,
        published_at=utcnow() if status in ("published", "reserved") else None,
        **fields,
    )
    db.session.add(listing)
    db.session.commit()
    return listing
