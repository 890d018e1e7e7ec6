"""The member's RGPD rights: export everything the site holds about them (each domain adds its
section through ``personal_data_requested``), delete the account (each domain withdraws its
content through ``account_deleting``), and purge accounts never confirmed. Functions flush and
never commit."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.accounts import api_tokens
from sportressources.accounts.models import User
from sportressources.accounts.passwords import (
    verify_password,
)
from sportressources.accounts.services import DELETED_NAME, count_admins
from sportressources.accounts.sessions import revoke_all_sessions
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Forbidden, ValidationFailed
from sportressources.core.mail import send_mail
from sportressources.core.security import Role
from sportressources.core.signals import account_deleting, personal_data_requested


def export_personal_data(user: User) -> dict:
    """Everything the site holds about the user, as JSON-ready data, one section per domain."""
    data: dict = {
        "account": {
            "id": user.id,
            "email": user.email,
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "display_name": user.display_name,
            "home_commune": user.home_commune.name if user.home_commune else None,
            "home_commune_insee": user.home_commune_insee,
            "role": user.role,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
            "terms_accepted_at": _iso(user.terms_accepted_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "api_tokens": api_tokens.export(user),
    }
    for _receiver, result in personal_data_requested.send(user):
        if result:
            section, content = result
            data[section] = content
    data["exported_at"] = _iso(utcnow())
    return data


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def delete_account(user: User, password: str) -> None:
    """Erase the account's personal data and withdraw its public content.

    The row stays, anonymised, so that exchanges and messages of other members keep their other
    party. Every domain withdraws its own content through the ``account_deleting`` signal. The last
    admin cannot delete their account. Raises ValidationFailed (wrong password) or Forbidden.
    """
    if not verify_password(user.password_hash, password or ""):
        raise ValidationFailed({"password": _l("Le mot de passe est incorrect.")})
    if user.role == Role.ADMIN.value and count_admins() <= 1:
        raise Forbidden(
            _l("Vous êtes le dernier administrateur : nommez-en un autre avant de partir.")
        )
    send_mail(
        user.email,
        _l("Votre compte a été supprimé"),
        "accounts/account_deleted",
        locale=user.locale,
        user=user,
    )
    account_deleting.send(user)
    user.email = f"supprime-{user.id}@invalid.sportressources62.fr"
    user.display_name = DELETED_NAME
    user.home_commune_insee = None
    user.home_commune_legacy = None
    user.password_hash = "!deleted"
    revoke_all_sessions(user)
    api_tokens.revoke_all_tokens(user)
    user.last_login_at = None
    user.role = Role.RESIDENT.value
    user.deleted_at = utcnow()
    db.session.flush()


def purge_unconfirmed_accounts(older_than: timedelta) -> int:
    """Erase accounts whose address was never confirmed within ``older_than``; returns how many.

    Such accounts could never sign in, so they own nothing; the privacy page promises this.
    """
    cutoff = utcnow() - older_than
    stale = db.session.scalars(
        select(User).where(
            User.email_confirmed_at.is_(None),
            User.deleted_at.is_(None),
            User.created_at < cutoff,
        )
    ).all()
    for user in stale:
        db.session.delete(user)
    db.session.flush()
    return len(stale)
