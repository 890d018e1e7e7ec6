"""Factories: plain functions with keyword overrides; each commits what it creates.

They build only states the services can produce: a listing is created as a draft and moved to
the status asked for by the transition helper, as its owner would and a moderator reviews it, so
that its stamps and audit rows are those of the real workflow.
"""

from __future__ import annotations

import itertools

from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.db import db, utcnow
from sportressources.core.security import Role
from sportressources.core.states import apply_transition

PASSWORD = "une phrase de passe solide"
REVIEWER_EMAIL = "relecture@example.org"
# How a new listing reaches each status, from a draft
LISTING_PATHS = {
    "draft": (),
    "awaiting_review": ("submit",),
    "rejected": ("submit", "reject"),
    "published": ("submit", "approve"),
    "reserved": ("submit", "approve", "reserve"),
    "given": ("submit", "approve", "mark_given"),
    "sold": ("submit", "approve", "mark_sold"),
    "withdrawn": ("withdraw",),
}
REVIEW_ACTIONS = ("approve", "reject")
REJECTION_NOTE = "Les photos ne montrent pas l’article."
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
    reviewer: User | None = None,
    **fields,
):
    """A listing placed like the service does, created as a draft and brought to ``status`` by
    the transitions a member and a moderator (``reviewer``, or the factories' own) would make."""
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
        status="draft",
        **fields,
    )
    db.session.add(listing)
    db.session.commit()
    return move_listing(listing, *LISTING_PATHS[status], reviewer=reviewer)


def reviewer_moderator() -> User:
    """The moderator who reviews the factories' listings (created once per database)."""
    existing = db.session.scalar(select(User).where(User.email == REVIEWER_EMAIL))
    return existing or make_user(
        email=REVIEWER_EMAIL, display_name="Relecture", role=Role.MODERATOR
    )


def move_listing(listing, *actions: str, actor: User | None = None, reviewer: User | None = None):
    """Apply each transition to a saved listing, as ``actor`` (by default its owner, or for a
    review ``reviewer`` or the factories' moderator), then commit."""
    for action in actions:
        if action in REVIEW_ACTIONS:
            who = actor or reviewer or reviewer_moderator()
        else:
            who = actor or listing.owner
        reason = None
        if action == "reject":
            listing.review_note = reason = REJECTION_NOTE
        apply_transition(listing, action, actor=who, reason=reason)
    db.session.commit()
    return listing


def committed(result):
    """Commit what a service wrote, as the request around it would; returns the result."""
    db.session.commit()
    return result


def fresh(obj):
    """Drop what the session holds and reload ``obj`` as the database has it."""
    db.session.rollback()
    db.session.refresh(obj)
    return obj


def make_organisation(
    manager: User | None = None,
    name: str | None = None,
    kind: str = "club",
    status: str = "verified",
    commune_insee: str = "62498",
    rna: str | None = None,
    siret: str | None = None,
    **fields,
):
    """An organisation (verified unless ``status`` says otherwise) whose ``manager`` (a new
    member by default) is its manager. Without identifiers it gets a unique RNA number."""
    from sportressources.organisations.models import MemberRole, Membership, Organisation

    number = next(_counter)
    manager = manager or make_user()
    name = name or f"Club sportif {number}"
    organisation = Organisation(
        name=name,
        slug=f"club-sportif-{number}",
        kind=kind,
        status=status,
        commune_insee=commune_insee,
        rna=rna if rna or siret else f"W62{number:07d}",
        siret=siret,
        created_by_id=manager.id,
        verified_at=utcnow() if status == "verified" else None,
        **fields,
    )
    db.session.add(organisation)
    db.session.flush()
    db.session.add(
        Membership(
            organisation_id=organisation.id, user_id=manager.id, role=MemberRole.MANAGER.value
        )
    )
    db.session.commit()
    return organisation


def add_member(organisation, user: User | None = None, role: str = "volunteer") -> User:
    """Make ``user`` (a new member by default) a volunteer, or ``role``, of the organisation."""
    from sportressources.organisations.models import Membership

    user = user or make_user()
    db.session.add(Membership(organisation_id=organisation.id, user_id=user.id, role=role))
    db.session.commit()
    return user


def pickup_venue():
    """The first published venue where gear can be picked up (from the territory's data)."""
    from sportressources.venues.models import Venue

    return db.session.scalars(
        select(Venue).where(Venue.status == "published", Venue.pickup).order_by(Venue.id)
    ).first()
