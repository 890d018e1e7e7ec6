"""Forms of the sanction pages: shapes, types and lengths only; the rules live in
``moderation.sanctions``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from sportressources.core.forms import NO_MAXLENGTH, ChoiceField, FrenchDateField, max_length
from sportressources.moderation.grounds import TERMS_RULES
from sportressources.moderation.members import SEARCH_MAX_LENGTH
from sportressources.moderation.sanctions import REASON_MAX


def rule_choices() -> list[tuple[str, str]]:
    return [("", _l("— Choisissez une règle —"))] + [
        (ground.rule, _l("%(rule)s – %(label)s", rule=ground.rule, label=ground.label))
        for ground in TERMS_RULES
    ]


def _reason(label, description):
    return TextAreaField(
        label,
        description=description,
        validators=[max_length(REASON_MAX)],
        render_kw={"rows": 4, **NO_MAXLENGTH},
    )


class SanctionForm(FlaskForm):
    """A warning or a ban: the rule broken and the facts, which the member will read."""

    rule = ChoiceField(_l("Règle des conditions d’utilisation"), choices=rule_choices)
    reason = _reason(
        _l("Faits reprochés"),
        _l(
            "Le membre lira ce texte dans la décision qui lui est envoyée. %(limit)s caractères "
            "au plus.",
            limit=REASON_MAX,
        ),
    )


class SuspensionForm(SanctionForm):
    until = FrenchDateField(
        _l("Suspendu jusqu’au (inclus)"),
        description=_l("Au plus un an. Par exemple 27/03/2027."),
    )


class LiftForm(FlaskForm):
    reason = _reason(
        _l("Motif de la levée"),
        _l("Le membre en sera informé. %(limit)s caractères au plus.", limit=REASON_MAX),
    )


class MemberSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: nothing changes

    q = StringField(
        _l("Nom, adresse e-mail ou numéro du membre"),
        validators=[max_length(SEARCH_MAX_LENGTH)],
    )
