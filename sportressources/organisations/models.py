"""Organisations: clubs and associations, communes and intercommunalities, ressourceries and
charities; the members who act for them, and the invitations that bring members in.

What a person may do for an organisation comes from their membership (manager or volunteer),
never from a site role. An organisation runs drives only once a moderator has verified it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base, TimestampMixin, sql_values, utcnow
from sportressources.core.states import Stamp, StateMachine

if TYPE_CHECKING:
    from sportressources.accounts.models import User
    from sportressources.geo.models import Commune


class OrganisationKind(enum.StrEnum):
    CLUB = "club"  # association or sports club
    PUBLIC_BODY = "public_body"  # commune or intercommunality
    RESSOURCERIE = "ressourcerie"  # ressourcerie (reuse shop) or charity


class OrganisationStatus(enum.StrEnum):
    PENDING = "pending"  # created or changed, waiting for a moderator's verification
    VERIFIED = "verified"  # a moderator checked it: it may run drives and shows a badge
    REFUSED = "refused"  # not verified (reason in review_note); its managers may resubmit
    CLOSED = "closed"  # closed by a manager: no longer shown


_S = OrganisationStatus
ORGANISATION_TRANSITIONS = {
    "verify": ({_S.PENDING}, _S.VERIFIED),
    "refuse": ({_S.PENDING}, _S.REFUSED),
    "resubmit": ({_S.REFUSED}, _S.PENDING),
    # A moderator withdraws the verification (after a report, say)
    "revoke": ({_S.VERIFIED}, _S.PENDING),
    # A manager changed the name or an identifier of a verified organisation: checked again
    "send_back_to_review": ({_S.VERIFIED}, _S.PENDING),
    "close": ({_S.PENDING, _S.VERIFIED, _S.REFUSED}, _S.CLOSED),
}
_REVIEWED = Stamp(at="reviewed_at", by="reviewed_by_id")
ORGANISATION_STAMPS = {
    "verify": (_REVIEWED, Stamp(at="verified_at", first_only=True)),
    "refuse": _REVIEWED,
    "revoke": _REVIEWED,
    "close": Stamp(at="closed_at"),
}


class MemberRole(enum.StrEnum):
    MANAGER = "manager"  # edits the profile, invites and removes members, plus all a volunteer does
    VOLUNTEER = "volunteer"  # answers messages, handles loans, listings, drives and inventory


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_values(OrganisationKind)})", name="kind_valid"),
        CheckConstraint(f"status IN ({sql_values(OrganisationStatus)})", name="status_valid"),
        CheckConstraint("rna IS NOT NULL OR siret IS NOT NULL", name="has_identifier"),
        Index("ix_organisations_status_name", "status", "name"),
        Index("ix_organisations_commune_insee", "commune_insee"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    # Répertoire national des associations: « W » and 9 digits
    rna: Mapped[str | None] = mapped_column(String(10), unique=True)
    # 14 digits, Luhn-checked (python-stdnum)
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    commune_insee: Mapped[str] = mapped_column(ForeignKey("communes.insee"))
    # Sport codes of listings.taxonomy
    sports: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    # When gear may be dropped off, in the organisation's words
    dropoff_hours: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(255), default="")
    # Storage key of the logo (core storage, like listing photos)
    logo_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=OrganisationStatus.PENDING.value)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    commune: Mapped[Commune] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Membership.id"
    )

    transitions: ClassVar[StateMachine] = StateMachine(
        target_type="organisation",
        states=OrganisationStatus,
        table=ORGANISATION_TRANSITIONS,
        stamps=ORGANISATION_STAMPS,
    )

    @property
    def is_verified(self) -> bool:
        return self.status == OrganisationStatus.VERIFIED.value

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.status}>"


class Membership(Base):
    """A person acting for an organisation. Removing a member deletes the row: access ends at
    once."""

    __tablename__ = "organisation_memberships"
    __table_args__ = (
        UniqueConstraint("organisation_id", "user_id"),
        CheckConstraint(f"role IN ({sql_values(MemberRole)})", name="role_valid"),
        Index("ix_organisation_memberships_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.VOLUNTEER.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_manager(self) -> bool:
        return self.role == MemberRole.MANAGER.value


class Invitation(Base):
    """An invitation sent by email; its link works for someone without an account yet.

    Only the SHA-256 of the token is stored. An invitation is used once, and ends when accepted,
    revoked or expired.
    """

    __tablename__ = "organisation_invitations"
    __table_args__ = (
        CheckConstraint(f"role IN ({sql_values(MemberRole)})", name="role_valid"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index("ix_organisation_invitations_org", "organisation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.VOLUNTEER.value)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
