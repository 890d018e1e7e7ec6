"""The form of a moderator's decision on a case: its shape only; what a decision needs (the facts
and a ground when it restricts) is ``decisions.check_decision``'s rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired

from sportressources.core.forms import NO_MAXLENGTH, grouped_choices, max_length
from sportressources.moderation.decisions import NOTE_MAX
from sportressources.moderation.queue_queries import decision_choice_labels, ground_groups

CHOOSE_DECISION = _l("Choisissez une décision dans la liste.")
CHOOSE_GROUND = _l("Choisissez un motif dans la liste.")


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Décision"),
        validators=[InputRequired(message=CHOOSE_DECISION)],
        invalid_choice_message=CHOOSE_DECISION,
    )
    ground = SelectField(
        _l("Motif"),
        description=_l(
            "Obligatoire pour refuser, demander une modification ou retirer : la règle des "
            "conditions d’utilisation enfreinte, ou le type de contenu illicite."
        ),
        default="",
        invalid_choice_message=CHOOSE_GROUND,
    )
    note = TextAreaField(
        _l("Faits constatés"),
        description=_l(
            "Obligatoire pour refuser, demander une modification ou retirer : l’auteur lira ce "
            "texte dans l’exposé des motifs. %(limit)s caractères au plus.",
            limit=NOTE_MAX,
        ),
        validators=[max_length(NOTE_MAX)],
        render_kw={"rows": 5, **NO_MAXLENGTH},
    )

    def for_decisions(
        self, allowed: tuple[str, ...], target_type: str | None = None
    ) -> DecisionForm:
        """Offer the decisions ``allowed`` for the case (worded for its ``target_type``), and
        every ground."""
        labels = decision_choice_labels(target_type)
        self.decision.choices = [(value, labels[value]) for value in allowed]
        self.ground.choices = grouped_choices(ground_groups(), blank="—", lang=None)
        return self
