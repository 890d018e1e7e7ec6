"""The inventory of what an organisation received, and what it does with it: items added by hand,
edited or discarded; items published in bulk as the organisation's gift or loan listings (items
handed to beneficiaries: ``handouts``).

Functions flush and never commit. Only managers and volunteers of the organisation act
(``inventory_policies``).

A published item stays « listed » while its listing lives, and afterwards when the listing is
given: the item then left through the listing (its page says « donné via l'annonce »), and a
handout stays what it is, a record about a beneficiary, never a member of the site. When the
listing is withdrawn (by a member or a moderator), the item comes back in stock, ready to be
published again or handed out; it keeps the listing's id for its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.states import apply_transition
from sportressources.core.storage import get_storage, read_in_transaction, save_after_commit
from sportressources.core.text import clean_line, clean_text
from sportressources.drives.inventory_policies import can_manage_inventory
from sportressources.drives.models import (
    InventoryItem,
    InventoryStatus,
    PledgeItem,
)
from sportressources.listings import photos as photo_files
from sportressources.listings.models import Condition, Listing, ListingKind
from sportressources.listings.services import ListingData, create_listing
from sportressources.listings.taxonomy import AGE_GROUPS, CATEGORIES, SPORTS
from sportressources.organisations.models import Organisation
from sportressources.trade.loans import terms as loan_terms

TITLE_RANGE = (3, 120)
NOTE_MAX = 200
# How many items one bulk publication may hold: one request, one transaction
BULK_MAX = 30
# Listing actions after which the item is back in the organisation's hands
_BACK_IN_STOCK_ACTIONS = frozenset({"withdraw", "remove"})


@dataclass(frozen=True)
class ItemData:
    """What a member types for an item added by hand or edited."""

    title: str
    sport: str
    category: str
    condition: str
    size: str = ""
    age_group: str = ""
    note: str = ""


@dataclass(frozen=True)
class PublishOptions:
    """What applies to every listing of a bulk publication."""

    kind: str  # gift or loan
    commune_insee: str
    venue_id: int | None = None
    description: str = ""
    # Loan terms (kind loan); None: the defaults of trade.loans.terms
    min_days: int | None = None
    max_days: int | None = None
    deposit_cents: int | None = None


@dataclass(frozen=True)
class ItemPublication:
    """One item of a bulk publication: its new photo (already stored with the transaction) or
    None to reuse its own, the safety declaration its category may need, and whom it suits
    when the item does not say (a listing must)."""

    item_id: int
    photo_key: str | None = None
    safety_age_years: int | None = None
    safety_no_impact: bool | None = None
    age_group: str | None = None


def require_manager(actor, organisation: Organisation) -> None:
    if not can_manage_inventory(actor, organisation):
        raise Forbidden(
            _l("Seuls les responsables et bénévoles de l’organisation gèrent son inventaire.")
        )


def require_item(actor, item: InventoryItem, organisation: Organisation) -> None:
    require_manager(actor, organisation)
    if item.organisation_id != organisation.id:
        raise NotFound(_l("Cet objet n’est pas dans l’inventaire de cette organisation."))


def require_in_stock(item: InventoryItem) -> None:
    if item.status != InventoryStatus.IN_STOCK.value:
        raise Conflict(
            _l("« %(title)s » n’est plus en stock : rechargez la page.", title=item.title)
        )


# --- items -------------------------------------------------------------------------------------


def add_received_item(pledge_item: PledgeItem, actor: User | None) -> list[InventoryItem]:
    """Put a pledge item whose receipt was just confirmed into the drive's organisation's
    inventory: one row per unit of its quantity, with its wish line's sport, category, size and
    age group; flushes. Called by the drives service that confirms the receipt."""
    line = pledge_item.wish_line
    organisation_id = pledge_item.pledge.drive.organisation_id
    items = [
        InventoryItem(
            organisation_id=organisation_id,
            pledge_item_id=pledge_item.id,
            title=pledge_item.title,
            sport=line.sport,
            category=line.category,
            size=line.size,
            age_group=line.age_group,
            condition=pledge_item.condition,
            photo_key=pledge_item.photo_key,
        )
        for _ in range(pledge_item.quantity)
    ]
    db.session.add_all(items)
    db.session.flush()
    return items


def _checked_item(data: ItemData) -> ItemData:
    """Normalise and check an item's description; ValidationFailed naming each bad field."""
    errors: dict = {}
    title, note = clean_line(data.title), clean_text(data.note)
    if not TITLE_RANGE[0] <= len(title) <= TITLE_RANGE[1]:
        errors["title"] = _l(
            "Le nom de l’objet doit faire entre %(low)s et %(high)s caractères.",
            low=TITLE_RANGE[0],
            high=TITLE_RANGE[1],
        )
    if data.sport not in SPORTS:
        errors["sport"] = _l("Choisissez un sport dans la liste.")
    category = CATEGORIES.get(data.category)
    if category is None:
        errors["category"] = _l("Choisissez une catégorie dans la liste.")
    elif data.size and data.size not in category.sizes:
        errors["size"] = _l("Cette taille n’existe pas pour cette catégorie.")
    if data.condition not in {condition.value for condition in Condition}:
        errors["condition"] = _l("Choisissez l’état du matériel.")
    if data.age_group and data.age_group not in AGE_GROUPS:
        errors["age_group"] = _l("Choisissez à qui s’adresse le matériel.")
    if len(note) > NOTE_MAX:
        errors["note"] = _l("La note ne peut pas dépasser %(limit)s caractères.", limit=NOTE_MAX)
    if errors:
        raise ValidationFailed(errors)
    return ItemData(
        title=title,
        sport=data.sport,
        category=data.category,
        condition=data.condition,
        size=data.size,
        age_group=data.age_group,
        note=note,
    )


def add_item(
    actor, organisation: Organisation, data: ItemData, photo_key: str | None = None
) -> InventoryItem:
    """Add by hand an item the organisation already holds (in stock, no drive behind it), with
    an optional photo stored by the caller with the transaction.

    Raises Forbidden (not a manager or volunteer, or a closed organisation) or ValidationFailed.
    """
    require_manager(actor, organisation)
    data = _checked_item(data)
    item = InventoryItem(
        organisation_id=organisation.id,
        title=data.title,
        sport=data.sport,
        category=data.category,
        size=data.size,
        age_group=data.age_group,
        condition=data.condition,
        note=data.note,
        photo_key=photo_key,
        status=InventoryStatus.IN_STOCK.value,
    )
    db.session.add(item)
    db.session.flush()
    return item


def update_item(
    actor,
    organisation: Organisation,
    item: InventoryItem,
    data: ItemData,
    photo_key: str | None = None,
) -> InventoryItem:
    """Correct an in-stock item's description (and replace its photo when ``photo_key`` is
    given). Raises Forbidden, NotFound (another organisation's item), Conflict (not in stock:
    its listing carries its description now) or ValidationFailed."""
    require_item(actor, item, organisation)
    require_in_stock(item)
    data = _checked_item(data)
    for name in ("title", "sport", "category", "size", "age_group", "condition", "note"):
        setattr(item, name, getattr(data, name))
    if photo_key is not None:
        item.photo_key = photo_key
    db.session.flush()
    return item


def discard_item(actor, organisation: Organisation, item: InventoryItem) -> None:
    """Take an unusable in-stock item out of the inventory (recycled). Raises Forbidden,
    NotFound or Conflict (not in stock)."""
    require_item(actor, item, organisation)
    require_in_stock(item)
    apply_transition(item, "discard", actor=actor)


# --- bulk publication --------------------------------------------------------------------------


def photo_available(item: InventoryItem) -> bool:
    """Whether the item's own photo can be reused for a listing (its files still exist)."""
    return item.photo_key is not None and get_storage().exists(
        photo_files.photo_name(item.photo_key)
    )


def _copy_photo(key: str) -> str:
    """A copy of a stored photo under a new key (a listing photo's key is its own), written
    with the transaction."""
    new_key = photo_files.new_key()
    for size in photo_files.SIZES:
        data = read_in_transaction(photo_files.photo_name(key, size))
        save_after_commit(photo_files.photo_name(new_key, size), data, "image/jpeg")
    return new_key


def _items_to_publish(
    organisation: Organisation, publications: list[ItemPublication]
) -> list[InventoryItem]:
    ids = [publication.item_id for publication in publications]
    if not ids:
        raise ValidationFailed({"items": _l("Choisissez au moins un objet à publier.")})
    if len(ids) > BULK_MAX:
        raise ValidationFailed(
            {"items": _l("Publiez au plus %(limit)s objets à la fois.", limit=BULK_MAX)}
        )
    if len(set(ids)) != len(ids):
        raise ValidationFailed({"items": _l("Un même objet est choisi deux fois.")})
    found = {
        item.id: item
        for item in db.session.scalars(
            select(InventoryItem).where(
                InventoryItem.id.in_(ids), InventoryItem.organisation_id == organisation.id
            )
        )
    }
    if len(found) != len(ids):
        raise NotFound(_l("Cet objet n’est pas dans l’inventaire de cette organisation."))
    items = [found[item_id] for item_id in ids]
    for item in items:
        require_in_stock(item)
    return items


def _item_field(item: InventoryItem) -> str:
    return f"item-{item.id}"


def _item_errors(
    items: list[InventoryItem], publications: list[ItemPublication], kind: str
) -> dict[str, list]:
    """What each item lacks before it can become a listing, named after the item."""
    errors: dict[str, list] = {}
    for item, publication in zip(items, publications, strict=True):
        problems = []
        if publication.photo_key is None and not photo_available(item):
            problems.append(_l("ajoutez une photo de l’objet."))
        if not item.age_group and publication.age_group not in AGE_GROUPS:
            problems.append(_l("choisissez à qui s’adresse le matériel."))
        category = CATEGORIES.get(item.category)
        if category is not None and category.safety:
            age = publication.safety_age_years
            if age is None or not 0 <= age <= 50:
                problems.append(_l("indiquez l’âge de cet équipement de sécurité, en années."))
            if publication.safety_no_impact is not True:
                problems.append(_l("déclarez qu’il n’a subi aucun choc ni aucune chute."))
        if category is not None and category.new_only and kind == ListingKind.LOAN.value:
            problems.append(_l("ce matériel ne se prête jamais, pour des raisons d’hygiène."))
        if problems:
            errors[_item_field(item)] = [
                _l("« %(title)s » : %(problem)s", title=item.title, problem=problem)
                for problem in problems
            ]
    return errors


def publish_items(
    actor,
    organisation: Organisation,
    publications: list[ItemPublication],
    options: PublishOptions,
) -> list[Listing]:
    """Publish in-stock items as listings in the organisation's name, one per item, all or none.

    Each listing is a gift (``kind`` gift) or a loan (``kind`` loan, with the lending terms of
    ``options``, or the defaults) at the given commune or pickup venue, with the item's photo (a
    copy of its stored files) or the new one of its ``ItemPublication``; it goes to moderation
    like any listing. Items become « listed » with their listing's id.
    Raises Forbidden (not a manager or volunteer, closed organisation), NotFound (an item of
    another organisation), Conflict (an item no longer in stock) or ValidationFailed: fields of
    the form (``kind``, ``commune``, ``venue``, ``min_days``, ``max_days``, ``deposit``) and one
    field ``item-<id>`` per item at fault, each message naming the item. Nothing is published
    when anything is refused: the caller's transaction rolls back.
    """
    require_manager(actor, organisation)
    if options.kind not in (ListingKind.GIFT.value, ListingKind.LOAN.value):
        raise ValidationFailed({"kind": _l("Choisissez don ou prêt.")})
    items = _items_to_publish(organisation, publications)
    errors = _item_errors(items, publications, options.kind)
    if errors:
        raise ValidationFailed(errors, message=_item_summary(errors))
    listings = []
    for item, publication in zip(items, publications, strict=True):
        listing = _publish_one(actor, organisation, item, publication, options)
        if options.kind == ListingKind.LOAN.value and options.min_days is not None:
            loan_terms.set_terms(
                actor, listing, options.min_days, options.max_days, options.deposit_cents
            )
        apply_transition(item, "list", actor=actor, details={"listing_id": listing.id})
        item.listing_id = listing.id
        listings.append(listing)
    db.session.flush()
    return listings


def _item_summary(errors: dict[str, list]) -> str:
    return " ".join(str(message) for messages in errors.values() for message in messages)


def _publish_one(
    actor,
    organisation: Organisation,
    item: InventoryItem,
    publication: ItemPublication,
    options: PublishOptions,
) -> Listing:
    photo_key = publication.photo_key or _copy_photo(item.photo_key)
    category = CATEGORIES.get(item.category)
    safety = category is not None and category.safety
    data = ListingData(
        kind=options.kind,
        title=item.title,
        sport=item.sport,
        category=item.category,
        condition=item.condition,
        commune_insee=options.commune_insee,
        venue_id=options.venue_id,
        description=options.description,
        size=item.size,
        age_group=item.age_group or publication.age_group or "",
        safety_age_years=publication.safety_age_years if safety else None,
        safety_no_impact=publication.safety_no_impact if safety else None,
        photo_keys=[photo_key],
        organisation_id=organisation.id,
    )
    try:
        return create_listing(actor, data)
    except ValidationFailed as error:
        shared = {"commune", "venue", "kind"}
        if set(error.fields) <= shared:
            raise
        messages = [
            _l("« %(title)s » : %(problem)s", title=item.title, problem=str(message))
            for name, field_messages in error.fields.items()
            if name not in shared
            for message in field_messages
        ]
        raise ValidationFailed(
            {
                **{name: error.fields[name] for name in shared & set(error.fields)},
                _item_field(item): messages,
            },
            message=" ".join(str(m) for m in messages),
        ) from error


def sync_with_listing(sender, obj, action: str, actor=None, **extra) -> None:
    """``state_changed`` receiver: a withdrawn (or removed) listing puts its items back in
    stock; a given one leaves them « listed », gone through the listing."""
    if sender is not Listing or action not in _BACK_IN_STOCK_ACTIONS:
        return
    for item in db.session.scalars(
        select(InventoryItem).where(
            InventoryItem.listing_id == obj.id,
            InventoryItem.status == InventoryStatus.LISTED.value,
        )
    ):
        apply_transition(item, "unlist", actor=actor, details={"listing_id": obj.id})
