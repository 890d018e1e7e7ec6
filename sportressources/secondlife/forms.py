"""Second-life forms: the ressourcerie chosen, a decline's reason, the offers' filters. Shape
only; choices are filled by the views, rules are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, TextAreaField
from wtforms.validators import DataRequired, Optional

from sportressources.core.forms import NO_MAXLENGTH, ChoiceField, max_length
from sportressources.secondlife.models import DECLINE_REASON_MAX


class OfferForm(FlaskForm):
    organisation = ChoiceField(
        _l("Ressourcerie"),
        description=_l("Les ressourceries et associations partenaires vérifiées."),
        validators=[DataRequired(_l("Choisissez une ressourcerie de la liste."))],
    )


class ActionForm(FlaskForm):
    """A button that only carries the CSRF token."""


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Raison du refus"),
        description=_l("Le propriétaire la lira. 500 caractères au plus."),
        validators=[
            DataRequired(_l("Dites au propriétaire pourquoi, en une phrase.")),
            max_length(DECLINE_REASON_MAX),
        ],
        render_kw=NO_MAXLENGTH,
    )


class OfferFilterForm(Form):
    commune = ChoiceField(_l("Commune"), validators=[Optional()])
    category = ChoiceField(_l("Catégorie"), validators=[Optional()])
