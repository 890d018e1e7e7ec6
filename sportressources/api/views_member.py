"""A member's own data and actions, with a personal API token: who they are, their loans and
their conversations (their listings: ``views_member_listings``).

Each operation is the page's, as JSON: it loads what the page loads, runs the page's service
through ``boundary.call`` and answers with what the page shows. A stranger gets what the page
gives them (404 or 403), from the same service or loader.
"""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint

from sportressources.api.auth import require
from sportressources.api.boundary import call
from sportressources.api.errors import problems
from sportressources.api.schemas_member import (
    ConversationSchema,
    ConversationSummarySchema,
    LoanDeclineSchema,
    LoanRequestSchema,
    LoanSchema,
    MeSchema,
    MessageInSchema,
    MessageSchema,
    MyLoansSchema,
)
from sportressources.api.views_member_forms import member, refuse, run_form
from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.core.templating import member_name
from sportressources.listings import services as listings
from sportressources.listings.owners import owner_name
from sportressources.messaging import services as messaging
from sportressources.messaging.names import author_name, other_side_name
from sportressources.trade.loans import partners, policies
from sportressources.trade.loans import queries as loan_queries
from sportressources.trade.loans import services as loans
from sportressources.trade.loans.forms import LoanRequestForm
from sportressources.trade.loans.models import Loan

blueprint = Blueprint("api_member", __name__, description="Espace membre")


# --- the member ----------------------------------------------------------------------------------


@blueprint.route("/me", tags=["Mon compte"])
@require("read")
@problems(401)
@blueprint.response(200, MeSchema)
def me():
    """Le membre connecté : nom affiché, commune et langue."""
    user = member()
    commune = user.home_commune
    return {
        "public_id": user.public_id,
        "name": member_name(user),
        "commune": {"insee": commune.insee, "name": commune.name} if commune else None,
        "locale": user.locale,
    }


# --- loans ---------------------------------------------------------------------------------------


def loan_json(loan: Loan, side: str) -> dict:
    other = owner_name(loan.listing) if side == "borrower" else member_name(loan.borrower)
    return {
        "id": loan.id,
        "listing": {"id": loan.listing.id, "title": loan.listing.title},
        "side": side,
        "other": other,
        "status": loan.status,
        "status_label": str(loans.STATUS_LABELS.get(loan.status, loan.status)),
        "start_date": loan.start_date,
        "end_date": loan.end_date,
        "message": loan.message,
        "reason": loan.reason,
        "deposit_cents": loan.deposit_cents,
        "requested_at": loan.requested_at,
        "url": url_for("loans.detail", loan_id=loan.id, _external=True),
    }


def _side(loan: Loan) -> str:
    return policies.loan_side(member(), loan) or "borrower"


@blueprint.route("/me/loans", tags=["Mes prêts"])
@require("read")
@problems(401)
@blueprint.response(200, MyLoansSchema)
def my_loans():
    """Mes prêts : ceux que j’emprunte et ceux que je prête.

    Comme sur la page « Mes prêts », ceux en cours d’abord.
    """
    user = member()
    return {
        "borrowed": [loan_json(loan, "borrower") for loan in loan_queries.loans_as_borrower(user)],
        "lent": [loan_json(loan, "lender") for loan in loan_queries.loans_as_lender(user)],
    }


def _loan(loan_id: int) -> Loan:
    loan = db.session.get(Loan, loan_id)
    if loan is None:
        raise NotFound()
    return loan


@blueprint.route("/listings/<int:listing_id>/loans", methods=["POST"], tags=["Mes prêts"])
@require("write")
@problems(401, 403, 404, 409, 422)
@blueprint.arguments(LoanRequestSchema)
@blueprint.response(201, LoanSchema)
def request_loan(data: dict, listing_id: int):
    """Demander à emprunter du matériel.

    Les champs et les règles du formulaire de demande du site ; le propriétaire est prévenu.
    """
    user = member()
    listing = listings.get_listing(listing_id, user)
    if not policies.is_loan_listing(listing):
        raise NotFound()
    form = run_form(LoanRequestForm, data)
    form.borrow_as.choices = [("", "")] + [
        (str(organisation.id), organisation.name)
        for organisation in partners.borrowing_organisations(user, listing)
    ]
    if not form.validate():
        raise refuse(form)
    loan = call(
        lambda: loans.request_loan(
            user,
            listing,
            form.start_date.data,
            form.end_date.data,
            form.message.data or "",
            borrower_organisation_id=int(form.borrow_as.data) if form.borrow_as.data else None,
        )
    )
    return loan_json(loan, "borrower")


@blueprint.route("/loans/<int:loan_id>/accept", methods=["POST"], tags=["Mes prêts"])
@require("write")
@problems(401, 403, 404, 409)
@blueprint.response(200, LoanSchema)
def accept_loan(loan_id: int):
    """Accepter une demande de prêt.

    Le propriétaire seulement : les dates sont réservées et les demandes qui les chevauchaient
    refusées, leurs auteurs prévenus.
    """
    loan = _loan(loan_id)
    call(lambda: loans.accept_loan(member(), loan))
    return loan_json(loan, _side(loan))


@blueprint.route("/loans/<int:loan_id>/decline", methods=["POST"], tags=["Mes prêts"])
@require("write")
@problems(401, 403, 404, 409, 422)
@blueprint.arguments(LoanDeclineSchema)
@blueprint.response(200, LoanSchema)
def decline_loan(data: dict, loan_id: int):
    """Refuser une demande de prêt.

    Le propriétaire seulement, avec un motif facultatif transmis à l’emprunteur.
    """
    loan = _loan(loan_id)
    call(lambda: loans.decline_loan(member(), loan, data.get("reason") or ""))
    return loan_json(loan, _side(loan))


# --- conversations -------------------------------------------------------------------------------


def summary_json(user, conversation, unread: bool, preview: str) -> dict:
    return {
        "id": conversation.id,
        "listing": {"id": conversation.listing.id, "title": conversation.listing.title},
        "other": other_side_name(user, conversation),
        "side": messaging.side_of(user, conversation),
        "unread": unread,
        "preview": preview,
        "last_message_at": conversation.last_message_at,
    }


def message_json(user, conversation, message) -> dict:
    removed = message.removed_at is not None
    return {
        "id": message.id,
        "sender": author_name(conversation, message),
        "mine": message.sender_id == user.id,
        "body": None if removed else message.body,
        "removed": removed,
        "created_at": message.created_at,
    }


@blueprint.route("/me/conversations", tags=["Mes conversations"])
@require("read")
@problems(401)
@blueprint.response(200, ConversationSummarySchema(many=True))
def my_conversations():
    """Mes conversations, la plus récente d’abord, comme la messagerie du site."""
    user = member()
    return [
        summary_json(user, item.conversation, item.unread, item.preview)
        for item in messaging.conversations_of(user)
    ]


@blueprint.route("/conversations/<int:conversation_id>", tags=["Mes conversations"])
@require("read")
@problems(401, 404)
@blueprint.response(200, ConversationSchema)
def conversation(conversation_id: int):
    """Une conversation et ses messages.

    La lire la marque comme lue, comme sur le site.
    """
    user = member()
    conversation = messaging.get_conversation(user, conversation_id)
    unread = messaging.is_unread(user, conversation)
    if unread:
        call(lambda: messaging.mark_read(user, conversation))
    body = summary_json(user, conversation, False, "")
    body["messages"] = [
        message_json(user, conversation, message)
        for message in messaging.messages_in(user, conversation)
    ]
    return body


@blueprint.route(
    "/conversations/<int:conversation_id>/messages", methods=["POST"], tags=["Mes conversations"]
)
@require("write")
@problems(401, 403, 404, 409, 422)
@blueprint.arguments(MessageInSchema)
@blueprint.response(201, MessageSchema)
def send_message(data: dict, conversation_id: int):
    """Envoyer un message dans une conversation.

    Texte simple, 2 000 caractères au plus ; l’autre membre est prévenu.
    """
    user = member()
    conversation = messaging.get_conversation(user, conversation_id)
    message = call(lambda: messaging.send_message(user, conversation, data["body"]))
    return message_json(user, conversation, message)
