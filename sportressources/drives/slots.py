"""What drives add to pages of lower packages, through template slots."""

from __future__ import annotations

from flask import render_template

from sportressources.drives import queries


def venue_section(venue=None, **_context) -> str:
    """The running and upcoming drives with a drop-off slot at the venue."""
    if venue is None:
        return ""
    drives = queries.venue_drives(venue)
    return render_template("drives/_venue_section.html", venue=venue, drives=drives)


def organisation_section(organisation=None, **_context) -> str:
    """The organisation's drives, running, upcoming and past with their results."""
    if organisation is None:
        return ""
    return render_template(
        "drives/_organisation_section.html",
        organisation=organisation,
        lists=queries.organisation_drives(organisation),
    )


def event_section(event=None, **_context) -> str:
    """The drives collecting for the event (« du matériel pour la Route du Louvre »)."""
    if event is None:
        return ""
    drives = queries.event_drives(event.id)
    return render_template("drives/_event_section.html", event=event, drives=drives)
