"""Pages of the conversations between a listing's owner and the members interested in it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from sportressources.core.db import db
from sportressources.core.forms import NO_MAXLENGTH, max_length
from sportressources.core.web import act, form_status, header_count
from sportressources.listings.models import Listing
from sportressources.messaging import services as messaging
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.loans.models import Loan

# The application's ``int`` converter: ids beyond what the id columns hold are a 404.
ID = "int"

bp = Blueprint("messages", __name__)


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Votre message"),
        description=_l(
            "Texte simple, %(limit)s caractères au plus. Ne donnez pas vos coordonnées bancaires.",
            limit=messaging.BODY_MAX,
        ),
        validators=[
            DataRequired(message=_l("Écrivez un message avant de l’envoyer.")),
            max_length(messaging.BODY_MAX),
        ],
        render_kw={"rows": 5, **NO_MAXLENGTH},
    )


def unread_message_count() -> int:
    """For the header: the signed-in member's unread conversations."""
    return header_count("unread_message_count", messaging.unread_count)


@bp.record_once
def register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(unread_message_count=unread_message_count)


@bp.post(f"/annonces/<{ID}:listing_id>/contacter")
@login_required
def start(listing_id: int):
    listing = db.get_or_404(Listing, listing_id)
    done = act(
        lambda: messaging.start_conversation(current_user, listing),
        back=url_for("listings.detail", listing_id=listing.id),
    )
    return redirect(url_for("messages.conversation", conversation_id=done.value.id), code=303)


@bp.post(f"/demandes/<{ID}:request_id>/ecrire")
@login_required
def start_for_request(request_id: int):
    exchange = db.get_or_404(ExchangeRequest, request_id)
    done = act(
        lambda: messaging.start_conversation_about_request(current_user, exchange),
        back=url_for("messages.inbox"),
    )
    return redirect(url_for("messages.conversation", conversation_id=done.value.id), code=303)


@bp.post(f"/prets/<{ID}:loan_id>/ecrire")
@login_required
def start_for_loan(loan_id: int):
    loan = db.get_or_404(Loan, loan_id)
    done = act(
        lambda: messaging.start_conversation_about_loan(current_user, loan),
        back=url_for("messages.inbox"),
    )
    return redirect(url_for("messages.conversation", conversation_id=done.value.id), code=303)


@bp.get("/messages")
@login_required
def inbox():
    summaries = messaging.conversations_of(current_user)
    return render_template("messages/inbox.html", summaries=summaries)


@bp.route(f"/messages/<{ID}:conversation_id>", methods=["GET", "POST"])
@login_required
def conversation(conversation_id: int):
    conversation = messaging.get_conversation(current_user, conversation_id)
    form = MessageForm()
    if form.validate_on_submit():
        if act(
            lambda: messaging.send_message(current_user, conversation, form.body.data), form=form
        ):
            flash(_("Votre message est envoyé."), "success")
            return redirect(
                url_for(
                    "messages.conversation",
                    conversation_id=conversation_id,
                    _anchor="dernier-message",
                )
            )
    elif request.method == "GET" and messaging.is_unread(current_user, conversation):
        # A write after reads: on SQLite it must take the lock before it reads again, or a
        # message sent meanwhile makes it fail.
        act(lambda: messaging.mark_read(current_user, conversation), write=True)
    return render_template(
        "messages/conversation.html",
        conversation=conversation,
        messages=messaging.messages_in(current_user, conversation),
        other=messaging.other_party(current_user, conversation),
        form=form,
    ), form_status(form)
