"""Inventory forms: shape only. The rules (sizes, recipients, photos, terms) live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from sportressources.core.forms import (
    NO_MAXLENGTH,
    BoundedIntegerField,
    ChoiceField,
    FrenchDecimalField,
    max_length,
)
from sportressources.drives.models import AgeBand
from sportressources.listings.taxonomy import (
    AGE_GROUPS,
    CATEGORIES,
    CONDITION_LABELS,
    SIZE_SYSTEMS,
    SIZE_WORDS,
    SPORTS,
)

AGE_BAND_LABELS = {
    AgeBand.UNDER_6.value: _l("Moins de 6 ans"),
    AgeBand.CHILD.value: _l("6 à 10 ans"),
    AgeBand.PRETEEN.value: _l("11 à 14 ans"),
    AgeBand.TEEN.value: _l("15 à 17 ans"),
    AgeBand.ADULT.value: _l("18 à 59 ans"),
    AgeBand.SENIOR.value: _l("60 ans et plus"),
}


def _choices(mapping, blank: str | None = "—") -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(code, label) for code, label in mapping.items()]


def _size_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", _l("Sans taille ou inconnue"))]
    for label, sizes in SIZE_SYSTEMS.values():
        choices.extend(
            SelectChoice(size, SIZE_WORDS.get(size, size), optgroup=label) for size in sizes
        )
    return choices


class ItemForm(FlaskForm):
    title = StringField(
        _l("Objet"),
        description=_l("Par exemple « Ballon de football taille 4 »."),
        validators=[DataRequired(_l("Indiquez ce qu’est l’objet.")), max_length(120)],
    )
    sport = ChoiceField(
        _l("Sport"), choices=_choices(SPORTS), validators=[DataRequired(_l("Choisissez un sport."))]
    )
    category = ChoiceField(
        _l("Catégorie"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(c.code, c.label) for c in CATEGORIES.values()],
        validators=[DataRequired(_l("Choisissez une catégorie."))],
    )
    size = ChoiceField(_l("Taille"), choices=_size_choices(), validators=[Optional()])
    age_group = ChoiceField(
        _l("Public"), choices=_choices(AGE_GROUPS, _l("Non précisé")), validators=[Optional()]
    )
    condition = ChoiceField(
        _l("État"),
        choices=_choices(CONDITION_LABELS),
        validators=[DataRequired(_l("Choisissez l’état du matériel."))],
    )
    note = TextAreaField(
        _l("Note interne"),
        description=_l("Visible des seuls membres de l’organisation : 200 caractères au plus."),
        validators=[Optional(), max_length(200)],
        render_kw={"rows": 3, **NO_MAXLENGTH},
    )
    photo = FileField(
        _l("Photo (facultative)"),
        description=_l("JPEG, PNG ou WebP. Elle servira si l’objet est publié en annonce."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class BulkPublishForm(FlaskForm):
    """The options shared by every listing of a bulk publication; each item's photo and safety
    declaration are read by the view from fields named after the item."""

    kind = RadioField(
        _l("Publier comme"),
        choices=[SelectChoice("gift", _l("Dons")), SelectChoice("loan", _l("Prêts"))],
        default="gift",
        validators=[DataRequired(_l("Choisissez don ou prêt."))],
    )
    commune = ChoiceField(
        _l("Commune où retirer le matériel"),
        validators=[DataRequired(_l("Choisissez la commune où se trouve le matériel."))],
    )
    venue = ChoiceField(_l("Lieu de remise"), validators=[Optional()])
    description = TextAreaField(
        _l("Description commune aux annonces"),
        description=_l("Par exemple les horaires où retirer le matériel (facultatif)."),
        validators=[Optional(), max_length(5000)],
        render_kw={"rows": 4, **NO_MAXLENGTH},
    )
    min_days = BoundedIntegerField(
        _l("Durée minimale du prêt (jours)"), default=1, minimum=0, maximum=10_000
    )
    max_days = BoundedIntegerField(
        _l("Durée maximale du prêt (jours)"), default=14, minimum=0, maximum=10_000
    )
    deposit = FrenchDecimalField(
        _l("Caution (euros, facultative)"),
        description=_l(
            "Remise au retrait, rendue au retour ; aucun paiement ne passe par le site."
        ),
        validators=[Optional()],
    )


class HandoutForm(FlaskForm):
    recipient = StringField(
        _l("Prénom ou référence du bénéficiaire"),
        description=_l(
            "Un prénom, ou la référence de votre dossier (par exemple « F-2026-014 ») : jamais "
            "de nom de famille, d’adresse ni de numéro de téléphone. 40 caractères au plus."
        ),
        validators=[DataRequired(_l("Indiquez un prénom ou une référence.")), max_length(40)],
    )
    age_band = ChoiceField(
        _l("Tranche d’âge"),
        choices=_choices(AGE_BAND_LABELS),
        validators=[DataRequired(_l("Choisissez une tranche d’âge."))],
    )
    commune = ChoiceField(_l("Commune de résidence"), validators=[Optional()])
    pass_sport = BooleanField(
        _l("La famille bénéficie du Pass’Sport (prioritaire)"),
    )


class InventoryActionForm(FlaskForm):
    """A button that changes an item (discard): only the CSRF token."""
