"""What the member endpoints share (no routes here): the calling member, and the pages' WTForms
forms run on JSON data, so that the API checks what the form checks, with its French messages."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from sportressources.api import auth
from sportressources.core.errors import ValidationFailed


def member():
    """The member whose token came with this request (``require`` let only them through)."""
    return auth.current_member()


def run_form(form_class, values: dict, **kwargs):
    """The page's form, filled with ``values`` (form field name → JSON value) as a browser
    would send them, CSRF off (a token authenticates the call, never a cookie)."""
    formdata = MultiDict()
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                formdata.add(name, "y")
            continue
        formdata.add(name, str(value))
    return form_class(formdata=formdata, meta={"csrf": False}, **kwargs)


def refuse(form) -> ValidationFailed:
    """The form's messages, field by field, as the ValidationFailed the page would show."""
    return ValidationFailed(
        {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    )
