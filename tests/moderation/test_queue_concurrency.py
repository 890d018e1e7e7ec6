"""Two moderators deciding one case at the same moment, on SQLite and PostgreSQL: the first
decision is applied once, the second is told who decided what, and nothing is written twice (one
statement of reasons, one audit row, one notice to the author)."""

from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.core.audit import AuditEntry
from sportressources.core.db import db
from sportressources.core.errors import Conflict
from sportressources.listings.models import Listing
from sportressources.moderation import decisions
from sportressources.moderation.models import ModerationCase
from tests.concurrency import in_threads, responses_at_once
from tests.factories import make_user
from tests.fixtures.web import text
from tests.moderation.queue_helpers import (
    GROUND,
    count,
    decide_rows,
    message_between,
    notices_of,
    reported,
    statements_of,
    submitted_listing,
)

LABELS = {"reject": "annonce refusée", "request_changes": "modification demandée"}


def deciding(moderator_id: int, case_id: int, decision: str, note: str):
    def action():
        moderator = db.session.get(User, moderator_id)
        return decisions.decide(moderator, case_id, decision, note, GROUND).decision

    return action


def test_two_moderators_deciding_a_listing_at_once_apply_one_decision(app, owner, outbox):
    first = make_user(display_name="Modo Un", role="moderator")
    second = make_user(display_name="Modo Deux", role="moderator")
    listing, case = submitted_listing(owner)

    results = in_threads(
        app,
        [
            deciding(first.id, case.id, "reject", "Numéro de téléphone."),
            deciding(second.id, case.id, "request_changes", "Ajoutez une photo."),
        ],
    )

    winners = [result for result in results if isinstance(result, str)]
    [loser] = [result for result in results if isinstance(result, Conflict)]
    assert len(winners) == 1
    winner_name = "Modo Un" if winners == ["reject"] else "Modo Deux"
    assert str(loser).startswith(f"Déjà traité par {winner_name} le ")
    assert str(loser).endswith(f": {LABELS[winners[0]]}.")

    decided = db.session.get(ModerationCase, case.id, populate_existing=True)
    assert (decided.status, decided.decision) == ("decided", winners[0])
    status = db.session.get(Listing, listing.id, populate_existing=True).status
    assert status == {"reject": "rejected", "request_changes": "changes_requested"}[winners[0]]
    assert len(statements_of(case)) == 1
    assert decide_rows(case) == 1
    listing_rows = count(
        AuditEntry,
        AuditEntry.target_type == "listing",
        AuditEntry.target_id == listing.id,
        AuditEntry.action.in_(("listing.reject", "listing.request_changes")),
    )
    assert listing_rows == 1
    assert notices_of(owner) == 1
    assert len(outbox.to(owner.email)) == 1


def test_two_moderators_removing_a_message_at_once_remove_it_once(app, owner, asker):
    first = make_user(display_name="Modo Un", role="moderator")
    second = make_user(display_name="Modo Deux", role="moderator")
    message = message_between(asker, owner)
    case = reported("message", message.id, asker)

    results = in_threads(
        app,
        [
            deciding(first.id, case.id, "remove", "Menaces."),
            deciding(second.id, case.id, "remove", "Menaces graves."),
        ],
    )

    assert sorted(type(result).__name__ for result in results) == ["Conflict", "str"]
    [loser] = [result for result in results if isinstance(result, Conflict)]
    assert "Déjà traité par Modo" in str(loser) and str(loser).endswith(": contenu retiré.")
    assert len(statements_of(case)) == 1 and decide_rows(case) == 1
    removals = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.target_type == "message", AuditEntry.target_id == message.id
        )
    ).all()
    assert [entry.action for entry in removals] == ["message.remove"]
    assert notices_of(asker, "moderation_statement") == 1


def test_two_moderators_posting_at_once_through_the_pages(app, owner, client_for, outbox):
    first = make_user(display_name="Modo Un", role="moderator")
    second = make_user(display_name="Modo Deux", role="moderator")
    listing, case = submitted_listing(owner)
    tabs = [client_for(first), client_for(second)]
    path = f"/moderation/file/{case.id}/decision"  # read here: the test's session is its own
    responses = responses_at_once(
        app,
        [
            (tab, path, {"decision": decision, "note": "Les faits.", "ground": GROUND})
            for tab, decision in zip(tabs, ("reject", "request_changes"), strict=True)
        ],
    )

    assert [responses[i].status_code for i in (0, 1)] == [303, 303]
    pages = [text(tab.get(responses[i].headers["Location"])) for i, tab in enumerate(tabs)]
    told = [page for page in pages if "Déjà traité par Modo" in page]
    recorded = [page for page in pages if "Décision enregistrée" in page]
    assert len(told) == 1 and len(recorded) == 1
    assert len(statements_of(case)) == 1 and decide_rows(case) == 1
    assert notices_of(owner) == 1 and len(outbox.to(owner.email)) == 1
    assert db.session.get(Listing, listing.id).status in {"rejected", "changes_requested"}
