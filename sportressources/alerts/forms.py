"""Alert forms: shape only. The rules (limit per member, duplicates) live in ``alerts``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Optional

from sportressources.alerts.services import NAME_MAX
from sportressources.core.forms import max_length


class SaveAlertForm(FlaskForm):
    """« Créer une alerte » under the search results: the search's query string and a name."""

    query = HiddenField()
    name = StringField(
        _l("Nom de l’alerte"),
        description=_l("Facultatif. Par exemple « Vélo pour Léa »."),
        validators=[Optional(), max_length(NAME_MAX)],
    )


class DeleteAlertForm(FlaskForm):
    """A delete button: its CSRF token is all it carries."""


class UnsubscribeForm(FlaskForm):
    """The confirmation button of an unsubscribe link (the link's token authorises it)."""

    class Meta:
        csrf = False
