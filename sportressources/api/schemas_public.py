"""Schemas of the public endpoints: what anyone may read, never more than the public pages show
(no email, no review note, no exact position of a member)."""

from __future__ import annotations

from flask import url_for

from sportressources.api.schemas import NO_CONTROL, Length, PlainText, Range, Schema, ma
from sportressources.geo.distance import RADII_KM
from sportressources.listings.models import Condition, ListingKind
from sportressources.listings.search.params import ARG_MAX_LENGTH, QUERY_MAX_LENGTH, SORTS
from sportressources.listings.search.query import PAGE_SIZE, PAGE_SIZE_MAX
from sportressources.listings.taxonomy import CATEGORIES, SPORTS


def _text(description: str, max_length: int = ARG_MAX_LENGTH, **metadata) -> ma.fields.String:
    """A query-string value of at most ``max_length`` characters. ``enum`` and ``pattern`` only
    document the values understood: the search reads them itself, with the site's messages; an
    empty value, as the site's form sends for a field left blank, means « any »."""
    if "enum" in metadata:
        metadata["enum"] = ["", *metadata["enum"]]
    else:
        metadata.setdefault("pattern", NO_CONTROL)
    return ma.fields.String(
        validate=[Length(max=max_length), PlainText()],
        metadata={"description": description, **metadata},
    )


def absolute(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


# What a page cursor looks like (next_cursor): the search checks it for its sort order
CURSOR = r"^([0-9eE.+-]{1,40}(_[0-9]{1,12})?)?$"


# --- arguments ---------------------------------------------------------------------------------


class ListingSearchArgs(Schema):
    """The query string of the site's search page (/annonces), read the same way."""

    q = _text("Mots cherchés", QUERY_MAX_LENGTH)
    kind = _text("Type d’annonce", enum=[k.value for k in ListingKind])
    sport = _text("Sport", enum=sorted(SPORTS))
    category = _text("Catégorie", enum=sorted(CATEGORIES))
    size = _text("Taille (selon la catégorie)")
    condition = _text("État minimum", enum=[c.value for c in Condition])
    zone = _text("Zone (intercommunalité), par son identifiant (slug)")
    commune = _text("Commune, par son code INSEE", pattern=r"^([0-9]{5})?$")
    venue = _text("Lieu de remise, par son identifiant (slug)")
    near = _text(
        "Autour d’un lieu : « commune:<INSEE> » ou « venue:<slug> »",
        pattern=r"^((commune|venue):.+)?$",
    )
    radius = _text(
        "Distance en km autour du lieu (avec near ou where)", enum=[str(r) for r in RADII_KM]
    )
    where = _text("Lieu tapé : nom de commune, code postal ou lieu sportif")
    max_price = _text(
        "Prix maximum en euros, par exemple 15 ou 7,50",
        pattern=r"^\s*([0-9]{1,6}([.,][0-9]{1,2})?\s*€?)?\s*$",
    )
    with_photos = _text("Seulement les annonces avec photo (1, true, oui)")
    sort = _text(
        "Ordre : newest (récentes), nearest (proches), cheapest (moins chères)", enum=SORTS
    )
    after = _text("Curseur : la page après celui-ci (voir next_cursor)", 60, pattern=CURSOR)
    before = _text("Curseur : la page avant celui-ci (voir previous_cursor)", 60, pattern=CURSOR)
    limit = ma.fields.Integer(
        load_default=PAGE_SIZE,
        validate=Range(min=1, max=PAGE_SIZE_MAX),
        metadata={"description": "Nombre d’annonces par page"},
    )


class TerritoryArgs(Schema):
    zone = _text("Zone (intercommunalité), par son identifiant (slug)", 80)
    commune = _text("Commune, par son code INSEE", 5, pattern=r"^([0-9]{5})?$")


class CommuneArgs(Schema):
    q = _text("Nom, début de nom ou code postal", 100)
    zone = _text("Zone (intercommunalité), par son identifiant (slug)", 80)


class OrganisationArgs(TerritoryArgs):
    kind = _text("Type d’organisation", 16)


# --- answers -----------------------------------------------------------------------------------


class CommuneRef(Schema):
    insee = ma.fields.String(required=True, metadata={"description": "Code INSEE"})
    name = ma.fields.String(required=True, metadata={"description": "Nom"})
    label = ma.fields.String(required=True, metadata={"description": "Nom et code postal"})


class Commune(CommuneRef):
    postal_codes = ma.fields.List(ma.fields.String(), required=True, attribute="postal_code_list")
    zone = ma.fields.Function(lambda c: c.zone.slug, required=True, metadata={"type": "string"})
    latitude = ma.fields.Float(required=True, metadata={"description": "Latitude du centre"})
    longitude = ma.fields.Float(required=True, metadata={"description": "Longitude du centre"})


class Zone(Schema):
    slug = ma.fields.String(required=True, metadata={"description": "Identifiant"})
    name = ma.fields.String(required=True)
    short_name = ma.fields.String(required=True, metadata={"description": "Nom court"})
    population = ma.fields.Integer(allow_none=True, required=True)
    communes = ma.fields.Integer(required=True, metadata={"description": "Nombre de communes"})


class VenueRef(Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class Venue(VenueRef):
    kind = ma.fields.String(required=True, metadata={"description": "Type de lieu"})
    address = ma.fields.String(required=True)
    commune = ma.fields.Nested(CommuneRef, required=True)
    latitude = ma.fields.Float(required=True)
    longitude = ma.fields.Float(required=True)
    position_approximate = ma.fields.Boolean(
        required=True, metadata={"description": "Position approchée (centre de la commune)"}
    )
    description = ma.fields.String(required=True)
    opening_hours = ma.fields.String(required=True, metadata={"description": "Horaires"})
    pickup = ma.fields.Boolean(required=True, metadata={"description": "Remise d’objets"})
    dropoff = ma.fields.Boolean(required=True, metadata={"description": "Dépôt de dons"})
    page_url = ma.fields.Function(
        lambda v: absolute("venues.venue", slug=v.slug),
        required=True,
        metadata={"type": "string", "description": "Page du lieu sur le site"},
    )


class Organisation(Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "Type d’organisation"})
    commune = ma.fields.Nested(CommuneRef, required=True)
    address = ma.fields.String(required=True)
    sports = ma.fields.List(ma.fields.String(), required=True)
    description = ma.fields.String(required=True)
    dropoff_hours = ma.fields.String(required=True, metadata={"description": "Horaires de dépôt"})
    website = ma.fields.String(required=True, metadata={"description": "Site web"})
    page_url = ma.fields.Function(
        lambda o: absolute("organisations.page", slug=o.slug),
        required=True,
        metadata={"type": "string", "description": "Page de l’organisation sur le site"},
    )


class PhotoSize(Schema):
    url = ma.fields.String(required=True, metadata={"description": "URL absolue"})
    width = ma.fields.Integer(required=True, metadata={"description": "Largeur en pixels"})


class Photo(Schema):
    url = ma.fields.String(required=True, metadata={"description": "URL absolue, grande taille"})
    width = ma.fields.Integer(required=True, metadata={"description": "Largeur, grande taille"})
    height = ma.fields.Integer(required=True, metadata={"description": "Hauteur, grande taille"})
    sizes = ma.fields.List(
        ma.fields.Nested(PhotoSize),
        required=True,
        metadata={"description": "Les tailles enregistrées, de la plus grande à la plus petite"},
    )


class ListingSummary(Schema):
    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"description": "Détail dans l’API"})
    page_url = ma.fields.String(required=True, metadata={"description": "Page sur le site"})
    title = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "don, prêt ou vente"})
    sport = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    size = ma.fields.String(required=True)
    condition = ma.fields.String(required=True, metadata={"description": "État"})
    price_cents = ma.fields.Integer(allow_none=True, required=True)
    reserved = ma.fields.Boolean(required=True, metadata={"description": "Réservée"})
    commune = ma.fields.Nested(CommuneRef, required=True)
    venue = ma.fields.Nested(VenueRef, allow_none=True, required=True)
    organisation = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "Organisation qui publie"}
    )
    published_at = ma.fields.DateTime(allow_none=True, required=True)
    distance_km = ma.fields.Float(
        allow_none=True, required=True, metadata={"description": "Distance du lieu choisi"}
    )
    cover_photo = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "URL de la photo principale"}
    )


class EventRef(Schema):
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)


class Listing(ListingSummary):
    description = ma.fields.String(required=True)
    brand = ma.fields.String(required=True, metadata={"description": "Marque"})
    age_group = ma.fields.String(required=True, metadata={"description": "Public"})
    new_price_cents = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "Prix neuf indiqué"}
    )
    safety_age_years = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "Âge de l’équipement (sécurité)"}
    )
    owner_name = ma.fields.String(required=True, metadata={"description": "Nom affiché"})
    event = ma.fields.Nested(EventRef, allow_none=True, required=True)
    photos = ma.fields.List(ma.fields.Nested(Photo), required=True)


class ListingPage(Schema):
    items = ma.fields.List(ma.fields.Nested(ListingSummary), required=True)
    next = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "URL de la page suivante"}
    )
    next_cursor = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "Valeur de after, page suivante"}
    )
    previous = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "URL de la page précédente"}
    )
    previous_cursor = ma.fields.String(allow_none=True, required=True)
    total = ma.fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Nombre d’annonces (première page seulement, plafonné)"},
    )
    total_is_capped = ma.fields.Boolean(
        required=True, metadata={"description": "Vrai s’il y en a plus que total"}
    )
    page_url = ma.fields.String(
        required=True, metadata={"description": "La même recherche sur le site"}
    )
