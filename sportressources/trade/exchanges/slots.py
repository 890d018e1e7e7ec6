"""What exchanges show on the pages of lower packages (see core.hooks)."""

from __future__ import annotations

from flask import get_template_attribute, render_template
from flask_login import current_user

from sportressources.trade.exchanges import queries
from sportressources.trade.reputation import reliability as member_reliability


def owner_reliability(listing, **_context) -> str:
    reliability = get_template_attribute("exchanges/_reliability.html", "reliability")
    return reliability(member_reliability(listing.owner))


def listing_actions(listing, **_context) -> str:
    exchange_actions = get_template_attribute("exchanges/_listing_actions.html", "exchange_actions")
    return exchange_actions(listing, current_user)


def my_space_sections(**_context) -> str:
    return render_template(
        "exchanges/_my_space_sections.html",
        requests_received=queries.requests_received_by(current_user),
        requests_made=queries.requests_made_by(current_user),
    )
