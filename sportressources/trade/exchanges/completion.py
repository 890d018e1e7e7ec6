"""The page of one exchange request, for its two parties: where each step ends (a gift received,
a sale handed over, a request declined) and the next step shows (confirm the handover, rate the
other member). A closed listing is visible only to its owner, so the requester cannot be sent
back to it; this page stays theirs whatever becomes of the listing."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from sportressources.accounts.models import User
from sportressources.core.errors import NotFound
from sportressources.core.templating import member_name
from sportressources.listings.owners import owner_name
from sportressources.listings.policies import acts_for_owner
from sportressources.trade.exchanges.models import ExchangeRequest, RequestStatus
from sportressources.trade.exchanges.rules import exchange_rating_by
from sportressources.trade.parties import is_member

OWNER, REQUESTER = "owner", "requester"
NOT_YOURS = _l("Cette demande n’existe pas ou ne vous concerne pas.")


@dataclass(frozen=True)
class ExchangePage:
    """What one party sees of an exchange request and may do next."""

    exchange: ExchangeRequest
    side: str  # "owner" (whoever acts for the listing's owner) or "requester"
    other: User | None  # the requester, or the owner (None for an organisation's listing)
    other_name: str
    has_confirmed: bool
    can_confirm: bool
    can_mark_no_show: bool
    can_rate: bool
    has_rated: bool

    @property
    def is_owner(self) -> bool:
        return self.side == OWNER


def exchange_side(user, exchange: ExchangeRequest) -> str | None:
    """``"owner"`` or ``"requester"`` for a party of the exchange, None for anyone else."""
    if not is_member(user):
        return None
    if acts_for_owner(user, exchange.listing):
        return OWNER
    return REQUESTER if user.id == exchange.requester_id else None


def exchange_page(actor, exchange: ExchangeRequest) -> ExchangePage:
    """The page of ``exchange`` for one of its parties.

    Raises NotFound for anyone else, the same answer as for a missing request.
    """
    side = exchange_side(actor, exchange)
    if side is None:
        raise NotFound(NOT_YOURS)
    listing = exchange.listing
    accepted = exchange.status == RequestStatus.ACCEPTED.value
    completed = exchange.status == RequestStatus.COMPLETED.value
    confirmed_at = exchange.owner_confirmed_at if side == OWNER else exchange.requester_confirmed_at
    has_rated = completed and exchange_rating_by(actor, exchange) is not None
    if side == OWNER:
        other, other_name = exchange.requester, member_name(exchange.requester)
    else:
        other = listing.owner if listing.organisation_id is None else None
        other_name = owner_name(listing)
    return ExchangePage(
        exchange=exchange,
        side=side,
        other=other,
        other_name=other_name,
        has_confirmed=confirmed_at is not None,
        can_confirm=accepted and confirmed_at is None,
        can_mark_no_show=accepted and side == OWNER and exchange.requester_confirmed_at is None,
        can_rate=completed and not has_rated,
        has_rated=has_rated,
    )
