"""Shared marshmallow bases of the API's schemas, with French validation messages.

marshmallow's own messages are English. Every field bound to a ``Schema`` here gets its messages
from ``FIELD_MESSAGES`` (Flask-Babel, so the English catalogue exists too), read when the error
happens, in the caller's language; the validators below (``Length``, ``Range``, ``OneOf``) say the
same in French. The problem JSON of an error (``Problem``) is described here for the document.
"""

from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from marshmallow import validate

__all__ = ["NO_CONTROL", "Length", "OneOf", "PlainText", "Problem", "Range", "Schema", "ma"]

# marshmallow's message keys → French (placeholders in str.format style, as marshmallow fills them)
FIELD_MESSAGES = {
    "required": _l("Ce champ est obligatoire."),
    "null": _l("Ce champ ne peut pas être vide."),
    "validator_failed": _l("Cette valeur n’est pas valable."),
    "type": _l("Cette valeur n’a pas le bon type."),
    "invalid": _l("Cette valeur n’est pas valable."),
    "invalid_utf8": _l("Ce texte n’est pas de l’UTF-8 valable."),
    "too_large": _l("Ce nombre est trop grand."),
    "special": _l("Les valeurs spéciales (infini, NaN) ne sont pas acceptées."),
    "format": _l("Cette valeur n’a pas le bon format."),
    "invalid_awareness": _l("Cette date n’a pas le bon fuseau horaire."),
    "unknown": _l("Ce champ n’est pas attendu."),
}
# Messages that name what was expected, by field class
_INVALID_BY_TYPE = {
    ma.fields.Integer: _l("Indiquez un nombre entier."),
    ma.fields.Number: _l("Indiquez un nombre."),
    ma.fields.Boolean: _l("Indiquez vrai ou faux (true ou false)."),
    ma.fields.String: _l("Indiquez un texte."),
    ma.fields.List: _l("Indiquez une liste."),
    ma.fields.Date: _l("Indiquez une date au format AAAA-MM-JJ."),
    ma.fields.DateTime: _l("Indiquez une date et une heure au format ISO 8601."),
    ma.fields.Nested: _l("Indiquez un objet JSON."),
    ma.fields.Dict: _l("Indiquez un objet JSON."),
}


class FrenchMessages(dict):
    """A field's error messages, translated each time one is read (in the request's language)."""

    def __init__(self, field: ma.fields.Field, messages: Mapping):
        super().__init__(messages)
        self._field = field

    def __getitem__(self, key: str):
        if key == "invalid":
            for cls, message in _INVALID_BY_TYPE.items():
                if isinstance(self._field, cls):
                    return str(message)
        if key in FIELD_MESSAGES:
            return str(FIELD_MESSAGES[key])
        return super().__getitem__(key)


def frenchify(field: ma.fields.Field) -> None:
    """Give ``field`` (and the fields inside a list) French error messages."""
    if not isinstance(field.error_messages, FrenchMessages):
        field.error_messages = FrenchMessages(field, field.error_messages)
    inner = getattr(field, "inner", None)
    if isinstance(inner, ma.fields.Field):
        frenchify(inner)


class SchemaMessages(dict):
    """A schema's own messages (unknown field, not an object), translated when read."""

    def __getitem__(self, key: str):
        if key == "unknown":
            return _("Ce champ n’est pas attendu.")
        if key == "type":
            return _("Le corps de la requête doit être un objet JSON.")
        return super().__getitem__(key)


class Schema(ma.Schema):
    """Base of every API schema: unknown fields refused, French messages."""

    class Meta:
        unknown = ma.RAISE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = SchemaMessages(self.error_messages)

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        frenchify(field_obj)


# --- validators with French messages ----------------------------------------------------------


class Length(validate.Length):
    def _format_error(self, value, message: str) -> str:
        if isinstance(value, list | tuple):
            return _items_error(self)
        if self.equal is not None:
            return _("Indiquez exactement %(num)s caractères.", num=self.equal)
        if self.min is not None and self.max is not None:
            return _("Indiquez entre %(min)s et %(max)s caractères.", min=self.min, max=self.max)
        if self.max is not None:
            # The wording of the site's forms (core.forms.max_length)
            return _("Ce texte ne peut pas dépasser %(limit)s caractères.", limit=self.max)
        return _("Indiquez au moins %(min)s caractères.", min=self.min)


def _items_error(length: validate.Length) -> str:
    """The message of a list with too few or too many items."""
    if length.equal is not None:
        return ngettext(
            "Envoyez exactement %(num)s élément.",
            "Envoyez exactement %(num)s éléments.",
            length.equal,
        )
    if length.min is not None and length.max is not None:
        return _("Envoyez entre %(min)s et %(max)s éléments.", min=length.min, max=length.max)
    if length.max is not None:
        return ngettext(
            "Envoyez au plus %(num)s élément.", "Envoyez au plus %(num)s éléments.", length.max
        )
    return ngettext(
        "Envoyez au moins %(num)s élément.", "Envoyez au moins %(num)s éléments.", length.min
    )


class Range(validate.Range):
    def _format_error(self, value, message: str) -> str:
        if self.min is not None and self.max is not None:
            return _("Indiquez un nombre entre %(min)s et %(max)s.", min=self.min, max=self.max)
        if self.max is not None:
            return _("Indiquez un nombre inférieur ou égal à %(max)s.", max=self.max)
        return _("Indiquez un nombre supérieur ou égal à %(min)s.", min=self.min)


# Documents, as a JSON Schema pattern, what ``PlainText`` accepts
NO_CONTROL = "^[^\\u0000-\\u001f\\u007f]*$"


class PlainText(validate.Validator):
    """Refuses control characters (NUL among them), which the site's query strings ignore."""

    def __call__(self, value: str) -> str:
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ma.ValidationError(_("Ce texte contient des caractères de contrôle, refusés."))
        return value


class OneOf(validate.OneOf):
    def _format_error(self, value) -> str:
        return _("Choisissez une valeur parmi : %(choices)s.", choices=self.choices_text)


# --- problem JSON ------------------------------------------------------------------------------


class Problem(ma.Schema):
    """Problem JSON (RFC 9457): every error answer of the API has this shape."""

    type = ma.fields.String(
        required=True, metadata={"description": "Type du problème (about:blank)"}
    )
    title = ma.fields.String(required=True, metadata={"description": "Intitulé de l’erreur"})
    status = ma.fields.Integer(required=True, metadata={"description": "Code HTTP"})
    detail = ma.fields.String(
        required=True, metadata={"description": "Explication en français, à montrer telle quelle"}
    )
    code = ma.fields.String(
        required=True, metadata={"description": "Code stable de l’erreur, pour les programmes"}
    )
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        required=True,
        metadata={"description": "Messages par champ à corriger (vide si aucun)"},
    )
