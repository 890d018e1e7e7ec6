"""Shared helpers of the organisations' tests."""

from __future__ import annotations

from sportressources.core.db import db
from sportressources.organisations import services
from sportressources.organisations.services import ProfileData

CLUB = ProfileData(
    name="Racing Club de Lens Athlétisme",
    kind="club",
    commune_insee="62498",
    rna="w623000123",
    address="Stade Bollaert",
    sports=["football", "athletisme"],
    description="Club d’athlétisme.",
    dropoff_hours="Le mercredi après-midi.",
    website="https://club.example.org",
)


def created_by(member, data: ProfileData = CLUB):
    organisation = services.create_organisation(member, data)
    db.session.commit()
    return organisation
