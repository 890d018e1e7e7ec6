"""The main pages of the site for each role, on a small world that gives every one of them
something to show: listings of each kind, a loan, an exchange request, a conversation, an
organisation with a drive, a venue, a listing awaiting review. Used by the phone layout tour
(tests/e2e/test_phone_layout.py) and the Nu HTML checker (tests/test_html_validity.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sportressources.accounts.models import Role
from sportressources.core.db import db
from sportressources.events import services as events
from sportressources.messaging import services as messaging
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.loans import services as loans
from sportressources.trade.loans import terms
from sportressources.trade.loans.availability import paris_today
from tests.drives.inventory_helpers import make_drive, make_venue
from tests.factories import committed, make_listing, make_organisation, make_user


@dataclass
class Tour:
    """Who visits, and which pages each of them opens (visitors: ``None``)."""

    members: dict[str, object] = field(default_factory=dict)
    pages: dict[str | None, list[str]] = field(default_factory=dict)


def build_tour() -> Tour:
    resident = make_user(email="camille@example.org", display_name="Camille Martin")
    lender = make_user(email="yanis@example.org", display_name="Yanis Benali")
    moderator = make_user(
        email="moderation@example.org", display_name="Modération", role=Role.MODERATOR
    )
    admin = make_user(email="admin@example.org", display_name="Administration", role=Role.ADMIN)
    venue = make_venue()
    organisation = make_organisation(manager=lender, name="US Club démo")
    drive = make_drive(organisation, venue=venue)
    event = events.create_event(
        lender,
        events.EventData(
            title="Route du Louvre",
            starts_on=paris_today() + timedelta(days=30),
            ends_on=None,
            venue_id=venue.id,
            sports=["athletisme"],
            description="Marathon, semi-marathon et courses.",
            organisation_id=organisation.id,
        ),
    )
    drive.event_id = event.id
    db.session.commit()

    bike = make_listing(
        owner=lender,
        kind="loan",
        title="Vélo tout chemin 26 pouces avec un titre assez long pour tester les retours",
        category="velos",
        size="M",
    )
    committed(terms.set_terms(lender, bike, 1, 7, 5000))
    gift = make_listing(owner=lender, title="Chaussures de football à crampons")
    sale = make_listing(owner=resident, kind="sale", title="Raquette de tennis", sport="tennis")
    make_listing(owner=resident, title="Casque de vélo enfant", status="awaiting_review")

    today = paris_today()
    loan = committed(
        loans.request_loan(resident, bike, today + timedelta(days=2), today + timedelta(days=4))
    )
    committed(exchanges.request_item(resident, gift, "Bonjour, toujours disponible ?"))
    conversation = committed(messaging.start_conversation(resident, gift))
    committed(messaging.send_message(resident, conversation, "Je peux passer samedi matin."))

    common = [
        "/",
        "/annonces",
        "/annonces?q=vélo&lieu=Liévin",
        f"/annonces/{gift.id}",
        f"/annonces/{sale.id}",
        f"/prets/annonces/{bike.id}",
        "/lieux",
        f"/lieux/{venue.slug}",
        "/territoire",
        "/organisations",
        f"/organisations/{organisation.slug}",
        "/collectes",
        f"/collectes/{drive.id}",
        "/evenements",
        "/evenements?periode=passes",
        f"/evenements/{event.slug}",
        f"/membres/{lender.public_id}",
        "/plan-du-site",
        "/accessibilite",
        "/confidentialite",
        "/annonces/regles",
        "/impact",
        "/impact/rapport",
        "/api/v1/documentation",
    ]
    member = [
        "/compte/",
        "/mon-espace",
        "/mes-demandes",
        "/prets",
        f"/prets/{loan.id}",
        "/prets/calendrier",
        "/messages",
        f"/messages/{conversation.id}",
        "/notifications",
        "/alertes",
        "/annonces/nouvelle",
        "/compte/appareils",
        "/compte/api",
        "/compte/organisations",
    ]
    return Tour(
        members={"resident": resident, "lender": lender, "moderator": moderator, "admin": admin},
        pages={
            None: [*common, "/compte/connexion", "/compte/inscription"],
            "resident": [*common, *member],
            "lender": [
                f"/annonces/{bike.id}",
                f"/prets/annonces/{bike.id}",
                f"/annonces/{gift.id}/demandes",
                f"/prets/annonces/{bike.id}/historique",
                f"/organisations/{organisation.slug}/gerer",
                f"/organisations/{organisation.slug}/inventaire",
                f"/collectes/{drive.id}/gestion",
                "/evenements/nouveau",
                f"/evenements/{event.slug}/modifier",
                f"/collectes/{drive.id}/modifier",
                "/mes-demandes",
                "/prets",
                f"/prets/{loan.id}",
                "/plan-du-site",
            ],
            "moderator": [
                "/moderation/",
                "/moderation/file",
                "/moderation/signalements",
                "/moderation/membres",
                f"/moderation/membres/{resident.id}",
                "/moderation/contestations",
                "/moderation/tableau-de-bord",
                "/lieux/propositions",
                "/transparence",
                "/plan-du-site",
            ],
            "admin": [
                "/evenements/nouveau",
                "/moderation/equipe",
                "/moderation/journal",
                "/moderation/",
                "/administration/courriels",
                "/plan-du-site",
            ],
        },
    )
