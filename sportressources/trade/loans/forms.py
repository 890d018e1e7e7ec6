"""Forms of the loan pages: shapes, types and lengths only; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, ValidationError
from wtforms.validators import Optional as OptionalValue

from sportressources.core.forms import (
    NO_MAXLENGTH,
    BoundedIntegerField,
    ChoiceField,
    FrenchDateField,
    FrenchDecimalField,
    max_length,
)
from sportressources.trade.loans import handovers, services, terms


class Needed:
    """Marks a field required on the page (« (obligatoire) », aria-required) where the service
    says in its own words what is missing."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class CheckboxesField(SelectMultipleField):
    """Check-boxes (rendered by the ``checkbox_group`` macro) with our French messages."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = []
            raise ValueError(_l("Cochez seulement les cases proposées.")) from exc

    def pre_validate(self, form):
        if self.data:
            known = {str(value) for value, *_rest in self.iter_choices()}
            if any(str(value) not in known for value in self.data):
                raise ValidationError(_l("Cochez seulement les cases proposées."))


class LoanRequestForm(FlaskForm):
    # « Moi-même » and the verified organisations the member acts for (set by the view)
    borrow_as = ChoiceField(
        _l("Emprunter au nom de"),
        description=_l(
            "Au nom d’une organisation vérifiée, les conditions entre clubs et communes "
            "s’appliquent et ses membres suivent le prêt."
        ),
        choices=[SelectChoice("", _l("Moi-même"))],
        validators=[OptionalValue()],
        invalid_choice_message=_l(
            "Vous ne pouvez pas emprunter au nom de cette organisation : choisissez-en une "
            "de la liste."
        ),
    )
    start_date = FrenchDateField(_l("Premier jour (retrait du matériel)"), validators=[Needed()])
    end_date = FrenchDateField(
        _l("Dernier jour (retour du matériel)"),
        description=_l("Les deux jours sont compris dans le prêt."),
        validators=[Needed()],
    )
    message = TextAreaField(
        _l("Message au propriétaire (facultatif)"),
        description=_l(
            "Par exemple l’usage prévu et vos disponibilités. %(limit)s caractères au plus.",
            limit=services.MESSAGE_MAX,
        ),
        validators=[max_length(services.MESSAGE_MAX)],
        render_kw={"rows": 3, **NO_MAXLENGTH},
    )


class WaitlistForm(FlaskForm):
    start_date = FrenchDateField(_l("Premier jour souhaité"), validators=[Needed()])
    end_date = FrenchDateField(_l("Dernier jour souhaité"), validators=[Needed()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Motif (facultatif)"),
        description=_l(
            "Il sera transmis à l’autre membre. %(limit)s caractères au plus.",
            limit=services.REASON_MAX,
        ),
        validators=[max_length(services.REASON_MAX)],
        render_kw={"rows": 2, **NO_MAXLENGTH},
    )


class ExtensionForm(FlaskForm):
    new_end = FrenchDateField(_l("Nouveau dernier jour"), validators=[Needed()])
    message = TextAreaField(
        _l("Message au propriétaire (facultatif)"),
        validators=[max_length(services.MESSAGE_MAX)],
        render_kw={"rows": 2, **NO_MAXLENGTH},
    )


class HandoverForm(FlaskForm):
    checklist = CheckboxesField(
        _l("Points vérifiés"),
        description=_l(
            "Cochez ce qui est en ordre ; laissez décoché ce qui pose problème et précisez-le "
            "dans les remarques."
        ),
        choices=[],
    )
    notes = TextAreaField(
        _l("Remarques sur l’état (facultatif)"),
        description=_l("%(limit)s caractères au plus.", limit=handovers.NOTES_MAX),
        validators=[max_length(handovers.NOTES_MAX)],
        render_kw={"rows": 3, **NO_MAXLENGTH},
    )
    photo = FileField(
        _l("Photo (facultatif)"),
        description=_l("JPEG, PNG ou WebP. Elle n’est visible que par vous deux."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class ReturnForm(HandoverForm):
    damage_report = TextAreaField(
        _l("Dommage constaté (facultatif)"),
        description=_l(
            "Décrivez tout dommage ou élément manquant. %(limit)s caractères au plus.",
            limit=handovers.NOTES_MAX,
        ),
        validators=[max_length(handovers.NOTES_MAX)],
        render_kw={"rows": 2, **NO_MAXLENGTH},
    )
    deposit_kept = FrenchDecimalField(
        _l("Part de la caution gardée (€)"),
        description=_l("0 si vous rendez toute la caution."),
        places=2,
        validators=[OptionalValue()],
        render_kw={"inputmode": "decimal"},
    )


class TermsForm(FlaskForm):
    min_days = BoundedIntegerField(
        _l("Durée minimale (jours)"),
        validators=[InputRequired(message=_l("Indiquez une durée minimale, en jours."))],
        invalid_value_message=_l("Indiquez un nombre entier de jours."),
        render_kw={"min": 1, "max": terms.LONGEST_LOAN_DAYS},
    )
    max_days = BoundedIntegerField(
        _l("Durée maximale (jours)"),
        description=_l("Une saison sportive compte environ 300 jours."),
        validators=[InputRequired(message=_l("Indiquez une durée maximale, en jours."))],
        invalid_value_message=_l("Indiquez un nombre entier de jours."),
        render_kw={"min": 1, "max": terms.LONGEST_LOAN_DAYS},
    )
    deposit = FrenchDecimalField(
        _l("Caution (€, facultatif)"),
        description=_l(
            "Remise à la prise du matériel et rendue au retour, de la main à la main : le site "
            "l’indique seulement, aucun paiement n’y passe."
        ),
        places=2,
        validators=[OptionalValue()],
        render_kw={"inputmode": "decimal"},
    )
    # Shown only on an organisation's listing (« prêt entre clubs et communes »)
    partner_deposit_waived = BooleanField(_l("Pour les organisations vérifiées : sans caution"))
    partner_max_days = BoundedIntegerField(
        _l("Durée maximale pour les organisations vérifiées (jours, facultatif)"),
        description=_l(
            "Quand un membre d’une organisation vérifiée emprunte en son nom. Vide : la même "
            "durée maximale que pour tous."
        ),
        validators=[OptionalValue()],
        invalid_value_message=_l("Indiquez un nombre entier de jours."),
        render_kw={"min": 1, "max": terms.LONGEST_LOAN_DAYS},
    )
    kit_items = CheckboxesField(
        _l("Articles du kit"),
        description=_l(
            "Prêtés ensemble avec cette annonce : le kit n’est libre que si chacun l’est, et le "
            "prêter les réserve tous."
        ),
        choices=[],
        coerce=int,
    )


class BlockedPeriodForm(FlaskForm):
    start_date = FrenchDateField(_l("Premier jour bloqué"), validators=[Needed()])
    end_date = FrenchDateField(_l("Dernier jour bloqué"), validators=[Needed()])
    note = StringField(
        _l("Note pour vous (facultatif)"),
        description=_l("Par exemple « vacances ». %(limit)s caractères au plus.", limit=120),
        validators=[max_length(terms.BLOCK_NOTE_MAX)],
        render_kw=NO_MAXLENGTH,
    )
