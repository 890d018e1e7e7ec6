"""Adding, changing, cancelling and removing events (admins, verified organisations, moderators)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from sportressources.core.errors import Forbidden
from sportressources.core.forms import grouped_choices
from sportressources.core.web import act, confirmation, form_status
from sportressources.events import queries, services
from sportressources.events.forms import CancelEventForm, EventForm
from sportressources.events.policies import (
    can_add_events,
    can_edit_event,
    can_manage_all_events,
    can_remove_event,
    organisations_for_events,
)
from sportressources.events.views import bp
from sportressources.geo import queries as geo
from sportressources.organisations.sports import sport_labels
from sportressources.venues.queries import published_venues


def _prepare(form: EventForm, event=None) -> EventForm:
    organisations = organisations_for_events(current_user)
    if event is not None and event.organisation and event.organisation not in organisations:
        organisations = [event.organisation, *organisations]
    blank = [SelectChoice("", _("Aucune"))] if can_manage_all_events(current_user) else []
    form.organisation.choices = blank + [SelectChoice(str(o.id), o.name) for o in organisations]
    form.venue.choices = [SelectChoice("", _("Aucun lieu précis"))] + [
        SelectChoice(str(v.id), f"{v.name} ({v.commune.name})") for v in published_venues()
    ]
    form.commune.choices = grouped_choices(
        [(z.short_name, [(c.insee, c.label) for c in cs]) for z, cs in geo.communes_by_zone()],
        blank="—",
    )
    form.sports.choices = [(code, str(label)) for code, label in sport_labels().items()]
    return form


def _number(value: str | None) -> int | None:
    return int(value) if (value or "").isdigit() else None


def _data(form: EventForm) -> services.EventData:
    return services.EventData(
        title=form.title.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        all_day=bool(form.all_day.data),
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        venue_id=_number(form.venue.data),
        commune_insee=form.commune.data or "",
        sports=list(form.sports.data or []),
        description=form.description.data or "",
        organisation_id=_number(form.organisation.data),
        website=form.website.data or "",
    )


@bp.route("/evenements/nouveau", methods=["GET", "POST"])
@login_required
def new_event():
    if not can_add_events(current_user):
        raise Forbidden(
            _("Seuls les responsables d’une organisation vérifiée peuvent ajouter un événement.")
        )
    form = _prepare(EventForm())
    if form.validate_on_submit() and (
        done := act(lambda: services.create_event(current_user, _data(form)), form=form)
    ):
        flash(_("L’événement est publié."), "success")
        return redirect(url_for("events.event", slug=done.value.slug))
    return render_template("events/event_form.html", form=form, event=None), form_status(form)


@bp.route("/evenements/<slug>/modifier", methods=["GET", "POST"])
@login_required
def edit_event(slug: str):
    event = queries.get_event(slug)
    if not can_edit_event(current_user, event):
        raise Forbidden(_("Vous ne pouvez pas modifier cet événement."))
    form = _prepare(EventForm(obj=event if request.method == "GET" else None), event)
    if request.method == "GET":
        _fill(form, event)
    if form.validate_on_submit() and act(
        lambda: services.update_event(current_user, event, _data(form)), form=form
    ):
        flash(_("L’événement est enregistré."), "success")
        return redirect(url_for("events.event", slug=event.slug))
    return render_template("events/event_form.html", form=form, event=event), form_status(form)


def _fill(form: EventForm, event) -> None:
    form.organisation.data = str(event.organisation_id or "")
    form.venue.data = str(event.venue_id or "")
    form.commune.data = event.commune_insee
    if not event.all_day and event.starts_at and event.ends_at:
        from sportressources.core.dates import PARIS

        form.start_time.data = event.starts_at.astimezone(PARIS).time()
        form.end_time.data = event.ends_at.astimezone(PARIS).time()


@bp.route("/evenements/<slug>/annuler", methods=["GET", "POST"])
@login_required
def cancel_event(slug: str):
    event = queries.get_event(slug)
    back = url_for("events.event", slug=slug)
    allowed = can_edit_event(current_user, event) or can_remove_event(current_user, event)
    question = _("Annuler « %(title)s » ?", title=event.title)
    consequence = _("L’événement restera affiché, marqué « Annulé », et dans le calendrier.")
    if page := confirmation(question, consequence, _("Oui, annuler"), back=back, allowed=allowed):
        return page
    reason = CancelEventForm().reason.data or ""
    if act(lambda: services.cancel_event(current_user, event, reason), back=back):
        flash(_("L’événement est marqué comme annulé."), "success")
    return redirect(back, code=303)


@bp.post("/evenements/<slug>/retablir")
@login_required
def reinstate_event(slug: str):
    event = queries.get_event(slug)
    back = url_for("events.event", slug=slug)
    if act(lambda: services.reinstate_event(current_user, event), back=back):
        flash(_("L’événement est de nouveau annoncé."), "success")
    return redirect(back, code=303)


@bp.route("/evenements/<slug>/supprimer", methods=["GET", "POST"])
@login_required
def remove_event(slug: str):
    event = queries.get_event(slug)
    back = url_for("events.event", slug=slug)
    question = _("Supprimer « %(title)s » ?", title=event.title)
    consequence = _(
        "La page de l’événement disparaît ; les collectes et annonces liées restent, sans lien."
    )
    allowed = can_remove_event(current_user, event)
    if page := confirmation(question, consequence, _("Oui, supprimer"), back=back, allowed=allowed):
        return page
    if act(lambda: services.remove_event(current_user, event), back=back):
        flash(_("L’événement est supprimé."), "success")
    return redirect(url_for("events.index"), code=303)
