"""Who acts for which organisation: read functions shared by policies, services and pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import contains_eager, joinedload

from sportressources.core.db import db
from sportressources.core.errors import NotFound
from sportressources.geo.models import Commune
from sportressources.organisations.models import (
    MemberRole,
    Membership,
    Organisation,
    OrganisationStatus,
)

NOT_VISIBLE = _l("Cette organisation n’existe pas ou n’est pas encore vérifiée.")

if TYPE_CHECKING:
    from sportressources.accounts.models import User


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


def get_organisation(slug: str) -> Organisation:
    """An organisation by slug, whatever its status: pages check ``can_view_organisation``.
    Raises NotFound."""
    organisation = None
    if isinstance(slug, str) and len(slug) <= 140:
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise NotFound(NOT_VISIBLE)
    return organisation


def directory(
    kind: str | None = None, zone_id: int | None = None, commune_insee: str | None = None
) -> list[Organisation]:
    """Verified organisations, by name, optionally of one ``kind``, in one zone or commune;
    their communes loaded with them."""
    query = (
        select(Organisation)
        .join(Commune, Commune.insee == Organisation.commune_insee)
        .where(Organisation.status == OrganisationStatus.VERIFIED.value)
        .options(contains_eager(Organisation.commune))
        .order_by(Organisation.name, Organisation.id)
    )
    if kind:
        query = query.where(Organisation.kind == kind)
    if zone_id is not None:
        query = query.where(Commune.zone_id == zone_id)
    if commune_insee:
        query = query.where(Organisation.commune_insee == commune_insee)
    return list(db.session.scalars(query))


def memberships(organisation_id: int) -> list[Membership]:
    """The members of an organisation with their accounts: managers first, then by arrival."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.organisation_id == organisation_id)
            .options(joinedload(Membership.user))
            .order_by(
                case((Membership.role == MemberRole.MANAGER.value, 0), else_=1), Membership.id
            )
        )
    )


def managers_of(organisation_id: int) -> list[User]:
    """The managers' accounts, by arrival."""
    return [m.user for m in memberships(organisation_id) if m.is_manager]
