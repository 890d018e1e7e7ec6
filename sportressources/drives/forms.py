"""Drive forms: the drive, a slot, a wish line, a pledge, the filters of the list. Shape only;
choices are filled by the views, rules are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Optional

from sportressources.core.forms import (
    NO_MAXLENGTH,
    BoundedIntegerField,
    ChoiceField,
    FrenchDateField,
    max_length,
)

QUICK_ROWS = 3
LISTING_ROWS = 2


class DriveForm(FlaskForm):
    title = StringField(
        _l("Titre de la collecte"),
        description=_l("Par exemple : « Collecte de crampons pour la rentrée »."),
        validators=[DataRequired(_l("Indiquez le titre de la collecte.")), max_length(120)],
    )
    description = TextAreaField(
        _l("Présentation"),
        description=_l("Pour qui, pourquoi, ce que vous ferez des dons."),
        validators=[Optional(), max_length(4000)],
        render_kw=NO_MAXLENGTH,
    )
    starts_on = FrenchDateField(_l("Premier jour"), validators=[Optional()])
    ends_on = FrenchDateField(_l("Dernier jour"), validators=[Optional()])
    event = ChoiceField(
        _l("Événement"),
        description=_l("Facultatif : l’événement sportif pour lequel vous collectez."),
        validators=[Optional()],
    )


class NewDriveForm(DriveForm):
    organisation = ChoiceField(
        _l("Organisation"), validators=[DataRequired(_l("Choisissez l’organisation."))]
    )


class SlotForm(FlaskForm):
    venue = ChoiceField(
        _l("Lieu de dépôt"),
        description=_l("Les lieux dont l’équipe accepte du matériel déposé."),
        validators=[DataRequired(_l("Choisissez un lieu de dépôt."))],
    )
    day = FrenchDateField(_l("Jour"), validators=[Optional()])
    starts = TimeField(
        _l("Heure de début"),
        validators=[Optional()],
        render_kw={"step": 300},
    )
    ends = TimeField(_l("Heure de fin"), validators=[Optional()], render_kw={"step": 300})
    capacity = BoundedIntegerField(
        _l("Nombre de personnes accueillies"),
        minimum=0,
        maximum=100_000,
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )


class WishLineForm(FlaskForm):
    sport = ChoiceField(_l("Sport"), validators=[DataRequired(_l("Choisissez un sport."))])
    category = ChoiceField(
        _l("Catégorie"), validators=[DataRequired(_l("Choisissez une catégorie."))]
    )
    size = StringField(
        _l("Taille (facultative)"),
        description=_l("Comme sur les annonces : 36, 8 ans, M, 4…"),
        validators=[Optional(), max_length(16)],
    )
    age_group = ChoiceField(_l("Tranche d’âge (facultative)"), validators=[Optional()])
    quantity_wanted = BoundedIntegerField(
        _l("Quantité recherchée"),
        minimum=0,
        maximum=100_000,
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    note = StringField(
        _l("Précision (facultative)"),
        description=_l(
            "Ce que les donateurs liront, par exemple « paires de crampons pointure 36 »."
        ),
        validators=[Optional(), max_length(200)],
    )


class QuickItemForm(Form):
    wish_line = ChoiceField(_l("Pour la ligne"), validators=[Optional()])
    title = StringField(_l("Objet"), validators=[Optional(), max_length(120)])
    quantity = BoundedIntegerField(
        _l("Quantité"), minimum=0, maximum=1000, default=1, validators=[Optional()]
    )
    condition = ChoiceField(_l("État"), validators=[Optional()])
    photo = FileField(_l("Photo (facultative)"))
    # A photo sent with a refused form, kept for the next try (``listings.photos.sign_key``)
    photo_token = HiddenField()


class ListingItemForm(Form):
    listing = ChoiceField(_l("Mon annonce"), validators=[Optional()])
    wish_line = ChoiceField(_l("Pour la ligne"), validators=[Optional()])


class PledgeForm(FlaskForm):
    slot = RadioField(_l("Créneau de dépôt"), validators=[Optional()])
    quick = FieldList(FormField(QuickItemForm), min_entries=QUICK_ROWS, max_entries=QUICK_ROWS)
    listings = FieldList(
        FormField(ListingItemForm), min_entries=LISTING_ROWS, max_entries=LISTING_ROWS
    )


class CancelDriveForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif, transmis aux donateurs (facultatif)"),
        validators=[Optional(), max_length(1000)],
        render_kw=NO_MAXLENGTH,
    )


class FilterForm(Form):
    zone = ChoiceField(_l("Intercommunalité"), validators=[Optional()])
    commune = ChoiceField(_l("Commune"), validators=[Optional()])
    venue = ChoiceField(_l("Lieu de dépôt"), validators=[Optional()])


class ActionForm(FlaskForm):
    """A button alone: just the CSRF token."""
