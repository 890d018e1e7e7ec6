"""Forms of the automatic flags' settings: shape only, the rules live in ``flags``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from sportressources.core.forms import max_length
from sportressources.moderation.forbidden_words import FORBIDDEN_WORD_MAX


class ForbiddenWordForm(FlaskForm):
    """« Ajouter » on the forbidden words page."""

    word = StringField(
        _l("Mot ou expression"),
        description=_l(
            "Repéré comme mot entier, sans tenir compte des accents ni des majuscules : "
            "« arme » ne repère pas « armes », ajoutez les deux si besoin."
        ),
        validators=[
            InputRequired(message=_l("Saisissez un mot ou une expression.")),
            max_length(FORBIDDEN_WORD_MAX),
        ],
    )


class RemoveForbiddenWordForm(FlaskForm):
    """A remove button: its CSRF token is all it carries."""
