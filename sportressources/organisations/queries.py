"""Who acts for which organisation: read functions shared by policies, services and pages."""

from __future__ import annotations

from sqlalchemy import select

from sportressources.core.db import db
from sportressources.organisations.models import (
    MemberRole,
    Membership,
    Organisation,
    OrganisationStatus,
)


def membership_of(user_id: int | None, organisation_id: int | None) -> Membership | None:
    """The membership of a person in an organisation, or None (also for no person or no
    organisation). Read from the database on each call: a member removed a moment ago has none."""
    if user_id is None or organisation_id is None:
        return None
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )


def is_member(user_id: int | None, organisation_id: int | None) -> bool:
    """True when the person is a manager or a volunteer of the organisation."""
    return membership_of(user_id, organisation_id) is not None


def is_manager(user_id: int | None, organisation_id: int | None) -> bool:
    """True when the person is a manager of the organisation."""
    membership = membership_of(user_id, organisation_id)
    return membership is not None and membership.role == MemberRole.MANAGER.value


def organisations_of(user_id: int | None, *, verified_only: bool = False) -> list[Organisation]:
    """The organisations a person acts for (not closed ones), by name."""
    if user_id is None:
        return []
    query = (
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(
            Membership.user_id == user_id,
            Organisation.status != OrganisationStatus.CLOSED.value,
        )
        .order_by(Organisation.name, Organisation.id)
    )
    if verified_only:
        query = query.where(Organisation.status == OrganisationStatus.VERIFIED.value)
    return list(db.session.scalars(query))


def member_ids(organisation_id: int) -> list[int]:
    """Ids of everyone who acts for the organisation (to tell them all of an event)."""
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .where(Membership.organisation_id == organisation_id)
            .order_by(Membership.id)
        )
    )
