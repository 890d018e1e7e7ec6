"""Listing use cases: publish, edit, withdraw, close; the owner's data (the review is in
``review``, favourites in ``favourites``).

Functions flush and never commit. Every path that creates or changes a listing (form, API,
import) goes through ``create_listing`` / ``update_listing``, so the price cap and the hygiene
and safety rules hold everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sportressources.accounts.restrictions import require_unrestricted
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.signals import (
    listing_availability_changing,
    listing_closing,
)
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_line, clean_text
from sportressources.geo.models import Commune
from sportressources.listings import revisions
from sportressources.listings.models import (
    VISIBLE_STATUSES,
    Condition,
    Listing,
    ListingKind,
    ListingPhoto,
    ListingStatus,
)
from sportressources.listings.policies import (
    can_edit_listing,
    can_publish_for_organisation,
    can_publish_listing,
    can_review_listings,
    can_view_listing,
)
from sportressources.listings.signals import listing_form_checking, listing_form_saved
from sportressources.listings.taxonomy import AGE_GROUPS, CATEGORIES, SPORTS
from sportressources.venues.models import Venue, VenueStatus

MAX_PHOTOS = 6
TITLE_RANGE = (5, 120)
DESCRIPTION_MAX = 5000
NEW_PRICE_MAX_CENTS = 10_000_00
# Fields whose change on a published listing does not need a new review
MINOR_FIELDS = frozenset({"price_cents", "commune_insee", "venue_id", "size", "age_group"})


@dataclass(frozen=True)
class ListingData:
    kind: str
    title: str
    sport: str
    category: str
    condition: str
    commune_insee: str
    description: str = ""
    size: str = ""
    age_group: str = ""
    brand: str = ""
    price_cents: int | None = None
    new_price_cents: int | None = None
    venue_id: int | None = None
    safety_age_years: int | None = None
    safety_no_impact: bool | None = None
    # Storage keys of the photos, in display order (already processed and stored)
    photo_keys: list[str] = field(default_factory=list)
    # Published in this organisation's name (the actor must act for it)
    organisation_id: int | None = None


def euros(cents: int) -> str:
    """« 12,50 » or « 12 »: how the site writes prices."""
    whole, rest = divmod(cents, 100)
    return f"{whole}" if rest == 0 else f"{whole},{rest:02d}"


def price_cap_cents(new_price_cents: int) -> int:
    """The highest sale price allowed: a share of the price new, never above the ceiling."""
    config = current_app.config
    share_cap = math.floor(new_price_cents * config["LISTING_PRICE_CAP_SHARE"])
    return min(share_cap, config["LISTING_PRICE_CAP_CENTS"])


def _check(
    data: ListingData, require_photos: bool, extras: Mapping | None = None, listing=None
) -> ListingData:
    """Normalise and check a listing's data (and the ``extras`` of the form, by the receivers of
    ``listing_form_checking``); raise ValidationFailed naming every bad field."""
    errors: dict = {}
    if extras is not None:
        for _receiver, refused in listing_form_checking.send(
            Listing, data=data, extras=extras, listing=listing
        ):
            errors.update(refused or {})
    title = clean_line(data.title)
    description = clean_text(data.description)
    brand = clean_line(data.brand)

    if data.kind not in {kind.value for kind in ListingKind}:
        errors["kind"] = _l("Choisissez don, prêt ou vente.")
    if not TITLE_RANGE[0] <= len(title) <= TITLE_RANGE[1]:
        errors["title"] = _l(
            "Le titre doit faire entre %(low)s et %(high)s caractères.",
            low=TITLE_RANGE[0],
            high=TITLE_RANGE[1],
        )
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _l(
            "La description ne peut pas dépasser %(limit)s caractères.", limit=DESCRIPTION_MAX
        )
    if len(brand) > 60:
        errors["brand"] = _l("La marque ne peut pas dépasser 60 caractères.")
    if data.sport not in SPORTS:
        errors["sport"] = _l("Choisissez un sport dans la liste.")
    category = CATEGORIES.get(data.category)
    if category is None:
        errors["category"] = _l("Choisissez une catégorie dans la liste.")
    if data.condition not in {condition.value for condition in Condition}:
        errors["condition"] = _l("Choisissez l’état du matériel.")
    if data.age_group not in AGE_GROUPS:
        errors["age_group"] = _l("Choisissez à qui s’adresse le matériel.")
    if category is not None:
        if category.sizes and not data.size:
            errors["size"] = _l(
                "Choisissez une valeur de « %(label)s » dans la liste.", label=category.size_label
            )
        elif category.sizes and data.size not in category.sizes:
            errors["size"] = _l(
                "« %(size)s » n’est pas une taille de la catégorie « %(category)s » : choisissez "
                "une valeur de « %(label)s » dans la liste.",
                size=data.size,
                category=category.label,
                label=category.size_label,
            )
        elif not category.sizes and data.size:
            errors["size"] = _l("Cette catégorie n’a pas de taille.")
        _check_hygiene_and_safety(data, category, errors)

    price_cents, new_price_cents = data.price_cents, data.new_price_cents
    if data.kind == ListingKind.SALE.value:
        _check_price(price_cents, new_price_cents, errors)
    else:
        price_cents = None
        if data.kind == ListingKind.GIFT.value:
            new_price_cents = None

    commune = db.session.get(Commune, data.commune_insee) if data.commune_insee else None
    if commune is None:
        errors["commune"] = _l("Choisissez la commune où se trouve le matériel.")
    venue = db.session.get(Venue, data.venue_id) if data.venue_id else None
    if data.venue_id and (
        venue is None or venue.status != VenueStatus.PUBLISHED.value or not venue.pickup
    ):
        errors["venue"] = _l("Ce lieu ne peut pas servir de lieu de remise.")

    if len(data.photo_keys) > MAX_PHOTOS:
        errors["photos"] = _l("Six photos au plus.")
    elif require_photos and not data.photo_keys:
        errors["photos"] = _l("Ajoutez au moins une photo du matériel.")
    if errors:
        raise ValidationFailed(errors)
    return replace(
        data,
        title=title,
        description=description,
        brand=brand,
        price_cents=price_cents,
        new_price_cents=new_price_cents,
    )


def _check_hygiene_and_safety(data: ListingData, category, errors: dict) -> None:
    if category.new_only:
        if data.kind == ListingKind.LOAN.value:
            errors["kind"] = _l(
                "« %(category)s » ne se prête jamais, pour des raisons d’hygiène.",
                category=category.label,
            )
        elif data.condition != Condition.NEW.value:
            errors["condition"] = _l(
                "« %(category)s » ne se donne ou ne se vend que neuf, jamais porté, pour des "
                "raisons d’hygiène.",
                category=category.label,
            )
    if category.safety:
        if data.safety_age_years is None or not 0 <= data.safety_age_years <= 50:
            errors["safety_age_years"] = _l(
                "Indiquez l’âge de cet équipement de sécurité, en années (0 s’il est neuf)."
            )
        if data.safety_no_impact is not True:
            errors["safety_no_impact"] = _l(
                "Un équipement de sécurité ne peut être proposé que s’il n’a subi aucun choc ni "
                "aucune chute : cochez la case pour le déclarer."
            )


def _check_price(price_cents: int | None, new_price_cents: int | None, errors: dict) -> None:
    if new_price_cents is None or not 0 < new_price_cents <= NEW_PRICE_MAX_CENTS:
        errors["new_price"] = _l(
            "Indiquez le prix du matériel neuf, en euros : il sert à plafonner le prix de vente."
        )
        return
    cap = price_cap_cents(new_price_cents)
    if price_cents is None or price_cents <= 0:
        errors["price"] = _l(
            "Indiquez un prix de vente, %(cap)s € au plus. Pour céder gratuitement, "
            "choisissez « Don ».",
            cap=euros(cap),
        )
    elif price_cents > cap:
        config = current_app.config
        errors["price"] = _l(
            "Le prix de vente ne peut pas dépasser %(cap)s € : au plus %(share)s %% du prix neuf "
            "déclaré (%(new)s €), et jamais plus de %(ceiling)s €.",
            cap=euros(cap),
            share=round(config["LISTING_PRICE_CAP_SHARE"] * 100),
            new=euros(new_price_cents),
            ceiling=euros(config["LISTING_PRICE_CAP_CENTS"]),
        )


def _place(listing: Listing, data: ListingData) -> None:
    """Copy the position from the pickup venue, else the commune's centre."""
    listing.commune_insee = data.commune_insee
    listing.venue_id = data.venue_id
    source = db.session.get(Venue, data.venue_id) if data.venue_id else None
    source = source or db.session.get(Commune, data.commune_insee)
    listing.latitude, listing.longitude = source.latitude, source.longitude


def _values(data: ListingData) -> dict:
    """The listing's columns as ``data`` sets them (safety answers only for safety gear)."""
    values = {
        "kind": data.kind,
        "title": data.title,
        "description": data.description,
        "sport": data.sport,
        "category": data.category,
        "size": data.size,
        "age_group": data.age_group,
        "condition": data.condition,
        "brand": data.brand,
        "price_cents": data.price_cents,
        "new_price_cents": data.new_price_cents,
        "safety_age_years": data.safety_age_years,
        "safety_no_impact": data.safety_no_impact,
        "commune_insee": data.commune_insee,
        "venue_id": data.venue_id,
    }
    category = CATEGORIES.get(data.category)
    if category is None or not category.safety:
        values["safety_age_years"] = values["safety_no_impact"] = None
    return values


def changed_fields(listing: Listing, data: ListingData) -> set[str]:
    """The names of the fields (and « photos ») that ``data`` would change on ``listing``."""
    changed = {name for name, value in _values(data).items() if getattr(listing, name) != value}
    if [photo.key for photo in listing.photos] != list(data.photo_keys):
        changed.add("photos")
    return changed


def apply_data(listing: Listing, data: ListingData) -> set[str]:
    """Write checked ``data`` onto ``listing``; return the names of the fields that changed."""
    changed = set()
    for name, value in _values(data).items():
        if getattr(listing, name) != value:
            changed.add(name)
            setattr(listing, name, value)
    _place(listing, data)
    if [photo.key for photo in listing.photos] != list(data.photo_keys):
        changed.add("photos")
        _set_photos(listing, data.photo_keys)
    return changed


def _set_photos(listing: Listing, keys: list[str]) -> None:
    existing = {photo.key: photo for photo in listing.photos}
    for photo in list(listing.photos):
        if photo.key not in keys:
            listing.photos.remove(photo)
    db.session.flush()  # free positions before reordering
    for photo in listing.photos:
        photo.position = 100 + photo.position  # out of the way of the new order
    db.session.flush()
    for position, key in enumerate(keys):
        photo = existing.get(key)
        if photo is None:
            photo = _claim_photo(listing, key)
        photo.position = position
    listing.photo_count = len(keys)
    listing.cover_photo = keys[0] if keys else None


def _check_free_photo(key: str) -> None:
    if db.session.scalar(select(ListingPhoto.id).where(ListingPhoto.key == key)) is not None:
        raise ValidationFailed({"photos": _l("Cette photo appartient déjà à une autre annonce.")})


def _claim_photo(listing: Listing, key: str) -> ListingPhoto:
    from sportressources.listings import photos as photo_files

    _check_free_photo(key)
    photo = ListingPhoto(key=key, position=0, **photo_files.stored_photo_columns(key))
    listing.photos.append(photo)
    return photo


def _submit(actor, listing: Listing) -> None:
    """Send a draft or rejected listing to review (published at once under
    LISTINGS_AUTO_APPROVE)."""
    action = "auto_publish" if current_app.config["LISTINGS_AUTO_APPROVE"] else "submit"
    apply_transition(listing, action, actor=actor)


def create_listing(
    actor, data: ListingData, submit: bool = True, extras: Mapping | None = None
) -> Listing:
    """Create a listing owned by ``actor``: a draft, or submitted for review (published at once
    only where LISTINGS_AUTO_APPROVE is set, in development).

    A submitted listing needs 1 to 6 photos. Raises Forbidden for visitors and suspended or
    banned members, ValidationFailed naming each bad field (price above the cap, hygiene and
    safety rules, unknown commune…).
    """
    if not can_publish_listing(actor):
        raise Forbidden(_l("Connectez-vous pour publier une annonce."))
    require_unrestricted(actor, _l("publier d’annonce"))
    if data.organisation_id is not None and not can_publish_for_organisation(
        actor, data.organisation_id
    ):
        raise Forbidden(_l("Vous ne pouvez pas publier au nom de cette organisation."))
    data = _check(data, require_photos=submit, extras=extras)
    listing = Listing(
        owner_id=actor.id,
        organisation_id=data.organisation_id,
        photo_count=0,
        status=ListingStatus.DRAFT.value,
    )
    with db.session.no_autoflush:
        apply_data(listing, data)
    db.session.add(listing)
    db.session.flush()
    if submit:
        _submit(actor, listing)
    return _saved(actor, listing, extras)


def update_listing(
    actor, listing: Listing, data: ListingData, submit: bool = True, extras: Mapping | None = None
) -> Listing:
    """Change a listing (its owner only; for an organisation's listing, any of its members).

    A substantive change to a public listing is held as a pending revision (``revisions``) for
    review: the listing keeps showing its previous version until a moderator approves it. A
    price, place or size change alone applies at once (and drops a pending revision, which the
    form showed and the owner undid). Who a listing is published for never changes
    (``data.organisation_id`` is ignored): its requests, loans and conversations stay with the
    same owner's side.

    Raises Forbidden (not the owner, or a suspended or banned one), Conflict (given, sold or
    withdrawn listings are closed), ValidationFailed.
    """
    if not can_edit_listing(actor, listing):
        raise Forbidden(_l("Seul l’auteur de l’annonce peut la modifier."))
    require_unrestricted(actor, _l("modifier ni publier d’annonce"))
    listing = lock_listing(listing)
    if listing.status in CLOSED_STATUSES:
        raise Conflict(_l("Cette annonce est close : elle ne peut plus être modifiée."))
    if listing.status == ListingStatus.REMOVED.value:
        raise Conflict(
            _l(
                "Cette annonce a été retirée par l’équipe de modération : elle ne peut plus être "
                "modifiée. Vous pouvez contester cette décision depuis votre compte."
            )
        )
    data = _check(
        data,
        require_photos=submit or listing.status != ListingStatus.DRAFT.value,
        extras=extras,
        listing=listing,
    )
    if listing.status in VISIBLE_STATUSES and not current_app.config["LISTINGS_AUTO_APPROVE"]:
        changed = changed_fields(listing, data)
        if changed - MINOR_FIELDS:
            for key in set(data.photo_keys) - {photo.key for photo in listing.photos}:
                _check_free_photo(key)
            revisions.propose(
                actor, listing, revisions.values_of(data), list(data.photo_keys), changed
            )
            return _saved(actor, listing, extras)
        revisions.withdraw_pending(actor, listing, reason="undone by its owner")
    with db.session.no_autoflush:
        apply_data(listing, data)
    if listing.status in RESUBMITTABLE_STATUSES and submit:
        _submit(actor, listing)
    db.session.flush()
    return _saved(actor, listing, extras)


def _saved(actor, listing: Listing, extras: Mapping | None) -> Listing:
    """Let the packages whose fields the form carried store them (loan terms), in this
    transaction."""
    if extras is not None:
        listing_form_saved.send(Listing, listing=listing, actor=actor, extras=extras)
    return listing


def lock_listing(listing: Listing) -> Listing:
    """Reload ``listing`` locked until commit, so that two edits, or an edit and a review, of
    the same listing run one after the other (SQLite has a single writer anyway). Lock the
    listing before its revision, always in this order, so that they never deadlock."""
    return db.session.scalars(
        select(Listing)
        .where(Listing.id == listing.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


CLOSED_STATUSES = (
    ListingStatus.GIVEN.value,
    ListingStatus.SOLD.value,
    ListingStatus.WITHDRAWN.value,
)
# Not public yet: the owner edits them and sends them (again) to review
RESUBMITTABLE_STATUSES = (
    ListingStatus.DRAFT.value,
    ListingStatus.REJECTED.value,
    ListingStatus.CHANGES_REQUESTED.value,
)


def get_listing(listing_id: int, viewer=None) -> Listing:
    """A listing the viewer may see; NotFound otherwise (a hidden listing looks absent)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not can_view_listing(viewer, listing):
        raise NotFound(_l("Cette annonce n’existe pas ou n’est plus visible."))
    return listing


def withdraw_listing(actor, listing: Listing) -> None:
    """Take a listing off the site (its owner, or a moderator). Pending and accepted requests
    are declined and their authors told. Raises Forbidden or Conflict (already closed)."""
    if not (can_edit_listing(actor, listing) or can_review_listings(actor)):
        raise Forbidden(_l("Seul l’auteur de l’annonce peut la retirer."))
    if listing.status in CLOSED_STATUSES:
        raise Conflict(_l("Cette annonce est déjà close."))
    listing_closing.send(listing, actor=actor)
    apply_transition(listing, "withdraw", actor=actor)


def set_availability(actor, listing: Listing, status: str) -> None:
    """The owner marks a listing reserved, available again, given or sold by hand (for an
    arrangement made outside the site). Raises Forbidden, Conflict or ValidationFailed."""
    if not can_edit_listing(actor, listing):
        raise Forbidden(_l("Seul l’auteur de l’annonce peut changer sa disponibilité."))
    allowed = {
        ListingStatus.RESERVED.value: (ListingStatus.PUBLISHED.value,),
        ListingStatus.PUBLISHED.value: (ListingStatus.RESERVED.value,),
        ListingStatus.GIVEN.value: VISIBLE_STATUSES,
        ListingStatus.SOLD.value: VISIBLE_STATUSES,
    }
    if status not in allowed:
        raise ValidationFailed(message=_l("Ce changement de disponibilité n’existe pas."))
    closing_kind = {ListingStatus.GIVEN.value: "gift", ListingStatus.SOLD.value: "sale"}
    if status in closing_kind and listing.kind != closing_kind[status]:
        raise ValidationFailed(
            message=_l("Une annonce de don se marque « donnée », une vente « vendue ».")
        )
    if listing.status not in allowed[status]:
        raise Conflict(_l("Ce changement n’est pas possible dans l’état actuel de l’annonce."))
    listing_availability_changing.send(listing, actor=actor, status=status)
    if status in closing_kind:
        listing_closing.send(listing, actor=actor)
    action = {
        ListingStatus.RESERVED.value: "reserve",
        ListingStatus.PUBLISHED.value: "release",
        ListingStatus.GIVEN.value: "mark_given",
        ListingStatus.SOLD.value: "mark_sold",
    }[status]
    apply_transition(listing, action, actor=actor)
