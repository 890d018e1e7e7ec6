"""Sign-in attempts limited per account, in the database (every process and server sees them).

Failures are counted per address typed, known or not, under a hash of the normalised address, so
that a refusal tells nothing about whether an account exists. After ``SIGN_IN_FREE_FAILURES``
failures, attempts are refused for ``SIGN_IN_FIRST_DELAY`` seconds, doubling after each further
failure up to ``SIGN_IN_MAX_DELAY``; at ``SIGN_IN_LOCK_FAILURES`` the address is locked for
``SIGN_IN_LOCK_SECONDS`` and its owner gets one email offering a password reset. A successful
sign-in clears the count. The per-address ceiling (Flask-Limiter, ``RATELIMIT_LOGIN``) stays
high, for everyone behind one shared connection.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from sportressources.accounts.models import SignInThrottle
from sportressources.accounts.services import find_user_by_email, normalise_email
from sportressources.core.db import db, utcnow
from sportressources.core.errors import DomainError, ValidationFailed
from sportressources.core.mail import external_url, send_mail


class SignInRefused(DomainError):
    """Too many failed sign-ins with this address: refused until ``retry_after`` seconds."""

    code = "sign_in_throttled"
    status = 429

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            ngettext(
                "Trop de tentatives de connexion avec cette adresse. Réessayez dans %(num)s "
                "minute, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ».",
                "Trop de tentatives de connexion avec cette adresse. Réessayez dans %(num)s "
                "minutes, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ».",
                minutes,
            )
        )


def throttle_key(email: str) -> str:
    """The hash counts are kept under: of the normalised address, or of the text as typed."""
    try:
        address = normalise_email(email)
    except ValidationFailed:
        address = (email or "").strip().lower()
    return hashlib.sha256(address.encode()).hexdigest()


def check_sign_in(email: str) -> None:
    """Raise SignInRefused while attempts with this address are refused."""
    row = db.session.get(SignInThrottle, throttle_key(email))
    if row is None or row.blocked_until is None:
        return
    remaining = (row.blocked_until - utcnow()).total_seconds()
    if remaining > 0:
        raise SignInRefused(math.ceil(remaining))


def record_failure(email: str) -> None:
    """Count a failed sign-in with this address, refuse the next ones for a while if too many,
    and email the owner of an account once when it gets locked. Flushes."""
    config = current_app.config
    row = _counter(throttle_key(email))
    row.failures += 1
    now = row.updated_at = utcnow()
    beyond = row.failures - config["SIGN_IN_FREE_FAILURES"]
    if row.failures >= config["SIGN_IN_LOCK_FAILURES"]:
        row.blocked_until = now + timedelta(seconds=config["SIGN_IN_LOCK_SECONDS"])
        if row.lock_notified_at is None:
            row.lock_notified_at = now
            _tell_owner_locked(email)
    elif beyond >= 0:
        delay = min(config["SIGN_IN_FIRST_DELAY"] * 2**beyond, config["SIGN_IN_MAX_DELAY"])
        row.blocked_until = now + timedelta(seconds=delay)
    db.session.flush()


def clear_failures(email: str) -> None:
    """A successful sign-in forgets the failures with its address. Flushes."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == throttle_key(email)))
    db.session.flush()


def _counter(key: str) -> SignInThrottle:
    row = db.session.get(SignInThrottle, key, with_for_update=True)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = SignInThrottle(key=key, failures=0, updated_at=utcnow())
            db.session.add(row)
    except IntegrityError:
        # A simultaneous failure with the same address inserted it first
        row = db.session.get(SignInThrottle, key, with_for_update=True, populate_existing=True)
    return row


def _tell_owner_locked(email: str) -> None:
    user = find_user_by_email(email)
    if user is None or not user.is_confirmed:
        return
    send_mail(
        user.email,
        _l("Connexion à votre compte bloquée temporairement"),
        "accounts/sign_in_locked",
        locale=user.locale,
        user=user,
        reset_url=external_url("accounts.forgot_password"),
        minutes=current_app.config["SIGN_IN_LOCK_SECONDS"] // 60,
    )
