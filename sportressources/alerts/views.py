"""Alert pages: save the current search, list and delete my alerts, unsubscribe from an email."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from sportressources.alerts import services as alerts
from sportressources.alerts.forms import DeleteAlertForm, SaveAlertForm, UnsubscribeForm
from sportressources.core.tokens import InvalidToken
from sportressources.core.web import act, confirmation
from sportressources.extensions import csrf
from sportressources.listings.search import parse_search_args

bp = Blueprint("alerts", __name__)


def _search_page(query: str) -> str:
    try:
        base = url_for(alerts.SEARCH_ENDPOINT)
    except BuildError:
        base = "/annonces"
    return f"{base}?{query}" if query else base


@bp.route("/alertes", methods=["POST"])
@login_required
def save():
    form = SaveAlertForm()
    query = (form.query.data or "")[:2000]
    params, _errors = parse_search_args(MultiDict(parse_qsl(query)))
    if not form.validate_on_submit():
        messages = [m for field_errors in form.errors.values() for m in field_errors]
        flash(" ".join(str(m) for m in messages) or _("L’alerte n’a pas pu être créée."), "error")
        return redirect(_search_page(params.to_query_string()))
    if done := act(lambda: alerts.save_search(current_user, params, form.name.data)):
        flash(
            _(
                "Alerte « %(name)s » créée : vous recevrez les nouvelles annonces par e-mail, "
                "au plus une fois par jour.",
                name=done.value.name,
            ),
            "success",
        )
    return redirect(_search_page(params.to_query_string()))


@bp.route("/alertes")
@login_required
def index():
    return render_template(
        "alerts/index.html",
        alerts=alerts.alerts_of(current_user),
        form=DeleteAlertForm(),
        limit=alerts.ALERTS_PER_USER,
        search_page=_search_page,
    )


@bp.route("/alertes/<int:alert_id>/supprimer", methods=["POST"])
@login_required
def delete(alert_id: int):
    form = DeleteAlertForm()
    if not form.validate_on_submit():
        flash(_("La demande a expiré : recommencez."), "error")
        return redirect(url_for("alerts.index"))
    alert = alerts.own_alert(current_user, alert_id)
    if page := confirmation(
        _("Supprimer l’alerte « %(name)s » ?", name=alert.name),
        _(
            "Vous ne recevrez plus d’e-mail pour les nouvelles annonces de cette recherche. "
            "Vous pourrez en créer une autre depuis la recherche."
        ),
        yes=_("Oui, supprimer"),
        back=url_for("alerts.index"),
    ):
        return page
    if act(lambda: alerts.delete_search(current_user, alert_id)):
        flash(_("Alerte supprimée : vous ne recevrez plus ces annonces."), "success")
    return redirect(url_for("alerts.index"))


@bp.route("/alertes/desinscription/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token authorises it; mail clients post here without a form (RFC 8058)
def unsubscribe(token: str):
    posted = request.method == "POST"
    done = act(
        lambda: alerts.unsubscribe(token) if posted else alerts.alerts_in_token(token),
        expect=InvalidToken,
    )
    if not done:
        return render_template("alerts/unsubscribe_invalid.html", error=done.error), 400
    if posted:
        return render_template("alerts/unsubscribed.html", deleted=done.value)
    return render_template(
        "alerts/unsubscribe.html", alerts=done.value, token=token, form=UnsubscribeForm()
    )
