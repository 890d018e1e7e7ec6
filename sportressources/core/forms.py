"""Form pieces shared by every blueprint."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectChoice, SelectField
from wtforms.validators import Length

Groups = Iterable[tuple[str, Iterable[tuple[str, str]]]]


def grouped_choices(
    groups: Groups,
    blank: str | None = None,
    extra: Iterable[tuple[str, str]] = (),
    lang: str | None = "fr",
) -> list[SelectChoice]:
    """Options for a ``<select>`` with one ``<optgroup>`` per group: works without JavaScript.

    Grouped options are place names, French whatever the page's language: ``lang`` says so to
    screen readers (RGAA 8.7).
    """
    choices = [SelectChoice("", blank)] if blank is not None else []
    render_kw = {"lang": lang} if lang else {}
    for group, options in groups:
        choices.extend(
            SelectChoice(value, label, optgroup=str(group), render_kw=render_kw)
            for value, label in options
        )
    choices.extend(SelectChoice(value, label) for value, label in extra)
    return choices


# For text areas: no maxlength attribute, a browser would cut pasted text silently; the server
# says what is too long and gives the whole text back (GOV.UK's advice for text areas).
NO_MAXLENGTH = {"maxlength": False}


class _ServerLength(Length):
    # No maxlength attribute: a browser would silently cut pasted text; the server says so
    # instead, and the text is kept for the member to shorten.
    field_flags: dict = {}


def max_length(limit: int) -> Length:
    """A Length validator that says, in French, how long the text may be."""
    return _ServerLength(
        max=limit, message=_l("Ce texte ne peut pas dépasser %(limit)s caractères.", limit=limit)
    )


class ChoiceField(SelectField):
    """A select whose out-of-list answer gets our French message instead of WTForms' own."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Choisissez une valeur dans la liste."))
        super().__init__(*args, **kwargs)


class FrenchDecimalField(DecimalField):
    """A decimal that also accepts a comma as the separator, as people in France write it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Indiquez un nombre, par exemple 50,43278."))
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().replace(" ", "").replace(",", ".")]
        super().process_formdata(valuelist)
