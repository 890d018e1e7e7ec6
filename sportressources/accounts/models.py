"""Accounts: the people who use the site."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, TimestampMixin, sql_values
from sportressources.core.security import Role
from sportressources.geo.models import Commune

ROLE_VALUES = sql_values(Role)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_public_id() -> str:
    """The opaque id that names a member in URLs: random, so members cannot be counted."""
    return secrets.token_urlsafe(9)


class User(TimestampMixin, Base):
    """An account. Deleted accounts stay as anonymised rows so that others' records keep a party."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_valid"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, index=True, default=new_public_id
    )
    email: Mapped[str] = mapped_column(String(254), unique=True)
    email_confirmed_at: Mapped[datetime | None]
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    home_commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee"), index=True)
    # Free text typed before communes were a list; `flask data init` links it to a commune
    home_commune_legacy: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32), default=Role.RESIDENT.value)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    # Flask-Login's identity before member_sessions (0011); no longer read, dropped later
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    terms_accepted_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # Set by moderation sanctions (the history is moderation_sanctions): a suspended member
    # cannot sign in until then, a banned one never again
    suspended_until: Mapped[datetime | None]
    banned_at: Mapped[datetime | None]

    home_commune: Mapped[Commune | None] = relationship()

    # Flask-Login protocol. The raw token of the session this request runs in: set when the
    # session starts or is loaded (accounts.sessions), never stored, only its hash is.
    is_anonymous = False
    current_session_token = None
    current_session_id = None
    current_session_seen_at = None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    def get_id(self) -> str:
        return self.current_session_token or ""

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class MemberSession(Base):
    """One signed-in device: the session and « remember me » cookies carry its random token.

    Only the token's hash is stored. Signing out, ending it from the devices page, changing the
    password or a sanction set ``revoked_at``; a revoked or expired session signs nobody in. The
    place of a session is not recorded (no IP geolocation).
    """

    __tablename__ = "member_sessions"
    __table_args__ = (Index("ix_member_sessions_user_live", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    browser: Mapped[str | None] = mapped_column(String(40))
    system: Mapped[str | None] = mapped_column(String(40))
    remember: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<MemberSession {self.id} of user {self.user_id}>"


class SignInThrottle(Base):
    """Failed sign-ins for one address, known or not (keyed by a hash of the normalised address).

    Deleted by a successful sign-in. ``blocked_until``: attempts are refused until then;
    ``lock_notified_at``: the owner was emailed about the lock (once until the next success).
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None]
    lock_notified_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ApiToken(Base):
    """A personal API token: a member's program calls ``/api/v1`` with it as ``Bearer``.

    Only the secret's SHA-256 is stored, with its first characters (``prefix``) so that the
    member can tell their tokens apart. Revoking sets ``revoked_at``; an expired, revoked token,
    or one whose member is deleted or under a sanction, authenticates nobody.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("scope IN ('read', 'write')", name="scope_valid"),
        Index("ix_api_tokens_user_live", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and not self.is_expired(now)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of user {self.user_id}>"
