"""The blueprint of the public endpoints (``views_public``, ``views_public_more``) and what they
share: the anonymous visitor they read as, and the territory filters."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_smorest import Blueprint

from sportressources.api import cors
from sportressources.core.errors import NotFound, ValidationFailed
from sportressources.geo import queries as geo
from sportressources.geo.models import Commune, Zone

# Largest value of an INTEGER column: a larger id is one that does not exist
ID_MAX = 2**31 - 1
# The public sees what a visitor who is not signed in sees
ANONYMOUS = AnonymousUserMixin()

blueprint = Blueprint(
    "api_public",
    __name__,
    description="Données publiques, en lecture seule : annonces, territoire, lieux, "
    "organisations, collectes, événements et chiffres d’impact.",
)
# Other sites' browsers may read these answers
blueprint.after_request(cors.allow_read)


def zone_filter(slug: str | None) -> Zone | None:
    """The zone a filter names, or None; a 422 for a zone that does not exist."""
    if not slug:
        return None
    try:
        return geo.get_zone(slug)
    except NotFound as error:
        raise ValidationFailed({"zone": error.message}) from None


def commune_filter(insee: str | None) -> Commune | None:
    """The commune a filter names by INSEE code, or None; a 422 for one outside the territory
    (the search page's message)."""
    if not insee:
        return None
    found = next((c for c in geo.all_communes() if c.insee == insee), None)
    if found is None:
        raise ValidationFailed({"commune": _("Cette commune ne fait pas partie du territoire.")})
    return found
