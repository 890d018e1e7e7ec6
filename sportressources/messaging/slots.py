"""What messaging shows on the pages of lower packages (see core.hooks)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from sportressources.core.templating import member_name
from sportressources.listings.owners import owner_name
from sportressources.listings.policies import acts_for_owner
from sportressources.messaging import services


def my_space_section(**_context) -> str:
    return render_template(
        "messages/_my_space_section.html", conversations=services.conversations_of(current_user)
    )


def _write_button(action: str, name: str) -> str:
    return render_template("messages/_write_button.html", action=action, name=name)


def exchange_write_button(exchange, **_context) -> str:
    """« Écrire à <name> » on an exchange's page (slot ``exchange.actions``), for its two
    parties only."""
    listing = exchange.listing
    if not current_user.is_authenticated:
        return ""
    if acts_for_owner(current_user, listing):
        name = member_name(exchange.requester)
    elif current_user.id == exchange.requester_id:
        name = owner_name(listing)
    else:
        return ""
    return _write_button(url_for("messages.start_for_request", request_id=exchange.id), name)


def loan_write_button(loan, **_context) -> str:
    """« Écrire à <name> » on a loan's page (slot ``loan.actions``), for the lender's side and
    the borrower only."""
    listing = loan.listing
    if not current_user.is_authenticated:
        return ""
    if acts_for_owner(current_user, listing):
        name = member_name(loan.borrower)
    elif current_user.id == loan.borrower_id:
        name = owner_name(listing)
    else:
        return ""
    return _write_button(url_for("messages.start_for_loan", loan_id=loan.id), name)
