"""Reading second-life suggestions: an owner's open ones, what a ressourcerie is offered, and
the timeline of one item (its audit rows)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from sportressources.core.audit import AuditEntry, entries_for
from sportressources.core.db import db
from sportressources.geo.models import Commune
from sportressources.listings.models import VISIBLE_STATUSES, Listing
from sportressources.secondlife.models import OPEN_STATUSES, Suggestion, SuggestionStatus

TARGET_TYPE = "second_life_suggestion"


def open_suggestions_of(user) -> list[Suggestion]:
    """The owner's suggestions still waiting for a choice or an answer, whose listing is still
    public (a listing closed meanwhile needs no second life), newest first."""
    return list(
        db.session.scalars(
            select(Suggestion)
            .join(Listing, Listing.id == Suggestion.listing_id)
            .options(joinedload(Suggestion.listing), joinedload(Suggestion.organisation))
            .where(
                Suggestion.owner_id == user.id,
                Suggestion.status.in_(OPEN_STATUSES),
                Listing.status.in_(VISIBLE_STATUSES),
            )
            .order_by(Suggestion.id.desc())
        )
    )


@dataclass(frozen=True)
class OfferFilters:
    commune: str | None = None  # INSEE code
    category: str | None = None
    status: str = SuggestionStatus.OFFERED.value


def offers_to(organisation_id: int, filters: OfferFilters) -> list[Suggestion]:
    """What was offered to a ressourcerie, in one status (waiting by default), filtered by the
    listing's commune and category, oldest offer first (the first to answer)."""
    query = (
        select(Suggestion)
        .join(Listing, Listing.id == Suggestion.listing_id)
        .options(
            joinedload(Suggestion.listing).joinedload(Listing.commune),
            joinedload(Suggestion.owner),
        )
        .where(Suggestion.organisation_id == organisation_id, Suggestion.status == filters.status)
        .order_by(Suggestion.offered_at, Suggestion.id)
    )
    if filters.commune:
        query = query.where(Listing.commune_insee == filters.commune)
    if filters.category:
        query = query.where(Listing.category == filters.category)
    return list(db.session.scalars(query))


def offer_communes(organisation_id: int) -> list[Commune]:
    """The communes of the items ever offered to a ressourcerie, for the filter, by name."""
    return list(
        db.session.scalars(
            select(Commune)
            .join(Listing, Listing.commune_insee == Commune.insee)
            .join(Suggestion, Suggestion.listing_id == Listing.id)
            .where(Suggestion.organisation_id == organisation_id)
            .distinct()
            .order_by(Commune.name)
        )
    )


def waiting_count(organisation_id: int) -> int:
    """How many offers wait for the ressourcerie's answer."""
    return db.session.scalar(
        select(func.count())
        .select_from(Suggestion)
        .where(
            Suggestion.organisation_id == organisation_id,
            Suggestion.status == SuggestionStatus.OFFERED.value,
        )
    )


def timeline(suggestion: Suggestion) -> list[AuditEntry]:
    """What happened to the item, oldest first: suggested, offered, accepted or declined…"""
    return entries_for(TARGET_TYPE, suggestion.id)
