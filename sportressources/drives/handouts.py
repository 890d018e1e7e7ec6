"""Handouts: an in-stock item given to a beneficiary, recorded with the least personal data that
works (RGPD): a first name or the organisation's reference, an age band, a commune, the
Pass'Sport priority flag. The recipient is erased a year later; the rest stays as statistics.

Functions flush and never commit. Only managers and volunteers of the organisation act.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from sportressources.core.db import db, utcnow
from sportressources.core.errors import ValidationFailed
from sportressources.core.states import apply_transition
from sportressources.core.text import clean_line
from sportressources.drives.inventory import require_in_stock, require_item
from sportressources.drives.models import AgeBand, Handout, InventoryItem
from sportressources.geo.models import Commune
from sportressources.organisations.models import Organisation

RECIPIENT_MAX = 40
# A handout's recipient (a first name or a reference) is erased after this long
# (``flask inventory purge-handouts``); the age band, commune, flag and date stay as statistics
RECIPIENT_RETENTION = timedelta(days=365)
_EMAIL = re.compile(r"\S+@\S+")
_PHONE = re.compile(r"(?:\+33|\b0)\s*[1-9](?:[\s.\-]?\d{2}){4}")
# Letters (accented too), digits, spaces and the punctuation of names and file references
_RECIPIENT_CHARACTERS = re.compile(r"[\w\s'’.\-/#]+")


@dataclass(frozen=True)
class HandoutData:
    recipient: str
    age_band: str
    commune_insee: str | None = None
    pass_sport: bool = False


def _checked_recipient(value: str) -> str:
    recipient = clean_line(value)
    if not recipient:
        raise ValidationFailed(
            {"recipient": _l("Indiquez un prénom ou une référence de votre organisation.")}
        )
    if len(recipient) > RECIPIENT_MAX:
        raise ValidationFailed(
            {
                "recipient": _l(
                    "%(limit)s caractères au plus : un prénom ou une référence suffit.",
                    limit=RECIPIENT_MAX,
                )
            }
        )
    if _EMAIL.search(recipient) or _PHONE.search(recipient):
        raise ValidationFailed(
            {
                "recipient": _l(
                    "Pas d’adresse e-mail ni de numéro de téléphone : un prénom ou une référence "
                    "suffit."
                )
            }
        )
    if not _RECIPIENT_CHARACTERS.fullmatch(recipient):
        raise ValidationFailed(
            {
                "recipient": _l(
                    "Lettres, chiffres, espaces, tirets, apostrophes, points et barres obliques "
                    "seulement."
                )
            }
        )
    if len(recipient.split()) > 2:
        raise ValidationFailed(
            {
                "recipient": _l(
                    "Un prénom ou une référence seulement, pas de nom de famille : deux mots au "
                    "plus."
                )
            }
        )
    return recipient


def record_handout(
    actor, organisation: Organisation, item: InventoryItem, data: HandoutData
) -> Handout:
    """Record that an in-stock item was handed to a beneficiary: a first name or reference (at
    most 40 characters, two words, no e-mail or phone number), an age band, a commune of the
    territory (optional) and the Pass'Sport priority flag. The item leaves the inventory.

    Raises Forbidden, NotFound (another organisation's item), Conflict (not in stock) or
    ValidationFailed naming each bad field.
    """
    require_item(actor, item, organisation)
    require_in_stock(item)
    errors: dict = {}
    try:
        recipient = _checked_recipient(data.recipient)
    except ValidationFailed as error:
        errors.update(error.fields)
        recipient = ""
    if data.age_band not in {band.value for band in AgeBand}:
        errors["age_band"] = _l("Choisissez une tranche d’âge dans la liste.")
    commune_insee = data.commune_insee or None
    if commune_insee is not None and db.session.get(Commune, commune_insee) is None:
        errors["commune"] = _l("Choisissez une commune dans la liste.")
    if errors:
        raise ValidationFailed(errors)
    handout = Handout(
        organisation_id=organisation.id,
        inventory_item_id=item.id,
        recipient=recipient,
        age_band=data.age_band,
        commune_insee=commune_insee,
        pass_sport=bool(data.pass_sport),
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(handout)
    apply_transition(item, "hand_out", actor=actor)
    db.session.flush()
    return handout


def purge_handout_recipients(now: datetime | None = None) -> int:
    """Erase the recipient of handouts older than ``RECIPIENT_RETENTION`` (the rest stays, as
    anonymous statistics); returns how many were erased. Run daily by
    ``flask inventory purge-handouts``."""
    cutoff = (now or utcnow()) - RECIPIENT_RETENTION
    result = db.session.execute(
        update(Handout)
        .where(Handout.handed_at < cutoff, Handout.recipient != "")
        .values(recipient="")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount or 0
