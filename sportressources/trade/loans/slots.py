"""What loans show on the pages of lower packages (see core.hooks)."""

from __future__ import annotations

from flask import get_template_attribute
from flask_login import current_user

from sportressources.trade.loans.policies import is_loan_listing


def listing_section(listing, **_context) -> str:
    if not is_loan_listing(listing):
        return ""
    loan_section = get_template_attribute("loans/_listing_loan.html", "loan_section")
    return loan_section(listing, current_user)
