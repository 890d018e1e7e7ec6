"""Public endpoints of the ``api_public`` blueprint (``views_public_common``): drives, sporting
events and the public impact figures, read with the queries of their pages."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from sportressources.api import schemas_public_more as s
from sportressources.api.errors import problems
from sportressources.api.views_public_common import ID_MAX, blueprint, commune_filter, zone_filter
from sportressources.core.errors import ValidationFailed
from sportressources.drives import queries as drives
from sportressources.drives.models import Drive
from sportressources.events import queries as events
from sportressources.impact import figures
from sportressources.impact.period import read_request
from sportressources.listings.taxonomy import SPORTS


def drive_answer(drive: Drive) -> dict:
    return {
        "id": drive.id,
        "url": url_for("api_public.drive", drive_id=drive.id, _external=True),
        "page_url": url_for("drives.drive", drive_id=drive.id, _external=True),
        "title": drive.title,
        "description": drive.description,
        "starts_on": drive.starts_on,
        "ends_on": drive.ends_on,
        "status": drive.status,
        "organisation": drive.organisation,
        "event": drive.event,
        "slots": drive.slots,
        "wishes": drive.wish_lines,
    }


@blueprint.route("/drives", tags=["Collectes"])
@blueprint.arguments(s.DriveArgs, location="query", as_kwargs=True)
@blueprint.response(200, s.DriveLists)
@problems(422)
def drive_list(zone: str | None = None, commune: str | None = None, past: bool = False):
    """Les collectes de matériel : en cours et à venir, puis les passées (comme la page
    Collectes), d’une zone ou d’une commune si on le demande."""
    found = drives.list_drives(zone=zone_filter(zone), commune=commune_filter(commune))
    return {
        "current": [drive_answer(d) for d in found.current],
        "past": [drive_answer(d) for d in found.past],
    }


@blueprint.route("/drives/<int:drive_id>", tags=["Collectes"])
@blueprint.response(200, s.Drive)
@problems(404)
def drive(drive_id: int):
    """Une collecte, avec ses créneaux de dépôt et ce qu’elle recherche."""
    # Past any id (the database would refuse the number): as a drive that does not exist
    return drive_answer(drives.get_drive(drive_id if drive_id <= ID_MAX else 0))


def event_answer(event) -> dict:
    return {
        "slug": event.slug,
        "url": url_for("api_public.event", slug=event.slug, _external=True),
        "page_url": url_for("events.event", slug=event.slug, _external=True),
        "title": event.title,
        "description": event.description,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "all_day": event.all_day,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "commune": event.commune,
        "venue": event.venue,
        "organisation": event.organisation.name if event.organisation is not None else None,
        "sports": event.sports or [],
        "website": event.website,
        "cancelled": event.is_cancelled,
    }


@blueprint.route("/events", tags=["Événements"])
@blueprint.arguments(s.EventArgs, location="query", as_kwargs=True)
@blueprint.response(200, s.Event(many=True))
@problems(422)
def event_list(zone: str | None = None, sport: str | None = None, past: bool = False):
    """Les événements sportifs à venir (les plus proches d’abord) ou passés, comme la page
    Événements ; les événements annulés restent, marqués comme tels."""
    if sport and sport not in SPORTS:
        raise ValidationFailed({"sport": _("Ce sport ne fait pas partie de la liste.")})
    chosen = zone_filter(zone)
    criteria = events.EventFilter(
        zone_id=chosen.id if chosen is not None else None, sport=sport or "", past=past
    )
    return [event_answer(e) for e in events.list_events(criteria)]


@blueprint.route("/events/<string(maxlength=140):slug>", tags=["Événements"])
@blueprint.response(200, s.Event)
@problems(404)
def event(slug: str):
    """Un événement sportif."""
    return event_answer(events.get_event(slug))


@blueprint.route("/impact", tags=["Impact"])
@blueprint.arguments(s.ImpactArgs, location="query", as_kwargs=True)
@blueprint.response(200, s.Impact)
@problems(422)
def impact(**_args):
    """Les chiffres d’impact publics d’une période, pour tout le territoire, une zone ou une
    commune : les mêmes que la page Notre impact, secret statistique compris (une valeur
    tirée de moins de 5 membres est null)."""
    asked = read_request(request.args, strict=True)
    if asked.errors:
        raise ValidationFailed(asked.errors)
    result = figures.compute(asked.first, asked.last)
    cell = result.cell(
        zone_id=asked.zone.id if asked.zone else None,
        insee=asked.commune.insee if asked.commune else None,
    )
    return {
        "first_month": asked.first,
        "last_month": asked.last,
        "zone": asked.zone.slug if asked.zone else None,
        "commune": asked.commune.insee if asked.commune else None,
        "figures": {metric: cell.value(metric) for metric in figures.METRICS},
        "statistical_secret": cell.suppressed,
    }
