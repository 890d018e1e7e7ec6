"""Drive use cases for the organisation: open and edit a drive, its drop-off slots and its wish
list; close, reopen or cancel it. Pledges are in ``pledges``.

Functions flush and never commit. Every one checks ``policies.can_run_drives`` (a member of a
verified organisation) and raises Forbidden with a message that says why otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.core.dates import PARIS, paris_today
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.security import actor_of
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_line, clean_text
from sportressources.drives import counters, notices
from sportressources.drives.listings_link import release_listing
from sportressources.drives.models import (
    Drive,
    DriveSlot,
    DriveStatus,
    Pledge,
    PledgeItem,
    PledgeItemStatus,
    PledgeStatus,
    WishLine,
)
from sportressources.drives.policies import can_follow_up_drive, can_manage_drive, can_run_drives
from sportressources.events.queries import event_open_for_ties
from sportressources.listings.taxonomy import AGE_GROUPS, CATEGORIES, SPORTS
from sportressources.organisations.models import Organisation
from sportressources.organisations.queries import is_member
from sportressources.venues.models import Venue, VenueStatus

TITLE_RANGE = (5, 120)
DESCRIPTION_MAX = 4000
NOTE_MAX = 200
QUANTITY_MAX = 9999
CAPACITY_MAX = 999
# A drive runs for at most this many days, and opens at most this far ahead
LENGTH_MAX_DAYS = 366
AHEAD_MAX_DAYS = 366


def require_runner(actor, organisation: Organisation) -> None:
    """Raise Forbidden unless ``actor`` may run drives for ``organisation``, saying why."""
    if can_run_drives(actor, organisation):
        return
    acting = actor_of(actor)
    if not acting.is_member:
        raise Forbidden(_l("Connectez-vous pour organiser une collecte."))
    if not is_member(acting.user_id, organisation.id):
        raise Forbidden(_l("Seuls les membres de l’organisation peuvent organiser ses collectes."))
    raise Forbidden(
        _l(
            "Votre organisation doit d’abord être vérifiée par l’équipe de modération : "
            "seules les organisations vérifiées peuvent organiser une collecte."
        ),
        code="organisation_not_verified",
    )


def _require_manager(actor, drive: Drive) -> None:
    if not can_manage_drive(actor, drive):
        require_runner(actor, drive.organisation)


def require_follow_up(actor, drive: Drive) -> None:
    """Raise Forbidden unless ``actor`` may follow a drive up (receipts, no-shows, closing,
    cancelling): a member of its organisation, verified or no longer."""
    if not can_follow_up_drive(actor, drive):
        require_runner(actor, drive.organisation)


# --- drives --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriveData:
    title: str
    starts_on: date | None
    ends_on: date | None
    description: str = ""
    event_id: int | None = None  # the sporting event the drive collects for


def _check_drive(data: DriveData, drive: Drive | None) -> dict:
    errors: dict = {}
    title = clean_line(data.title)
    if not TITLE_RANGE[0] <= len(title) <= TITLE_RANGE[1]:
        errors["title"] = _l(
            "Le titre doit compter entre %(low)s et %(high)s caractères.",
            low=TITLE_RANGE[0],
            high=TITLE_RANGE[1],
        )
    if len(data.description or "") > DESCRIPTION_MAX:
        errors["description"] = _l(
            "Ce texte ne peut pas dépasser %(limit)s caractères.", limit=DESCRIPTION_MAX
        )
    today = paris_today()
    if data.starts_on is None:
        errors["starts_on"] = _l("Indiquez le premier jour de la collecte.")
    elif drive is None and data.starts_on < today:
        errors["starts_on"] = _l("Une nouvelle collecte ne peut pas commencer dans le passé.")
    elif (data.starts_on - today).days > AHEAD_MAX_DAYS:
        errors["starts_on"] = _l("Une collecte s’ouvre au plus un an à l’avance.")
    if data.ends_on is None:
        errors["ends_on"] = _l("Indiquez le dernier jour de la collecte.")
    elif data.starts_on is not None:
        if data.ends_on < data.starts_on:
            errors["ends_on"] = _l("Le dernier jour ne peut pas précéder le premier.")
        elif (data.ends_on - data.starts_on).days > LENGTH_MAX_DAYS:
            errors["ends_on"] = _l("Une collecte dure au plus un an.")
    kept = drive is not None and data.event_id == drive.event_id
    if data.event_id is not None and not kept and event_open_for_ties(data.event_id) is None:
        errors["event"] = _l("Choisissez un événement à venir dans la liste.")
    if drive is not None and not errors:
        outside = [slot for slot in drive.slots if not _within(slot.starts_at, slot.ends_at, data)]
        if outside:
            errors["ends_on"] = _l(
                "Des créneaux de dépôt tombent hors de ces dates : modifiez-les d’abord."
            )
    return errors


def _within(starts_at: datetime, ends_at: datetime, dates: DriveData | Drive) -> bool:
    first, last = starts_at.astimezone(PARIS).date(), ends_at.astimezone(PARIS).date()
    return dates.starts_on <= first and last <= dates.ends_on  # type: ignore[operator]


def create_drive(actor, organisation: Organisation, data: DriveData) -> Drive:
    """Open a drive for ``organisation``; it is public at once and takes pledges once it has
    slots and a wish list.

    Raises Forbidden (visitor, not a member, organisation not verified) or ValidationFailed
    (title of 5 to 120 characters, dates from today, at most a year long and a year ahead).
    """
    require_runner(actor, organisation)
    errors = _check_drive(data, None)
    if errors:
        raise ValidationFailed(errors)
    drive = Drive(
        organisation_id=organisation.id,
        title=clean_line(data.title),
        description=clean_text(data.description),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        event_id=data.event_id,
        created_by_id=actor_of(actor).user_id,
    )
    db.session.add(drive)
    db.session.flush()
    return drive


def update_drive(actor, drive: Drive, data: DriveData) -> Drive:
    """Change a drive's title, description or dates; its slots must stay within the dates.

    Raises Forbidden, Conflict (cancelled drive) or ValidationFailed.
    """
    _require_manager(actor, drive)
    _require_not_cancelled(drive)
    errors = _check_drive(data, drive)
    if errors:
        raise ValidationFailed(errors)
    drive.title = clean_line(data.title)
    drive.description = clean_text(data.description)
    drive.starts_on, drive.ends_on = data.starts_on, data.ends_on  # type: ignore[assignment]
    drive.event_id = data.event_id
    db.session.flush()
    return drive


def _require_not_cancelled(drive: Drive) -> None:
    if drive.status == DriveStatus.CANCELLED.value:
        raise Conflict(_l("Cette collecte est annulée : elle ne peut plus changer."))


def close_drive(actor, drive: Drive) -> Drive:
    """Stop taking pledges before the end date; booked pledges stay. Raises Forbidden, Conflict."""
    require_follow_up(actor, drive)
    apply_transition(drive, "close", actor=actor)
    return drive


def reopen_drive(actor, drive: Drive) -> Drive:
    """Take pledges again after a close. Raises Forbidden or Conflict."""
    _require_manager(actor, drive)
    apply_transition(drive, "reopen", actor=actor)
    return drive


def cancel_drive(actor, drive: Drive, reason: str = "") -> Drive:
    """Call a drive off: every booked pledge is cancelled, its counters freed, its listings
    released, and its member told by email. Items already received stay in the inventory.

    Raises Forbidden, Conflict (already cancelled) or ValidationFailed (reason over 1000).
    """
    require_follow_up(actor, drive)
    reason = clean_text(reason)
    if len(reason) > 1000:
        raise ValidationFailed(
            {"reason": _l("Ce texte ne peut pas dépasser %(limit)s caractères.", limit=1000)}
        )
    apply_transition(drive, "cancel", actor=actor, reason=reason or None)
    booked = db.session.scalars(
        select(Pledge).where(
            Pledge.drive_id == drive.id, Pledge.status == PledgeStatus.BOOKED.value
        )
    ).all()
    for pledge in booked:
        release_pledge(pledge, "cancel", actor)
        notices.tell_pledger(pledge, "drive_cancelled")
    db.session.flush()
    return drive


def release_pledge(pledge: Pledge, action: str, actor) -> None:
    """End a booked pledge by ``action`` (cancel, mark_no_show): its promised items free their
    wish lines, its place in the slot is freed, listings pledged go back on the site. For the
    services of this package."""
    for item in pledge.items:
        if item.status == PledgeItemStatus.PROMISED.value:
            counters.free_line(item.wish_line_id, item.quantity)
            if item.listing is not None:
                release_listing(item)
    counters.free_place(pledge.slot_id)
    apply_transition(pledge, action, actor=actor)


# --- slots ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotData:
    venue_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None


def drive_venues() -> list[Venue]:
    """Published venues, by name: where a drive's slots may be. The organisation's own members
    receive the gear during the slot, so any venue will do, not only those whose staff keep gear
    left for someone (``Venue.dropoff``)."""
    return list(
        db.session.scalars(
            select(Venue).where(Venue.status == VenueStatus.PUBLISHED.value).order_by(Venue.name)
        )
    )


def _check_slot(drive: Drive, data: SlotData, slot: DriveSlot | None) -> Venue:
    errors: dict = {}
    venue = db.session.get(Venue, data.venue_id) if data.venue_id else None
    if venue is None or not venue.is_published:
        errors["venue"] = _l("Choisissez un lieu de dépôt dans la liste.")
    if data.starts_at is None or data.ends_at is None:
        errors["day"] = _l("Indiquez le jour et les heures du créneau.")
    elif data.ends_at <= data.starts_at:
        errors["ends"] = _l("L’heure de fin doit suivre l’heure de début.")
    elif not _within(data.starts_at, data.ends_at, drive):
        errors["day"] = _l(
            "Le créneau doit tomber entre le %(start)s et le %(end)s, dates de la collecte.",
            start=drive.starts_on.strftime("%d/%m/%Y"),
            end=drive.ends_on.strftime("%d/%m/%Y"),
        )
    if data.capacity is None or not 1 <= data.capacity <= CAPACITY_MAX:
        errors["capacity"] = _l(
            "Indiquez combien de personnes peuvent venir, de 1 à %(max)s.", max=CAPACITY_MAX
        )
    elif slot is not None and data.capacity < slot.booked:
        errors["capacity"] = _l(
            "%(count)s personnes ont déjà réservé ce créneau : la capacité ne peut pas être "
            "inférieure.",
            count=slot.booked,
        )
    if errors:
        raise ValidationFailed(errors)
    return venue  # type: ignore[return-value]


def add_slot(actor, drive: Drive, data: SlotData) -> DriveSlot:
    """Add a drop-off slot at a published venue that accepts drop-offs, within the drive's
    dates, for 1 to 999 people. Raises Forbidden, Conflict (cancelled) or ValidationFailed."""
    _require_manager(actor, drive)
    _require_not_cancelled(drive)
    venue = _check_slot(drive, data, None)
    slot = DriveSlot(
        drive_id=drive.id,
        venue_id=venue.id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def update_slot(actor, slot: DriveSlot, data: SlotData) -> DriveSlot:
    """Change a slot; the capacity never drops below the places booked (checked again by the
    database under concurrent bookings). Its venue and time stay once someone booked it, since
    they were promised. Raises Forbidden, Conflict or ValidationFailed."""
    drive = slot.drive
    _require_manager(actor, drive)
    _require_not_cancelled(drive)
    venue = _check_slot(drive, data, slot)
    if slot.booked and (
        venue.id != slot.venue_id
        or data.starts_at != slot.starts_at
        or data.ends_at != slot.ends_at
    ):
        raise Conflict(
            _l(
                "Des personnes ont déjà réservé ce créneau : son lieu et ses heures ne changent "
                "plus, ajoutez plutôt un autre créneau."
            )
        )
    if not counters.set_capacity(slot.id, data.capacity):  # type: ignore[arg-type]
        raise Conflict(_l("D’autres personnes viennent de réserver : la capacité est trop basse."))
    db.session.refresh(slot)
    return slot


def remove_slot(actor, slot: DriveSlot) -> None:
    """Delete a slot nobody booked. Raises Forbidden or Conflict."""
    _require_manager(actor, slot.drive)
    used = db.session.scalar(select(Pledge.id).where(Pledge.slot_id == slot.id).limit(1))
    if slot.booked or used is not None:
        raise Conflict(_l("Ce créneau a déjà des réservations : il ne peut plus être supprimé."))
    db.session.delete(slot)
    db.session.flush()


def get_slot(drive: Drive, slot_id: int) -> DriveSlot:
    """A slot of this drive; NotFound for an unknown id or another drive's slot."""
    slot = db.session.get(DriveSlot, slot_id)
    if slot is None or slot.drive_id != drive.id:
        raise NotFound(_l("Ce créneau n’existe pas pour cette collecte."))
    return slot


# --- wish list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WishLineData:
    sport: str
    category: str
    quantity_wanted: int | None
    size: str = ""
    age_group: str = ""
    note: str = ""


def _check_line(data: WishLineData, line: WishLine | None) -> dict:
    errors: dict = {}
    if data.sport not in SPORTS:
        errors["sport"] = _l("Choisissez un sport dans la liste.")
    category = CATEGORIES.get(data.category)
    if category is None:
        errors["category"] = _l("Choisissez une catégorie dans la liste.")
    elif data.size and data.size not in category.sizes:
        errors["size"] = _l("Cette taille n’existe pas pour cette catégorie.")
    if data.age_group and data.age_group not in AGE_GROUPS:
        errors["age_group"] = _l("Choisissez une tranche d’âge dans la liste.")
    if data.quantity_wanted is None or not 1 <= data.quantity_wanted <= QUANTITY_MAX:
        errors["quantity_wanted"] = _l("Indiquez une quantité de 1 à %(max)s.", max=QUANTITY_MAX)
    elif line is not None and data.quantity_wanted < line.pledged:
        errors["quantity_wanted"] = _l(
            "%(count)s objets sont déjà promis pour cette ligne : la quantité ne peut pas être "
            "inférieure.",
            count=line.pledged,
        )
    if len(clean_line(data.note)) > NOTE_MAX:
        errors["note"] = _l("Ce texte ne peut pas dépasser %(limit)s caractères.", limit=NOTE_MAX)
    return errors


def add_wish_line(actor, drive: Drive, data: WishLineData) -> WishLine:
    """Add a line to the wish list: a sport and a category of ``listings.taxonomy``, a size of
    that category or an age group if it matters, a quantity of 1 to 9999.
    Raises Forbidden, Conflict (cancelled) or ValidationFailed."""
    _require_manager(actor, drive)
    _require_not_cancelled(drive)
    errors = _check_line(data, None)
    if errors:
        raise ValidationFailed(errors)
    line = WishLine(drive_id=drive.id)
    _apply_line(line, data)
    line.quantity_wanted = data.quantity_wanted  # type: ignore[assignment]
    db.session.add(line)
    db.session.flush()
    return line


def _apply_line(line: WishLine, data: WishLineData) -> None:
    line.sport, line.category = data.sport, data.category
    line.size, line.age_group = data.size or "", data.age_group or ""
    line.note = clean_line(data.note)


def update_wish_line(actor, line: WishLine, data: WishLineData) -> WishLine:
    """Change a wish line; once items are pledged its sport, category, size and age group stay
    and the quantity never drops below what is pledged (checked again by the database).
    Raises Forbidden, Conflict or ValidationFailed."""
    _require_manager(actor, line.drive)
    _require_not_cancelled(line.drive)
    errors = _check_line(data, line)
    if errors:
        raise ValidationFailed(errors)
    described = (line.sport, line.category, line.size, line.age_group)
    if (line.pledged or line.received) and described != (
        data.sport,
        data.category,
        data.size or "",
        data.age_group or "",
    ):
        raise Conflict(
            _l(
                "Des objets sont déjà promis pour cette ligne : seuls la quantité et la note "
                "changent."
            )
        )
    _apply_line(line, data)
    if not counters.set_wanted(line.id, data.quantity_wanted):  # type: ignore[arg-type]
        raise Conflict(_l("D’autres objets viennent d’être promis : la quantité est trop basse."))
    db.session.refresh(line)
    return line


def remove_wish_line(actor, line: WishLine) -> None:
    """Delete a wish line nothing was pledged for. Raises Forbidden or Conflict."""
    _require_manager(actor, line.drive)
    if line.pledged or line.received:
        raise Conflict(
            _l("Des objets sont promis pour cette ligne : elle ne peut plus être supprimée.")
        )
    used = db.session.scalar(
        select(PledgeItem.id).where(PledgeItem.wish_line_id == line.id).limit(1)
    )
    if used is not None:
        raise Conflict(
            _l("Des objets sont promis pour cette ligne : elle ne peut plus être supprimée.")
        )
    db.session.delete(line)
    db.session.flush()


def get_wish_line(drive: Drive, line_id: int) -> WishLine:
    """A line of this drive's wish list; NotFound for an unknown id or another drive's line."""
    line = db.session.get(WishLine, line_id)
    if line is None or line.drive_id != drive.id:
        raise NotFound(_l("Cette ligne de la liste de besoins n’existe pas pour cette collecte."))
    return line
