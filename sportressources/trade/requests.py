"""A member's requests for gear, exchanges and loans alike: those they made (« Mes demandes »)
and those received for the listings they act for (« Demandes reçues »), each row with the page
where its two parties follow it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sportressources.core.db import db
from sportressources.core.templating import member_name
from sportressources.listings.models import Listing
from sportressources.listings.owners import managed_by, owner_name
from sportressources.trade.exchanges import queries as exchange_queries
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.loans import queries as loan_queries
from sportressources.trade.loans.models import Loan
from sportressources.trade.loans.services import STATUS_LABELS as LOAN_STATUS_LABELS

KIND_LABELS: dict[str, LazyString] = {
    "gift": _l("Don"),
    "sale": _l("Vente"),
    "loan": _l("Prêt"),
}


@dataclass(frozen=True)
class RequestRow:
    """One request of either kind, as the lists show it."""

    kind: str  # "exchange" or "loan"
    id: int
    status: str
    status_label: LazyString
    listing: Listing
    other_name: str
    made_at: datetime
    url: str  # the request's page, for both parties

    @property
    def kind_label(self) -> LazyString:
        return KIND_LABELS.get(self.listing.kind, KIND_LABELS["gift"])


def _exchange_row(item: ExchangeRequest, *, made: bool) -> RequestRow:
    return RequestRow(
        kind="exchange",
        id=item.id,
        status=item.status,
        status_label=exchange_queries.STATUS_LABELS[item.status],
        listing=item.listing,
        other_name=owner_name(item.listing) if made else member_name(item.requester),
        made_at=item.created_at,
        url=url_for("exchanges.detail", request_id=item.id),
    )


def _loan_row(loan: Loan, *, made: bool) -> RequestRow:
    return RequestRow(
        kind="loan",
        id=loan.id,
        status=loan.status,
        status_label=LOAN_STATUS_LABELS[loan.status],
        listing=loan.listing,
        other_name=owner_name(loan.listing) if made else member_name(loan.borrower),
        made_at=loan.requested_at,
        url=url_for("loans.detail", loan_id=loan.id),
    )


def _newest_first(rows: list[RequestRow]) -> list[RequestRow]:
    return sorted(rows, key=lambda row: (row.made_at, row.kind, row.id), reverse=True)


def requests_made(user) -> list[RequestRow]:
    """Every request ``user`` made, exchanges and loans (those borrowed for an organisation
    they act for included), newest first."""
    return _newest_first(
        [_exchange_row(item, made=True) for item in exchange_queries.requests_made_by(user)]
        + [_loan_row(loan, made=True) for loan in loan_queries.loans_as_borrower(user)]
    )


def exchange_requests_received(user) -> list[ExchangeRequest]:
    """Every request, whatever its status, for the listings ``user`` acts for the owner of."""
    return list(
        db.session.scalars(
            select(ExchangeRequest)
            .join(ExchangeRequest.listing)
            .where(managed_by(user.id))
            .options(
                joinedload(ExchangeRequest.listing).joinedload(Listing.organisation),
                joinedload(ExchangeRequest.requester),
            )
        )
    )


def requests_received(user) -> list[RequestRow]:
    """Every request received for the listings ``user`` acts for (their own and their
    organisations'), exchanges and loans, newest first."""
    return _newest_first(
        [_exchange_row(item, made=False) for item in exchange_requests_received(user)]
        + [_loan_row(loan, made=False) for loan in loan_queries.loans_as_lender(user)]
    )
