"""Listing forms: shape only. The rules (price cap, hygiene, safety, sizes) live in services."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from sportressources.core.forms import (
    BoundedIntegerField,
    ChoiceField,
    FrenchDecimalField,
    max_length,
)
from sportressources.listings.services import ListingData
from sportressources.listings.taxonomy import (
    AGE_GROUPS,
    CATEGORIES,
    CONDITION_LABELS,
    KIND_LABELS,
    SIZE_SYSTEMS,
    SIZE_WORDS,
    SPORTS,
)


def _choices(mapping, blank: str | None = "—") -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(code, label) for code, label in mapping.items()]


def size_choices() -> list[SelectChoice]:
    """Every size, grouped by size system (shoe sizes, clothing sizes…)."""
    choices = [SelectChoice("", "—")]
    for label, sizes in SIZE_SYSTEMS.values():
        choices.extend(
            SelectChoice(size, SIZE_WORDS.get(size, size), optgroup=label) for size in sizes
        )
    return choices


def size_groups_by_category() -> dict[str, list[str]]:
    """For each category, the names of the size scales it accepts, as the size select's groups
    read them (static/js/listing-form.js narrows the list to them); [] for no size."""
    return {
        category.code: [str(SIZE_SYSTEMS[system][0]) for system in category.size_systems]
        for category in CATEGORIES.values()
    }


def category_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(category.code, category.label) for category in CATEGORIES.values()
    ]


class ListingForm(FlaskForm):
    # Choices are « Moi-même » and the organisations the member acts for (set by the view); an
    # organisation not in the list gets this message, with nothing else lost.
    publish_as = ChoiceField(
        _l("Publier au nom de"),
        description=_l(
            "Une annonce publiée au nom d’une organisation est gérée par tous ses membres ; "
            "ce choix ne se modifie plus ensuite."
        ),
        validators=[Optional()],
        invalid_choice_message=_l(
            "Vous ne pouvez pas publier au nom de cette organisation : vous n’en êtes pas membre."
        ),
    )
    kind = RadioField(
        _l("Vous proposez"),
        choices=[SelectChoice(code, label) for code, label in KIND_LABELS.items()],
        validators=[DataRequired(_l("Choisissez don, prêt ou vente."))],
    )
    title = StringField(
        _l("Titre"),
        description=_l("Par exemple « Chaussures de foot à crampons, pointure 36 »."),
        validators=[DataRequired(_l("Indiquez un titre.")), max_length(120)],
    )
    description = TextAreaField(
        _l("Description"),
        description=_l(
            "État, défauts, ce qui est fourni avec. Texte simple : les liens deviennent cliquables."
        ),
        validators=[Optional(), max_length(5000)],
        render_kw={"rows": 6},
    )
    sport = ChoiceField(
        _l("Sport"),
        choices=_choices(SPORTS),
        validators=[DataRequired(_l("Choisissez un sport."))],
    )
    category = ChoiceField(
        _l("Catégorie"),
        choices=category_choices(),
        validators=[DataRequired(_l("Choisissez une catégorie."))],
    )
    size = ChoiceField(
        _l("Taille"),
        description=_l(
            "Selon la catégorie : pointure, taille de vêtement, tour de tête, taille de cadre ou "
            "de roue… Obligatoire pour les catégories qui ont des tailles."
        ),
        choices=size_choices(),
        validators=[Optional()],
    )
    age_group = ChoiceField(
        _l("Pour qui"),
        choices=_choices(AGE_GROUPS),
        validators=[DataRequired(_l("Choisissez à qui s’adresse le matériel."))],
    )
    condition = RadioField(
        _l("État"),
        choices=[SelectChoice(code, label) for code, label in CONDITION_LABELS.items()],
        validators=[DataRequired(_l("Choisissez l’état du matériel."))],
    )
    brand = StringField(_l("Marque"), validators=[Optional(), max_length(60)])
    price = FrenchDecimalField(
        _l("Prix de vente (€)"),
        description=_l("Uniquement pour une vente. Plafonné : la moitié du prix neuf au plus."),
        places=None,
        validators=[Optional(), NumberRange(min=0, max=100000, message=_l("Prix impossible."))],
        render_kw={"inputmode": "decimal"},
    )
    new_price = FrenchDecimalField(
        _l("Prix neuf (€)"),
        description=_l("Ce que le matériel coûtait neuf : il fixe le prix de vente maximum."),
        places=None,
        validators=[Optional(), NumberRange(min=0, max=100000, message=_l("Prix impossible."))],
        render_kw={"inputmode": "decimal"},
    )
    commune = ChoiceField(
        _l("Commune"),
        description=_l("Où se trouve le matériel."),
        validators=[DataRequired(_l("Choisissez la commune où se trouve le matériel."))],
    )
    venue = ChoiceField(
        _l("Lieu de remise (facultatif)"),
        description=_l("Un lieu sportif public où vous proposez de remettre le matériel."),
        validators=[Optional()],
    )
    safety_age_years = BoundedIntegerField(
        _l("Âge de l’équipement (années)"),
        description=_l("Pour un casque, un baudrier, un siège vélo enfant : 0 s’il est neuf."),
        validators=[Optional(), NumberRange(min=0, max=50, message=_l("Entre 0 et 50 ans."))],
        render_kw={"inputmode": "numeric"},
    )
    safety_no_impact = BooleanField(
        _l("Je déclare que cet équipement n’a subi aucun choc ni aucune chute")
    )
    photos = MultipleFileField(
        _l("Photos (1 à 6)"),
        description=_l("JPEG, PNG ou WebP, 8 Mo au plus chacune. La première sert de vignette."),
        # Listing GIF makes iOS convert HEIC photos to JPEG before sending them
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )


class ActionForm(FlaskForm):
    """A button-only form: its CSRF token is all it carries."""


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def listing_data(form: ListingForm, keys: list[str]) -> ListingData:
    """What a filled listing form holds, as the services take it: the page and the API build it
    here, the same way (``keys``: the photos, in order)."""
    publish_as = getattr(form, "publish_as", None)  # absent on edit
    chosen = publish_as.data if publish_as is not None else ""
    return ListingData(
        kind=form.kind.data or "",
        title=form.title.data or "",
        description=form.description.data or "",
        sport=form.sport.data or "",
        category=form.category.data or "",
        size=form.size.data or "",
        age_group=form.age_group.data or "",
        condition=form.condition.data or "",
        brand=form.brand.data or "",
        price_cents=_cents(form.price.data),
        new_price_cents=_cents(form.new_price.data),
        commune_insee=form.commune.data or "",
        venue_id=int(form.venue.data) if (form.venue.data or "").isdigit() else None,
        safety_age_years=form.safety_age_years.data,
        safety_no_impact=bool(form.safety_no_impact.data),
        photo_keys=keys,
        organisation_id=int(chosen) if (chosen or "").isdigit() else None,
    )
