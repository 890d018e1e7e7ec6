"""The account page's « Accès à l’API »: a member's personal API tokens, created and revoked.

The secret of a new token appears once, in the answer to the creation POST (never in a flash
message: the session cookie is signed, not encrypted), and that answer is not cached.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sportressources.accounts import api_tokens
from sportressources.accounts.forms import ApiTokenForm, SignOutEverywhereForm
from sportressources.accounts.views import bp
from sportressources.core.db import utcnow
from sportressources.core.web import act, confirmation, form_status


def _page(form: ApiTokenForm, status: int, created=None, secret: str | None = None):
    page = render_template(
        "accounts/api_tokens.html",
        form=form,
        tokens=api_tokens.list_tokens(current_user),
        status_of=api_tokens.status_of,
        now=utcnow(),
        most=current_app.config["API_TOKENS_MAX_PER_MEMBER"],
        revoke_form=SignOutEverywhereForm(prefix="revoke"),
        created=created,
        secret=secret,
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/compte/api", methods=["GET", "POST"])
@login_required
def api_tokens_page():
    form = ApiTokenForm()
    if form.validate_on_submit():
        days = form.expires_in_days()
        done = act(
            lambda: api_tokens.create_token(
                current_user,
                name=form.name.data,
                scope=form.scope.data,
                expires_at=utcnow() + timedelta(days=days) if days else None,
            ),
            form=form,
        )
        if done:
            token, secret = done.value
            return _page(ApiTokenForm(formdata=None), 201, created=token, secret=secret)
    return _page(form, form_status(form))


@bp.post("/compte/api/<int:token_id>/revoquer")
@login_required
def revoke_api_token(token_id: int):
    back = url_for("accounts.api_tokens_page")
    token = api_tokens.get_own_token(current_user, token_id)
    question = _("Révoquer le jeton « %(name)s » ?", name=token.name)
    consequence = _(
        "Les programmes qui l’utilisent n’auront plus accès à votre compte, immédiatement. "
        "Cela ne peut pas être annulé : il faudra créer un nouveau jeton."
    )
    if page := confirmation(question, consequence, _("Oui, révoquer"), back=back):
        return page
    if act(lambda: api_tokens.revoke_token(current_user, token_id), back=back):
        flash(_("Le jeton « %(name)s » est révoqué.", name=token.name), "success")
    return redirect(back, code=303)
