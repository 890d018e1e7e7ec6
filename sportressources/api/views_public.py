"""Public, read-only endpoints: anyone may call them, other sites' browsers too (CORS).

Each calls the query functions the public pages call, with the same rules: what a search finds,
which listings, venues and organisations are visible. Drives, events and impact figures are in
``views_public_more``, on the same blueprint (``views_public_common``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for
from flask_babel import gettext as _

from sportressources.api import schemas_public as s
from sportressources.api.errors import problems
from sportressources.api.schemas import Schema, ma
from sportressources.api.views_public_common import (
    ANONYMOUS,
    ID_MAX,
    blueprint,
    commune_filter,
    zone_filter,
)
from sportressources.core.errors import NotFound, ValidationFailed
from sportressources.core.templating import member_name
from sportressources.geo import queries as geo
from sportressources.listings import photos
from sportressources.listings import services as listings
from sportressources.listings.models import Listing, ListingStatus
from sportressources.listings.owners import owner_name
from sportressources.listings.search import parse_search_args, search_listings
from sportressources.organisations import queries as organisations
from sportressources.organisations.policies import can_view_organisation
from sportressources.venues import queries as venues


class IndexSchema(Schema):
    openapi = ma.fields.String(required=True, metadata={"description": "Description OpenAPI"})
    documentation = ma.fields.String(
        required=True, metadata={"description": "Documentation interactive"}
    )


@blueprint.route("/", tags=["API"])
@blueprint.response(200, IndexSchema)
def index():
    """Point d’entrée de l’API : où trouver sa description et sa documentation."""
    return {
        "openapi": url_for("api-docs.openapi_json", _external=True),
        "documentation": url_for("api_documentation.documentation", _external=True),
    }


# --- listings ----------------------------------------------------------------------------------


def photo_url(key: str, size: str) -> str:
    """Absolute URL of a stored photo: "s", "m" or "l" (the sizes the listing page shows)."""
    suffix = "" if size == "l" else f"-{size}"
    return url_for("media.file", name=f"{key}{suffix}.jpg", _external=True)


def listing_summary(listing: Listing, distance_km: float | None = None) -> dict:
    return {
        "id": listing.id,
        "url": url_for("api_public.listing", listing_id=listing.id, _external=True),
        "page_url": url_for("listings.detail", listing_id=listing.id, _external=True),
        "title": listing.title,
        "kind": listing.kind,
        "sport": listing.sport,
        "category": listing.category,
        "size": listing.size,
        "condition": listing.condition,
        "price_cents": listing.price_cents,
        "reserved": listing.status == ListingStatus.RESERVED.value,
        "commune": listing.commune,
        "venue": listing.venue,
        "organisation": listing.organisation.name if listing.organisation_id else None,
        "published_at": listing.published_at,
        "distance_km": None if distance_km is None else round(float(distance_km), 2),
        "cover_photo": photo_url(listing.cover_photo, "m") if listing.cover_photo else None,
    }


@blueprint.route("/listings", tags=["Annonces"])
@blueprint.arguments(s.ListingSearchArgs, location="query", as_kwargs=True)
@blueprint.response(200, s.ListingPage)
@problems(422)
def listing_search(limit: int = 20, **_args):
    """Chercher des annonces, comme la page de recherche du site.

    Les mêmes paramètres que l’adresse de la page /annonces du site : on peut reprendre la
    chaîne de requête d’une recherche faite sur le site. Les résultats arrivent par pages ;
    `next` donne l’adresse de la page suivante (pagination par curseur, sans doublon ni trou).
    Une valeur non comprise est refusée (422) avec le même message que sur le site."""
    params, errors = parse_search_args(request.args)
    if errors:
        raise ValidationFailed(errors)
    page = search_listings(params, limit)
    extra = {"limit": str(limit)} if limit != 20 else {}

    def link(query: str | None) -> str | None:
        if query is None:
            return None
        if extra:
            query = f"{query}&{urlencode(extra)}" if query else urlencode(extra)
        return url_for("api_public.listing_search", _external=True) + (f"?{query}" if query else "")

    return {
        "items": [listing_summary(hit.listing, hit.distance_km) for hit in page.hits],
        "next": link(page.next_query_string()),
        "next_cursor": page.next_cursor,
        "previous": link(page.prev_query_string()),
        "previous_cursor": page.prev_cursor,
        "total": page.total,
        "total_is_capped": page.total_is_capped,
        "page_url": url_for("listings.search", _external=True)
        + (f"?{page.first_query_string()}" if page.first_query_string() else ""),
    }


@blueprint.route("/listings/<int:listing_id>", tags=["Annonces"])
@blueprint.response(200, s.Listing)
@problems(404)
def listing(listing_id: int):
    """Une annonce visible sur le site, avec l’adresse de ses photos.

    Seulement ce que montre la page publique de l’annonce ; une annonce en attente, retirée,
    suspendue ou close répond 404, comme sur le site."""
    if listing_id > ID_MAX:  # past any id: the database would refuse the number
        raise NotFound(_("Cette annonce n’existe pas ou n’est plus visible."))
    found = listings.get_listing(listing_id, ANONYMOUS)
    return {
        **listing_summary(found),
        "description": found.description,
        "brand": found.brand,
        "age_group": found.age_group,
        "new_price_cents": found.new_price_cents,
        "safety_age_years": found.safety_age_years,
        "owner_name": owner_name(found) if found.organisation_id else member_name(found.owner),
        "event": found.event,
        "photos": [
            {
                "url": photo_url(photo.key, "l"),
                "width": photo.width,
                "height": photo.height,
                "sizes": [
                    {"url": photo_url(photo.key, size), "width": width}
                    for size, width in photos.stored_widths(photo.width, photo.height).items()
                ],
            }
            for photo in found.photos
        ],
    }


# --- territory ---------------------------------------------------------------------------------


@blueprint.route("/zones", tags=["Territoire"])
@blueprint.response(200, s.Zone(many=True))
def zones():
    """Les zones de vie (intercommunalités) du Pôle métropolitain de l’Artois."""
    counts = geo.commune_counts_by_zone()
    return [
        {
            "slug": zone.slug,
            "name": zone.name,
            "short_name": zone.short_name,
            "population": zone.population,
            "communes": counts.get(zone.id, 0),
        }
        for zone in geo.zones()
    ]


@blueprint.route("/communes", tags=["Territoire"])
@blueprint.arguments(s.CommuneArgs, location="query", as_kwargs=True)
@blueprint.response(200, s.Commune(many=True))
@problems(422)
def communes(q: str | None = None, zone: str | None = None):
    """Les communes du territoire, par nom ; `q` cherche par nom ou code postal."""
    found = geo.find_communes(q) if q and q.strip() else geo.all_communes()
    chosen = zone_filter(zone)
    if chosen is not None:
        found = [commune for commune in found if commune.zone_id == chosen.id]
    return found


@blueprint.route("/venues", tags=["Lieux sportifs"])
@blueprint.arguments(s.TerritoryArgs, location="query", as_kwargs=True)
@blueprint.response(200, s.Venue(many=True))
@problems(422)
def venue_list(zone: str | None = None, commune: str | None = None):
    """Les lieux sportifs publiés, par nom, d’une zone ou d’une commune si on le demande."""
    return venues.published_venues(zone=zone_filter(zone), commune=commune_filter(commune))


@blueprint.route("/venues/<string(maxlength=120):slug>", tags=["Lieux sportifs"])
@blueprint.response(200, s.Venue)
@problems(404)
def venue(slug: str):
    """Un lieu sportif publié."""
    return venues.get_venue(slug, ANONYMOUS)


@blueprint.route("/organisations", tags=["Organisations"])
@blueprint.arguments(s.OrganisationArgs, location="query", as_kwargs=True)
@blueprint.response(200, s.Organisation(many=True))
@problems(422)
def organisation_list(kind: str | None = None, zone: str | None = None, commune=None):
    """Les organisations vérifiées (clubs, associations, collectivités…), par nom."""
    chosen_zone, chosen_commune = zone_filter(zone), commune_filter(commune)
    return organisations.directory(
        kind=kind or None,
        zone_id=chosen_zone.id if chosen_zone is not None else None,
        commune_insee=chosen_commune.insee if chosen_commune is not None else None,
    )


@blueprint.route("/organisations/<string(maxlength=140):slug>", tags=["Organisations"])
@blueprint.response(200, s.Organisation)
@problems(404)
def organisation(slug: str):
    """Une organisation vérifiée ; une organisation en attente ou fermée répond 404."""
    found = organisations.get_organisation(slug)
    if not can_view_organisation(ANONYMOUS, found):
        raise NotFound(organisations.NOT_VISIBLE)
    return found


# The other public endpoints, on this blueprint (imported last: they use ``blueprint``)
from sportressources.api import views_public_more  # noqa: E402, F401

__all__ = ["blueprint"]
