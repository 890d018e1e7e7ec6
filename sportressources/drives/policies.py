"""Who may run a drive and who may pledge to one. Pure predicates, no side effect.

Each takes the actor (``core.security.Actor``) or a user, who then acts for themselves. What a
person may do for an organisation comes from their membership, read fresh from the database: a
member removed a moment ago can no longer act for it.
"""

from __future__ import annotations

from sportressources.core.security import actor_of
from sportressources.drives.models import Drive, DriveStatus, Pledge, PledgeStatus
from sportressources.organisations.models import Organisation
from sportressources.organisations.queries import is_member, organisations_of


def can_run_drives(actor, organisation: Organisation | None) -> bool:
    """Managers and volunteers of a verified organisation open and run its drives."""
    acting = actor_of(actor)
    return (
        organisation is not None
        and acting.is_member
        and organisation.is_verified
        and is_member(acting.user_id, organisation.id)
    )


def can_organise_drives(actor) -> bool:
    """Members of an organisation (verified or not yet: the form then explains why it must be)
    are offered to open a drive."""
    acting = actor_of(actor)
    return acting.is_member and bool(organisations_of(acting.user_id))


def can_manage_drive(actor, drive: Drive) -> bool:
    """Whoever may run drives for the drive's organisation manages it (slots, wish list,
    receipts), even after it ended."""
    return can_run_drives(actor, drive.organisation)


def can_follow_up_drive(actor, drive: Drive) -> bool:
    """Managers and volunteers of the drive's organisation see its dashboard, confirm receipts,
    mark no-shows, close and cancel it, even if the organisation's verification was withdrawn
    since it opened: residents who booked a slot must still be received. Opening drives, adding
    slots or needs and reopening take a verified organisation (``can_manage_drive``)."""
    acting = actor_of(actor)
    return acting.is_member and is_member(acting.user_id, drive.organisation_id)


def can_pledge_to_drive(actor, drive: Drive) -> bool:
    """A signed-in member may pledge to an open drive (suspensions are checked by the service);
    the organisation's own members too: they are residents as well."""
    return actor_of(actor).is_member and drive.status == DriveStatus.OPEN.value


def can_cancel_pledge(actor, pledge: Pledge) -> bool:
    """The member who pledged cancels a pledge still booked."""
    acting = actor_of(actor)
    return (
        acting.is_member
        and acting.user_id == pledge.member_id
        and pledge.status == PledgeStatus.BOOKED.value
    )
