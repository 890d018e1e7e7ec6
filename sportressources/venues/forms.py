"""Territory forms: venue editing and review, the « près de » search. Shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from sportressources.core.forms import ChoiceField, FrenchDecimalField, max_length
from sportressources.geo.distance import RADII_KM
from sportressources.venues.models import VenueKind

VENUE_KIND_LABELS = {
    VenueKind.STADIUM: _l("Stade"),
    VenueKind.INDOOR_ARENA: _l("Salle ou aréna couverte"),
    VenueKind.SWIMMING_POOL: _l("Piscine, centre aquatique"),
    VenueKind.GYMNASIUM: _l("Gymnase"),
    VenueKind.CLUB_HOUSE: _l("Local de club"),
    VenueKind.SPORTS_CAMPUS: _l("Campus ou centre sportif"),
    VenueKind.OUTDOOR_SITE: _l("Site de plein air"),
    VenueKind.LEISURE_PARK: _l("Parc de loisirs"),
    VenueKind.DROP_OFF_POINT: _l("Point de dépôt"),
    VenueKind.OTHER: _l("Autre lieu"),
}

WEEKDAYS = (
    _l("Lundi"),
    _l("Mardi"),
    _l("Mercredi"),
    _l("Jeudi"),
    _l("Vendredi"),
    _l("Samedi"),
    _l("Dimanche"),
)

RADIUS_CHOICES = [SelectChoice(str(km), f"{km} km") for km in RADII_KM]


class VenueForm(FlaskForm):
    name = StringField(
        _l("Nom du lieu"),
        validators=[DataRequired(_l("Indiquez le nom du lieu.")), max_length(150)],
    )
    kind = ChoiceField(
        _l("Type de lieu"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(kind.value, label) for kind, label in VENUE_KIND_LABELS.items()],
        validators=[DataRequired(_l("Choisissez un type de lieu."))],
    )
    commune = ChoiceField(
        _l("Commune"), validators=[DataRequired(_l("Choisissez la commune du lieu."))]
    )
    address = StringField(
        _l("Adresse"),
        description=_l("Rue et numéro si vous les connaissez."),
        validators=[Optional(), max_length(255)],
        render_kw={"autocomplete": "address-line1"},
    )
    latitude = FrenchDecimalField(
        _l("Latitude"),
        description=_l(
            "En degrés décimaux, par exemple 50.43278. Laissez vide si vous ne la connaissez pas : "
            "le lieu sera placé au centre de la commune et signalé comme approximatif."
        ),
        places=None,
        validators=[Optional(), NumberRange(-90, 90, message=_l("Entre -90 et 90."))],
        render_kw={"inputmode": "decimal"},
    )
    longitude = FrenchDecimalField(
        _l("Longitude"),
        description=_l("En degrés décimaux, par exemple 2.81500."),
        places=None,
        validators=[Optional(), NumberRange(-180, 180, message=_l("Entre -180 et 180."))],
        render_kw={"inputmode": "decimal"},
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), max_length(4000)], render_kw={"rows": 4}
    )
    opening_hours = TextAreaField(
        _l("Horaires d’ouverture"), validators=[Optional(), max_length(1000)], render_kw={"rows": 3}
    )
    source = StringField(
        _l("Source des informations"),
        description=_l("Adresse d’une page qui confirme le lieu, son adresse ou sa position."),
        validators=[Optional(), max_length(2000)],
    )
    open_weekdays = SelectMultipleField(
        _l("Jours d’ouverture"),
        description=_l(
            "Les prêts qui commencent ou finissent ici tombent ces jours-là. Aucun coché : "
            "jours inconnus, tous acceptés."
        ),
        choices=[SelectChoice(str(day), label) for day, label in enumerate(WEEKDAYS, start=1)],
        validators=[Optional()],
    )
    pickup = BooleanField(_l("Les membres peuvent s’y retrouver pour remettre du matériel"))
    dropoff = BooleanField(_l("L’équipe du lieu accepte du matériel déposé pour quelqu’un"))


class HoursForm(FlaskForm):
    opening_hours = TextAreaField(
        _l("Horaires d’ouverture"),
        description=_l(
            "Par exemple : « du lundi au vendredi de 9 h à 21 h, le samedi de 10 h à 18 h »."
        ),
        validators=[DataRequired(_l("Indiquez les horaires d’ouverture.")), max_length(1000)],
        render_kw={"rows": 4},
    )


class ReviewForm(FlaskForm):
    note = TextAreaField(
        _l("Message au membre"),
        description=_l("Obligatoire en cas de refus."),
        validators=[Optional(), max_length(1000)],
        render_kw={"rows": 3},
    )


class NearForm(FlaskForm):
    """The « lieux près de … » search: a GET form, shareable, without CSRF token."""

    class Meta:
        csrf = False

    near = ChoiceField(_l("Près de"), validators=[Optional()])
    radius = ChoiceField(
        _l("Distance"), choices=RADIUS_CHOICES, default="10", validators=[Optional()]
    )
