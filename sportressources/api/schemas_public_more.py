"""Schemas of the public drives, events and impact endpoints (``views_public_more``)."""

from __future__ import annotations

from sportressources.api.schemas import NO_CONTROL, Length, PlainText, Schema, ma
from sportressources.api.schemas_public import CommuneRef, EventRef, VenueRef
from sportressources.listings.taxonomy import SPORTS


def _text(description: str, max_length: int, **metadata) -> ma.fields.String:
    if "enum" in metadata:
        metadata["enum"] = ["", *metadata["enum"]]
    else:
        metadata.setdefault("pattern", NO_CONTROL)
    return ma.fields.String(
        validate=[Length(max=max_length), PlainText()],
        metadata={"description": description, **metadata},
    )


MONTH = r"^([0-9]{4}-[0-9]{2})?$"


class DriveArgs(Schema):
    zone = _text("Zone (intercommunalité), par son identifiant (slug)", 80)
    commune = _text("Commune, par son code INSEE", 5, pattern=r"^([0-9]{5})?$")


class EventArgs(Schema):
    zone = _text("Zone (intercommunalité), par son identifiant (slug)", 80)
    sport = _text("Sport", 32, enum=sorted(SPORTS))
    past = ma.fields.Boolean(
        load_default=False, metadata={"description": "Les événements passés (true) ou à venir"}
    )


class ImpactArgs(Schema):
    du = _text("Premier mois, AAAA-MM (par défaut : il y a onze mois)", 10, pattern=MONTH)
    au = _text("Dernier mois, AAAA-MM (par défaut : ce mois-ci)", 10, pattern=MONTH)
    zone = _text(
        "Zone, par son numéro (comme sur la page Notre impact)", 10, pattern=r"^([0-9]{1,8})?$"
    )
    commune = _text("Commune, par son code INSEE", 10, pattern=r"^([0-9]{5})?$")


class OrganisationRef(Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class Slot(Schema):
    venue = ma.fields.Nested(VenueRef, required=True, metadata={"description": "Lieu de dépôt"})
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    places_left = ma.fields.Function(
        lambda slot: max(0, slot.capacity - slot.booked),
        required=True,
        metadata={"type": "integer", "description": "Places de dépôt encore libres"},
    )


class Wish(Schema):
    sport = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    size = ma.fields.String(required=True)
    age_group = ma.fields.String(required=True)
    quantity_wanted = ma.fields.Integer(required=True, metadata={"description": "Quantité"})
    pledged = ma.fields.Integer(required=True, metadata={"description": "Promis"})
    received = ma.fields.Integer(required=True, metadata={"description": "Reçus"})
    note = ma.fields.String(required=True)


class Drive(Schema):
    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"description": "Détail dans l’API"})
    page_url = ma.fields.String(required=True, metadata={"description": "Page sur le site"})
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, metadata={"description": "open, closed, cancelled"})
    organisation = ma.fields.Nested(OrganisationRef, required=True)
    event = ma.fields.Nested(EventRef, allow_none=True, required=True)
    slots = ma.fields.List(ma.fields.Nested(Slot), required=True)
    wishes = ma.fields.List(
        ma.fields.Nested(Wish), required=True, metadata={"description": "Matériel recherché"}
    )


class DriveLists(Schema):
    current = ma.fields.List(
        ma.fields.Nested(Drive), required=True, metadata={"description": "En cours et à venir"}
    )
    past = ma.fields.List(
        ma.fields.Nested(Drive), required=True, metadata={"description": "Passées ou annulées"}
    )


class Event(Schema):
    slug = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    page_url = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    all_day = ma.fields.Boolean(required=True)
    starts_at = ma.fields.DateTime(allow_none=True, required=True)
    ends_at = ma.fields.DateTime(allow_none=True, required=True)
    commune = ma.fields.Nested(CommuneRef, required=True)
    venue = ma.fields.Nested(VenueRef, allow_none=True, required=True)
    organisation = ma.fields.String(allow_none=True, required=True)
    sports = ma.fields.List(ma.fields.String(), required=True)
    website = ma.fields.String(required=True)
    cancelled = ma.fields.Boolean(required=True, metadata={"description": "Annulé"})


class Impact(Schema):
    first_month = ma.fields.String(required=True, metadata={"description": "AAAA-MM"})
    last_month = ma.fields.String(required=True, metadata={"description": "AAAA-MM"})
    zone = ma.fields.String(allow_none=True, required=True)
    commune = ma.fields.String(allow_none=True, required=True)
    figures = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(allow_none=True),
        required=True,
        metadata={"description": "Chiffre par indicateur ; null sous le secret statistique"},
    )
    statistical_secret = ma.fields.Boolean(required=True)
