"""Demo organisations: a verified club managed by ``club@example.org`` (other demo loaders find
it by its slug, ``us-club-demo``) and a verified ressourcerie. Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.organisations.models import (
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)

CLUB_SLUG = "us-club-demo"
DEMO_ORGANISATIONS = (
    {
        "slug": CLUB_SLUG,
        "name": "US Club démo",
        "kind": OrganisationKind.CLUB.value,
        "rna": "W623000001",
        "siret": None,
        "sports": ["football", "athletisme"],
        "address": "Stade municipal, rue des Sports",
        "description": (
            "Club omnisport de démonstration : football et athlétisme pour les jeunes. "
            "Nous prêtons des chaussures à crampons et des maillots aux nouveaux licenciés."
        ),
        "dropoff_hours": "Le mercredi de 14 h à 18 h et le samedi matin, au local du club.",
        "manager": "club@example.org",
    },
    {
        "slug": "ressourcerie-demo-de-l-artois",
        "name": "Ressourcerie démo de l'Artois",
        "kind": OrganisationKind.RESSOURCERIE.value,
        "rna": None,
        "siret": "73282932000074",
        "sports": ["cyclisme", "multisport"],
        "address": "Zone artisanale, 12 rue du Réemploi",
        "description": "Ressourcerie de démonstration : nous collectons et remettons en état "
        "le matériel de sport donné par les habitants.",
        "dropoff_hours": "Du mardi au samedi, de 10 h à 17 h.",
        "manager": "yanis@example.org",
    },
)


def load_demo_organisations() -> str:
    """Create the demo organisations and their managers' memberships when missing."""
    created = 0
    for spec in DEMO_ORGANISATIONS:
        manager = db.session.scalar(select(User).where(User.email == spec["manager"]))
        if db.session.scalar(select(Organisation.id).where(Organisation.slug == spec["slug"])):
            continue
        commune = manager.home_commune_insee if manager and manager.home_commune_insee else "62498"
        values = {k: v for k, v in spec.items() if k != "manager"}
        organisation = Organisation(
            **values,
            commune_insee=commune,
            status=OrganisationStatus.VERIFIED.value,
            verified_at=utcnow(),
            created_by_id=manager.id if manager else None,
        )
        db.session.add(organisation)
        db.session.flush()
        if manager is not None:
            db.session.add(
                Membership(
                    organisation_id=organisation.id,
                    user_id=manager.id,
                    role=MemberRole.MANAGER.value,
                )
            )
        created += 1
    db.session.flush()
    return f"{created} organisation(s) créée(s)" if created else "déjà présentes"
