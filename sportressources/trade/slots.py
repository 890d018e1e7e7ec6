"""What trade shows on the pages of lower packages (see core.hooks)."""

from __future__ import annotations

from flask import render_template

from sportressources.trade import ratings
from sportressources.trade.reputation import reliability


def profile_ratings(member, **_context) -> str:
    """« Fiabilité » and « Avis reçus » on a member's public profile: the track record, then the
    latest ratings, each with the slot ``rating.actions`` (``rating``) where a package above
    adds its links (« Signaler »)."""
    return render_template(
        "trade/_profile_ratings.html",
        member=member,
        ratings=ratings.received_by(member),
        figure=reliability(member),
    )
