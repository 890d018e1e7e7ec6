"""Pledges: a resident promises items to a drive and books a drop-off slot; the organisation then
confirms receipt item by item, or marks a no-show.

The wish lines and the slot are taken with conditional UPDATEs (``counters``) in the caller's
write transaction: beyond what a line still needs, or in a full slot, the pledge is refused with a
message naming what is left, even when two residents pledge the last place at the same moment.
A member holds one booked pledge per drive (cancel it to pledge again differently). Functions
flush and never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sportressources.accounts.restrictions import require_unrestricted
from sportressources.core.dates import paris_today
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.security import actor_of
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_line
from sportressources.drives import counters, notices
from sportressources.drives.inventory import add_received_item
from sportressources.drives.labels import line_label
from sportressources.drives.listings_link import give_listing, release_listing, reserve_listing
from sportressources.drives.models import (
    Drive,
    DriveStatus,
    Pledge,
    PledgeItem,
    PledgeItemStatus,
    PledgeStatus,
    WishLine,
)
from sportressources.drives.policies import can_cancel_pledge
from sportressources.drives.services import release_pledge, require_follow_up
from sportressources.listings.models import Condition, Listing, ListingKind, ListingStatus

ITEMS_MAX = 10
ITEM_QUANTITY_MAX = 50
TITLE_RANGE = (3, 120)

_ALREADY_PLEDGED = _l(
    "Vous avez déjà une promesse pour cette collecte : annulez-la dans « Mes "
    "promesses de dons » pour en faire une autre."
)


@dataclass(frozen=True)
class ItemData:
    """One item of a pledge: one of the member's own listings (``listing_id``), or a quick
    description (``title``, ``quantity``, ``condition``, optional ``photo_key`` already stored
    by ``listings.photos``)."""

    wish_line_id: int | None
    listing_id: int | None = None
    title: str = ""
    quantity: int | None = 1
    condition: str = ""
    photo_key: str | None = None


def drive_takes_pledges(drive: Drive) -> bool:
    """True while a drive is open and its last day has not passed."""
    return drive.status == DriveStatus.OPEN.value and drive.ends_on >= paris_today()


def make_pledge(actor, drive: Drive, slot_id: int | None, items: list[ItemData]) -> Pledge:
    """Promise ``items`` to ``drive`` and book a place in the slot ``slot_id``.

    Each item is for a line of the drive's wish list that still needs that many; an item from a
    listing must be one of the member's own published gift listings, which gets reserved.
    The organisation's members are told in the app, the member by email and in the app.
    Raises Forbidden (visitor, suspended member), NotFound (a slot or line of another drive),
    ValidationFailed (no item, bad item, no slot) or Conflict (drive closed, a pledge already
    booked, the line no longer needs that many, the slot is full).
    """
    acting = actor_of(actor)
    if not acting.is_member:
        raise Forbidden(_l("Connectez-vous pour promettre des dons."))
    require_unrestricted(actor, _l("promettre des dons à une collecte"))
    if not drive_takes_pledges(drive):
        raise Conflict(_l("Cette collecte ne prend plus de promesses de dons."))
    slot = next((s for s in drive.slots if s.id == slot_id), None) if slot_id else None
    if slot is None:
        raise ValidationFailed({"slot": _l("Choisissez un créneau de dépôt.")})
    if slot.starts_at <= utcnow():
        raise ValidationFailed({"slot": _l("Ce créneau est passé : choisissez-en un autre.")})
    already = db.session.scalar(
        select(Pledge.id).where(
            Pledge.drive_id == drive.id,
            Pledge.member_id == acting.user_id,
            Pledge.status == PledgeStatus.BOOKED.value,
        )
    )
    if already is not None:
        raise Conflict(_ALREADY_PLEDGED)
    checked = _checked_items(acting.user_id, drive, items)
    wanted: dict[int, int] = defaultdict(int)
    for line, _listing, data in checked:
        wanted[line.id] += data.quantity  # type: ignore[operator]
    lines = {line.id: line for line, _listing, _data in checked}
    for line_id, quantity in wanted.items():
        if not counters.take_line(line_id, quantity):
            raise _beyond_need(lines[line_id], quantity)
    if not counters.take_place(slot.id):
        raise Conflict(_l("Ce créneau est complet : choisissez-en un autre."), code="slot_full")
    pledge = Pledge(drive_id=drive.id, member_id=acting.user_id, slot_id=slot.id)
    try:
        with db.session.begin_nested():
            db.session.add(pledge)
    except IntegrityError:  # the same member's other submission won the race
        raise Conflict(_ALREADY_PLEDGED) from None
    for line, listing, data in checked:
        pledge.items.append(
            PledgeItem(
                wish_line_id=line.id,
                listing_id=listing.id if listing is not None else None,
                title=listing.title if listing is not None else clean_line(data.title),
                quantity=data.quantity,
                condition=listing.condition if listing is not None else data.condition,
                photo_key=data.photo_key if listing is None else None,
            )
        )
    db.session.flush()
    for item in pledge.items:
        if item.listing_id is not None:
            reserve_listing(item)
    notices.tell_pledger(pledge, "drive_pledge_confirmed")
    notices.tell_organisation(pledge, "drive_pledge_new")
    return pledge


def _beyond_need(line: WishLine, asked: int) -> Conflict:
    db.session.refresh(line)
    left = max(line.quantity_wanted - line.pledged, 0)
    label = line_label(line)
    if left == 0:
        message = gettext(
            "Plus rien n’est attendu pour « %(line)s » : d’autres dons ont comblé ce besoin.",
            line=label,
        )
    else:
        message = gettext(
            "Il ne manque plus que %(left)s « %(line)s » pour cette ligne (vous en proposez "
            "%(asked)s).",
            left=left,
            line=label,
            asked=asked,
        )
    return Conflict(message, code="beyond_need")


def _checked_items(
    user_id: int | None, drive: Drive, items: list[ItemData]
) -> list[tuple[WishLine, Listing | None, ItemData]]:
    if not items:
        raise ValidationFailed(message=_l("Ajoutez au moins un objet à votre promesse."))
    if len(items) > ITEMS_MAX:
        raise ValidationFailed(
            message=_l("Une promesse compte au plus %(max)s objets.", max=ITEMS_MAX)
        )
    lines = {line.id: line for line in drive.wish_lines}
    checked = []
    listing_ids: set[int] = set()
    for data in items:
        line = lines.get(data.wish_line_id or 0)
        if line is None:
            raise NotFound(
                _l("Cette ligne de la liste de besoins n’existe pas pour cette collecte.")
            )
        if data.listing_id is not None:
            listing = _own_gift_listing(user_id, data.listing_id)
            if listing.id in listing_ids:
                raise ValidationFailed(message=_l("Chaque annonce ne se promet qu’une fois."))
            listing_ids.add(listing.id)
            checked.append((line, listing, ItemData(line.id, listing.id, quantity=1)))
            continue
        title = clean_line(data.title)
        if not TITLE_RANGE[0] <= len(title) <= TITLE_RANGE[1]:
            raise ValidationFailed(
                message=_l(
                    "Décrivez chaque objet en %(low)s à %(high)s caractères.",
                    low=TITLE_RANGE[0],
                    high=TITLE_RANGE[1],
                )
            )
        if data.quantity is None or not 1 <= data.quantity <= ITEM_QUANTITY_MAX:
            raise ValidationFailed(
                message=_l("Indiquez une quantité de 1 à %(max)s.", max=ITEM_QUANTITY_MAX)
            )
        if data.condition not in {c.value for c in Condition}:
            raise ValidationFailed(message=_l("Choisissez l’état de chaque objet dans la liste."))
        checked.append((line, None, data))
    return checked


def _own_gift_listing(user_id: int | None, listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.owner_id != user_id or listing.organisation_id is not None:
        raise NotFound(_l("Cette annonce n’existe pas ou n’est pas la vôtre."))
    if listing.kind != ListingKind.GIFT.value or listing.status != ListingStatus.PUBLISHED.value:
        raise ValidationFailed(
            message=_l(
                "Seules vos annonces de don publiées (ni réservées ni closes) peuvent être "
                "promises."
            )
        )
    return listing


def cancel_pledge(actor, pledge: Pledge) -> Pledge:
    """The member cancels a booked pledge: its lines and its slot place are freed, its listings
    put back on the site, the organisation told. Raises Forbidden or Conflict (no longer booked)."""
    if actor_of(actor).user_id != pledge.member_id:
        raise Forbidden(_l("Seul le membre qui a fait cette promesse peut l’annuler."))
    if not can_cancel_pledge(actor, pledge):
        raise Conflict(_l("Cette promesse n’est plus en cours : elle ne peut plus être annulée."))
    release_pledge(pledge, "cancel", actor)
    notices.tell_organisation(pledge, "drive_pledge_withdrawn")
    db.session.flush()
    return pledge


def _require_manager(actor, pledge: Pledge) -> None:
    require_follow_up(actor, pledge.drive)


def decide_item(actor, item: PledgeItem, received: bool) -> PledgeItem:
    """The organisation confirms one item of a booked pledge received (it enters the inventory
    and counts on its wish line; a listing is marked given) or not received (its line is freed,
    a listing back on the site). Once every item is decided, the pledge is dropped off.
    Raises Forbidden or Conflict (already decided, pledge no longer booked)."""
    pledge = item.pledge
    _require_manager(actor, pledge)
    if pledge.status != PledgeStatus.BOOKED.value:
        raise Conflict(_l("Cette promesse est close : ses objets ne changent plus."))
    if item.status != PledgeItemStatus.PROMISED.value:
        raise Conflict(_l("Cet objet a déjà été traité."))
    if received:
        apply_transition(item, "receive", actor=actor)
        counters.add_received(item.wish_line_id, item.quantity)
        add_received_item(item, actor)
        give_listing(item)
    else:
        apply_transition(item, "mark_not_received", actor=actor)
        counters.free_line(item.wish_line_id, item.quantity)
        release_listing(item)
    if all(i.status != PledgeItemStatus.PROMISED.value for i in pledge.items):
        apply_transition(pledge, "drop_off", actor=actor)
        notices.tell_pledger(pledge, "drive_items_received")
    db.session.flush()
    return item


def mark_no_show(actor, pledge: Pledge) -> Pledge:
    """The member did not come: every item is not received, the lines and the slot place are
    freed, listings back on the site, the member told. Raises Forbidden or Conflict (pledge no
    longer booked, or items already decided one by one)."""
    _require_manager(actor, pledge)
    if pledge.status != PledgeStatus.BOOKED.value:
        raise Conflict(_l("Cette promesse est close : ses objets ne changent plus."))
    if any(i.status != PledgeItemStatus.PROMISED.value for i in pledge.items):
        raise Conflict(
            _l("Des objets de cette promesse sont déjà traités : décidez les autres un à un.")
        )
    release_pledge(pledge, "mark_no_show", actor)
    for item in pledge.items:
        apply_transition(item, "mark_not_received", actor=actor)
    notices.tell_pledger(pledge, "drive_no_show")
    db.session.flush()
    return pledge


def get_pledge_item(drive: Drive, item_id: int) -> PledgeItem:
    """An item of a pledge to this drive; NotFound otherwise."""
    item = db.session.get(PledgeItem, item_id)
    if item is None or item.pledge.drive_id != drive.id:
        raise NotFound(_l("Cet objet n’existe pas pour cette collecte."))
    return item


def get_pledge(pledge_id: int) -> Pledge:
    """A pledge by id; NotFound otherwise (each service checks who may act on it)."""
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(_l("Cette promesse n’existe pas."))
    return pledge
