"""Domain errors: raised by services, turned into flashed messages by views and JSON by the API.

Each error carries a stable English ``code`` for machines, a French (translatable) ``message`` for
people and an HTTP status. ``ValidationFailed`` also names the form fields at fault.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    code = "domain_error"
    status = 400
    default_message: str | LazyString = _l("L’opération n’a pas pu aboutir.")

    def __init__(self, message: str | LazyString | None = None, *, code: str | None = None):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        super().__init__(str(self.code))

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _l("Cette page ou cet élément n’existe pas.")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_message = _l("Vous n’avez pas le droit de faire cela.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _l("Cette opération entre en conflit avec l’état actuel.")


class ValidationFailed(DomainError):
    """One or more fields hold values the domain refuses; ``fields`` maps field name to messages."""

    code = "validation_failed"
    status = 422
    default_message = _l("Certaines informations sont à corriger.")

    def __init__(
        self,
        fields: Mapping[str, str | LazyString | list[str | LazyString]] | None = None,
        message: str | LazyString | None = None,
        *,
        code: str | None = None,
    ):
        self.fields: dict[str, list[str | LazyString]] = {
            name: list(value) if isinstance(value, list) else [value]
            for name, value in (fields or {}).items()
        }
        if message is None and len(self.fields) == 1:
            message = next(iter(self.fields.values()))[0]
        super().__init__(message, code=code)


def attach_to_form(error: ValidationFailed, form) -> bool:
    """Put each field message of ``error`` on the matching form field; True if all found a field."""
    placed = True
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is None:
            placed = False
            continue
        field.errors = [*field.errors, *[str(m) for m in messages]]
    return placed
