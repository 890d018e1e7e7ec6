"""Personal API tokens: a member creates, names and revokes them on their account page, and their
programs call ``/api/v1`` with one as ``Authorization: Bearer``.

The secret (``sr62_`` and 43 random URL-safe characters) is shown once, when it is created; the
database keeps its SHA-256 and its first characters, for display. A token carries a scope, "read"
or "write" ("write" implies "read"), and may expire. It authenticates nobody once revoked or
expired, nor while its member is suspended or banned (it works again when a suspension lapses),
nor after the account is deleted (deleting the account revokes them all). Functions flush, never
commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from sportressources.accounts.models import ApiToken, User
from sportressources.accounts.policies import is_banned, is_restricted
from sportressources.accounts.restrictions import Restriction, describe
from sportressources.core.audit import record_entry
from sportressources.core.db import db, utcnow
from sportressources.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from sportressources.core.mail import external_url, send_mail
from sportressources.core.security import actor_of

PREFIX = "sr62_"
SCOPES = ("read", "write")
NAME_MAX = 80
# What the account page shows of a secret: the prefix and a few characters after it
DISPLAY_LENGTH = len(PREFIX) + 6
# last_used_at is written at most this often per token, not on every request
USE_INTERVAL = timedelta(minutes=1)
TARGET = "api_token"
_SECRET = re.compile(r"sr62_[A-Za-z0-9_-]{43}")


class TokenRefused(DomainError):
    """No valid token came with an API call: 401, and ``code`` says why."""

    status = 401
    code = "token_invalid"


@dataclass(frozen=True)
class TokenCheck:
    """What ``check`` made of a request's secret: the token, or why it authenticates nobody."""

    token: ApiToken | None = None
    error: DomainError | None = None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def live_count(user: User, now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
        )
    )


def create_token(
    actor, *, name: str, scope: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the acting member; return it and its secret, which is never seen again.

    Rules: a name of 1 to 80 characters, scope "read" or "write", an expiry (if any) in the
    future, at most API_TOKENS_MAX_PER_MEMBER live tokens per member. Writes an audit row and
    emails the member (if it was not them, they revoke it).
    Raises ValidationFailed (fields ``name``, ``scope``, ``expires_at``).
    """
    user = actor_of(actor).user
    now = utcnow()
    name = (name or "").strip()
    problems: dict = {}
    if not name:
        problems["name"] = _l("Donnez un nom à ce jeton, pour le reconnaître plus tard.")
    elif len(name) > NAME_MAX:
        problems["name"] = _l("Le nom ne peut pas dépasser 80 caractères.")
    if scope not in SCOPES:
        problems["scope"] = _l("Choisissez « lecture seule » ou « lecture et écriture ».")
    if expires_at is not None and expires_at <= now:
        problems["expires_at"] = _l("La date d’expiration doit être dans le futur.")
    if problems:
        raise ValidationFailed(problems)
    most = current_app.config["API_TOKENS_MAX_PER_MEMBER"]
    # Two creations at once count one after the other (PostgreSQL: the member's row is locked
    # until the commit; SQLite: the write transaction already queues them)
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    if live_count(user, now) >= most:
        # Not about one field: the page shows it above the form, the API in ``errors.tokens``
        message = gettext(
            "Vous avez déjà %(most)s jetons actifs, le maximum : révoquez-en un avant d’en "
            "créer un autre.",
            most=most,
        )
        raise ValidationFailed({"tokens": message}, code="too_many_tokens")
    secret = new_secret()
    token = ApiToken(
        user_id=user.id,
        name=name,
        scope=scope,
        token_hash=hash_secret(secret),
        prefix=secret[:DISPLAY_LENGTH],
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    record_entry(
        "api_token.create",
        TARGET,
        token.id,
        actor=user,
        details={
            "name": name,
            "scope": scope,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        now=now,
    )
    send_mail(
        user.email,
        _l("Un jeton d’accès à l’API a été créé sur votre compte"),
        "accounts/api_token_created",
        locale=user.locale,
        user=user,
        token=token,
        tokens_url=external_url("accounts.api_tokens_page"),
    )
    return token, secret


def revoke_token(actor, token_id: int) -> ApiToken:
    """Revoke one of the acting member's tokens: it stops working at once. Writes an audit row.

    Raises NotFound for a token that is not theirs or is already revoked.
    """
    user = actor_of(actor).user
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound(_l("Ce jeton n’existe pas ou est déjà révoqué."))
    token.revoked_at = utcnow()
    db.session.flush()
    record_entry("api_token.revoke", TARGET, token.id, actor=user, now=token.revoked_at)
    return token


def get_own_token(user: User, token_id: int) -> ApiToken:
    """One of ``user``'s tokens. Raises NotFound for anyone else's, as for one that never was."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_l("Ce jeton n’existe pas ou est déjà révoqué."))
    return token


def revoke_all_tokens(user: User) -> int:
    """Revoke every token of ``user`` (a deleted account); returns how many. Flushes."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount


def list_tokens(user: User) -> list[ApiToken]:
    """The member's tokens, live or not, the newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def status_of(token: ApiToken, now: datetime | None = None) -> str:
    """ "active", "expired" or "revoked", as the account page shows it."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.is_expired(now or utcnow()) else "active"


def check(secret: str | None, now: datetime | None = None) -> TokenCheck:
    """The live token of this secret and its member, or the reason it authenticates nobody:
    missing, malformed, unknown or revoked, expired (TokenRefused, 401), the account deleted
    (401) or under a sanction (Forbidden ``account_restricted``, 403, with the sanction)."""
    now = now or utcnow()
    if secret is None:
        message = _l(
            "Aucun jeton d’accès n’a été envoyé : ajoutez l’en-tête « Authorization: Bearer »."
        )
        return TokenCheck(error=TokenRefused(message, code="token_missing"))
    if not _SECRET.fullmatch(secret):
        return TokenCheck(error=malformed())
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        message = _l("Ce jeton d’accès est inconnu ou a été révoqué.")
        return TokenCheck(error=TokenRefused(message, code="token_unknown"))
    if token.is_expired(now):
        message = _l("Ce jeton d’accès a expiré : créez-en un nouveau depuis votre compte.")
        return TokenCheck(error=TokenRefused(message, code="token_expired"))
    user = token.user
    if user.deleted_at is not None:
        message = _l("Le compte de ce jeton d’accès a été supprimé.")
        return TokenCheck(error=TokenRefused(message, code="account_deleted"))
    if is_restricted(user, now):
        kind = "ban" if is_banned(user) else "suspension"
        restriction = Restriction(kind, until=None if kind == "ban" else user.suspended_until)
        message = gettext(
            "%(state)s Vos jetons d’accès à l’API ne fonctionnent pas pendant ce temps.",
            state=describe(restriction),
        )
        return TokenCheck(error=Forbidden(message, code="account_restricted"))
    return TokenCheck(token=token)


def malformed() -> TokenRefused:
    """The refusal of an Authorization header that is not « Bearer <token> »."""
    return TokenRefused(
        _l(
            "Le jeton d’accès est mal formé : envoyez l’en-tête « Authorization: Bearer » suivi "
            "du jeton tel qu’il vous a été donné (il commence par « sr62_ »)."
        ),
        code="token_malformed",
    )


def authenticate(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The live token of ``secret`` whose member may act now, or None (see ``check``)."""
    return check(secret, now).token


def mark_used(token: ApiToken, now: datetime | None = None) -> bool:
    """Note that ``token`` was used, at most once per USE_INTERVAL; True if it wrote. Flushes."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < USE_INTERVAL:
        return False
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return True


def export(user: User) -> list[dict]:
    """The member's tokens for their personal-data export (never the secret nor its hash)."""

    def iso(value):
        return value.isoformat() if value is not None else None

    return [
        {
            "name": token.name,
            "scope": token.scope,
            "prefix": token.prefix,
            "created_at": iso(token.created_at),
            "expires_at": iso(token.expires_at),
            "last_used_at": iso(token.last_used_at),
            "revoked_at": iso(token.revoked_at),
        }
        for token in list_tokens(user)
    ]
