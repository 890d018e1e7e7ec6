"""Sanctions as services: who may warn, suspend, ban and lift; what each checks; what a suspension
does to the member's account, listings, requests and loans (and who is told); how it ends."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sportressources.accounts import personal_data
from sportressources.accounts.models import MemberSession
from sportressources.accounts.sessions import start_session
from sportressources.core.audit import AuditEntry
from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.security import Role
from sportressources.core.states import apply_transition
from sportressources.listings.models import Listing
from sportressources.listings.search.params import SearchParams
from sportressources.listings.search.query import search_listings
from sportressources.moderation import sanctions
from sportressources.moderation.models import Sanction, Statement
from sportressources.notifications.models import Notification
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.loans import handovers, terms
from sportressources.trade.loans import services as loans
from sportressources.trade.loans.checklists import checklist_for
from tests.factories import committed, fresh, make_listing, make_user

REASON = "Annonces en double publiées à la chaîne malgré deux rappels."


def in_days(days: int) -> date:
    return paris_today() + timedelta(days=days)


def suspend(moderator, member, days: int = 7, **kwargs):
    return committed(
        sanctions.suspend_member(moderator, member, in_days(days), REASON, "3.6", **kwargs)
    )


def found(title_word: str) -> list[str]:
    return [hit.listing.title for hit in search_listings(SearchParams(q=title_word)).hits]


def sanctions_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Sanction))


def notices(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


# --- who may -------------------------------------------------------------------------------------


def test_a_moderator_warns_a_member_who_gets_the_statement(moderator, resident, outbox):
    sanction = committed(sanctions.warn_member(moderator, resident, f"  {REASON}  ", "3.6"))

    assert (sanction.kind, sanction.status, sanction.reason) == ("warning", "active", REASON)
    assert (sanction.terms_rule, sanction.created_by_id) == ("3.6", moderator.id)
    statement = db.session.scalar(select(Statement).where(Statement.sanction_id == sanction.id))
    assert (statement.decision, statement.target_type, statement.target_id) == (
        "warning",
        "profile",
        resident.id,
    )
    assert statement.terms_rule == "3.6" and statement.facts == REASON
    assert "Une décision de modération vous concerne" in outbox.last(resident.email).subject
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor_id == moderator.id)
    ).all()
    assert "sanction.create" in actions and "statement.issue" in actions
    # A warning restricts nothing
    assert fresh(resident).suspended_until is None and resident.banned_at is None


@pytest.mark.parametrize("kind", ["warning", "suspension", "ban"])
def test_a_resident_sanctions_nobody(resident, other_resident, kind):
    with pytest.raises(Forbidden, match="Seule l’équipe de modération"):
        _decide(kind, resident, other_resident)
    assert sanctions_count() == 0


@pytest.mark.parametrize("kind", ["warning", "suspension", "ban"])
def test_nobody_sanctions_themselves(moderator, admin, kind):
    for who in (moderator, admin):
        with pytest.raises(Forbidden, match="vous sanctionner vous-même"):
            _decide(kind, who, who)
    assert sanctions_count() == 0


@pytest.mark.parametrize("kind", ["warning", "suspension"])
def test_an_admin_cannot_be_sanctioned_not_even_by_another_admin(moderator, admin, kind):
    other_admin = make_user(email="admin2@example.org", role=Role.ADMIN)
    for who in (moderator, other_admin):
        with pytest.raises(Forbidden, match="Un administrateur ne peut pas être sanctionné"):
            _decide(kind, who, admin)
    assert sanctions_count() == 0


def test_only_admins_ban(moderator, admin, resident, other_resident):
    with pytest.raises(Forbidden, match="Seul un administrateur peut fermer un compte"):
        sanctions.ban_member(moderator, resident, REASON, "5.4")
    ban = committed(sanctions.ban_member(admin, resident, REASON, "5.4"))
    assert ban.kind == "ban" and fresh(resident).banned_at is not None
    # An admin may sanction a moderator; a moderator may warn and suspend a resident
    assert committed(sanctions.warn_member(admin, moderator, REASON, "5.1")).kind == "warning"
    assert suspend(moderator, other_resident).kind == "suspension"


def _decide(kind, actor, member):
    if kind == "warning":
        return sanctions.warn_member(actor, member, REASON, "3.6")
    if kind == "suspension":
        return sanctions.suspend_member(actor, member, in_days(3), REASON, "3.6")
    return sanctions.ban_member(actor, member, REASON, "3.6")


# --- what is checked -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "until, reason, rule, field, message",
    [
        (None, REASON, "3.6", "until", "jusqu’à quel jour"),
        ("demain", REASON, "3.6", "until", "jusqu’à quel jour"),
        (datetime(2030, 1, 1, 12), REASON, "3.6", "until", "jusqu’à quel jour"),  # naive
        (date(2001, 5, 4), REASON, "3.6", "until", "dans le futur"),
        ("yesterday", REASON, "3.6", "until", "dans le futur"),
        ("in 400 days", REASON, "3.6", "until", "au plus un an"),
        (date(9999, 12, 31), REASON, "3.6", "until", "au plus un an"),
        ("in 3 days", "", "3.6", "reason", "Expliquez ce qui motive"),
        ("in 3 days", " \n\t\x00 ", "3.6", "reason", "Expliquez ce qui motive"),
        ("in 3 days", "x" * 2001, "3.6", "reason", "ne peut pas dépasser 2000 caractères"),
        ("in 3 days", REASON, "", "rule", "Choisissez la règle"),
        ("in 3 days", REASON, "9.9", "rule", "Choisissez la règle"),
        ("in 3 days", REASON, "illegal:fraud", "rule", "Choisissez la règle"),
        ("in 3 days", REASON, None, "rule", "Choisissez la règle"),
    ],
)
def test_a_suspension_needs_a_future_end_within_a_year_a_reason_and_a_rule(
    moderator, resident, until, reason, rule, field, message
):
    until = {
        "yesterday": paris_today() - timedelta(days=1),
        "in 3 days": in_days(3),
        "in 400 days": in_days(400),
    }.get(until, until)
    with pytest.raises(ValidationFailed) as refused:
        sanctions.suspend_member(moderator, resident, until, reason, rule)
    assert message in str(refused.value.fields[field][0])
    db.session.rollback()
    assert sanctions_count() == 0 and fresh(resident).suspended_until is None


def test_a_rule_may_be_given_as_a_ground_code_and_a_suspension_lasts_through_its_last_day(
    moderator, resident
):
    last_day = in_days(10)
    sanction = committed(
        sanctions.suspend_member(moderator, resident, last_day, REASON, "rule:5.1")
    )
    assert sanction.terms_rule == "5.1"
    ends = sanction.ends_at.astimezone(sanctions.PARIS)
    assert (ends.date(), ends.hour, ends.minute) == (last_day + timedelta(days=1), 0, 0)
    assert fresh(resident).suspended_until == sanction.ends_at


def test_one_suspension_at_a_time_and_nothing_on_a_closed_or_deleted_account(
    moderator, admin, resident, other_resident
):
    suspend(moderator, resident)
    with pytest.raises(Conflict, match="déjà suspendu jusqu’au"):
        suspend(moderator, resident, days=20)
    db.session.rollback()
    committed(sanctions.ban_member(admin, resident, REASON, "5.4"))  # a ban on top is allowed
    with pytest.raises(Conflict, match="déjà fermé"):
        sanctions.ban_member(admin, resident, REASON, "5.4")
    db.session.rollback()
    other_resident.deleted_at = datetime.now(UTC)
    db.session.commit()
    with pytest.raises(Conflict, match="a été supprimé"):
        sanctions.warn_member(moderator, other_resident, REASON, "5.1")


# --- what a suspension does ----------------------------------------------------------------------


def test_a_suspension_ends_every_session_and_hides_the_listings_from_search(
    moderator, resident, app
):
    published = make_listing(owner=resident, title="Raquette padel Bullpadel")
    reserved = make_listing(owner=resident, title="Raquette tennis Babolat", status="reserved")
    waiting = make_listing(owner=resident, title="Raquette squash Dunlop", status="awaiting_review")
    draft = make_listing(owner=resident, title="Raquette badminton Yonex", status="draft")
    with app.test_request_context():
        start_session(resident, remember=True, user_agent="Firefox/128")
        start_session(resident, remember=False, user_agent="Chrome/126")
    db.session.commit()
    assert sorted(found("raquette")) == ["Raquette padel Bullpadel", "Raquette tennis Babolat"]

    suspend(moderator, resident)

    assert found("raquette") == []
    assert [fresh(x).status for x in (published, reserved, waiting, draft)] == [
        "hidden",
        "hidden",
        "awaiting_review",
        "draft",
    ]
    live = db.session.scalar(
        select(func.count())
        .select_from(MemberSession)
        .where(MemberSession.user_id == resident.id, MemberSession.revoked_at.is_(None))
    )
    assert live == 0


def test_a_listing_approved_while_its_owner_is_suspended_stays_hidden(moderator, resident):
    waiting = make_listing(owner=resident, title="Raquette squash Dunlop", status="awaiting_review")
    suspend(moderator, resident)
    committed(apply_transition(waiting, "approve", actor=moderator))
    assert fresh(waiting).status == "hidden" and found("squash") == []


def test_the_members_requests_and_those_on_their_listings_are_cancelled_and_counterparts_told(
    moderator, resident, owner, asker, rival, outbox
):
    theirs = make_listing(owner=resident, title="Vélo enfant 20 pouces")
    others = make_listing(owner=owner, title="Casque de vélo")
    chosen = make_listing(owner=rival, title="Gants de gardien")
    asked = committed(exchanges.request_item(asker, theirs, "Bonjour"))
    asking = committed(exchanges.request_item(resident, others))
    picked = committed(exchanges.request_item(resident, chosen))
    committed(exchanges.accept_request(rival, picked))
    assert fresh(chosen).status == "reserved"

    suspend(moderator, resident)

    assert [fresh(r).status for r in (asked, asking, picked)] == [
        "declined",
        "withdrawn",
        "withdrawn",
    ]
    assert fresh(chosen).status == "published"  # back on offer for others
    assert fresh(theirs).status == "hidden"
    for counterpart, title in ((asker, "Vélo enfant"), (owner, "Casque"), (rival, "Gants")):
        mail = outbox.last(counterpart.email)
        assert mail.subject.startswith("Réservation annulée") and title in mail.subject
        assert "n’est plus actif" in mail.text
        assert notices(counterpart)[-1] == "moderation_booking_cancelled"
    assert "Si votre annonce lui était réservée" in outbox.last(rival.email).text
    assert (
        "Votre demande pour « Vélo enfant 20 pouces » est annulée" in outbox.last(asker.email).text
    )


def _loan_listing(owner, title):
    listing = make_listing(owner=owner, kind="loan", title=title, category="velos", size='20"')
    committed(terms.set_terms(owner, listing, 1, 14, None))
    return listing


def _point(listing):
    return [checklist_for(listing.category)[0][0]]


def test_loans_not_handed_over_are_cancelled_and_those_out_continue_until_the_gear_is_back(
    moderator, resident, owner, asker, rival, outbox
):
    # The suspended member asked to borrow; lent out (accepted, pickup not confirmed); has
    # borrowed gear out; and the other party alone confirmed a pickup
    requested = committed(
        loans.request_loan(resident, _loan_listing(owner, "Tente 2 places"), in_days(2), in_days(4))
    )
    bike = _loan_listing(resident, "Vélo de course")
    booked = committed(loans.request_loan(asker, bike, in_days(3), in_days(5)))
    committed(loans.accept_loan(resident, booked))
    kayak = _loan_listing(rival, "Kayak gonflable")
    out = committed(loans.request_loan(resident, kayak, paris_today(), in_days(3)))
    committed(loans.accept_loan(rival, out))
    committed(handovers.confirm_pickup(rival, out, _point(kayak)))
    committed(handovers.confirm_pickup(resident, out, _point(kayak)))
    paddle = _loan_listing(owner, "Pagaie carbone")
    half = committed(loans.request_loan(resident, paddle, paris_today(), in_days(2)))
    committed(loans.accept_loan(owner, half))
    committed(handovers.confirm_pickup(owner, half, _point(paddle)))
    assert fresh(out).status == "active" and fresh(half).status == "accepted"

    suspend(moderator, resident)

    assert [fresh(x).status for x in (requested, booked, out, half)] == [
        "cancelled",
        "cancelled",
        "active",
        "active",  # the lender handed it over: it is out, and must come back
    ]
    cancelled = outbox.last(asker.email)
    assert cancelled.subject == "Réservation annulée : « Vélo de course »"
    assert "Le prêt de « Vélo de course »" in cancelled.text and "est annulé" in cancelled.text
    continuing = outbox.last(rival.email)
    assert continuing.subject == "Le prêt de « Kayak gonflable » continue"
    assert "votre confirmation suffit" in continuing.text
    assert "au plus tard le" in continuing.text and "contact@" in continuing.text
    assert notices(rival)[-1] == "moderation_loan_continues"
    kinds_for_owner = notices(owner)
    assert kinds_for_owner.count("moderation_booking_cancelled") == 1
    assert kinds_for_owner[-1] == "moderation_loan_continues"

    # The gear comes back: the lender's confirmation alone ends the loan
    committed(handovers.confirm_return(rival, out, _point(kayak)))
    assert fresh(out).status == "returned"


# --- ending and lifting --------------------------------------------------------------------------


def test_lifting_a_suspension_frees_the_account_and_shows_the_listings_again(
    moderator, resident, asker, outbox
):
    listing = make_listing(owner=resident, title="Raquette tennis Babolat", status="reserved")
    sanction = suspend(moderator, resident)
    with pytest.raises(ValidationFailed, match="Expliquez"):
        sanctions.lift_sanction(moderator, sanction, "   ")
    db.session.rollback()

    committed(sanctions.lift_sanction(moderator, fresh(sanction), "Erreur de compte visé."))

    assert (fresh(sanction).status, sanction.lifted_by_id) == ("lifted", moderator.id)
    assert sanction.lift_reason == "Erreur de compte visé." and sanction.ended_at is not None
    assert fresh(resident).suspended_until is None
    assert fresh(listing).status == "published" and found("raquette") == [listing.title]
    mail = outbox.last(resident.email)
    assert mail.subject == "Une sanction est levée"
    assert "Erreur de compte visé." in mail.text and "de nouveau vous connecter" in mail.text
    assert notices(resident)[-1] == "moderation_sanction_lifted"
    with pytest.raises(Conflict, match="n’est plus en vigueur"):
        sanctions.lift_sanction(moderator, sanction, "Encore")


def test_who_may_lift(moderator, admin, resident, other_resident):
    ban = committed(sanctions.ban_member(admin, resident, REASON, "5.4"))
    with pytest.raises(Forbidden, match="Seul un administrateur peut rouvrir"):
        sanctions.lift_sanction(moderator, ban, "Contestation fondée")
    with pytest.raises(Forbidden, match="Seule l’équipe de modération"):
        sanctions.lift_sanction(other_resident, ban, "Contestation fondée")
    own = committed(sanctions.warn_member(admin, moderator, REASON, "5.1"))
    with pytest.raises(Forbidden, match="qui vous vise"):
        sanctions.lift_sanction(moderator, own, "Je ne suis pas d’accord")
    db.session.rollback()
    committed(sanctions.lift_sanction(admin, fresh(ban), "Contestation fondée"))
    assert fresh(resident).banned_at is None
    committed(sanctions.lift_sanction(admin, fresh(own), "Avertissement retiré"))
    assert fresh(own).status == "lifted"


def test_a_suspension_ends_by_itself_once_and_a_ban_keeps_the_account_closed(
    moderator, admin, resident, other_resident, outbox
):
    past = datetime.now(UTC) - timedelta(days=10)
    first = make_listing(owner=resident, title="Raquette tennis Babolat")
    second = make_listing(owner=other_resident, title="Raquette padel Bullpadel")
    ended = suspend(moderator, resident, days=-7, now=past)  # decided ten days ago, for 3 days
    kept = suspend(moderator, other_resident, days=-7, now=past)
    committed(sanctions.ban_member(admin, other_resident, REASON, "5.4"))
    assert found("raquette") == []

    assert committed(sanctions.end_expired_sanctions()) == 2
    assert committed(sanctions.end_expired_sanctions()) == 0

    assert (fresh(ended).status, fresh(kept).status) == ("ended", "ended")
    assert fresh(resident).suspended_until is None
    assert found("raquette") == [first.title]
    assert fresh(second).status == "hidden" and fresh(other_resident).banned_at is not None
    mail = outbox.last(resident.email)
    assert mail.subject == "Votre suspension est terminée"
    assert "de nouveau vous connecter" in mail.text
    assert "Une autre sanction reste en vigueur" in outbox.last(other_resident.email).text


def test_flask_moderation_end_sanctions_ends_the_expired_suspensions(app, moderator, resident):
    past = datetime.now(UTC) - timedelta(days=10)
    listing = make_listing(owner=resident, title="Raquette tennis Babolat")
    sanction_id = suspend(moderator, resident, days=-7, now=past).id
    listing_id = listing.id
    db.session.remove()

    result = app.test_cli_runner().invoke(args=["moderation", "end-sanctions"])

    assert result.exit_code == 0, result.output
    assert "1 suspension(s) terminée(s)." in result.output
    assert db.session.get(Sanction, sanction_id).status == "ended"
    assert db.session.get(Listing, listing_id).status == "published"
    again = app.test_cli_runner().invoke(args=["moderation", "end-sanctions"])
    assert "0 suspension(s) terminée(s)." in again.output


def test_the_members_sanctions_are_in_their_personal_data_export(moderator, resident):
    committed(sanctions.warn_member(moderator, resident, REASON, "3.6"))
    exported = personal_data.export_personal_data(resident)["sanctions"]
    assert exported == [
        {
            "kind": "warning",
            "status": "active",
            "rule": "3.6",
            "reason": REASON,
            "starts_at": exported[0]["starts_at"],
            "ends_at": None,
            "ended_at": None,
            "lift_reason": "",
        }
    ]
