"""Every step of a loan and every illegal one: the owner's answer, cancellation, pickup, return,
extension, no-show, ratings; what each party is told; the waiting list; reliability, RGPD export
and account deletion."""

from datetime import date

import pytest
from sqlalchemy import func, select

from sportressources.accounts import personal_data
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.templating import member_name
from sportressources.notifications.models import Notification
from sportressources.trade import reputation
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.loans import extensions, handovers, services, waitlist
from sportressources.trade.loans.availability import DatesTaken
from sportressources.trade.loans.checklists import checklist_for
from sportressources.trade.loans.models import Booking, Handover, WaitlistEntry
from sportressources.trade.models import Rating
from tests.factories import PASSWORD, make_listing, make_user, move_listing
from tests.trade.loans.conftest import NOW, at, committed, day, fresh, make_loan_listing


def ask(user, listing, start, end, now=NOW):
    return committed(services.request_loan(user, listing, start, end, now=now))


def accepted(owner, user, listing, start, end, now=NOW):
    loan = ask(user, listing, start, end, now)
    return committed(services.accept_loan(owner, loan, now=now))


def first_point(listing) -> list[str]:
    return [checklist_for(listing.category)[0][0]]


def active(owner, user, listing, start, end, now=NOW):
    loan = accepted(owner, user, listing, start, end, now)
    committed(handovers.confirm_pickup(owner, loan, first_point(listing), now=at(start)))
    return committed(handovers.confirm_pickup(user, loan, first_point(listing), now=at(start)))


def returned(owner, user, listing, start, end, kept=None):
    loan = active(owner, user, listing, start, end)
    committed(handovers.confirm_return(user, loan, first_point(listing), now=at(end)))
    return committed(handovers.confirm_return(owner, loan, deposit_kept_cents=kept, now=at(end)))


def bookings(loan) -> list[tuple]:
    return [
        (b.listing_id, b.start_date, b.end_date)
        for b in db.session.scalars(
            select(Booking).where(Booking.loan_id == loan.id).order_by(Booking.listing_id)
        )
    ]


def kinds(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def subjects(outbox, user) -> list[str]:
    return [mail.subject for mail in outbox.to(user.email)]


# --- the owner's answer --------------------------------------------------------------------------


def test_accepting_books_the_dates_and_tells_the_borrower(owner, borrower, bike, outbox):
    loan = accepted(owner, borrower, bike, day(1), day(3))

    assert loan.status == "accepted" and loan.decided_at is not None
    assert bookings(loan) == [(bike.id, day(1), day(3))]
    mail = outbox.last(borrower.email)
    assert mail.subject == "Prêt accepté : « Vélo enfant 20 pouces »"
    assert "Caution : 50 €" in mail.text and "Lens" in mail.text
    assert kinds(borrower) == ["loan_accepted"]


def test_accepting_declines_the_overlapping_requests_only(
    owner, borrower, rival, stranger, bike, outbox
):
    loan = ask(borrower, bike, day(2), day(4))
    overlapping = ask(rival, bike, day(4), day(6))
    later = ask(stranger, bike, day(5), day(6))

    committed(services.accept_loan(owner, loan, now=NOW))

    assert fresh(overlapping).status == "declined"
    assert fresh(later).status == "requested"
    assert "Ces dates ont été attribuées à un autre membre" in outbox.last(rival.email).text
    assert kinds(rival) == ["loan_dates_taken"]
    assert kinds(stranger) == []


def test_declining_tells_the_borrower_the_reason(owner, borrower, bike, outbox):
    loan = ask(borrower, bike, day(1), day(2))
    committed(services.decline_loan(owner, loan, "Le vélo part en révision.", now=NOW))
    assert (fresh(loan).status, loan.reason) == ("declined", "Le vélo part en révision.")
    assert "Le vélo part en révision." in outbox.last(borrower.email).text
    assert bookings(loan) == []


def test_declining_has_rules(owner, borrower, stranger, bike):
    loan = ask(borrower, bike, day(1), day(2))
    with pytest.raises(ValidationFailed, match="500 caractères"):
        services.decline_loan(owner, loan, "x" * 501)
    for actor in (borrower, stranger):
        with pytest.raises(Forbidden):
            services.decline_loan(actor, loan)
    committed(services.accept_loan(owner, loan, now=NOW))
    with pytest.raises(Conflict, match="déjà accepté"):
        services.decline_loan(owner, loan)


def test_only_the_owner_accepts(owner, borrower, stranger, bike):
    loan = ask(borrower, bike, day(1), day(2))
    for actor in (borrower, stranger):
        with pytest.raises(Forbidden, match="Seul le propriétaire"):
            services.accept_loan(actor, loan, now=NOW)
    assert fresh(loan).status == "requested" and bookings(loan) == []


@pytest.mark.parametrize(
    ("close", "message"),
    [
        ("cancel", "a été annulé"),
        ("decline", "a été refusée"),
        ("accept", "déjà accepté"),
    ],
)
def test_a_request_no_longer_waiting_cannot_be_accepted(owner, borrower, bike, close, message):
    loan = ask(borrower, bike, day(1), day(2))
    if close == "cancel":
        committed(services.cancel_loan(borrower, loan, now=NOW))
    elif close == "decline":
        committed(services.decline_loan(owner, loan))
    else:
        committed(services.accept_loan(owner, loan, now=NOW))
    with pytest.raises(Conflict, match=message):
        services.accept_loan(owner, loan, now=NOW)
    db.session.rollback()
    assert len(bookings(loan)) == (1 if close == "accept" else 0)


def test_a_request_whose_first_day_passed_cannot_be_accepted(owner, borrower, bike):
    loan = ask(borrower, bike, day(1), day(2))
    with pytest.raises(Conflict, match="premier jour de cette demande est passé"):
        services.accept_loan(owner, loan, now=at(day(2)))


def test_a_request_whose_dates_were_taken_by_a_kit_cannot_be_accepted(owner, borrower, rival, kit):
    mask = kit.items[0]
    item_loan = ask(rival, mask, day(2), day(3))
    accepted(owner, borrower, kit, day(1), day(2))
    with pytest.raises(DatesTaken):
        services.accept_loan(owner, item_loan, now=NOW)
    db.session.rollback()
    assert fresh(item_loan).status == "requested" and bookings(item_loan) == []


def test_a_withdrawn_listing_cannot_be_lent(owner, borrower, bike):
    loan = ask(borrower, bike, day(1), day(2))
    # Withdrawn by the transition alone: the listing's receivers would cancel the request.
    move_listing(bike, "withdraw")
    with pytest.raises(Conflict, match="pas disponible au prêt"):
        services.accept_loan(owner, loan, now=NOW)


# --- cancelling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "borrower"])
def test_either_party_cancels_before_pickup_and_the_days_are_freed(
    owner, borrower, bike, outbox, who
):
    loan = accepted(owner, borrower, bike, day(1), day(3))
    actor, other = (owner, borrower) if who == "owner" else (borrower, owner)

    committed(services.cancel_loan(actor, loan, "Empêchement", now=NOW))

    assert (fresh(loan).status, loan.cancelled_by_id, loan.reason) == (
        "cancelled",
        actor.id,
        "Empêchement",
    )
    assert bookings(loan) == []
    mail = outbox.last(other.email)
    assert mail.subject == "Prêt annulé : « Vélo enfant 20 pouces »"
    assert "Empêchement" in mail.text
    assert kinds(other)[-1] == "loan_cancelled"


def test_cancelling_has_rules(owner, borrower, stranger, bike):
    loan = accepted(owner, borrower, bike, day(0), day(2))
    with pytest.raises(Forbidden):
        services.cancel_loan(stranger, loan, now=NOW)
    committed(handovers.confirm_pickup(owner, loan, now=NOW))
    # Once one side confirmed the pickup, the gear may have changed hands
    for actor in (owner, borrower):
        with pytest.raises(Conflict, match="La remise a déjà été confirmée"):
            services.cancel_loan(actor, loan, now=NOW)
    committed(handovers.confirm_pickup(borrower, loan, now=NOW))
    with pytest.raises(Conflict, match="déjà en cours"):
        services.cancel_loan(borrower, loan, now=NOW)


# --- pickup --------------------------------------------------------------------------------------


def test_pickup_confirmed_by_both_makes_the_loan_active(owner, borrower, bike, outbox):
    loan = accepted(owner, borrower, bike, day(1), day(3))

    committed(
        handovers.confirm_pickup(
            owner, loan, ["freins", "eclairage"], "Selle basse", now=at(day(1))
        )
    )
    assert fresh(loan).status == "accepted"
    assert outbox.last(borrower.email).subject == "Confirmez la remise de « Vélo enfant 20 pouces »"

    committed(handovers.confirm_pickup(borrower, loan, ["freins"], now=at(day(1))))
    assert fresh(loan).status == "active" and loan.picked_up_at is not None
    assert outbox.last(owner.email).subject == "Prêt en cours : « Vélo enfant 20 pouces »"
    assert kinds(owner)[-1] == "loan_started" and kinds(borrower)[-1] == "pickup_confirmed"
    records = {h.party: h for h in fresh(loan).handovers}
    assert records["lender"].checklist == {
        "freins": True,
        "pneus": False,
        "eclairage": True,
        "chaine": False,
    }
    assert records["lender"].notes == "Selle basse"
    assert records["borrower"].stage == "pickup"


def test_pickup_rules(owner, borrower, stranger, bike):
    loan = ask(borrower, bike, day(1), day(2))
    with pytest.raises(Conflict, match="pas encore accepté"):
        handovers.confirm_pickup(owner, loan, now=at(day(1)))
    committed(services.accept_loan(owner, loan, now=NOW))
    with pytest.raises(Forbidden):
        handovers.confirm_pickup(stranger, loan, now=at(day(1)))
    with pytest.raises(Conflict, match="Le prêt commence le 21 mars 2027"):
        handovers.confirm_pickup(owner, loan, now=NOW)
    with pytest.raises(Conflict, match="période de ce prêt est passée"):
        handovers.confirm_pickup(owner, loan, now=at(day(3)))
    with pytest.raises(ValidationFailed, match="seulement les points de la liste"):
        handovers.confirm_pickup(owner, loan, ["coque"], now=at(day(1)))
    db.session.rollback()
    committed(handovers.confirm_pickup(owner, loan, now=at(day(2))))
    with pytest.raises(Conflict, match="déjà confirmé cette étape"):
        handovers.confirm_pickup(owner, loan, now=at(day(2)))


def test_the_database_keeps_one_record_per_side_and_stage(owner, borrower, bike):
    loan = accepted(owner, borrower, bike, day(0), day(1))
    committed(handovers.confirm_pickup(owner, loan, now=NOW))
    db.session.add(Handover(loan_id=loan.id, stage="pickup", party="lender", user_id=owner.id))
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()


# --- return --------------------------------------------------------------------------------------


def test_an_item_never_picked_up_cannot_be_returned(owner, borrower, bike):
    loan = ask(borrower, bike, day(0), day(1))
    with pytest.raises(Conflict, match="pas encore été remis"):
        handovers.confirm_return(borrower, loan, now=NOW)
    committed(services.accept_loan(owner, loan, now=NOW))
    for actor in (owner, borrower):
        with pytest.raises(Conflict, match="pas encore été remis"):
            handovers.confirm_return(actor, loan, now=NOW)


def test_return_confirmed_by_both_ends_the_loan_and_records_the_deposit(
    owner, borrower, bike, outbox
):
    loan = active(owner, borrower, bike, day(1), day(3))

    committed(
        handovers.confirm_return(
            owner,
            loan,
            ["freins", "pneus", "chaine"],
            "Rendu propre",
            damage_report="Phare arrière cassé",
            deposit_kept_cents=1500,
            now=at(day(3)),
        )
    )
    assert fresh(loan).status == "active" and loan.deposit_kept_cents == 1500
    assert outbox.last(borrower.email).subject == "Confirmez le retour de « Vélo enfant 20 pouces »"

    committed(handovers.confirm_return(borrower, loan, ["freins"], now=at(day(3))))

    assert fresh(loan).status == "returned" and loan.returned_at is not None
    assert bookings(loan) == []
    mail = outbox.last(owner.email)
    assert mail.subject == "Prêt terminé : « Vélo enfant 20 pouces »"
    assert "le prêteur a gardé 15 € sur 50 €" in mail.text
    assert mail.link(f"/prets/{loan.id}/evaluer")
    lender_return = [h for h in loan.handovers if h.stage == "return" and h.party == "lender"][0]
    assert lender_return.damage_report == "Phare arrière cassé"


def test_return_rules(owner, borrower, stranger, bike):
    loan = active(owner, borrower, bike, day(1), day(3))
    with pytest.raises(Forbidden):
        handovers.confirm_return(stranger, loan, now=at(day(3)))
    with pytest.raises(ValidationFailed) as excinfo:
        handovers.confirm_return(owner, loan, deposit_kept_cents=6000, now=at(day(3)))
    assert "entre 0 et 50 €" in str(excinfo.value.fields["deposit_kept"][0])
    with pytest.raises(ValidationFailed) as excinfo:
        handovers.confirm_return(owner, loan, deposit_kept_cents=100, now=at(day(3)))
    assert list(excinfo.value.fields) == ["damage_report"]
    db.session.rollback()
    # The borrower does not decide about the deposit
    committed(handovers.confirm_return(borrower, loan, deposit_kept_cents=5000, now=at(day(3))))
    assert fresh(loan).deposit_kept_cents is None
    with pytest.raises(Conflict, match="déjà confirmé"):
        handovers.confirm_return(borrower, loan, now=at(day(3)))
    committed(handovers.confirm_return(owner, loan, now=at(day(3))))
    assert (fresh(loan).status, loan.deposit_kept_cents) == ("returned", 0)
    with pytest.raises(Conflict, match="le matériel a été rendu"):
        handovers.confirm_return(owner, loan, now=at(day(3)))


def test_an_early_return_frees_the_remaining_days(owner, borrower, rival, bike):
    loan = active(owner, borrower, bike, day(1), day(5))
    committed(handovers.confirm_return(borrower, loan, now=at(day(2))))
    committed(handovers.confirm_return(owner, loan, now=at(day(2))))
    assert ask(rival, bike, day(3), day(5), now=at(day(2))).status == "requested"


# --- extension -----------------------------------------------------------------------------------


def test_an_extension_that_overlaps_nothing_moves_every_booking(owner, borrower, kit, outbox):
    loan = active(owner, borrower, kit, day(1), day(3))

    committed(
        extensions.request_extension(
            borrower, loan, day(6), "Encore un entraînement", now=at(day(2))
        )
    )
    assert "jusqu’au vendredi 26 mars 2027" in outbox.last(owner.email).text
    assert kinds(owner)[-1] == "extension_requested"
    committed(extensions.accept_extension(owner, loan, now=at(day(2))))

    assert (fresh(loan).end_date, loan.extension_end_date, loan.extensions_count) == (
        day(6),
        None,
        1,
    )
    assert {b[2] for b in bookings(loan)} == {day(6)} and len(bookings(loan)) == 4
    assert (
        outbox.last(borrower.email).subject == "Prolongation acceptée : « Kit d’escrime complet »"
    )


def test_an_extension_overlapping_a_booking_is_refused(owner, borrower, rival, bike):
    loan = active(owner, borrower, bike, day(1), day(3))
    accepted(owner, rival, bike, day(5), day(6))
    with pytest.raises(DatesTaken, match="déjà prêté du 25 mars 2027"):
        extensions.request_extension(borrower, loan, day(5), now=at(day(2)))
    db.session.rollback()
    # Up to the day before the next loan is fine
    committed(extensions.request_extension(borrower, loan, day(4), now=at(day(2))))
    committed(extensions.accept_extension(owner, loan, now=at(day(2))))
    assert fresh(loan).end_date == day(4)


def test_an_extension_overlapped_meanwhile_cannot_be_accepted(owner, borrower, rival, kit):
    loan = active(owner, borrower, kit, day(1), day(3))
    committed(extensions.request_extension(borrower, loan, day(6), now=at(day(2))))
    # The foil is lent on its own meanwhile, on one of the asked days
    accepted(owner, rival, kit.items[2], day(6), day(7), now=at(day(2)))

    with pytest.raises(Conflict, match="La prolongation chevauche un autre prêt"):
        extensions.accept_extension(owner, loan, now=at(day(2)))
    db.session.rollback()
    assert (fresh(loan).end_date, loan.extension_end_date) == (day(3), day(6))
    assert {b[2] for b in bookings(loan)} == {day(3)}
    committed(extensions.decline_extension(owner, loan, "Le fleuret est prêté"))
    assert fresh(loan).extension_end_date is None


def test_extension_rules(owner, borrower, stranger, bike, outbox):
    loan = active(owner, borrower, bike, day(1), day(3))
    for actor in (owner, stranger):
        with pytest.raises(Forbidden):
            extensions.request_extension(actor, loan, day(5), now=at(day(2)))
    with pytest.raises(ValidationFailed, match="après le 23 mars 2027"):
        extensions.request_extension(borrower, loan, day(3), now=at(day(2)))
    with pytest.raises(ValidationFailed, match="au plus 7 jour"):
        extensions.request_extension(borrower, loan, day(8), now=at(day(2)))
    with pytest.raises(Conflict, match="Aucune demande de prolongation"):
        extensions.accept_extension(owner, loan, now=at(day(2)))
    committed(extensions.request_extension(borrower, loan, day(7), now=at(day(2))))
    with pytest.raises(Conflict, match="attend déjà"):
        extensions.request_extension(borrower, loan, day(6), now=at(day(2)))
    with pytest.raises(Forbidden):
        extensions.accept_extension(borrower, loan, now=at(day(2)))
    committed(extensions.decline_extension(owner, loan, "J’en ai besoin dimanche"))
    assert "J’en ai besoin dimanche" in outbox.last(borrower.email).text


# --- no-show -------------------------------------------------------------------------------------


def test_a_no_show_frees_the_days_and_counts_in_reliability(owner, borrower, rival, bike, outbox):
    loan = accepted(owner, borrower, bike, day(1), day(3))
    with pytest.raises(Conflict, match="à partir de ce jour"):
        services.mark_no_show(owner, loan, now=NOW)
    with pytest.raises(Forbidden):
        services.mark_no_show(borrower, loan, now=at(day(1)))

    committed(services.mark_no_show(owner, loan, now=at(day(1))))

    assert fresh(loan).status == "no_show" and bookings(loan) == []
    assert (
        outbox.last(borrower.email).subject == "Rendez-vous manqué pour « Vélo enfant 20 pouces »"
    )
    assert reputation.reliability(borrower).no_shows == 1
    assert reputation.reliability(owner).no_shows == 0
    assert ask(rival, bike, day(2), day(3), now=at(day(1))).status == "requested"


def test_no_show_is_refused_once_the_pickup_is_confirmed(owner, borrower, bike):
    loan = accepted(owner, borrower, bike, day(1), day(3))
    committed(handovers.confirm_pickup(borrower, loan, now=at(day(1))))
    with pytest.raises(Conflict, match="l’emprunteur est bien venu"):
        services.mark_no_show(owner, loan, now=at(day(1)))


# --- ratings and reliability ---------------------------------------------------------------------


def test_each_party_rates_the_other_once_after_the_return(owner, borrower, stranger, bike, outbox):
    loan = active(owner, borrower, bike, day(1), day(2))
    with pytest.raises(Conflict, match="une fois le matériel rendu"):
        services.rate_loan(borrower, loan, 5)
    committed(handovers.confirm_return(borrower, loan, now=at(day(2))))
    committed(handovers.confirm_return(owner, loan, now=at(day(2))))

    with pytest.raises(Forbidden):
        services.rate_loan(stranger, loan, 5)
    for score in (0, 6, "cinq", True):
        with pytest.raises(ValidationFailed, match="de 1 à 5"):
            services.rate_loan(borrower, loan, score)
    with pytest.raises(ValidationFailed, match="500 caractères"):
        services.rate_loan(borrower, loan, 5, "x" * 501)
    committed(services.rate_loan(borrower, loan, "5", "Vélo impeccable"))
    committed(services.rate_loan(owner, loan, 4))
    with pytest.raises(Conflict, match="déjà évalué"):
        services.rate_loan(borrower, loan, 3)

    ratings = db.session.scalars(select(Rating).order_by(Rating.id)).all()
    assert [(r.kind, r.loan_id, r.rater_id, r.ratee_id, r.score) for r in ratings] == [
        ("loan", loan.id, borrower.id, owner.id, 5),
        ("loan", loan.id, owner.id, borrower.id, 4),
    ]
    assert "Inès Emprunteuse a évalué le prêt" in outbox.last(owner.email).text


def test_reliability_counts_loans_on_both_sides_in_one_statement(
    owner, borrower, rival, bike, count_queries
):
    first = returned(owner, borrower, bike, day(1), day(2))
    committed(services.rate_loan(borrower, first, 5))
    committed(services.rate_loan(owner, first, 3))
    second = make_loan_listing(borrower, title="Casque de ski")
    done = returned(borrower, rival, second, day(3), day(4))
    committed(services.rate_loan(rival, done, 4))

    members = [owner, borrower, rival]
    assert [m.id for m in members]  # loaded, as in a request that shows them
    with count_queries() as statements:
        figures = reputation.reliabilities(members)

    assert len(statements) == 1
    assert figures[owner.id] == reputation.Reliability(1, 0, 1, 5.0)
    assert figures[borrower.id] == reputation.Reliability(2, 0, 2, 3.5)
    assert figures[rival.id] == reputation.Reliability(1, 0, 0, None)


def test_reliability_adds_up_exchanges_and_loans(owner, borrower, rival, bike):
    loan = returned(owner, borrower, bike, day(1), day(2))
    committed(services.rate_loan(owner, loan, 5))
    gift = make_listing(owner=owner, title="Casque de vélo")
    request = committed(exchanges.request_item(borrower, gift))
    committed(exchanges.accept_request(owner, request))
    committed(exchanges.confirm_handover(borrower, request))
    committed(exchanges.confirm_handover(owner, request))
    committed(exchanges.rate(owner, request, 2))
    sale = make_listing(owner=owner, kind="sale", price_cents=900, title="Gourde")
    missed = committed(exchanges.request_item(borrower, sale))
    committed(exchanges.accept_request(owner, missed))
    committed(exchanges.mark_no_show(owner, missed))
    no_show = accepted(owner, borrower, bike, day(3), day(4))
    committed(services.mark_no_show(owner, no_show, now=at(day(3))))

    # one returned loan and one completed exchange; one no-show of each kind; both ratings
    assert reputation.reliability(borrower) == reputation.Reliability(2, 2, 2, 3.5)
    assert reputation.reliability(owner) == reputation.Reliability(2, 0, 0, None)
    assert reputation.reliability(rival) == reputation.Reliability(0, 0, 0, None)
    # each kind's RGPD section holds its own ratings from the one table
    data = personal_data.export_personal_data(borrower)
    assert [r["loan_id"] for r in data["loans"]["ratings"]] == [loan.id]
    assert [r["exchange_id"] for r in data["exchanges"]["ratings"]] == [request.id]


def test_reputation_counts_the_statuses_the_handovers_use():
    assert exchanges.RequestStatus.COMPLETED.value == reputation.EXCHANGE_COMPLETED
    assert exchanges.RequestStatus.NO_SHOW.value == reputation.NO_SHOW
    assert services.LoanStatus.RETURNED.value == reputation.LOAN_RETURNED
    assert services.LoanStatus.NO_SHOW.value == reputation.NO_SHOW


# --- waiting list --------------------------------------------------------------------------------


def test_a_member_waits_for_booked_dates_and_is_told_once_they_free_up(
    owner, borrower, rival, bike, outbox
):
    loan = accepted(owner, borrower, bike, day(2), day(4))
    with pytest.raises(Conflict, match="Ces dates sont libres"):
        waitlist.join_waitlist(rival, bike, day(6), day(7), now=NOW)
    with pytest.raises(Forbidden):
        waitlist.join_waitlist(owner, bike, day(3), day(4), now=NOW)
    committed(waitlist.join_waitlist(rival, bike, day(3), day(5), now=NOW))

    committed(services.cancel_loan(borrower, loan, now=NOW))

    mail = outbox.last(rival.email)
    assert mail.subject == "« Vélo enfant 20 pouces » est de nouveau libre"
    assert "du mardi 23 mars 2027 au jeudi 25 mars 2027" in mail.text
    assert mail.link(f"/prets/annonces/{bike.id}")
    assert kinds(rival) == ["waitlist_available"]
    entry = db.session.scalar(select(WaitlistEntry))
    assert entry.notified_at is not None
    # Freed again later: told only once
    again = accepted(owner, borrower, bike, day(2), day(4))
    committed(services.cancel_loan(owner, again, now=NOW))
    assert kinds(rival) == ["waitlist_available"]


def test_waiters_are_told_only_when_all_their_days_are_free(owner, borrower, rival, stranger, bike):
    first = accepted(owner, borrower, bike, day(1), day(2))
    accepted(owner, stranger, bike, day(3), day(4))
    committed(waitlist.join_waitlist(rival, bike, day(2), day(3), now=NOW))
    committed(services.cancel_loan(borrower, first, now=NOW))
    assert kinds(rival) == []


def test_joining_again_replaces_the_dates_and_leaving_works(owner, borrower, rival, bike):
    accepted(owner, borrower, bike, day(1), day(5))
    committed(waitlist.join_waitlist(rival, bike, day(1), day(2), now=NOW))
    committed(waitlist.join_waitlist(rival, bike, day(4), day(5), now=NOW))
    entries = db.session.scalars(select(WaitlistEntry)).all()
    assert [(e.start_date, e.end_date) for e in entries] == [(day(4), day(5))]
    assert committed(waitlist.leave_waitlist(rival, bike)) is True
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 0


def test_a_freed_kit_tells_those_waiting_for_one_of_its_items(owner, borrower, rival, kit):
    loan = active(owner, borrower, kit, day(1), day(5))
    committed(waitlist.join_waitlist(rival, kit.items[0], day(4), day(5), now=NOW))
    committed(handovers.confirm_return(borrower, loan, now=at(day(2))))
    assert kinds(rival) == []
    committed(handovers.confirm_return(owner, loan, now=at(day(2))))
    assert kinds(rival) == ["waitlist_available"]


def test_a_no_show_and_a_decline_release_the_waiting_list_too(owner, borrower, rival, bike):
    loan = accepted(owner, borrower, bike, day(1), day(2))
    committed(waitlist.join_waitlist(rival, bike, day(1), day(2), now=NOW))
    committed(services.mark_no_show(owner, loan, now=at(day(1))))
    assert kinds(rival) == ["waitlist_available"]


# --- personal data -------------------------------------------------------------------------------


def test_the_export_holds_loans_handovers_ratings_and_waiting_lists(owner, borrower, rival, bike):
    loan = returned(owner, borrower, bike, day(1), day(2))
    committed(services.rate_loan(borrower, loan, 5, "Merci"))
    accepted(owner, rival, bike, day(4), day(5))
    committed(waitlist.join_waitlist(borrower, bike, day(4), day(5), now=NOW))

    data = personal_data.export_personal_data(borrower)

    section = data["loans"]
    assert [(item["role"], item["status"]) for item in section["loans"]] == [
        ("borrower", "returned")
    ]
    assert [h["stage"] for h in section["handovers"]] == ["pickup", "return"]
    assert section["ratings"] == [
        {
            "loan_id": loan.id,
            "given": True,
            "score": 5,
            "comment": "Merci",
            "created_at": section["ratings"][0]["created_at"],
        }
    ]
    assert section["waiting_lists"] == [
        {"listing_id": bike.id, "start_date": "2027-03-24", "end_date": "2027-03-25"}
    ]
    assert len(personal_data.export_personal_data(owner)["loans"]["loans"]) == 2
    assert [n["kind"] for n in data["notifications"]][:1] == ["loan_accepted"]


def test_a_leaving_member_cancels_future_loans_on_both_sides_and_keeps_active_ones(
    owner, borrower, rival, bike, outbox
):
    other_bike = make_loan_listing(rival, title="VTT adulte")
    as_borrower = accepted(rival, borrower, other_bike, day(5), day(6))
    pending = ask(borrower, make_loan_listing(owner, title="Trottinette"), day(5), day(6))
    going = active(owner, borrower, bike, day(0), day(3))
    as_lender_listing = make_loan_listing(borrower, title="Raquettes de badminton")
    as_lender = accepted(borrower, rival, as_lender_listing, day(8), day(9))
    committed(waitlist.join_waitlist(borrower, other_bike, day(5), day(5), now=NOW))

    personal_data.delete_account(borrower, PASSWORD)
    db.session.commit()

    assert [fresh(loan).status for loan in (as_borrower, pending, as_lender)] == ["cancelled"] * 3
    assert fresh(going).status == "active"
    assert "Prêt annulé : « VTT adulte »" in [m.subject for m in outbox.to(rival.email)]
    assert "Prêt annulé : « Raquettes de badminton »" in [m.subject for m in outbox.to(rival.email)]
    assert "loan_cancelled" in kinds(owner)
    assert member_name(fresh(going).borrower) == "Membre supprimé"
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == borrower.id)
        )
        == 0
    )
    # The owner keeps the record and can still end the loan
    committed(handovers.confirm_return(owner, going, now=at(day(3))))
    assert fresh(going).status == "active"


def test_loans_of_a_new_member_start_empty(owner):
    newcomer = make_user()
    data = personal_data.export_personal_data(newcomer)
    assert data["loans"]["loans"] == [] and data["loans"]["calendar_feed"] is False


def test_dates_cross_years_and_leap_days(owner, borrower, bike):
    loan = ask(borrower, bike, date(2027, 12, 30), date(2028, 1, 2), now=at(date(2027, 12, 1)))
    assert loan.days == 4
    committed(services.accept_loan(owner, loan, now=at(date(2027, 12, 1))))
    leap = ask(
        borrower,
        make_loan_listing(owner),
        date(2028, 2, 28),
        date(2028, 3, 1),
        now=at(date(2028, 2, 1)),
    )
    assert leap.days == 3


def test_withdrawing_a_lent_listing_cancels_future_loans_but_not_while_out(
    app, owner, bike, outbox
):
    from sportressources.listings import services as listing_services
    from sportressources.trade.loans.models import Loan

    borrower = make_user(email="borrower@example.org")
    loan = accepted(owner, borrower, bike, day(2), day(4))
    out_item = make_loan_listing(owner, title="Vélo de route")
    from sportressources.trade.loans import terms

    committed(terms.set_terms(owner, out_item, 1, 7, None))
    out = active(owner, borrower, out_item, day(1), day(3))

    listing_services.withdraw_listing(owner, bike)
    db.session.commit()
    assert db.session.get(Loan, loan.id).status == "cancelled"
    assert outbox.to(borrower.email), "the borrower is told"

    with pytest.raises(Conflict):
        listing_services.withdraw_listing(owner, out_item)
    db.session.rollback()
    assert db.session.get(Loan, out.id).status == "active"
