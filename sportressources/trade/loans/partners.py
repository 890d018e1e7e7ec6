"""« Prêt entre clubs et communes »: a member of a verified organisation borrows in its name,
and an organisation's listing may lend to verified organisations without deposit and for longer
(``terms.partner_terms``). The borrowing organisation's members follow the loan
(``policies.follows_for_borrowing_organisation``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sportressources.core.db import db
from sportressources.core.errors import ValidationFailed
from sportressources.listings.models import Listing
from sportressources.organisations.models import Organisation
from sportressources.organisations.queries import is_member as is_org_member
from sportressources.organisations.queries import organisations_of


def borrowing_organisations(user, listing: Listing) -> list[Organisation]:
    """The organisations ``user`` may borrow ``listing`` for: verified ones they act for now,
    but the lending organisation."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [
        organisation
        for organisation in organisations_of(user.id, verified_only=True)
        if organisation.id != listing.organisation_id
    ]


def check_borrowing_organisation(actor, listing: Listing, organisation_id: int) -> None:
    """Check that ``actor`` may borrow ``listing`` in the name of the organisation: a verified
    one they act for now, other than the lending organisation. Raises ValidationFailed on
    ``borrow_as``."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not is_org_member(actor.id, organisation_id):
        message = _l(
            "Vous n’êtes pas membre de cette organisation : vous ne pouvez pas emprunter en son "
            "nom."
        )
    elif not organisation.is_verified:
        message = _l(
            "Seule une organisation vérifiée par l’équipe du site peut emprunter en son nom."
        )
    elif organisation_id == listing.organisation_id:
        message = _l("Ce matériel est celui de votre organisation : elle ne se le prête pas.")
    else:
        return
    raise ValidationFailed({"borrow_as": message})
