"""Small helpers shared by the HTML views of every blueprint."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, request
from flask_wtf import FlaskForm

from sportressources.core.errors import DomainError, ValidationFailed, attach_to_form


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
    from sportressources.extensions import db

    db.session.rollback()
    if isinstance(error, ValidationFailed) and form is not None and attach_to_form(error, form):
        return
    if form is not None:
        form.form_errors.append(str(error.message))
    else:
        flash(str(error.message), "error")


def limit(key: str):
    """A rate-limit string read from configuration when the request comes, for Flask-Limiter."""
    return lambda: current_app.config[key]
