"""Second-life pages: the owner's suggestions, one suggestion with its timeline and actions, and
what a ressourcerie is offered."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from sportressources.core.web import act, form_status
from sportressources.listings.taxonomy import CATEGORIES
from sportressources.organisations.queries import get_organisation, is_member
from sportressources.secondlife import queries, services
from sportressources.secondlife.forms import DeclineForm, OfferFilterForm, OfferForm
from sportressources.secondlife.models import SuggestionStatus
from sportressources.secondlife.policies import can_answer_offer, can_choose_for_suggestion

bp = Blueprint("secondlife", __name__, url_prefix="/seconde-vie")


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        can_choose_for_suggestion=can_choose_for_suggestion,
        can_answer_offer=can_answer_offer,
    )


def offer_form(formdata=None) -> OfferForm:
    form = OfferForm(formdata=formdata)
    form.organisation.choices = [SelectChoice("", _("Choisir…"))] + [
        SelectChoice(str(o.id), o.name) for o in services.ressourceries()
    ]
    return form


def _detail(suggestion, offer=None, decline=None, status: int = 200):
    return render_template(
        "secondlife/suggestion.html",
        suggestion=suggestion,
        timeline=queries.timeline(suggestion),
        offer_form=offer or offer_form(),
        decline_form=decline or DeclineForm(formdata=None),
    ), status


@bp.route("")
@login_required
def index():
    suggestions = queries.open_suggestions_of(current_user)
    return render_template("secondlife/index.html", suggestions=suggestions)


@bp.route("/<int:suggestion_id>")
@login_required
def suggestion(suggestion_id: int):
    return _detail(services.get_suggestion(current_user, suggestion_id))


@bp.route("/<int:suggestion_id>/proposer", methods=["POST"])
@login_required
def offer(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    form = offer_form(request.form)
    if form.validate_on_submit() and act(
        lambda: services.offer_to_ressourcerie(
            current_user, suggestion, int(form.organisation.data)
        ),
        form=form,
    ):
        flash(_("Votre proposition est envoyée à la ressourcerie."), "success")
        return redirect(url_for("secondlife.suggestion", suggestion_id=suggestion_id), 303)
    return _detail(suggestion, offer=form, status=form_status(form))


@bp.route("/<int:suggestion_id>/donner", methods=["POST"])
@login_required
def donate(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    back = url_for("secondlife.suggestion", suggestion_id=suggestion_id)
    if result := act(lambda: services.donate(current_user, suggestion), back=back):
        if result.value:
            flash(_("Votre annonce devient un don."), "success")
        else:
            flash(_("Votre annonce deviendra un don dès que l’équipe l’aura relue."), "success")
    return redirect(url_for("listings.detail", listing_id=suggestion.listing_id), 303)


@bp.route("/<int:suggestion_id>/ignorer", methods=["POST"])
@login_required
def dismiss(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    back = url_for("secondlife.index")
    if act(lambda: services.dismiss(current_user, suggestion), back=back):
        flash(_("C’est noté : nous ne vous le suggérerons plus."), "success")
    return redirect(back, 303)


@bp.route("/<int:suggestion_id>/accepter", methods=["POST"])
@login_required
def accept(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    back = url_for("secondlife.suggestion", suggestion_id=suggestion_id)
    if result := act(lambda: services.accept_offer(current_user, suggestion), back=back):
        flash(_("Objet accepté : convenez de la collecte avec son propriétaire."), "success")
        return redirect(url_for("messages.conversation", conversation_id=result.value.id), 303)
    return redirect(back, 303)


@bp.route("/<int:suggestion_id>/refuser", methods=["POST"])
@login_required
def decline(suggestion_id: int):
    suggestion = services.get_suggestion(current_user, suggestion_id)
    form = DeclineForm()
    if form.validate_on_submit() and act(
        lambda: services.decline_offer(current_user, suggestion, form.reason.data), form=form
    ):
        flash(_("Refus envoyé au propriétaire."), "success")
        slug = suggestion.organisation.slug
        return redirect(url_for("secondlife.offers", slug=slug), 303)
    return _detail(suggestion, decline=form, status=form_status(form))


@bp.route("/ressourcerie/<slug>")
@login_required
def offers(slug: str):
    organisation = get_organisation(slug)
    if not is_member(current_user.id, organisation.id):
        abort(404)
    form = OfferFilterForm(request.args)
    form.commune.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(c.insee, c.label) for c in queries.offer_communes(organisation.id)
    ]
    form.category.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(code, str(c.label)) for code, c in CATEGORIES.items()
    ]
    valid = form.validate()
    filters = queries.OfferFilters(
        commune=form.commune.data if valid else None,
        category=form.category.data if valid else None,
    )
    return render_template(
        "secondlife/offers.html",
        organisation=organisation,
        form=form,
        offers=queries.offers_to(organisation.id, filters),
        accepted=queries.offers_to(organisation.id, filters_for(SuggestionStatus.ACCEPTED)),
    )


def filters_for(status: SuggestionStatus) -> queries.OfferFilters:
    return queries.OfferFilters(status=status.value)
