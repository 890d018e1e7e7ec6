"""Small helpers shared by the HTML views of every blueprint."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, g, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError

from sportressources.core.errors import DomainError, ValidationFailed, attach_to_form

log = logging.getLogger(__name__)


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``: no open redirects."""
    if not target or len(target) > 2000:
        return default
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    return target


def form_status(form: FlaskForm) -> int:
    """422 for a submitted form that failed, so that clients and tests can tell; 200 otherwise."""
    return 422 if request.method == "POST" and (form.errors or form.form_errors) else 200


def report_error(error: DomainError, form: FlaskForm | None = None) -> None:
    """Show a domain error: on its fields when the form has them, else in the form or a flash."""
    from sportressources.core.db import db

    db.session.rollback()
    if isinstance(error, ValidationFailed) and form is not None and attach_to_form(error, form):
        return
    if form is not None:
        form.form_errors.append(str(error.message))
    else:
        flash(str(error.message), "error")


def header_count(key: str, count: Callable[[Any], int]) -> int:
    """A number for the page header (unread messages, notifications): ``count`` of the signed-in
    member, once per request and kept in ``g.<key>``; 0 for a visitor, and 0 when the database
    cannot answer, so that an error page still renders instead of a 500."""
    if not current_user or not current_user.is_authenticated:
        return 0
    if key not in g:
        from sportressources.core.db import db

        try:
            setattr(g, key, count(current_user))
        except SQLAlchemyError:
            log.warning("%s unavailable", key)
            db.session.rollback()
            return 0
    return getattr(g, key)


def limit(key: str):
    """A rate-limit string read from configuration when the request comes, for Flask-Limiter."""
    return lambda: current_app.config[key]
