"""Forms of the appeal pages: shape only. The rules (once, in time, an explanation) live in
``moderation.appeals``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField

from sportressources.core.forms import NO_MAXLENGTH, max_length
from sportressources.moderation.appeals import EXPLANATION_MAX, RULING_NOTE_MAX


class _MarkedRequired:
    """Marks a field « (obligatoire) »; the choice itself is checked by the field."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class AppealForm(FlaskForm):
    explanation = TextAreaField(
        _l("Pourquoi contestez-vous cette décision ?"),
        description=_l(
            "Expliquez ce qui vous semble inexact ou injuste, avec les éléments utiles "
            "(4000 caractères au plus)."
        ),
        validators=[_MarkedRequired(), max_length(EXPLANATION_MAX)],
        render_kw={"rows": 8, **NO_MAXLENGTH},
    )


class RulingForm(FlaskForm):
    outcome = RadioField(
        _l("Votre décision"),
        choices=[
            SelectChoice("reject", _l("Rejeter la contestation : la décision est maintenue")),
            SelectChoice("grant", _l("Accepter la contestation : la décision est annulée")),
        ],
        validators=[_MarkedRequired()],
        invalid_choice_message=_l("Choisissez de rejeter ou d’accepter la contestation."),
    )
    note = TextAreaField(
        _l("Message au membre"),
        description=_l(
            "Il figure dans la nouvelle décision envoyée au membre : expliquez ce que vous avez "
            "examiné et pourquoi vous décidez ainsi (2000 caractères au plus)."
        ),
        validators=[_MarkedRequired(), max_length(RULING_NOTE_MAX)],
        render_kw={"rows": 6, **NO_MAXLENGTH},
    )
