from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sportressources.core.errors import ValidationFailed
from sportressources.core.forms import grouped_choices
from sportressources.core.httpcache import public_page
from sportressources.core.security import role_required
from sportressources.core.web import act, form_status
from sportressources.geo import queries as geo
from sportressources.venues import queries, services
from sportressources.venues.forms import (
    VENUE_KIND_LABELS,
    HoursForm,
    NearForm,
    ReviewForm,
    VenueForm,
)
from sportressources.venues.models import Venue
from sportressources.venues.policies import can_manage_venues, can_propose_venue
from sportressources.venues.sources import source_notes

bp = Blueprint("venues", __name__)


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals["venue_kind_labels"] = VENUE_KIND_LABELS
    state.app.jinja_env.globals["sitemap_zones"] = geo.zones


def venue_marker(venue: Venue) -> dict:
    return {
        "name": venue.name,
        "url": url_for("venues.venue", slug=venue.slug),
        "lat": venue.latitude,
        "lon": venue.longitude,
        "commune": venue.commune.name,
        "approximate": venue.position_approximate,
    }


def commune_options() -> list:
    return [
        (zone.short_name, [(c.insee, c.label) for c in communes])
        for zone, communes in geo.communes_by_zone()
    ]


@bp.route("/territoire")
@public_page
def overview():
    venues = queries.published_venues()
    return render_template(
        "venues/overview.html",
        zones=geo.zones(),
        commune_counts=geo.commune_counts_by_zone(),
        results=[(venue, None) for venue in venues],
        markers=[venue_marker(v) for v in venues],
    )


@bp.route("/territoire/<slug>")
@public_page
def zone(slug: str):
    zone = geo.get_zone(slug)
    venues = queries.published_venues(zone=zone)
    return render_template(
        "venues/zone.html",
        zone=zone,
        results=[(venue, None) for venue in venues],
        markers=[venue_marker(v) for v in venues],
    )


@bp.route("/lieux")
@public_page
def venues():
    form = NearForm(request.args)
    form.near.choices = grouped_choices(queries.place_choices(), blank=_("Tout le territoire"))
    place = None
    results: list[tuple[Venue, float | None]]
    if form.validate() and form.near.data:
        place = queries.resolve_place(form.near.data)
    if place is not None:
        results = queries.venues_near(place, float(form.radius.data or 10))
    else:
        results = [(venue, None) for venue in queries.published_venues()]
    return render_template(
        "venues/venues.html",
        form=form,
        place=place,
        results=results,
        markers=[venue_marker(v) for v, _ in results],
    ), form_status(form)


@bp.route("/lieux/<slug>")
@public_page
def venue(slug: str):
    venue = queries.get_venue(slug, current_user)
    return render_template(
        "venues/venue.html",
        venue=venue,
        kind_label=VENUE_KIND_LABELS.get(venue.kind, venue.kind),
        markers=[venue_marker(venue)],
        can_manage=can_manage_venues(current_user),
        can_propose=can_propose_venue(current_user),
        sources=source_notes(venue.source),
    )


def _venue_form(venue: Venue | None = None) -> VenueForm:
    form = VenueForm(obj=venue)
    if venue is not None and request.method == "GET":
        form.commune.data = venue.commune_insee
        form.open_weekdays.data = list(venue.open_weekdays)
        if venue.position_approximate:
            form.latitude.data = form.longitude.data = None
    form.commune.choices = grouped_choices(commune_options(), blank="—")
    return form


def _venue_data(form: VenueForm) -> services.VenueData:
    def number(field):
        return float(field.data) if field.data is not None else None

    return services.VenueData(
        name=form.name.data or "",
        kind=form.kind.data or "",
        commune_insee=form.commune.data or "",
        address=form.address.data or "",
        latitude=number(form.latitude),
        longitude=number(form.longitude),
        description=form.description.data or "",
        opening_hours=form.opening_hours.data or "",
        pickup=bool(form.pickup.data),
        dropoff=bool(form.dropoff.data),
        source=form.source.data or "",
        open_weekdays="".join(form.open_weekdays.data or []),
    )


@bp.route("/lieux/nouveau", methods=["GET", "POST"])
@login_required
def new_venue():
    form = _venue_form()
    if request.method == "GET":
        form.pickup.data = True
    if form.validate_on_submit() and (
        done := act(lambda: services.create_venue(current_user, _venue_data(form)), form=form)
    ):
        venue = done.value
        if venue.is_published:
            flash(_("Le lieu « %(name)s » est publié.", name=venue.name), "success")
        else:
            flash(
                _(
                    "Merci ! Votre proposition sera visible de tous dès qu’un membre de "
                    "l’équipe de modération l’aura acceptée."
                ),
                "success",
            )
        return redirect(url_for("venues.venue", slug=venue.slug))
    return render_template(
        "venues/venue_form.html",
        form=form,
        venue=None,
        can_manage=can_manage_venues(current_user),
    ), form_status(form)


@bp.route("/lieux/<slug>/modifier", methods=["GET", "POST"])
@role_required(can_manage_venues)
def edit_venue(slug: str):
    venue = queries.get_venue(slug, current_user)
    form = _venue_form(venue)
    if form.validate_on_submit() and act(
        lambda: services.update_venue(current_user, venue, _venue_data(form)), form=form
    ):
        flash(_("Le lieu est enregistré."), "success")
        return redirect(url_for("venues.venue", slug=venue.slug))
    return render_template(
        "venues/venue_form.html", form=form, venue=venue, can_manage=True
    ), form_status(form)


@bp.route("/lieux/<slug>/horaires", methods=["GET", "POST"])
@login_required
def propose_hours(slug: str):
    venue = queries.get_venue(slug, current_user)
    form = HoursForm()
    if form.validate_on_submit() and act(
        lambda: services.propose_hours(current_user, venue, form.opening_hours.data or ""),
        form=form,
    ):
        flash(
            _(
                "Merci ! Les horaires seront affichés dès qu’un membre de l’équipe de "
                "modération les aura vérifiés."
            ),
            "success",
        )
        return redirect(url_for("venues.venue", slug=venue.slug))
    return render_template("venues/propose_hours.html", form=form, venue=venue), form_status(form)


@bp.route("/lieux/propositions")
@role_required(can_manage_venues)
def proposals():
    waiting = queries.venue_proposals()
    return render_template(
        "venues/proposals.html",
        proposals=waiting,
        amends={proposal.id: queries.amended_venue(proposal) for proposal in waiting},
        kind_labels=VENUE_KIND_LABELS,
        form=ReviewForm(),
    )


@bp.route("/lieux/<slug>/examen", methods=["POST"])
@role_required(can_manage_venues)
def review_venue(slug: str):
    venue = queries.get_venue(slug, current_user)
    form = ReviewForm()
    decision = request.form.get("decision")
    if decision not in {"accept", "reject"}:
        raise ValidationFailed(message=_("Choisissez d’accepter ou de refuser la proposition."))
    if form.validate_on_submit():
        if act(
            lambda: services.review_venue(
                current_user, venue, decision == "accept", form.note.data or ""
            )
        ):
            message = (
                _("« %(name)s » est publié.", name=venue.name)
                if decision == "accept"
                else _("« %(name)s » est refusé ; le membre a été prévenu.", name=venue.name)
            )
            flash(message, "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("venues.proposals"))
