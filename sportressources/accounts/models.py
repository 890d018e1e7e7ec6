"""Accounts: the people who use the site."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, TimestampMixin
from sportressources.core.security import Role
from sportressources.geo.models import Commune

ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(TimestampMixin, Base):
    """An account. Deleted accounts stay as anonymised rows so that others' records keep a party."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_valid"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    email_confirmed_at: Mapped[datetime | None]
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    home_commune_insee: Mapped[str | None] = mapped_column(ForeignKey("communes.insee"), index=True)
    # Free text typed before communes were a list; `flask data init` links it to a commune
    home_commune_legacy: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32), default=Role.RESIDENT.value)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    # Flask-Login stores this, not the id: rotating it signs the account out everywhere
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    terms_accepted_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    home_commune: Mapped[Commune | None] = relationship()

    # Flask-Login protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
