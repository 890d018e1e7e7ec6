"""Second-life use cases: the owner offers, donates or dismisses; the ressourcerie accepts or
declines. Functions flush and never commit; every status change goes through the transition
table of ``Suggestion`` (an audit row each), which is also the item's timeline."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, NotFound, ValidationFailed
from sportressources.core.signals import listing_closing
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_text
from sportressources.listings import services as listings
from sportressources.listings.models import ListingKind
from sportressources.messaging import services as messaging
from sportressources.messaging.models import Conversation
from sportressources.organisations.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from sportressources.secondlife import notices
from sportressources.secondlife.models import DECLINE_REASON_MAX, Suggestion
from sportressources.secondlife.policies import (
    can_answer_offer,
    can_choose_for_suggestion,
    can_view_suggestion,
)
from sportressources.secondlife.scan import BUSY_LOAN_STATUSES
from sportressources.trade.loans.models import Loan

NOT_FOUND = _l("Cette suggestion n’existe pas ou ne vous concerne pas.")
ALREADY_DECIDED = _l("Cette suggestion a déjà reçu une réponse : rechargez la page.")
NOT_AVAILABLE = _l("Cette annonce n’est plus disponible : elle a été close ou retirée entre-temps.")


def get_suggestion(actor, suggestion_id: int) -> Suggestion:
    """A suggestion its owner, or a member of the ressourcerie it was offered to, may see;
    NotFound for anyone else (the same answer as a missing one)."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or not can_view_suggestion(actor, suggestion):
        raise NotFound(NOT_FOUND)
    return suggestion


def ressourceries() -> list[Organisation]:
    """The verified ressourceries and charities an owner may offer an item to, by name."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.kind == OrganisationKind.RESSOURCERIE.value,
                Organisation.status == OrganisationStatus.VERIFIED.value,
            )
            .order_by(Organisation.name)
        )
    )


def _lock(suggestion: Suggestion) -> Suggestion:
    # Two tabs, or the owner and the ressourcerie, at once: one after the other
    return db.session.scalars(
        select(Suggestion)
        .where(Suggestion.id == suggestion.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _owner_choice(actor, suggestion: Suggestion) -> Suggestion:
    if not can_view_suggestion(actor, suggestion) or actor.id != suggestion.owner_id:
        raise NotFound(NOT_FOUND)
    suggestion = _lock(suggestion)
    if not can_choose_for_suggestion(actor, suggestion):
        raise Conflict(ALREADY_DECIDED)
    if not suggestion.listing.is_visible:
        raise Conflict(NOT_AVAILABLE)
    return suggestion


def offer_to_ressourcerie(actor, suggestion: Suggestion, organisation_id: int | None) -> None:
    """The owner offers the item to a verified ressourcerie, whose members are told.

    Raises NotFound (not the owner), Conflict (already decided, listing closed), ValidationFailed
    on ``organisation`` (unknown, unverified or not a ressourcerie).
    """
    suggestion = _owner_choice(actor, suggestion)
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation not in ressourceries():
        raise ValidationFailed({"organisation": _l("Choisissez une ressourcerie de la liste.")})
    suggestion.organisation_id = organisation.id
    suggestion.decline_reason = ""
    db.session.flush()
    db.session.refresh(suggestion, ["organisation"])
    apply_transition(
        suggestion,
        "offer",
        actor=actor,
        details={"organisation_id": organisation.id, "organisation": organisation.name},
    )
    notices.tell_ressourcerie(suggestion)


def donate(actor, suggestion: Suggestion) -> bool:
    """The owner turns the idle loan listing into a gift listing, through the listings' own
    update (a public listing's change of kind waits for review like any other); True when it is
    a gift at once, False when the change waits for review.

    Raises NotFound, Conflict (already decided, a gift already, a loan asked or running),
    and whatever ``update_listing`` refuses.
    """
    suggestion = _owner_choice(actor, suggestion)
    listing = suggestion.listing
    if listing.kind != ListingKind.LOAN.value:
        raise Conflict(_l("Cette annonce est déjà un don."))
    busy = db.session.scalar(
        select(Loan.id).where(Loan.listing_id == listing.id, Loan.status.in_(BUSY_LOAN_STATUSES))
    )
    if busy is not None:
        raise Conflict(_l("Un prêt de cet objet est demandé ou en cours : répondez-y d’abord."))
    data = listings.ListingData(
        kind=ListingKind.GIFT.value,
        title=listing.title,
        sport=listing.sport,
        category=listing.category,
        condition=listing.condition,
        commune_insee=listing.commune_insee,
        description=listing.description,
        size=listing.size,
        age_group=listing.age_group,
        brand=listing.brand,
        new_price_cents=listing.new_price_cents,
        venue_id=listing.venue_id,
        safety_age_years=listing.safety_age_years,
        safety_no_impact=listing.safety_no_impact,
        photo_keys=[photo.key for photo in listing.photos],
        organisation_id=listing.organisation_id,
    )
    listings.update_listing(actor, listing, data)
    apply_transition(suggestion, "donate", actor=actor, details={"listing_id": listing.id})
    return listing.kind == ListingKind.GIFT.value


def dismiss(actor, suggestion: Suggestion) -> None:
    """The owner keeps the item as it is: it is not suggested again. Raises NotFound, Conflict."""
    suggestion = _owner_choice(actor, suggestion)
    apply_transition(suggestion, "dismiss", actor=actor)


def _ressourcerie_answer(actor, suggestion: Suggestion) -> Suggestion:
    if not can_view_suggestion(actor, suggestion) or actor.id == suggestion.owner_id:
        raise NotFound(NOT_FOUND)
    suggestion = _lock(suggestion)
    if not can_answer_offer(actor, suggestion):
        raise Conflict(ALREADY_DECIDED)
    return suggestion


def accept_offer(actor, suggestion: Suggestion) -> Conversation:
    """A member of the ressourcerie takes the item: the listing is withdrawn from public view,
    the owner told, and the conversation with the owner opened (or reused) to arrange
    collection; returns it.

    Raises NotFound (not a member of that ressourcerie), Conflict (answered already, or the
    listing closed meanwhile).
    """
    suggestion = _ressourcerie_answer(actor, suggestion)
    listing = listings.lock_listing(suggestion.listing)
    if not listing.is_visible:
        raise Conflict(NOT_AVAILABLE)
    conversation = messaging.start_conversation(actor, listing)
    listing_closing.send(listing, actor=actor)
    apply_transition(
        listing,
        "withdraw",
        actor=actor,
        reason="second life",
        details={"organisation_id": suggestion.organisation_id},
    )
    apply_transition(
        suggestion,
        "accept",
        actor=actor,
        details={
            "organisation_id": suggestion.organisation_id,
            "organisation": suggestion.organisation.name,
            "conversation_id": conversation.id,
        },
    )
    notices.tell_owner(suggestion, "second_life_accepted")
    return conversation


def decline_offer(actor, suggestion: Suggestion, reason: str) -> None:
    """A member of the ressourcerie says no, with a reason the owner reads; the owner may then
    choose again. Raises NotFound, Conflict, ValidationFailed on ``reason`` (missing or longer
    than 500 characters)."""
    reason = clean_text(reason or "")
    if not reason:
        raise ValidationFailed({"reason": _l("Dites au propriétaire pourquoi, en une phrase.")})
    if len(reason) > DECLINE_REASON_MAX:
        raise ValidationFailed({"reason": _l("500 caractères au plus, s’il vous plaît.")})
    suggestion = _ressourcerie_answer(actor, suggestion)
    suggestion.decline_reason = reason
    apply_transition(
        suggestion,
        "decline",
        actor=actor,
        reason=reason,
        details={
            "organisation_id": suggestion.organisation_id,
            "organisation": suggestion.organisation.name,
        },
    )
    notices.tell_owner(suggestion, "second_life_declined", reason=reason)
