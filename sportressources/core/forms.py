"""Form pieces shared by every blueprint."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectChoice, SelectField
from wtforms.validators import Length

from sportressources.core.params import (
    INT_MAX,
    MONEY_MAX,
    NUMBER_MAX_LENGTH,
    parse_decimal,
    parse_int,
    today_window,
)

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
    """A decimal that also accepts a comma as the separator, as people in France write it.

    Only finite numbers up to ``limit`` (in absolute value) are read: NaN, infinities and huge
    exponents get the field's French message instead of breaking arithmetic further on.
    """

    def __init__(self, *args, limit=MONEY_MAX, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Indiquez un nombre, par exemple 50,43278."))
        self.limit = limit
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0] if isinstance(valuelist[0], str) else ""
        text = text.strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
        if not text:
            self.data = None
            return
        self.data = parse_decimal(text, limit=self.limit)
        if self.data is None:
            raise ValueError(self.invalid_value_message)


class BoundedIntegerField(IntegerField):
    """A whole number between ``minimum`` and ``maximum`` (by default, what an INTEGER column
    holds), plain digits; narrower ranges with their own messages stay in validators or services."""

    def __init__(self, *args, minimum=-INT_MAX, maximum=INT_MAX, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Indiquez un nombre entier."))
        self.minimum, self.maximum = minimum, maximum
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0] if isinstance(valuelist[0], str) else ""
        if not text.strip():
            self.data = None
            return
        self.data = parse_int(text, minimum=self.minimum, maximum=self.maximum)
        if self.data is None:
            raise ValueError(self.invalid_value_message)


class FrenchDateField(DateField):
    """A date typed as the browser's date picker sends it (2027-03-27) or as people write it
    (27/03/2027), within ten years of today; empty means none, and the service says the date is
    missing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d/%m/%Y"])
        kwargs.setdefault("invalid_value_message", _l("Indiquez une date, par exemple 27/03/2027."))
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        if len("".join(valuelist)) > NUMBER_MAX_LENGTH:
            raise ValueError(self.invalid_value_message)
        super().process_formdata([value.strip() for value in valuelist])
        earliest, latest = today_window()
        if self.data is not None and not earliest <= self.data <= latest:
            self.data = None
            raise ValueError(
                _(
                    "Indiquez une date entre le %(earliest)s et le %(latest)s.",
                    earliest=format_date(earliest),
                    latest=format_date(latest),
                )
            )
