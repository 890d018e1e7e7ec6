"""Loan pages of the owner's terms (durations, deposit, kit), blocked periods and item history,
and the member's calendar feed. Routes on the loans blueprint ``bp`` of ``views``, imported by the
package's ``init_app`` before the blueprint is registered; endpoint names are ``loans.*``.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from sportressources.core.db import db
from sportressources.core.web import act, confirmation, form_status
from sportressources.listings.models import Listing
from sportressources.listings.policies import acts_for_owner
from sportressources.trade.loans import asks, queries, terms
from sportressources.trade.loans import calendar as feeds
from sportressources.trade.loans.forms import BlockedPeriodForm, TermsForm
from sportressources.trade.loans.models import BlockedPeriod
from sportressources.trade.loans.views import ID, _cents, _loan_listing, _owned_loan_listing, bp

# --- the owner's terms, blocked periods and history ----------------------------------------------


def _terms_form(listing: Listing, formdata=None) -> TermsForm:
    form = TermsForm(formdata=formdata) if formdata is not None else TermsForm(formdata=None)
    form.kit_items.choices = [
        SelectChoice(item.id, item.title) for item in terms.kit_candidates(listing)
    ]
    if formdata is None:
        current = terms.terms_of(listing)
        form.min_days.data, form.max_days.data = current.min_days, current.max_days
        form.deposit.data = (
            Decimal(current.deposit_cents) / 100 if current.deposit_cents is not None else None
        )
        form.kit_items.data = terms.kit_item_ids_of(listing)
        form.partner_deposit_waived.data = current.partner_deposit_waived
        form.partner_max_days.data = current.partner_max_days
    if listing.organisation_id is None:
        del form.partner_deposit_waived
        del form.partner_max_days
    return form


def _partner_values(form: TermsForm) -> dict:
    if getattr(form, "partner_max_days", None) is None:  # a member's own listing
        return {}
    return {
        "partner_deposit_waived": bool(form.partner_deposit_waived.data),
        "partner_max_days": form.partner_max_days.data,
    }


def _render_terms(listing: Listing, form=None, block_form=None, status: int = 200):
    return render_template(
        "loans/terms.html",
        listing=listing,
        form=form or _terms_form(listing),
        block_form=block_form or BlockedPeriodForm(prefix="block", formdata=None),
        periods=terms.blocked_periods(listing),
    ), status


@bp.route(f"/prets/annonces/<{ID}:listing_id>/conditions", methods=["GET", "POST"])
@login_required
def terms_page(listing_id: int):
    listing = _owned_loan_listing(listing_id)
    if request.method == "GET":
        return _render_terms(listing)
    form = _terms_form(listing, request.form)
    if form.validate_on_submit() and act(
        lambda: terms.set_terms(
            current_user,
            listing,
            form.min_days.data,
            form.max_days.data,
            _cents(form.deposit.data),
            form.kit_items.data or [],
            **_partner_values(form),
        ),
        form=form,
    ):
        flash(_("Les conditions de prêt sont enregistrées."), "success")
        return redirect(url_for("loans.terms_page", listing_id=listing.id), code=303)
    return _render_terms(listing, form=form, status=form_status(form))


@bp.post(f"/prets/annonces/<{ID}:listing_id>/periodes")
@login_required
def add_blocked_period(listing_id: int):
    listing = _owned_loan_listing(listing_id)
    form = BlockedPeriodForm(prefix="block")
    if form.validate_on_submit() and act(
        lambda: terms.add_blocked_period(
            current_user, listing, form.start_date.data, form.end_date.data, form.note.data
        ),
        form=form,
    ):
        flash(_("La période est bloquée : personne ne peut emprunter ces jours-là."), "success")
        return redirect(url_for("loans.terms_page", listing_id=listing.id), code=303)
    return _render_terms(listing, block_form=form, status=form_status(form))


@bp.post(f"/prets/periodes/<{ID}:period_id>/supprimer")
@login_required
def remove_blocked_period(period_id: int):
    period = db.get_or_404(BlockedPeriod, period_id)
    listing_id = period.listing_id
    back = url_for("loans.terms_page", listing_id=listing_id)
    allowed = acts_for_owner(current_user, db.session.get(Listing, listing_id))
    ask = asks.remove_blocked_period(period)
    if page := confirmation(**ask, back=back, allowed=allowed, danger=False):
        return page
    if act(lambda: terms.remove_blocked_period(current_user, period)):
        flash(_("La période bloquée est supprimée."), "success")
    return redirect(url_for("loans.terms_page", listing_id=listing_id), code=303)


@bp.get(f"/prets/annonces/<{ID}:listing_id>/historique")
@login_required
def history(listing_id: int):
    listing = _loan_listing(listing_id)
    return render_template(
        "loans/history.html", listing=listing, loans=queries.item_history(current_user, listing)
    )


# --- calendars -----------------------------------------------------------------------------------


@bp.get("/prets/calendrier")
@login_required
def calendar_page():
    feed = feeds.feed_of(current_user)
    return render_template(
        "loans/calendar.html",
        feed=feed,
        feed_url=feeds.feed_url(feed) if feed else None,
    )


@bp.post("/prets/calendrier/adresse")
@login_required
def create_feed():
    replaced = feeds.feed_of(current_user) is not None
    if act(lambda: feeds.create_feed(current_user)):
        flash(
            _("Nouvelle adresse créée : l’ancienne ne fonctionne plus.")
            if replaced
            else _("Votre adresse de calendrier est prête."),
            "success",
        )
    return redirect(url_for("loans.calendar_page"), code=303)


@bp.post("/prets/calendrier/supprimer")
@login_required
def revoke_feed():
    if page := confirmation(**asks.revoke_feed(), back=url_for("loans.calendar_page")):
        return page
    if act(lambda: feeds.revoke_feed(current_user)):
        flash(
            _("L’adresse de votre calendrier est supprimée : elle ne fonctionne plus."), "success"
        )
    return redirect(url_for("loans.calendar_page"), code=303)


@bp.get("/calendrier/<token>.ics")
def ical_feed(token: str):
    user = feeds.user_for_token(token)
    if user is None:
        abort(404)
    response = Response(feeds.build_calendar(user), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="prets.ics"'
    # Personal data behind a secret address: never kept by shared caches, never indexed.
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
