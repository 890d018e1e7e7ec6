"""Deciding a case without HTTP: every decision on every kind of item, what the author is told,
the statement of reasons, the audit trail, the checks of the decision, the first decision
winning, and undoing a decision when an appeal is granted."""

import pytest
from flask_babel import force_locale
from flask_login import AnonymousUserMixin

from sportressources.accounts.models import User
from sportressources.core.audit import entries_for
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.listings import services as listings
from sportressources.listings.models import Listing
from sportressources.messaging import services as messaging
from sportressources.messaging.models import Message
from sportressources.moderation import decisions, dsa, queue
from sportressources.moderation.models import ModerationCase
from sportressources.notifications import services as notifications
from sportressources.trade.models import Rating
from sportressources.trade.reputation import reliability
from tests.factories import committed, make_listing, make_user
from tests.listings.helpers import listing_data, stored_photo
from tests.moderation.queue_helpers import (
    FACTS,
    GROUND,
    decide_rows,
    message_between,
    notices_of,
    rating_of,
    reported,
    statements_of,
    submitted_listing,
)


def fields_of(error: ValidationFailed) -> dict[str, str]:
    return {name: " ".join(str(m) for m in messages) for name, messages in error.fields.items()}


# --- listings awaiting review ---------------------------------------------------------------------


def test_approving_publishes_the_listing_and_tells_its_owner(app, owner, moderator, outbox):
    listing, case = submitted_listing(owner, title="Vélo enfant 20 pouces")
    committed(decisions.decide(moderator, case.id, "approve"))

    assert (listing.status, case.status, case.decision) == ("published", "decided", "approve")
    assert case.decided_by_id == moderator.id and case.decided_at is not None
    assert statements_of(case) == []  # nothing restricted: no statement of reasons
    assert [mail.subject for mail in outbox.to(owner.email)] == ["Votre annonce est publiée"]
    assert decide_rows(case) == 1
    assert [entry.action for entry in entries_for("listing", listing.id)][-1] == "listing.approve"


def test_refusing_gives_the_owner_a_statement_of_reasons(app, owner, moderator, outbox):
    listing, case = submitted_listing(owner, title="Vélo enfant 20 pouces")
    committed(decisions.decide(moderator, case.id, "reject", FACTS, GROUND))

    assert (listing.status, listing.review_note) == ("rejected", FACTS)
    [statement] = statements_of(case)
    assert (statement.decision, statement.member_id, statement.decided_by_id) == (
        "reject",
        owner.id,
        moderator.id,
    )
    assert (statement.terms_rule, statement.facts) == ("3.4", FACTS)
    assert statement.visibility == dsa.VISIBILITY_DISABLED
    assert statement.source_type == dsa.SOURCE_VOLUNTARY and not statement.automated_detection
    [mail] = outbox.to(owner.email)
    assert mail.subject == "Une décision de modération vous concerne"
    assert FACTS in mail.text and "règle 3.4" in mail.text
    assert notices_of(owner, "moderation_statement") == 1
    assert case.decision_note == FACTS
    [decided] = [e for e in entries_for("moderation_case", case.id) if e.action.endswith("decide")]
    assert (decided.actor_id, decided.reason) == (moderator.id, FACTS)
    assert decided.details == {"decision": "reject", "ground": GROUND}


def test_a_refusal_reaches_an_english_speaking_owner_in_english(app, moderator, outbox):
    owner = make_user(email="owner.en@example.org", locale="en")
    listing, case = submitted_listing(owner, title="Ballon de handball taille 2")
    committed(decisions.decide(moderator, case.id, "reject", "Photo floue.", "rule:3.1"))

    with force_locale("en"):
        shown, _more = notifications.list_notifications(owner)
        [notice] = [item.message for item in shown]
    assert "Ballon de handball taille 2" in notice and "moderation" in notice.lower()
    [mail] = outbox.to(owner.email)
    assert "Photo floue." in mail.text


def test_asking_for_changes_lets_the_owner_edit_and_resubmit(app, owner, moderator):
    listing, case = submitted_listing(owner)
    committed(
        decisions.decide(moderator, case.id, "request_changes", "Photo de la semelle.", "rule:3.1")
    )
    assert listing.status == "changes_requested"
    assert queue.open_case_for("listing", listing.id) is None
    [statement] = statements_of(case)
    assert statement.decision == "request_changes"

    committed(listings.update_listing(owner, listing, listing_data(photo_keys=[stored_photo()])))

    assert listing.status == "awaiting_review"
    again = queue.open_case_for("listing", listing.id)
    assert again.reason == "resubmitted" and again.previous_case_id == case.id
    assert again.previous_case.decision == "request_changes"
    assert again.previous_case.decision_note == "Photo de la semelle."


# --- items already public -------------------------------------------------------------------------


def test_a_reported_listing_is_kept_or_removed(app, owner, moderator, outbox):
    kept = make_listing(owner=owner, title="Crampons 38")
    case = reported("listing", kept.id, owner)
    committed(decisions.decide(moderator, case.id, "dismiss"))
    assert (kept.status, case.decision) == ("published", "dismiss")
    assert statements_of(case) == [] and outbox.to(owner.email) == []

    taken = make_listing(owner=owner, title="Maillot contrefait")
    case = reported("listing", taken.id, owner, reason="illegal:counterfeit")
    committed(decisions.decide(moderator, case.id, "remove", "Logo imité.", "illegal:counterfeit"))
    assert taken.status == "removed"
    [statement] = statements_of(case)
    assert statement.visibility == dsa.VISIBILITY_REMOVED
    assert statement.ground == dsa.DECISION_GROUND_ILLEGAL and statement.legal_ground
    assert statement.source_type == dsa.SOURCE_ARTICLE_16  # it came from a report
    assert taken.review_note == "Logo imité."


def test_a_flagged_case_says_automated_means_were_used(app, owner, moderator):
    listing, case = submitted_listing(owner)
    flagged = committed(
        queue.open_case(
            "listing",
            listing.id,
            author_id=owner.id,
            reason="new",
            flags=[{"code": "contact_details", "detail": "06 12 34 56 78"}],
        )
    )
    assert flagged.id == case.id
    committed(decisions.decide(moderator, case.id, "reject", FACTS, GROUND))
    [statement] = statements_of(case)
    assert statement.automated_detection is True


def test_a_removed_message_shows_as_removed_to_both_sides(app, owner, asker, moderator):
    message = message_between(asker, owner)
    case = reported("message", message.id, asker)
    committed(decisions.decide(moderator, case.id, "remove", "Menaces.", "illegal:harassment"))

    db.session.refresh(message)
    assert message.removed_at is not None
    conversation = message.conversation
    for side in (owner, asker):
        [summary] = messaging.conversations_of(side)
        assert summary.preview == "Message retiré par la modération"
        assert messaging.messages_in(side, conversation)[0].removed_at is not None
    [statement] = statements_of(case)
    assert (statement.member_id, statement.target_type) == (asker.id, "message")
    assert [e.action for e in entries_for("message", message.id)] == ["message.remove"]


def test_a_reported_message_can_be_kept(app, owner, asker, moderator):
    message = message_between(asker, owner, body="Bonjour, le vélo est-il disponible ?")
    case = reported("message", message.id, asker)
    committed(decisions.decide(moderator, case.id, "dismiss"))
    assert db.session.get(Message, message.id).removed_at is None
    assert statements_of(case) == []


def test_a_removed_profile_name_becomes_neutral(app, moderator):
    member = make_user(display_name="Arnaqueur du 62")
    case = reported("profile", member.id, member, reason="rule:2.2")
    committed(decisions.decide(moderator, case.id, "remove", "Nom trompeur.", "rule:2.2"))

    assert member.display_name == f"Membre n°{member.id}"
    [entry] = [e for e in entries_for("user", member.id) if e.action == "profile.reset_name"]
    assert entry.details["display_name"] == "Arnaqueur du 62"
    [statement] = statements_of(case)
    assert statement.member_id == member.id
    # A neutral name has nothing left to remove
    case = reported("profile", member.id, member)
    assert decisions.allowed_decisions(case, member) == ("dismiss",)


def test_a_removed_rating_comment_keeps_its_score(app, owner, asker, moderator):
    rating = rating_of(asker, owner, score=2)
    before = reliability(owner)
    case = reported("rating", rating.id, asker)
    committed(decisions.decide(moderator, case.id, "remove", "Insultes.", "rule:5.1"))

    rating = db.session.get(Rating, rating.id)
    assert rating.comment_removed_at is not None
    assert reliability(owner) == before  # the score still counts
    [statement] = statements_of(case)
    assert (statement.member_id, statement.target_type) == (asker.id, "rating")
    assert [e.action for e in entries_for("rating", rating.id)] == ["rating.remove_comment"]


@pytest.mark.parametrize("target", ["message", "profile", "rating"])
def test_only_listings_awaiting_review_are_approved_refused_or_sent_back(
    app, owner, asker, moderator, target
):
    item_id = {
        "message": lambda: message_between(asker, owner).id,
        "profile": lambda: asker.id,
        "rating": lambda: rating_of(asker, owner).id,
    }[target]()
    case = reported(target, item_id, asker)
    for decision in ("approve", "reject", "request_changes"):
        with pytest.raises(ValidationFailed) as error:
            decisions.decide(moderator, case.id, decision, FACTS, GROUND)
        assert "pas possible pour cet élément" in fields_of(error.value)["decision"]
        db.session.rollback()
    assert db.session.get(ModerationCase, case.id).status == "open"


# --- the checks -----------------------------------------------------------------------------------


def test_a_restriction_needs_facts_and_a_ground(app, owner, moderator):
    listing, case = submitted_listing(owner)
    for decision in ("reject", "request_changes"):
        with pytest.raises(ValidationFailed) as error:
            decisions.decide(moderator, case.id, decision, "  \n ", "")
        fields = fields_of(error.value)
        assert fields["note"].startswith("Décrivez les faits")
        assert fields["ground"].startswith("Choisissez le motif")
        db.session.rollback()
    with pytest.raises(ValidationFailed) as error:
        decisions.decide(moderator, case.id, "reject", "x" * 2001, "rule:99.9")
    fields = fields_of(error.value)
    assert "2000 caractères (il en compte 2001)" in fields["note"]
    assert fields["ground"].startswith("Choisissez le motif")
    db.session.rollback()
    assert db.session.get(Listing, listing.id).status == "awaiting_review"
    assert db.session.get(ModerationCase, case.id).status == "open"


@pytest.mark.parametrize("decision", ["", "explode", "APPROVE", None, "approve\x00"])
def test_an_unknown_decision_is_refused(app, owner, moderator, decision):
    _listing, case = submitted_listing(owner)
    with pytest.raises(ValidationFailed) as error:
        decisions.decide(moderator, case.id, decision)
    assert fields_of(error.value) == {"decision": "Choisissez une décision dans la liste."}


def test_control_characters_are_cleaned_from_the_facts(app, owner, moderator):
    listing, case = submitted_listing(owner)
    committed(decisions.decide(moderator, case.id, "reject", "Photo\x00 floue\u202e.", GROUND))
    assert listing.review_note == "Photo floue." and case.decision_note == "Photo floue."


def test_only_moderators_decide_and_only_existing_cases(app, owner, resident, moderator, admin):
    _listing, case = submitted_listing(owner)
    for intruder in (resident, owner, AnonymousUserMixin(), None):
        with pytest.raises(Forbidden):
            decisions.decide(intruder, case.id, "approve")
    with pytest.raises(NotFound):
        decisions.decide(moderator, 2**31 - 1, "approve")
    committed(decisions.decide(admin, case.id, "approve"))  # admins moderate too


def test_the_second_decision_is_told_who_decided_what_and_when(app, owner, moderator, outbox):
    other = make_user(display_name="Modo Deux", role="moderator")
    listing, case = submitted_listing(owner)
    committed(decisions.decide(moderator, case.id, "reject", FACTS, GROUND))

    with pytest.raises(Conflict) as error:
        decisions.decide(other, case.id, "approve")
    message = str(error.value)
    assert message.startswith("Déjà traité par Modo le ")
    assert message.endswith(": annonce refusée.")
    db.session.rollback()
    assert db.session.get(Listing, listing.id).status == "rejected"
    assert len(statements_of(case)) == 1 and decide_rows(case) == 1
    assert len(outbox.to(owner.email)) == 1


def test_a_listing_withdrawn_meanwhile_cannot_be_decided(app, owner, moderator):
    listing, case = submitted_listing(owner)
    committed(listings.withdraw_listing(owner, listing))
    with pytest.raises(Conflict, match="a quitté la file avant une décision"):
        decisions.decide(moderator, case.id, "approve")


def test_a_listing_decided_outside_the_queue_leaves_it(app, owner):
    listing, case = submitted_listing(owner)
    assert case.status == "open"
    published = make_listing(owner=owner)  # submitted then approved by the factories
    assert queue.open_case_for("listing", published.id) is None
    assert db.session.get(ModerationCase, case.id).status == "open"
    assert listing.status == "awaiting_review"


# --- undoing a decision (an appeal was granted) --------------------------------------------------


def test_reversing_puts_each_kind_of_item_back(app, owner, asker, moderator):
    removed = make_listing(owner=owner)
    listing_case = reported("listing", removed.id, owner)
    committed(decisions.decide(moderator, listing_case.id, "remove", FACTS, GROUND))
    message = message_between(asker, owner)
    message_case = reported("message", message.id, asker)
    committed(decisions.decide(moderator, message_case.id, "remove", "Menaces.", "rule:5.1"))
    member = make_user(display_name="Nom Douteux")
    profile_case = reported("profile", member.id, member)
    committed(decisions.decide(moderator, profile_case.id, "remove", "Nom.", "rule:2.2"))
    rating = rating_of(asker, owner)
    rating_case = reported("rating", rating.id, asker)
    committed(decisions.decide(moderator, rating_case.id, "remove", "Insultes.", "rule:5.1"))

    reviewer = make_user(display_name="Modo Appel", role="moderator")
    for case in (listing_case, message_case, profile_case, rating_case):
        [statement] = statements_of(case)
        committed(decisions.reverse_decision(reviewer, statement))

    assert db.session.get(Listing, removed.id).status == "published"
    assert db.session.get(Message, message.id).removed_at is None
    assert db.session.get(User, member.id).display_name == "Nom Douteux"
    assert db.session.get(Rating, rating.id).comment_removed_at is None
    assert [e.action for e in entries_for("message", message.id)] == [
        "message.remove",
        "message.restore",
    ]
    assert entries_for("listing", removed.id)[-1].action == "listing.reinstate"
    assert entries_for("listing", removed.id)[-1].actor_id == reviewer.id


def test_reversing_respects_what_the_member_did_since(app, owner, moderator):
    listing, case = submitted_listing(owner)
    committed(decisions.decide(moderator, case.id, "reject", FACTS, GROUND))
    committed(listings.update_listing(owner, listing, listing_data(photo_keys=[stored_photo()])))
    member = make_user(display_name="Nom Douteux")
    profile_case = reported("profile", member.id, member)
    committed(decisions.decide(moderator, profile_case.id, "remove", "Nom.", "rule:2.2"))
    member.display_name = "Nom Choisi Ensuite"
    db.session.commit()

    committed(decisions.reverse_decision(moderator, statements_of(case)[0]))
    committed(decisions.reverse_decision(moderator, statements_of(profile_case)[0]))

    assert listing.status == "awaiting_review"  # the new version waits for its own review
    assert db.session.get(User, member.id).display_name == "Nom Choisi Ensuite"
