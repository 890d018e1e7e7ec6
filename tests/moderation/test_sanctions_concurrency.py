"""Two moderators sanctioning one member at the same moment, on both databases: one decision
applies, the other is told, nothing is done or told twice."""

from datetime import timedelta

from sqlalchemy import func, select

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.moderation.models import Sanction, Statement
from sportressources.trade.exchanges import services as exchanges
from tests.concurrency import post_at_once
from tests.factories import committed, fresh, make_listing, make_user


def test_two_moderators_suspending_one_member_at_once_apply_one_suspension(
    app, moderator, resident, asker, client_for, outbox
):
    other = make_user(email="modo2@example.org", display_name="Autre modo", role="moderator")
    listing = make_listing(owner=resident, title="Vélo enfant 20 pouces")
    committed(exchanges.request_item(asker, listing, "Bonjour"))
    until = (paris_today() + timedelta(days=5)).isoformat()
    data = {"suspend-rule": "5.1", "suspend-reason": "Propos injurieux.", "suspend-until": until}
    path = f"/moderation/membres/{resident.id}/suspendre"

    statuses = post_at_once(app, [(client_for(who), path, data) for who in (moderator, other)])

    assert sorted(statuses) == [303, 409]
    assert db.session.scalar(select(func.count()).select_from(Sanction)) == 1
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 1
    assert fresh(listing).status == "hidden"
    statements = [m for m in outbox.to(resident.email) if "décision de modération" in m.subject]
    assert len(statements) == 1
    assert len([m for m in outbox.to(asker.email) if "annulée" in m.subject]) == 1
