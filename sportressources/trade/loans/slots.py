"""What loans show on the pages of lower packages (see core.hooks)."""

from __future__ import annotations

from flask import get_template_attribute, render_template
from flask_login import current_user

from sportressources.listings.owners import organisation_listings
from sportressources.trade.loans.policies import is_loan_listing
from sportressources.trade.loans.queries import organisation_loan_figures
from sportressources.trade.reputation import organisation_ratings


def listing_section(listing, **_context) -> str:
    if not is_loan_listing(listing):
        return ""
    loan_section = get_template_attribute("loans/_listing_loan.html", "loan_section")
    return loan_section(listing, current_user)


def organisation_section(organisation, viewer=None, **_context) -> str:
    """An organisation's gear on its public page: gifts and sales, lendable items, and the
    figure « objets prêtés » (slot ``organisation.sections``)."""
    listings = organisation_listings(organisation.id)
    return render_template(
        "listings/_organisation_section.html",
        organisation=organisation,
        viewer=viewer,
        offered=[listing for listing in listings if not is_loan_listing(listing)],
        lendable=[listing for listing in listings if is_loan_listing(listing)],
        figures=organisation_loan_figures(organisation.id),
        ratings=organisation_ratings(organisation.id),
    )
