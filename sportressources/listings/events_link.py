"""Tying a listing to a sporting event (« du matériel pour la Route du Louvre »): the select on
the listing form (slot ``listing.form``), its value checked and stored through the signals of
``listings.signals``, and the published listings tied to an event on its page
(slot ``event.sections``)."""

from __future__ import annotations

from flask import render_template
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sportressources.core.db import db
from sportressources.events.queries import event_open_for_ties, upcoming_event_choices
from sportressources.listings.models import Listing, ListingStatus

FIELD = "listing_event"
MARKER = "listing_event_shown"  # the form carried the select: an empty value unties
SHOWN = 24


def _chosen(extras) -> int | None:
    value = (extras.get(FIELD) or "").strip()
    return int(value) if value.isdigit() else None


def check_event(sender, data=None, extras=None, listing=None, **_) -> dict:
    """Receiver of ``listing_form_checking``: an upcoming event, or the one already tied."""
    if MARKER not in extras:
        return {}
    value = (extras.get(FIELD) or "").strip()
    if not value:
        return {}
    event_id = _chosen(extras)
    kept = listing is not None and event_id is not None and listing.event_id == event_id
    if not kept and event_open_for_ties(event_id) is None:
        return {FIELD: _l("Choisissez un événement à venir dans la liste.")}
    return {}


def store_event(sender, listing=None, actor=None, extras=None, **_) -> None:
    """Receiver of ``listing_form_saved``: tie the listing to the chosen event, or untie it."""
    if MARKER in extras:
        listing.event_id = _chosen(extras)
        db.session.flush()


def listing_form_field(listing=None, formdata=None, errors=None, **_) -> str:
    """The « Événement » select of the listing form."""
    chosen = (formdata or {}).get(FIELD) if formdata is not None else None
    if chosen is None:
        chosen = str(listing.event_id or "") if listing is not None else ""
    events = upcoming_event_choices(keep_id=listing.event_id if listing is not None else None)
    choices = [(str(e.id), f"{e.title} ({format_date(e.starts_on, 'long')})") for e in events]
    return render_template(
        "listings/_event_field.html",
        name=FIELD,
        marker=MARKER,
        choices=choices,
        chosen=chosen,
        errors=(errors or {}).get(FIELD, []),
    )


def event_listings(event_id: int) -> list[Listing]:
    """The published listings tied to an event, newest first."""
    query = (
        select(Listing)
        .where(Listing.event_id == event_id, Listing.status == ListingStatus.PUBLISHED.value)
        .options(
            joinedload(Listing.commune), joinedload(Listing.venue), joinedload(Listing.organisation)
        )
        .order_by(Listing.id.desc())
        .limit(SHOWN)
    )
    return list(db.session.scalars(query))


def event_section(event=None, **_context) -> str:
    """« Du matériel pour cet événement » on an event's page (slot ``event.sections``)."""
    if event is None:
        return ""
    return render_template(
        "listings/_event_section.html", event=event, listings=event_listings(event.id)
    )
