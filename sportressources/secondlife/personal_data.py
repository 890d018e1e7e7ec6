"""What second-life routing holds of a member's personal data, for the RGPD export."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sportressources.core.db import db
from sportressources.secondlife.models import Suggestion


def export_suggestions(user, **_extra) -> tuple[str, list]:
    """RGPD export: the second-life suggestions made to the member, and what became of each."""
    suggestions = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.owner_id == user.id)
        .options(joinedload(Suggestion.listing), joinedload(Suggestion.organisation))
        .order_by(Suggestion.id)
    ).all()
    return "second_life", [
        {
            "listing_id": suggestion.listing_id,
            "listing_title": suggestion.listing.title,
            "reason": suggestion.reason,
            "status": suggestion.status,
            "suggested_at": suggestion.created_at.isoformat(),
            "offered_to": suggestion.organisation.name if suggestion.organisation else None,
            "offered_at": suggestion.offered_at.isoformat() if suggestion.offered_at else None,
            "decided_at": suggestion.decided_at.isoformat() if suggestion.decided_at else None,
            "decline_reason": suggestion.decline_reason or None,
        }
        for suggestion in suggestions
    ]
