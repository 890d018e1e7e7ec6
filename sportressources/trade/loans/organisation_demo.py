"""Demo gear of the demo club for ``make run``: signed in as ``club@example.org``, its manager
finds listings published in the club's name, two lendable items with terms for verified
organisations, and a gift.

Runs after the organisations' demo loader (which creates the club « us-club-demo ») and after the
listings' and loans' own demo loaders, through the same services as members' clicks.
"""

from __future__ import annotations

from sqlalchemy import func, select

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.states import apply_transition
from sportressources.listings import services as listings
from sportressources.listings.demo import DEMO_MODERATOR, _photo_maker
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.organisations.models import MemberRole, Membership, Organisation
from sportressources.trade.loans import terms

DEMO_CLUB_SLUG = "us-club-demo"
# kind, sport, category, title, description, (min, max, deposit €, waived, partner max) or None
CLUB_GEAR = (
    (
        ListingKind.LOAN.value,
        "football",
        "materiel_collectif",
        "Lot de plots, chasubles et mini-buts",
        "Le matériel de nos séances jeunes : 40 plots, 20 chasubles, 2 mini-buts. Prêté aux "
        "familles et aux autres clubs pour un tournoi ou une fête de quartier.",
        (1, 7, 50, True, 30),
    ),
    (
        ListingKind.LOAN.value,
        "football",
        "ballons",
        "Filet de 10 ballons de football taille 4",
        "Ballons d’entraînement gonflés, avec la pompe. À rendre propres, merci !",
        (1, 14, 20, True, 60),
    ),
    (
        ListingKind.GIFT.value,
        "football",
        "vetements",
        "Jeu de 14 maillots de football enfant",
        "Ancien jeu de maillots du club, numéros 1 à 14 : pour une équipe qui démarre.",
        None,
    ),
)


def seed_demo_club_gear() -> str:
    """The demo club's listings, once: nothing without the club, nothing on a second run."""
    club = db.session.scalar(select(Organisation).where(Organisation.slug == DEMO_CLUB_SLUG))
    if club is None:
        return "pas de club de démonstration, rien à faire"
    if db.session.scalar(
        select(func.count()).select_from(Listing).where(Listing.organisation_id == club.id)
    ):
        return "le club de démonstration a déjà ses annonces, rien à faire"
    manager = db.session.scalar(
        select(Membership)
        .where(Membership.organisation_id == club.id, Membership.role == MemberRole.MANAGER.value)
        .order_by(Membership.id)
    )
    if manager is None:
        return "le club de démonstration n’a pas de responsable, rien à faire"
    member = manager.user
    moderator = db.session.scalar(select(User).where(User.email == DEMO_MODERATOR))
    photo_maker = _photo_maker()
    made = []
    for number, (kind, sport, category, title, description, lending) in enumerate(CLUB_GEAR):
        keys = [photo_maker(title, 100 + number, category=category)[0]]
        listing = listings.create_listing(
            member,
            listings.ListingData(
                kind=kind,
                title=title,
                description=description,
                sport=sport,
                category=category,
                size={"ballons": "4", "vetements": "10 ans"}.get(category, ""),
                age_group="u11",
                condition="good",
                commune_insee=club.commune_insee,
                photo_keys=keys,
                organisation_id=club.id,
            ),
            submit=bool(keys),
        )
        if listing.status == ListingStatus.AWAITING_REVIEW.value:
            apply_transition(listing, "approve", actor=moderator)
        if lending is not None:
            low, high, deposit, waived, partner_max = lending
            terms.set_terms(
                member,
                listing,
                low,
                high,
                deposit * 100,
                partner_deposit_waived=waived,
                partner_max_days=partner_max,
            )
        made.append(listing)
    db.session.flush()
    return f"{len(made)} annonces au nom du club de démonstration « {club.name} »"
