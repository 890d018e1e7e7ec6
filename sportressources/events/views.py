"""Public event pages: the list with its filters, an event's page, the iCal feed. The pages that
add and change events are in ``views_manage``."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from wtforms import SelectChoice

from sportressources.core.dates import PARIS, paris_today
from sportressources.core.params import text_param
from sportressources.events import ical, queries
from sportressources.events.forms import ActionForm, FilterForm
from sportressources.events.policies import can_add_events, can_edit_event, can_remove_event
from sportressources.geo import queries as geo
from sportressources.organisations.sports import sport_labels

bp = Blueprint("events", __name__)


@bp.record_once
def register_template_globals(state) -> None:
    env = state.app.jinja_env
    env.globals.update(
        can_add_events=can_add_events,
        can_edit_event=can_edit_event,
        can_remove_event=can_remove_event,
        event_location=ical.location_of,
        events_today=paris_today,
    )
    env.filters["event_sport_label"] = lambda code: str(sport_labels().get(code, code))
    env.filters["paris_time"] = lambda moment: moment.astimezone(PARIS).strftime("%H:%M")


def _filter_form() -> tuple[FilterForm, queries.EventFilter]:
    form = FilterForm(request.args)
    zones = geo.zones()
    form.zone.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(z.slug, z.short_name) for z in zones
    ]
    form.sport.choices = [SelectChoice("", _("Tous"))] + [
        SelectChoice(code, str(label)) for code, label in sport_labels().items()
    ]
    zone = next((z for z in zones if z.slug == form.zone.data), None)
    sport = form.sport.data if form.sport.data in sport_labels() else ""
    past = text_param(request.args, "periode", max_length=10) == "passes"
    return form, queries.EventFilter(zone.id if zone else None, sport, past)


@bp.get("/evenements")
def index():
    form, criteria = _filter_form()
    events = queries.list_events(criteria)
    return render_template("events/index.html", form=form, events=events, past=criteria.past)


@bp.get("/evenements/<slug>")
def event(slug: str):
    found = queries.get_event(slug)
    return render_template("events/event.html", event=found, action_form=ActionForm())


@bp.get("/evenements.ics")
def ical_feed():
    response = Response(ical.build_calendar(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="evenements.ics"'
    response.headers["Cache-Control"] = "public, max-age=900"
    return response
