"""What a rating is, wherever members rate each other (after an exchange, after a loan).

Both kinds of handover keep their ratings in one table (``trade.models.Rating``), written and
read here; the score scale, the comment's length and their checks are the same everywhere.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import column, exists, or_, select, table
from sqlalchemy.exc import IntegrityError

from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, ValidationFailed
from sportressources.core.text import checked_text
from sportressources.listings.models import Listing
from sportressources.trade.models import Rating, RatingKind

SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX = 500
# Ratings shown on a member's public profile, the latest first
RECEIVED_SHOWN = 20
SCORE_MESSAGE = _l("Choisissez une note de 1 à 5.")
SCORE_LABELS = {
    "5": _l("5 – Excellent"),
    "4": _l("4 – Très bien"),
    "3": _l("3 – Correct"),
    "2": _l("2 – Décevant"),
    "1": _l("1 – À éviter"),
}


def checked_rating(score, comment: str | None) -> tuple[int, str]:
    """The score (1 to 5, as a number or its digit) and the cleaned comment.

    Raises ValidationFailed naming ``score`` and ``comment``, both at once when both are wrong.
    """
    errors: dict = {}
    if isinstance(score, str) and score.strip() in {str(value) for value in SCORES}:
        score = int(score)
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        errors["score"] = SCORE_MESSAGE
    try:
        comment = checked_text(comment, "comment", COMMENT_MAX)
    except ValidationFailed as error:
        errors.update(error.fields)
    if errors:
        raise ValidationFailed(errors)
    return score, comment


def _target(kind: RatingKind):
    return Rating.exchange_request_id if kind == RatingKind.EXCHANGE else Rating.loan_id


def rating_by(rater, kind: RatingKind, target_id: int) -> Rating | None:
    """``rater``'s rating of the exchange request or loan ``target_id``, if they gave one."""
    return db.session.scalar(
        select(Rating).where(_target(kind) == target_id, Rating.rater_id == rater.id)
    )


def rating_received(kind: RatingKind, target_id: int, ratee_id: int) -> Rating | None:
    """The rating ``ratee_id`` received for one handover: the other side's, whoever of that side
    gave it (for an organisation's listing, the side rates once, by any of its members)."""
    return db.session.scalar(
        select(Rating).where(_target(kind) == target_id, Rating.ratee_id == ratee_id)
    )


_loans = table("loans", column("id"), column("listing_id"), column("borrower_id"))
_requests = table("exchange_requests", column("id"), column("listing_id"), column("requester_id"))


def about_organisation():
    """SQL condition: the rating is the borrower's or requester's rating of an organisation's
    handling of its listing. It is about the organisation, not the member who created the
    listing: it stays out of that member's personal reputation and profile."""
    return or_(
        exists()
        .select_from(_loans.join(Listing, Listing.id == _loans.c.listing_id))
        .where(
            _loans.c.id == Rating.loan_id,
            _loans.c.borrower_id == Rating.rater_id,
            Listing.organisation_id.is_not(None),
        ),
        exists()
        .select_from(_requests.join(Listing, Listing.id == _requests.c.listing_id))
        .where(
            _requests.c.id == Rating.exchange_request_id,
            _requests.c.requester_id == Rating.rater_id,
            Listing.organisation_id.is_not(None),
        ),
    )


def rated_ids(rater, kind: RatingKind, target_ids: list[int]) -> set[int]:
    """The ids, among ``target_ids``, of the handovers ``rater`` has already rated: one query."""
    if not target_ids:
        return set()
    column = _target(kind)
    return set(
        db.session.scalars(
            select(column).where(Rating.rater_id == rater.id, column.in_(target_ids))
        )
    )


def ratings_of(user, kind: RatingKind) -> list[Rating]:
    """The ratings of one kind ``user`` gave or received, oldest first (the RGPD export)."""
    return list(
        db.session.scalars(
            select(Rating)
            .where(
                Rating.kind == kind.value,
                or_(Rating.rater_id == user.id, Rating.ratee_id == user.id),
            )
            .order_by(Rating.id)
        )
    )


def received_by(user, limit: int = RECEIVED_SHOWN) -> list[Rating]:
    """The latest ratings ``user`` received, newest first, for their public profile (a comment
    taken down by moderation is still a rating: its score counts). Ratings of an
    organisation's handling are not the member's (``about_organisation``)."""
    return list(
        db.session.scalars(
            select(Rating)
            .where(Rating.ratee_id == user.id, ~about_organisation())
            .order_by(Rating.created_at.desc(), Rating.id.desc())
            .limit(limit)
        )
    )


def add_rating(
    kind: RatingKind,
    target_id: int,
    rater,
    ratee,
    score,
    comment: str,
    already_rated: LazyString,
) -> Rating:
    """Store ``rater``'s rating of ``ratee`` for one handover; the caller checked that they may.

    The score and comment go through ``checked_rating``. Raises ValidationFailed, or Conflict
    with ``already_rated`` when the rater rated this handover meanwhile (another tab).
    """
    score, comment = checked_rating(score, comment)
    rating = Rating(
        kind=kind.value,
        rater_id=rater.id,
        ratee_id=ratee.id,
        score=score,
        comment=comment,
        created_at=utcnow(),
    )
    if kind == RatingKind.EXCHANGE:
        rating.exchange_request_id = target_id
    else:
        rating.loan_id = target_id
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except IntegrityError as exc:
        raise Conflict(already_rated) from exc
    return rating


# --- moderation ----------------------------------------------------------------------------------


def shown_comment(rating: Rating) -> str:
    """The comment as others read it: empty once a moderator removed it."""
    return "" if rating.comment_removed_at is not None else rating.comment


def remove_comment(actor, rating: Rating, reason: str = "") -> None:
    """Take a rating's comment down (a moderator's decision; the caller checked that ``actor``
    may): it is no longer shown, is kept for an appeal, and the score still counts. Recorded in
    the audit log. Raises Conflict if it is already removed."""
    if rating.comment_removed_at is not None:
        raise Conflict(_l("Ce commentaire a déjà été retiré."))
    rating.comment_removed_at = utcnow()
    db.session.flush()
    record_entry(
        "rating.remove_comment",
        "rating",
        rating.id,
        actor=actor,
        before="visible",
        after="removed",
        reason=reason,
    )


def restore_comment(actor, rating: Rating, reason: str = "") -> None:
    """Show a removed comment again (an appeal against its removal was granted); recorded in
    the audit log. A comment that is not removed stays as it is."""
    if rating.comment_removed_at is None:
        return
    rating.comment_removed_at = None
    db.session.flush()
    record_entry(
        "rating.restore_comment",
        "rating",
        rating.id,
        actor=actor,
        before="removed",
        after="visible",
        reason=reason,
    )
