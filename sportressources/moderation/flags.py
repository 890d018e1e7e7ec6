"""Automatic flags: small rules that lift an item to the top of the queue with a French
explanation. Each returns a flag (``{"code": …, "detail": …}``) or nothing.

A flag's ``detail`` is the evidence, in no language (the passage found, amounts, listing numbers,
a count); ``explain`` words it for the moderator reading it. Every rule is cheap: it reads the
listing, its owner, its own photos and a few indexed rows, never all listings or photos.

Also here: ``flask moderation hash-photos``, which fingerprints the photos stored before the
duplicate-photo rule existed. The list of forbidden words is kept in ``forbidden_words``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from sportressources.config import ConfigurationError
from sportressources.core.audit import AuditEntry
from sportressources.core.db import db, transaction, utcnow
from sportressources.core.errors import ValidationFailed
from sportressources.listings import fingerprints
from sportressources.listings import photos as photo_files
from sportressources.listings.models import Listing, ListingKind, ListingPhoto
from sportressources.listings.services import euros, price_cap_cents
from sportressources.moderation import flag_text
from sportressources.moderation.cli import moderation_cli
from sportressources.moderation.models import ForbiddenWord

Flag = dict[str, str]

# Settings of the rules, with their defaults (README, « Configuration »)
SETTINGS = {
    # A member who submits more than this many listings within the minutes below is flagged
    # (0: never)
    "MODERATION_BURST_LISTINGS": 5,
    "MODERATION_BURST_MINUTES": 60,
    # An account younger than this many days is flagged (0: never)
    "MODERATION_YOUNG_ACCOUNT_DAYS": 7,
}

# Duplicate photos: hashes at most this many bits apart show the same picture
DHASH_MAX_DISTANCE = 3
# A band whose bits are all alike (two rows of a plain area) is shared by too many photos to
# tell anything
_UNINFORMATIVE_BANDS = frozenset({0, (1 << fingerprints.DHASH_BAND_BITS) - 1})
# A hash with almost all bits alike is a plain picture: only its exact copies count
_DHASH_MIN_BITS, _DHASH_MAX_BITS = 8, 56
# Rows read at most when looking for another member's photo
DUPLICATE_CANDIDATES_MAX = 200
DUPLICATES_SHOWN = 5

# Short names of the flags, for filters and lists
LABELS: dict[str, LazyString] = {
    "price_above_cap": _l("Prix au-dessus du plafond"),
    "price_at_cap": _l("Prix au plafond"),
    "price_in_text": _l("Prix dans un don ou un prêt"),
    "phone_number": _l("Numéro de téléphone"),
    "email_address": _l("Adresse e-mail"),
    "link": _l("Lien"),
    "other_platform": _l("Autre site ou messagerie"),
    "forbidden_word": _l("Mot interdit"),
    "listing_burst": _l("Rafale d’annonces"),
    "duplicate_photo": _l("Photo d’un autre membre"),
    "young_account": _l("Compte récent"),
}

# How a moderator reads each flag; ``%(detail)s`` is its evidence
_EXPLANATIONS: dict[str, LazyString] = {
    "price_above_cap": _l(
        "Prix de vente au-dessus du plafond (prix > plafond) : %(detail)s. Sans prix neuf "
        "connu, le plafond est le maximum du site."
    ),
    "price_at_cap": _l(
        "Prix de vente exactement au plafond permis par le prix neuf déclaré (prix / prix "
        "neuf) : %(detail)s. Vérifiez que le prix neuf est plausible."
    ),
    "price_in_text": _l("Un don ou un prêt mentionne un prix : %(detail)s."),
    "phone_number": _l("Numéro de téléphone dans le texte : %(detail)s."),
    "email_address": _l("Adresse e-mail dans le texte : %(detail)s."),
    "link": _l("Lien vers un autre site dans le texte : %(detail)s."),
    "other_platform": _l("Autre site d’annonces ou messagerie cité : %(detail)s."),
    "forbidden_word": _l("Mot ou expression de la liste des mots interdits : %(detail)s."),
}


def register(app: Flask) -> None:
    """Wire this part into the app: the rules' settings (defaults, checked), a template global
    to explain a flag (the forbidden words page is linked from the moderation home). The command
    ``flask moderation hash-photos`` is declared on ``moderation_cli`` below."""

    for key, default in SETTINGS.items():
        app.config.setdefault(key, default)
        value = app.config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigurationError(f"{key} must be a whole number, 0 or more, not {value!r}.")
    if app.config["MODERATION_BURST_MINUTES"] < 1:
        raise ConfigurationError("MODERATION_BURST_MINUTES must be at least 1.")
    app.add_template_global(explain, "explain_flag")


def _flag(code: str, detail: str) -> Flag:
    return {"code": code, "detail": detail}


def _evidence(passages: list[str]) -> str:
    return " ; ".join(f"« {passage} »" for passage in passages)


def _texts(listing: Listing) -> list[str]:
    return [text for text in (listing.title, listing.description, listing.brand) if text]


def _found(scanner: Callable[[str], list[str]], listing: Listing) -> list[str]:
    found: list[str] = []
    for text in _texts(listing):
        found += [passage for passage in scanner(text) if passage not in found]
    return found[: flag_text.MATCHES_MAX]


# --- price rules ---------------------------------------------------------------------------------


def price_above_cap(listing: Listing) -> Flag | None:
    """A sale priced above its cap: a share of the declared price new, or without one the site's
    ceiling. The listing services refuse it; this catches what came in another way or before a
    lower cap."""
    if listing.kind != ListingKind.SALE.value or listing.price_cents is None:
        return None
    if listing.new_price_cents:
        cap = price_cap_cents(listing.new_price_cents)
    else:
        cap = current_app.config["LISTING_PRICE_CAP_CENTS"]
    if listing.price_cents <= cap:
        return None
    return _flag("price_above_cap", f"{euros(listing.price_cents)} € > {euros(cap)} €")


def price_at_cap(listing: Listing) -> Flag | None:
    """A sale priced exactly at the highest price its declared price new allows: the seller may
    have inflated the price new to reach the price they wanted."""
    if listing.kind != ListingKind.SALE.value or not listing.price_cents:
        return None
    if not listing.new_price_cents or listing.price_cents != price_cap_cents(
        listing.new_price_cents
    ):
        return None
    return _flag(
        "price_at_cap", f"{euros(listing.price_cents)} € / {euros(listing.new_price_cents)} €"
    )


def price_in_text(listing: Listing) -> Flag | None:
    """A gift or a loan whose title or description asks for money (« 10 € », « 15 euros »,
    « 20e », « prix : 5 »): both are free on this site."""
    if listing.kind == ListingKind.SALE.value:
        return None
    found = _found(flag_text.prices, listing)
    return _flag("price_in_text", _evidence(found)) if found else None


# --- contact details and other platforms ---------------------------------------------------------


def phone_number(listing: Listing) -> Flag | None:
    """A French phone number in the text, in digits or spelled out (rule 3.4 of the terms)."""
    found = _found(flag_text.phone_numbers, listing)
    return _flag("phone_number", _evidence(found)) if found else None


def email_address(listing: Listing) -> Flag | None:
    """An email address in the text, plain or disguised (« nom at gmail point com »)."""
    found = _found(flag_text.email_addresses, listing)
    return _flag("email_address", _evidence(found)) if found else None


def link(listing: Listing) -> Flag | None:
    """A link or a domain name in the text, other than the site's own."""
    own_host = urlsplit(current_app.config["SITE_URL"]).hostname or ""
    found = _found(lambda text: flag_text.links(text, [own_host]), listing)
    return _flag("link", _evidence(found)) if found else None


def other_platform(listing: Listing) -> Flag | None:
    """The name of another marketplace or a messaging app (« leboncoin », « Vinted »,
    « WhatsApp »): the exchange may be meant to happen off the site."""
    found = _found(flag_text.other_platforms, listing)
    return _flag("other_platform", _evidence(found)) if found else None


# --- forbidden words -----------------------------------------------------------------------------


def forbidden_word(listing: Listing) -> Flag | None:
    """A word or phrase of the moderators' list, as a whole word, accents and case aside."""
    words = list(db.session.scalars(select(ForbiddenWord.word)))
    if not words:
        return None
    found = _found(lambda text: flag_text.forbidden_words(text, words), listing)
    return _flag("forbidden_word", _evidence(found)) if found else None


# --- the author's account and activity -----------------------------------------------------------

# Audit actions that send a listing to review (or publish it without one, in development)
_SUBMISSIONS = ("listing.submit", "listing.auto_publish")


def listing_burst(listing: Listing) -> Flag | None:
    """More than ``MODERATION_BURST_LISTINGS`` listings submitted by the owner within
    ``MODERATION_BURST_MINUTES`` minutes, this one included (counted from the audit log, each
    listing once however often it was submitted)."""
    limit = current_app.config["MODERATION_BURST_LISTINGS"]
    minutes = current_app.config["MODERATION_BURST_MINUTES"]
    if limit <= 0:
        return None
    submitted = db.session.scalars(
        select(AuditEntry.target_id)
        .where(
            AuditEntry.actor_id == listing.owner_id,
            AuditEntry.action.in_(_SUBMISSIONS),
            AuditEntry.occurred_at >= utcnow() - timedelta(minutes=minutes),
        )
        .distinct()
        .limit(limit + 1)
    ).all()
    if len(submitted) <= limit:
        return None
    return _flag("listing_burst", f"{len(submitted)}/{minutes}")


def young_account(listing: Listing) -> Flag | None:
    """An owner whose account is younger than ``MODERATION_YOUNG_ACCOUNT_DAYS`` days."""
    days = current_app.config["MODERATION_YOUNG_ACCOUNT_DAYS"]
    owner = listing.owner
    if days <= 0 or owner is None or owner.created_at is None:
        return None
    age = utcnow() - owner.created_at
    if age >= timedelta(days=days):
        return None
    return _flag("young_account", str(max(age.days, 0)))


# --- photos --------------------------------------------------------------------------------------


def _informative(dhash: int) -> bool:
    return _DHASH_MIN_BITS <= dhash.bit_count() <= _DHASH_MAX_BITS


def duplicate_photo(listing: Listing) -> Flag | None:
    """A photo of the listing identical (same SHA-256) or near-identical (difference hashes at
    most ``DHASH_MAX_DISTANCE`` bits apart) to a photo of another member's listing.

    Candidates come from the indexes on ``sha256`` and on each 16-bit band of the hash (two
    hashes 3 bits apart share a band), at most ``DUPLICATE_CANDIDATES_MAX`` rows; the distance
    is then checked on those. A band that is all one colour, and a hash of a plain picture, are
    not searched (only exact copies of such photos count).
    """
    own = {photo.sha256: photo.dhash for photo in listing.photos if photo.sha256}
    if not own:
        return None
    near = [int(dhash, 16) for dhash in own.values() if dhash and _informative(int(dhash, 16))]
    matches = sorted(
        {
            candidate.listing_id
            for candidate in db.session.execute(_duplicate_candidates(listing, set(own), near))
            if candidate.sha256 in own
            or (
                candidate.dhash
                and any(
                    fingerprints.hamming_distance(dhash, int(candidate.dhash, 16))
                    <= DHASH_MAX_DISTANCE
                    for dhash in near
                )
            )
        }
    )
    if not matches:
        return None
    return _flag("duplicate_photo", ", ".join(map(str, matches[:DUPLICATES_SHOWN])))


def _duplicate_candidates(listing: Listing, sha256s: set[str], dhashes: list[int]) -> Select:
    """Other members' photos with one of these SHA-256 or sharing a band with one of these
    hashes, through the indexes."""
    conditions = [ListingPhoto.sha256.in_(sorted(sha256s))]
    for dhash in dhashes:
        for band, value in enumerate(fingerprints.dhash_bands(dhash)):
            if value not in _UNINFORMATIVE_BANDS:
                conditions.append(getattr(ListingPhoto, f"dhash_band{band}") == value)
    return (
        select(ListingPhoto.listing_id, ListingPhoto.sha256, ListingPhoto.dhash)
        .join(Listing, Listing.id == ListingPhoto.listing_id)
        .where(Listing.owner_id != listing.owner_id, or_(*conditions))
        .limit(DUPLICATE_CANDIDATES_MAX)
    )


# --- all the rules -------------------------------------------------------------------------------

LISTING_RULES: tuple[Callable[[Listing], Flag | None], ...] = (
    price_above_cap,
    price_at_cap,
    price_in_text,
    phone_number,
    email_address,
    link,
    other_platform,
    forbidden_word,
    duplicate_photo,
    listing_burst,
    young_account,
)


def listing_flags(listing) -> list[dict[str, Any]]:
    """The flags a listing raises when it is submitted or edited, in the order of
    ``LISTING_RULES``."""
    return [flag for rule in LISTING_RULES if (flag := rule(listing)) is not None]


def explain(flag: dict[str, Any]) -> str:
    """The explanation of a flag for moderators, in the current language (« Numéro de téléphone
    dans le texte : « 06 12 34 56 78 ». »). An unknown code shows its detail as it is."""
    code, detail = str(flag.get("code", "")), str(flag.get("detail") or "")
    if code in _EXPLANATIONS:
        return _EXPLANATIONS[code] % {"detail": detail}
    if code == "listing_burst" and re.fullmatch(r"\d+/\d+", detail):
        count, minutes = map(int, detail.split("/"))
        return ngettext(
            "Rafale d’annonces : %(count)d annonces envoyées en %(num)d minute.",
            "Rafale d’annonces : %(count)d annonces envoyées en %(num)d minutes.",
            minutes,
            count=count,
        )
    if code == "young_account" and detail.isdigit():
        days = int(detail)
        if days == 0:
            return str(_l("Compte récent : créé aujourd’hui."))
        return ngettext(
            "Compte récent : créé il y a %(num)d jour.",
            "Compte récent : créé il y a %(num)d jours.",
            days,
        )
    if code == "duplicate_photo" and detail:
        listings = [number.strip() for number in detail.split(",")]
        return ngettext(
            "Photo identique ou presque à celle d’un autre membre, sur l’annonce n° %(numbers)s.",
            "Photo identique ou presque à celles d’autres membres, sur les annonces n° "
            "%(numbers)s.",
            len(listings),
            numbers=", ".join(listings),
        )
    label = LABELS.get(code)
    if label is not None:
        return f"{label} : {detail}" if detail else str(label)
    return detail or code


# --- fingerprints of photos stored before --------------------------------------------------------


def hash_stored_photos(after_id: int = 0, batch: int = 200) -> tuple[int, int, int]:
    """Fingerprint up to ``batch`` photos without one whose id is above ``after_id``, from their
    stored files; flushes. Returns the last id seen (0 when none was left), how many were
    fingerprinted and how many have no readable file (left without a fingerprint)."""
    photos = db.session.scalars(
        select(ListingPhoto)
        .where(ListingPhoto.sha256.is_(None), ListingPhoto.id > after_id)
        .order_by(ListingPhoto.id)
        .limit(batch)
    ).all()
    filled = missing = 0
    for photo in photos:
        try:
            values = photo_files.stored_photo_columns(photo.key)
        except (ValidationFailed, ValueError):
            missing += 1
            continue
        for column in ("sha256", "dhash", *(f"dhash_band{n}" for n in range(4))):
            setattr(photo, column, values[column])
        filled += 1
    db.session.flush()
    return (photos[-1].id if photos else 0), filled, missing


@moderation_cli.command("hash-photos")
@click.option(
    "--batch", type=click.IntRange(min=1), default=200, show_default=True, help="Photos par lot."
)
def hash_photos_command(batch: int) -> None:
    """Fingerprint the listing photos stored before the duplicate-photo flag (run once after
    upgrading; running it again only handles what is left)."""
    last_id = total = missing_total = 0
    while True:
        with transaction():
            last_id, filled, missing = hash_stored_photos(last_id, batch)
        if last_id == 0:
            break
        total += filled
        missing_total += missing
    click.echo(f"{total} photo(s) ont reçu leur empreinte.")
    if missing_total:
        click.echo(f"{missing_total} photo(s) sans fichier lisible, laissée(s) sans empreinte.")
