"""What drives do when other packages signal: a member's data export, a member leaving."""

from __future__ import annotations

from sqlalchemy import select

from sportressources.core.db import db
from sportressources.drives import pledges
from sportressources.drives.models import Pledge, PledgeStatus


def export_pledges(user, **_extra) -> tuple[str, dict]:
    """RGPD export: the member's pledges to drives, with their slots and items."""
    rows = db.session.scalars(
        select(Pledge).where(Pledge.member_id == user.id).order_by(Pledge.id)
    ).all()
    return "drives", {
        "pledges": [
            {
                "id": pledge.id,
                "drive": pledge.drive.title,
                "organisation": pledge.drive.organisation.name,
                "status": pledge.status,
                "created_at": pledge.created_at.isoformat(),
                "slot_starts_at": pledge.slot.starts_at.isoformat(),
                "venue": pledge.slot.venue.name,
                "items": [
                    {
                        "title": item.title,
                        "quantity": item.quantity,
                        "condition": item.condition,
                        "status": item.status,
                        "listing_id": item.listing_id,
                        "photo": item.photo_key,
                    }
                    for item in pledge.items
                ],
            }
            for pledge in rows
        ]
    }


def cancel_pledges_of_deleted_member(user, **_extra) -> None:
    """A leaving member's booked pledges are cancelled, freeing their places and wish lines, and
    the organisations told; past pledges stay for the drives' results."""
    booked = db.session.scalars(
        select(Pledge)
        .where(Pledge.member_id == user.id, Pledge.status == PledgeStatus.BOOKED.value)
        .order_by(Pledge.id)
    ).all()
    for pledge in booked:
        pledges.cancel_pledge(user, pledge)
