"""Pages of the exchange of gifts and sales: requests, the owner's choice, handover, ratings."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from sportressources.core.db import db
from sportressources.core.forms import NO_MAXLENGTH, max_length
from sportressources.core.templating import member_name
from sportressources.core.web import act, confirmation, form_status, safe_next
from sportressources.listings.models import Listing
from sportressources.listings.owners import owner_name
from sportressources.listings.policies import acts_for_owner
from sportressources.trade import reputation
from sportressources.trade.exchanges import completion, queries
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.forms import RatingForm

# The application's ``int`` converter: ids beyond what the id columns hold are a 404.
ID = "int"

bp = Blueprint("exchanges", __name__)


class RequestForm(FlaskForm):
    message = TextAreaField(
        _l("Message au propriétaire (facultatif)"),
        description=_l(
            "Par exemple vos disponibilités pour venir chercher l’article. %(limit)s caractères "
            "au plus.",
            limit=exchanges.MESSAGE_MAX,
        ),
        validators=[max_length(exchanges.MESSAGE_MAX)],
        render_kw={"rows": 4, **NO_MAXLENGTH},
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif (facultatif)"),
        description=_l(
            "Il sera transmis au membre. %(limit)s caractères au plus.", limit=exchanges.REASON_MAX
        ),
        validators=[max_length(exchanges.REASON_MAX)],
        render_kw={"rows": 2, **NO_MAXLENGTH},
    )


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        exchange_state=queries.exchange_state,
        member_reliability=reputation.reliability,
        request_status_labels=queries.STATUS_LABELS,
    )


def _load(request_id: int) -> ExchangeRequest:
    return db.get_or_404(ExchangeRequest, request_id)


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


def _act(action: Callable[[], object], success: str, default: str):
    """Run one exchange step, then go back to the page it was asked from."""
    if act(action):
        flash(success, "success")
    return redirect(_back(default), code=303)


# --- requester ------------------------------------------------------------------------------------


@bp.route(f"/annonces/<{ID}:listing_id>/demander", methods=["GET", "POST"], endpoint="request")
@login_required
def request_item(listing_id: int):
    listing = db.get_or_404(Listing, listing_id)
    form = RequestForm()
    if request.method == "GET":
        act(
            lambda: exchanges.ensure_requestable(current_user, listing),
            back=url_for("requests.made"),
        )
    elif form.validate_on_submit() and act(
        lambda: exchanges.request_item(current_user, listing, form.message.data or ""), form=form
    ):
        flash(
            _(
                "Votre demande est envoyée à %(name)s. Vous recevrez un e-mail dès sa réponse.",
                name=owner_name(listing),
            ),
            "success",
        )
        return redirect(url_for("requests.made"))
    return render_template("exchanges/request.html", listing=listing, form=form), form_status(form)


@bp.post(f"/demandes/<{ID}:request_id>/retirer")
@login_required
def withdraw(request_id: int):
    exchange = _load(request_id)
    if page := confirmation(
        _("Retirer votre demande pour « %(title)s » ?", title=exchange.listing.title),
        _(
            "Le propriétaire sera prévenu. Si vous aviez été choisi, l’annonce redevient "
            "disponible pour les autres membres."
        ),
        yes=_("Oui, retirer ma demande"),
        back=_back(url_for("requests.made")),
        allowed=exchange.requester_id == current_user.id,
    ):
        return page
    return _act(
        lambda: exchanges.withdraw_request(current_user, exchange),
        _("Votre demande est retirée ; le propriétaire est prévenu."),
        url_for("requests.made"),
    )


# --- owner ---------------------------------------------------------------------------------------


def _render_requests(listing: Listing, decline_forms: dict | None = None, status: int = 200):
    requests = queries.requests_for_listing(current_user, listing)
    forms = decline_forms or {}
    for item in requests:
        if item.status == "pending" and item.id not in forms:
            forms[item.id] = DeclineForm(prefix=f"decline-{item.id}", formdata=None)
    return render_template(
        "exchanges/listing_requests.html",
        listing=listing,
        requests=requests,
        decline_forms=forms,
        rated=queries.rated_exchange_ids(current_user, requests),
        reliabilities=reputation.reliabilities(item.requester for item in requests),
    ), status


@bp.get(f"/annonces/<{ID}:listing_id>/demandes")
@login_required
def listing_requests(listing_id: int):
    return _render_requests(db.get_or_404(Listing, listing_id))


@bp.post(f"/demandes/<{ID}:request_id>/choisir")
@login_required
def accept(request_id: int):
    exchange = _load(request_id)
    return _act(
        lambda: exchanges.accept_request(current_user, exchange),
        _(
            "Vous avez choisi %(name)s : l’annonce est réservée et les autres demandes ont reçu "
            "une réponse.",
            name=exchange.requester.display_name,
        ),
        url_for("exchanges.listing_requests", listing_id=exchange.listing_id),
    )


@bp.post(f"/demandes/<{ID}:request_id>/refuser")
@login_required
def decline(request_id: int):
    exchange = _load(request_id)
    form = DeclineForm(prefix=f"decline-{exchange.id}")
    listing_id = exchange.listing_id
    if form.validate_on_submit():
        name = member_name(exchange.requester)
        if page := confirmation(
            _("Refuser la demande de %(name)s ?", name=name),
            _(
                "%(name)s recevra une notification, avec votre motif si vous en avez écrit un. "
                "L’annonce reste disponible pour les autres demandes.",
                name=name,
            ),
            yes=_("Oui, refuser"),
            back=_back(url_for("exchanges.listing_requests", listing_id=listing_id)),
            allowed=acts_for_owner(current_user, exchange.listing),
        ):
            return page
        return _act(
            lambda: exchanges.decline_request(current_user, exchange, form.reason.data or ""),
            _("La demande est refusée ; le membre est prévenu."),
            url_for("exchanges.listing_requests", listing_id=listing_id),
        )
    # The reason was too long: show the page again with the text kept.
    return _render_requests(exchange.listing, {exchange.id: form}, status=422)


@bp.post(f"/demandes/<{ID}:request_id>/absent")
@login_required
def no_show(request_id: int):
    exchange = _load(request_id)
    return _act(
        lambda: exchanges.mark_no_show(current_user, exchange),
        _("C’est noté : l’annonce est de nouveau publiée et peut recevoir des demandes."),
        url_for("exchanges.listing_requests", listing_id=exchange.listing_id),
    )


# --- both parties --------------------------------------------------------------------------------


@bp.get(f"/demandes/<{ID}:request_id>")
@login_required
def detail(request_id: int):
    page = completion.exchange_page(current_user, _load(request_id))
    return render_template("exchanges/detail.html", page=page, exchange=page.exchange)


@bp.post(f"/demandes/<{ID}:request_id>/remise")
@login_required
def confirm(request_id: int):
    exchange = _load(request_id)
    # Not back to the listing: a given listing is visible to its owner only.
    page = url_for("exchanges.detail", request_id=exchange.id)
    if act(lambda: exchanges.confirm_handover(current_user, exchange), back=page):
        flash(_("Merci, la remise est confirmée."), "success")
    return redirect(page, code=303)


@bp.route(f"/demandes/<{ID}:request_id>/evaluer", methods=["GET", "POST"])
@login_required
def rate(request_id: int):
    exchange = _load(request_id)
    back = url_for("exchanges.detail", request_id=exchange.id)
    act(lambda: exchanges.ensure_can_rate(current_user, exchange), back=back)
    form = RatingForm()
    if form.validate_on_submit() and act(
        lambda: exchanges.rate(current_user, exchange, form.score.data, form.comment.data or ""),
        form=form,
        back=back,
    ):
        flash(_("Merci pour votre évaluation."), "success")
        return redirect(back, code=303)
    is_owner = acts_for_owner(current_user, exchange.listing)
    return render_template(
        "exchanges/rate.html",
        exchange=exchange,
        other=exchange.requester if is_owner else exchange.listing.owner,
        form=form,
    ), form_status(form)
