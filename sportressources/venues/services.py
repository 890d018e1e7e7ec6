"""Venue curation: moderators create and edit venues; members propose them for review."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.mail import external_url
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_line, clean_text, slugify
from sportressources.geo.models import Commune
from sportressources.notifications.services import Email, site_path, tell_member
from sportressources.venues.models import Venue, VenueKind, VenueStatus
from sportressources.venues.notices import KINDS
from sportressources.venues.policies import can_manage_venues, can_propose_venue
from sportressources.venues.queries import amended_venue

# Venues must lie in or near the Pôle: a typo in a coordinate must not put one in the sea.
LATITUDE_RANGE = (50.2, 50.8)
LONGITUDE_RANGE = (2.2, 3.2)


@dataclass(frozen=True)
class VenueData:
    name: str
    kind: str
    commune_insee: str
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    description: str = ""
    opening_hours: str = ""
    pickup: bool = True
    dropoff: bool = False
    source: str = ""
    open_weekdays: str = ""  # ISO weekdays, « 12345 » = Monday to Friday; "" = not known


def _validated(data: VenueData) -> tuple[VenueData, Commune]:
    errors: dict = {}
    name = clean_line(data.name)
    if len(name) < 3:
        errors["name"] = _l("Indiquez le nom du lieu (3 caractères au moins).")
    elif len(name) > 150:
        errors["name"] = _l("Le nom ne peut pas dépasser 150 caractères.")
    if data.kind not in {kind.value for kind in VenueKind}:
        errors["kind"] = _l("Choisissez un type de lieu dans la liste.")
    commune = db.session.get(Commune, data.commune_insee) if data.commune_insee else None
    if commune is None:
        errors["commune"] = _l("Choisissez une commune du territoire.")
    if (data.latitude is None) != (data.longitude is None):
        field = "longitude" if data.longitude is None else "latitude"
        errors[field] = _l("Indiquez la latitude et la longitude, ou aucune des deux.")
    elif data.latitude is not None:
        if not LATITUDE_RANGE[0] <= data.latitude <= LATITUDE_RANGE[1]:
            errors["latitude"] = _l(
                "La latitude doit être comprise entre %(low)s et %(high)s (Artois).",
                low=LATITUDE_RANGE[0],
                high=LATITUDE_RANGE[1],
            )
        if not LONGITUDE_RANGE[0] <= data.longitude <= LONGITUDE_RANGE[1]:
            errors["longitude"] = _l(
                "La longitude doit être comprise entre %(low)s et %(high)s (Artois).",
                low=LONGITUDE_RANGE[0],
                high=LONGITUDE_RANGE[1],
            )
    for field, limit in (("address", 255), ("description", 4000), ("opening_hours", 1000)):
        if len(getattr(data, field) or "") > limit:
            errors[field] = _l("Ce texte ne peut pas dépasser %(limit)s caractères.", limit=limit)
    if any(day not in "1234567" for day in data.open_weekdays or "") or len(
        set(data.open_weekdays or "")
    ) != len(data.open_weekdays or ""):
        errors["open_weekdays"] = _l("Choisissez les jours d’ouverture dans la liste.")
    if len(data.source or "") > 2000:
        errors["source"] = _l("Ce texte ne peut pas dépasser %(limit)s caractères.", limit=2000)
    if errors:
        raise ValidationFailed(errors)
    return data, commune  # type: ignore[return-value]


def _unique_slug(name: str, commune: Commune, exclude_id: int | None = None) -> str:
    base = slugify(name)
    candidates = [base, slugify(f"{name} {commune.name}")]
    candidates += [f"{candidates[1]}-{n}" for n in range(2, 100)]
    for slug in candidates:
        clash = db.session.scalar(select(Venue.id).where(Venue.slug == slug))
        if clash is None or clash == exclude_id:
            return slug
    raise Conflict(_l("Trop de lieux portent déjà ce nom dans cette commune."))


def _apply(venue: Venue, data: VenueData, commune: Commune) -> None:
    venue.name = clean_line(data.name)
    venue.kind = data.kind
    venue.commune_insee = commune.insee
    venue.address = clean_text(data.address)
    venue.description = clean_text(data.description)
    venue.opening_hours = clean_text(data.opening_hours)
    venue.source = clean_line(data.source)
    venue.open_weekdays = "".join(sorted(data.open_weekdays or ""))
    if data.latitude is None:
        # Unknown position: the commune's centre, shown as approximate until corrected.
        venue.latitude, venue.longitude = commune.latitude, commune.longitude
        venue.position_approximate = True
    else:
        venue.latitude, venue.longitude = data.latitude, data.longitude
        venue.position_approximate = False


def create_venue(actor, data: VenueData) -> Venue:
    """Add a venue: published at once when a moderator adds it, else a proposal to review.

    Members may not set the pickup or drop-off arrangements of a venue they do not run: a
    proposal is a meeting place only. Raises Forbidden for visitors, ValidationFailed for bad data.
    """
    if not can_propose_venue(actor):
        raise Forbidden(_l("Connectez-vous pour proposer un lieu."))
    data, commune = _validated(data)
    manager = can_manage_venues(actor)
    venue = Venue(status=(VenueStatus.PUBLISHED if manager else VenueStatus.PROPOSED).value)
    _apply(venue, data, commune)
    venue.slug = _unique_slug(data.name, commune)
    if manager:
        venue.pickup, venue.dropoff = data.pickup, data.dropoff
        venue.edited_at = utcnow()
    else:
        venue.pickup, venue.dropoff = True, False
        venue.proposed_by_id = actor.id
    db.session.add(venue)
    db.session.flush()
    return venue


def update_venue(actor, venue: Venue, data: VenueData) -> Venue:
    """Change a venue (moderators); the data loader then keeps these edits.

    Raises Forbidden or ValidationFailed.
    """
    if not can_manage_venues(actor):
        raise Forbidden(_l("Seule l’équipe de modération peut modifier un lieu."))
    data, commune = _validated(data)
    _apply(venue, data, commune)
    venue.pickup, venue.dropoff = data.pickup, data.dropoff
    venue.edited_at = utcnow()
    db.session.flush()
    return venue


def review_venue(actor, venue: Venue, accept: bool, note: str = "") -> Venue:
    """Publish or reject a proposed venue and tell the member who proposed it.

    Raises Forbidden (not a moderator) or Conflict (already reviewed, e.g. by another moderator).
    """
    if not can_manage_venues(actor):
        raise Forbidden(_l("Seule l’équipe de modération peut examiner une proposition."))
    if venue.status != VenueStatus.PROPOSED.value:
        raise Conflict(_l("Cette proposition a déjà été examinée."))
    note = clean_text(note)
    if not accept and not note:
        raise ValidationFailed({"note": _l("Expliquez au membre pourquoi le lieu est refusé.")})
    if len(note) > 1000:
        raise ValidationFailed(
            {"note": _l("Ce texte ne peut pas dépasser %(limit)s caractères.", limit=1000)}
        )
    twin = amended_venue(venue)
    if accept and twin is not None:
        return _merge_proposal(actor, venue, twin)
    venue.review_note = note
    apply_transition(venue, "approve" if accept else "reject", actor=actor, reason=note)
    _notify_proposer(venue, accept)
    return venue


def propose_hours(actor, venue: Venue, opening_hours: str) -> Venue:
    """A member proposes the opening hours of a published venue that has none.

    The proposal is a venue proposal like any other (a hidden twin of the venue, same name and
    commune, carrying the hours), reviewed in the same queue; accepting it copies the hours to
    the venue (``review_venue``). Raises Forbidden (visitor), Conflict (the venue is not
    published or its hours are known) or ValidationFailed (no hours, too long).
    """
    if not can_propose_venue(actor):
        raise Forbidden(_l("Connectez-vous pour proposer les horaires d’un lieu."))
    if not venue.is_published or venue.opening_hours:
        raise Conflict(_l("Les horaires de ce lieu sont déjà connus."))
    hours = clean_text(opening_hours)
    if not hours:
        raise ValidationFailed({"opening_hours": _l("Indiquez les horaires d’ouverture.")})
    if len(hours) > 1000:
        raise ValidationFailed(
            {"opening_hours": _l("Ce texte ne peut pas dépasser %(limit)s caractères.", limit=1000)}
        )
    proposal = Venue(
        status=VenueStatus.PROPOSED.value,
        name=venue.name,
        kind=venue.kind,
        commune_insee=venue.commune_insee,
        address=venue.address,
        latitude=venue.latitude,
        longitude=venue.longitude,
        position_approximate=venue.position_approximate,
        opening_hours=hours,
        proposed_by_id=actor.id,
    )
    proposal.slug = _unique_slug(venue.name, venue.commune)
    db.session.add(proposal)
    db.session.flush()
    return proposal


def _merge_proposal(actor, proposal: Venue, venue: Venue) -> Venue:
    """Accept a proposal that names a published venue: its hours, if the venue has none, go to
    the venue; the proposal, a twin that must not be published, is deleted (the audit row on
    the venue keeps who proposed what)."""
    proposer = proposal.proposed_by
    if proposal.opening_hours and not venue.opening_hours:
        venue.opening_hours = proposal.opening_hours
        venue.edited_at = utcnow()
    record_entry(
        "venue.hours_accepted",
        "venue",
        venue.id,
        actor=actor,
        details={"opening_hours": proposal.opening_hours, "proposed_by": proposal.proposed_by_id},
    )
    db.session.delete(proposal)
    db.session.flush()
    _notify_proposer(venue, True, proposer)
    return venue


def _notify_proposer(venue: Venue, accepted: bool, proposer=None) -> None:
    kind = "venue_accepted" if accepted else "venue_rejected"
    subject, _message = KINDS[kind]
    email = Email(
        subject,
        "venues/venue_reviewed",
        {
            "venue": venue,
            "accepted": accepted,
            "venue_url": external_url("venues.venue", slug=venue.slug) if accepted else None,
        },
    )
    params = {"venue": venue.name} | ({} if accepted else {"reason": venue.review_note})
    # A rejected venue has no page: its notice links nowhere
    url = site_path("venues.venue", slug=venue.slug) if accepted else ""
    tell_member(proposer or venue.proposed_by, kind, url, email=email, **params)
