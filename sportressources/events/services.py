"""Adding, changing, cancelling and removing sporting events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.audit import record_entry
from sportressources.core.dates import PARIS, paris_today
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.security import actor_of
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_line, clean_text, slugify
from sportressources.events.models import Event, EventStatus
from sportressources.events.policies import (
    can_add_events,
    can_edit_event,
    can_manage_all_events,
    can_remove_event,
    organisations_for_events,
)
from sportressources.geo.models import Commune
from sportressources.organisations.models import Organisation
from sportressources.organisations.sports import sport_labels
from sportressources.venues.models import Venue

TITLE_RANGE = (5, 120)
DESCRIPTION_MAX = 4000
AHEAD_MAX_DAYS = 2 * 366  # an event is announced at most two years ahead
LENGTH_MAX_DAYS = 31  # a festival, a tour: a month at most


@dataclass(frozen=True)
class EventData:
    title: str
    starts_on: date | None
    ends_on: date | None
    commune_insee: str = ""
    venue_id: int | None = None
    all_day: bool = True
    start_time: time | None = None
    end_time: time | None = None
    sports: list[str] = field(default_factory=list)
    description: str = ""
    organisation_id: int | None = None
    website: str = ""


@dataclass(frozen=True)
class _Checked:
    venue: Venue | None
    commune: Commune | None
    organisation: Organisation | None


def _check_dates(data: EventData, event: Event | None, errors: dict) -> None:
    today = paris_today()
    if data.starts_on is None:
        errors["starts_on"] = _l("Indiquez le premier jour de l’événement.")
    elif (event is None or data.starts_on != event.starts_on) and data.starts_on < today:
        errors["starts_on"] = _l("Un événement ne peut pas commencer dans le passé.")
    elif (data.starts_on - today).days > AHEAD_MAX_DAYS:
        errors["starts_on"] = _l("Un événement s’annonce au plus deux ans à l’avance.")
    ends_on = data.ends_on or data.starts_on
    if data.starts_on is not None and ends_on is not None:
        if ends_on < data.starts_on:
            errors["ends_on"] = _l("Le dernier jour ne peut pas précéder le premier.")
        elif (ends_on - data.starts_on).days > LENGTH_MAX_DAYS:
            errors["ends_on"] = _l("Un événement dure au plus un mois.")
    if data.all_day:
        return
    if data.start_time is None:
        errors["start_time"] = _l("Indiquez l’heure de début, ou cochez « Toute la journée ».")
    if data.end_time is None:
        errors["end_time"] = _l("Indiquez l’heure de fin, ou cochez « Toute la journée ».")
    elif (
        data.start_time is not None
        and "ends_on" not in errors
        and ends_on == data.starts_on
        and data.end_time <= data.start_time
    ):
        errors["end_time"] = _l("L’heure de fin doit suivre l’heure de début.")


def _check(actor, data: EventData, event: Event | None) -> _Checked:
    errors: dict = {}
    title = clean_line(data.title)
    if not TITLE_RANGE[0] <= len(title) <= TITLE_RANGE[1]:
        errors["title"] = _l(
            "Le titre doit compter entre %(low)s et %(high)s caractères.",
            low=TITLE_RANGE[0],
            high=TITLE_RANGE[1],
        )
    if len(data.description or "") > DESCRIPTION_MAX:
        errors["description"] = _l(
            "Ce texte ne peut pas dépasser %(limit)s caractères.", limit=DESCRIPTION_MAX
        )
    _check_dates(data, event, errors)
    venue = db.session.get(Venue, data.venue_id) if data.venue_id is not None else None
    if data.venue_id is not None and (venue is None or not venue.is_published):
        errors["venue"] = _l("Choisissez un lieu publié dans la liste.")
    commune = db.session.get(Commune, data.commune_insee) if data.commune_insee else None
    if data.commune_insee and commune is None:
        errors["commune"] = _l("Choisissez une commune du territoire.")
    elif commune is None and venue is None and "venue" not in errors:
        errors["commune"] = _l("Indiquez la commune ou le lieu de l’événement.")
    known = sport_labels()
    if not data.sports:
        errors["sports"] = _l("Choisissez au moins un sport.")
    elif any(sport not in known for sport in data.sports) or len(data.sports) > 10:
        errors["sports"] = _l("Choisissez les sports dans la liste (10 au plus).")
    organisation = _check_organisation(actor, data, event, errors)
    website = clean_line(data.website)
    if website and (len(website) > 255 or not website.startswith(("https://", "http://"))):
        errors["website"] = _l(
            "Indiquez l’adresse complète du site, commençant par https:// (255 caractères au plus)."
        )
    if errors:
        raise ValidationFailed(errors)
    return _Checked(venue, commune, organisation)


def _check_organisation(actor, data: EventData, event: Event | None, errors: dict):
    if data.organisation_id is None:
        if not can_manage_all_events(actor):
            errors["organisation"] = _l("Choisissez l’organisation qui organise l’événement.")
        return None
    organisation = db.session.get(Organisation, data.organisation_id)
    if event is not None and organisation is not None and event.organisation_id == organisation.id:
        return organisation
    allowed = (
        organisation is not None
        and organisation.is_verified
        and (
            can_manage_all_events(actor)
            or organisation.id in {o.id for o in organisations_for_events(actor)}
        )
    )
    if not allowed:
        errors["organisation"] = _l("Choisissez une organisation vérifiée dans la liste.")
        return None
    return organisation


def _apply(event: Event, data: EventData, checked: _Checked) -> None:
    event.title = clean_line(data.title)
    event.description = clean_text(data.description)
    event.starts_on = data.starts_on  # type: ignore[assignment]
    event.ends_on = data.ends_on or data.starts_on  # type: ignore[assignment]
    event.all_day = data.all_day
    if data.all_day:
        event.starts_at = event.ends_at = None
    else:
        start = datetime.combine(event.starts_on, data.start_time, tzinfo=PARIS)  # type: ignore[arg-type]
        end = datetime.combine(event.ends_on, data.end_time, tzinfo=PARIS)  # type: ignore[arg-type]
        event.starts_at, event.ends_at = start, end
    event.venue_id = checked.venue.id if checked.venue else None
    event.commune_insee = (checked.commune or checked.venue.commune).insee  # type: ignore[union-attr]
    event.sports = list(dict.fromkeys(data.sports))
    event.organisation_id = checked.organisation.id if checked.organisation else None
    event.website = clean_line(data.website)


def _unique_slug(title: str, day: date, exclude_id: int | None = None) -> str:
    base = slugify(f"{title} {day.year}")
    for slug in [base] + [f"{base}-{n}" for n in range(2, 100)]:
        clash = db.session.scalar(select(Event.id).where(Event.slug == slug))
        if clash is None or clash == exclude_id:
            return slug
    raise Conflict(_l("Trop d’événements portent déjà ce titre cette année."))


def create_event(actor, data: EventData) -> Event:
    """Add an event, public at once.

    Admins may add any event; managers of a verified organisation add their organisation's.
    Raises Forbidden (anyone else) or ValidationFailed (title of 5 to 120 characters, dates from
    today to two years ahead, a month long at most, end after start, a published venue or a
    commune, sports from the list, an organisation the actor manages).
    """
    if not can_add_events(actor):
        raise Forbidden(
            _l("Seuls les responsables d’une organisation vérifiée peuvent ajouter un événement.")
        )
    checked = _check(actor, data, None)
    event = Event(status=EventStatus.PUBLISHED.value, created_by_id=actor_of(actor).user_id)
    _apply(event, data, checked)
    event.slug = _unique_slug(event.title, event.starts_on)
    db.session.add(event)
    db.session.flush()
    record_entry("event.create", "event", event.id, actor=actor, after=event.status)
    return event


def update_event(actor, event: Event, data: EventData) -> Event:
    """Change an event; its address (slug) stays. Raises Forbidden, ValidationFailed."""
    if not can_edit_event(actor, event):
        raise Forbidden(_l("Vous ne pouvez pas modifier cet événement."))
    checked = _check(actor, data, event)
    _apply(event, data, checked)
    db.session.flush()
    return event


def cancel_event(actor, event: Event, reason: str = "") -> Event:
    """Mark an event as called off; it stays listed. Raises Forbidden, Conflict."""
    if not (can_edit_event(actor, event) or can_remove_event(actor, event)):
        raise Forbidden(_l("Vous ne pouvez pas annuler cet événement."))
    apply_transition(event, "cancel", actor=actor, reason=clean_text(reason)[:1000] or None)
    return event


def reinstate_event(actor, event: Event) -> Event:
    """Undo a cancellation. Raises Forbidden, Conflict."""
    if not (can_edit_event(actor, event) or can_remove_event(actor, event)):
        raise Forbidden(_l("Vous ne pouvez pas modifier cet événement."))
    apply_transition(event, "reinstate", actor=actor)
    return event


def remove_event(actor, event: Event, reason: str = "") -> None:
    """Delete an event (moderators): drives and listings tied to it lose the tie, not their data.

    Raises Forbidden.
    """
    if not can_remove_event(actor, event):
        raise Forbidden(_l("Seule l’équipe de modération peut supprimer un événement."))
    record_entry(
        "event.remove",
        "event",
        event.id,
        actor=actor,
        before=event.status,
        reason=clean_text(reason)[:1000] or None,
        details={"title": event.title, "slug": event.slug},
    )
    db.session.delete(event)
    db.session.flush()
