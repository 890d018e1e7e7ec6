"""Forms shared by exchanges and loans: rating the other party."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired

from sportressources.core.forms import NO_MAXLENGTH, max_length
from sportressources.trade import ratings


class RatingForm(FlaskForm):
    """A member's rating of another after a handover (exchange or loan): the rules are in
    ``trade.ratings`` and the services that store it."""

    score = RadioField(
        _l("Votre note"),
        choices=[SelectChoice(value, label) for value, label in ratings.SCORE_LABELS.items()],
        validators=[InputRequired(message=ratings.SCORE_MESSAGE)],
        invalid_choice_message=ratings.SCORE_MESSAGE,
    )
    comment = TextAreaField(
        _l("Commentaire (facultatif)"),
        description=_l(
            "Visible sur le profil du membre. %(limit)s caractères au plus.",
            limit=ratings.COMMENT_MAX,
        ),
        validators=[max_length(ratings.COMMENT_MAX)],
        render_kw={"rows": 3, **NO_MAXLENGTH},
    )
