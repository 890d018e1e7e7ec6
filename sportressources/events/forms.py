"""Event forms: the event, a cancellation, the filters of the list. Shape only; choices are
filled by the views, rules are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Optional

from sportressources.core.forms import NO_MAXLENGTH, ChoiceField, FrenchDateField, max_length


class EventForm(FlaskForm):
    title = StringField(
        _l("Nom de l’événement"),
        description=_l("Par exemple : « Route du Louvre »."),
        validators=[DataRequired(_l("Indiquez le nom de l’événement.")), max_length(120)],
    )
    organisation = ChoiceField(_l("Organisé par"), validators=[Optional()])
    starts_on = FrenchDateField(_l("Premier jour"), validators=[Optional()])
    ends_on = FrenchDateField(
        _l("Dernier jour"),
        description=_l("Laissez vide pour un événement d’une journée."),
        validators=[Optional()],
    )
    all_day = BooleanField(_l("Toute la journée (sans horaires)"), default=True)
    start_time = TimeField(_l("Heure de début"), validators=[Optional()], render_kw={"step": 300})
    end_time = TimeField(_l("Heure de fin"), validators=[Optional()], render_kw={"step": 300})
    venue = ChoiceField(
        _l("Lieu"),
        description=_l("Un lieu sportif du site ; sinon, indiquez seulement la commune."),
        validators=[Optional()],
    )
    commune = ChoiceField(_l("Commune"), validators=[Optional()])
    sports = SelectMultipleField(_l("Sports"), choices=[], validate_choice=False)
    description = TextAreaField(
        _l("Présentation"),
        description=_l("Le programme, les épreuves, comment y participer ou y assister."),
        validators=[Optional(), max_length(4000)],
        render_kw=NO_MAXLENGTH,
    )
    website = StringField(
        _l("Site de l’événement (facultatif)"),
        description=_l("Adresse complète, commençant par https://"),
        validators=[Optional(), max_length(255)],
        render_kw={"inputmode": "url"},
    )


class CancelEventForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif (facultatif)"), validators=[Optional(), max_length(1000)], render_kw=NO_MAXLENGTH
    )


class ActionForm(FlaskForm):
    """A button alone: just the CSRF token."""


class FilterForm(Form):
    zone = ChoiceField(_l("Intercommunalité"), validators=[Optional()])
    sport = ChoiceField(_l("Sport"), validators=[Optional()])
