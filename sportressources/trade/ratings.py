"""What a rating is, wherever members rate each other (after an exchange, after a loan).

Each kind of handover keeps its ratings in its own table (a domain may not point at a higher
one's rows); the score scale, the comment's length and their checks are the same everywhere.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sportressources.core.errors import ValidationFailed
from sportressources.core.text import checked_text

SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX = 500
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
