"""An organisation lends its gear: whoever acts for it now (manager or volunteer) handles the
loans, nobody else, a former member not even a moment after leaving; every member is told once;
« prêt entre clubs et communes » (deposit waived, longer loans for a verified organisation); the
organisation's figures and its page section."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, ValidationFailed
from sportressources.core.hooks import render_slot
from sportressources.notifications.models import Notification
from sportressources.organisations.queries import membership_of
from sportressources.trade import reputation
from sportressources.trade.loans import (
    extensions,
    handovers,
    partners,
    policies,
    queries,
    restrictions,
    services,
    terms,
    waitlist,
)
from sportressources.trade.loans.models import Loan
from sportressources.trade.ratings import received_by
from tests.factories import add_member, make_organisation, make_user
from tests.fixtures.web import text
from tests.trade.loans.conftest import NOW, at, committed, day, make_loan_listing


@pytest.fixture
def manager(app):
    return make_user(email="manager@example.org", display_name="Margaux Responsable")


@pytest.fixture
def club(manager):
    return make_organisation(manager=manager, name="US Liévin Football")


@pytest.fixture
def volunteer(club):
    return add_member(club, make_user(email="benevole@example.org", display_name="Victor B."))


@pytest.fixture
def borrower(app):
    return make_user(email="borrower@example.org", display_name="Inès Emprunteuse")


@pytest.fixture
def bike(owner):
    listing = make_loan_listing(owner)
    committed(terms.set_terms(owner, listing, 1, 7, 5000))
    return listing


@pytest.fixture
def outsider(app):
    return make_user(email="outsider@example.org", display_name="Octave Extérieur")


@pytest.fixture
def goals(manager, club):
    """The club's lendable mini-goals, published by its manager, lent 1 to 7 days with a 50 €
    deposit, and to verified organisations without deposit for up to 30 days."""
    listing = make_loan_listing(
        manager, title="Mini-buts de football", category="materiel_collectif", size="",
        organisation_id=club.id,
    )  # fmt: skip
    committed(
        terms.set_terms(
            manager, listing, 1, 7, 5000, partner_deposit_waived=True, partner_max_days=30
        )
    )
    return listing


def leave(organisation, user):
    db.session.delete(membership_of(user.id, organisation.id))
    db.session.commit()


def ask(user, listing, start=None, end=None, **kw):
    return committed(
        services.request_loan(user, listing, start or day(1), end or day(3), now=NOW, **kw)
    )


def kinds(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def points(listing) -> list[str]:
    from sportressources.trade.loans.checklists import checklist_for

    return [checklist_for(listing.category)[0][0]]


# --- who acts for the lender ---------------------------------------------------------------------


def test_every_member_is_told_of_a_request_once_and_a_volunteer_accepts(
    goals, manager, volunteer, borrower, outbox
):
    loan = ask(borrower, goals)

    assert kinds(manager) == ["loan_requested"] and kinds(volunteer) == ["loan_requested"]
    assert len(outbox.to(volunteer.email)) == 1
    committed(services.accept_loan(volunteer, loan, now=NOW))
    assert loan.status == "accepted"
    assert kinds(borrower) == ["loan_accepted"]
    # The volunteer acted: only the other members hear of the borrower's next step
    committed(services.cancel_loan(borrower, loan, now=NOW))
    assert kinds(volunteer) == ["loan_requested", "loan_cancelled"]
    assert kinds(manager) == ["loan_requested", "loan_cancelled"]


def test_a_non_member_cannot_answer_for_the_organisation(goals, borrower, outsider):
    loan = ask(borrower, goals)
    with pytest.raises(Forbidden):
        services.accept_loan(outsider, loan, now=NOW)
    with pytest.raises(Forbidden):
        services.decline_loan(outsider, loan)
    assert not policies.can_answer_loan(outsider, loan)
    with pytest.raises(Forbidden):
        terms.set_terms(outsider, goals, 1, 3, None)
    with pytest.raises(Forbidden):
        queries.item_history(outsider, goals)


def test_a_former_volunteer_loses_access_at_once(goals, club, volunteer, borrower):
    loan = ask(borrower, goals)
    assert policies.can_answer_loan(volunteer, loan)

    leave(club, volunteer)

    assert not policies.can_view_loan(volunteer, loan)
    with pytest.raises(Forbidden):
        services.accept_loan(volunteer, loan, now=NOW)
    with pytest.raises(Forbidden):
        terms.add_blocked_period(volunteer, goals, day(10), day(12), now=NOW)
    assert loan not in queries.loans_as_lender(volunteer)


def test_the_creator_who_left_no_longer_lends_the_item(goals, club, manager, volunteer, borrower):
    loan = ask(borrower, goals)
    leave(club, manager)

    with pytest.raises(Forbidden):
        services.decline_loan(manager, loan, "non")
    assert queries.loans_as_lender(manager) == []
    assert goals not in queries.loan_listings_of(manager)
    # The organisation carries on without them, and no longer tells them
    committed(services.decline_loan(volunteer, loan, "Pris ce week-end"))
    ask(borrower, goals, day(5), day(6))
    assert kinds(manager) == ["loan_requested"]


def test_the_organisations_members_see_its_loans_in_their_lists(goals, volunteer, borrower):
    loan = ask(borrower, goals)
    assert queries.loans_as_lender(volunteer) == [loan]
    assert queries.loan_listings_of(volunteer) == [goals]


def test_handover_return_and_ratings_by_two_members(goals, manager, volunteer, borrower, outsider):
    loan = ask(borrower, goals)
    committed(services.accept_loan(manager, loan, now=NOW))
    committed(handovers.confirm_pickup(volunteer, loan, points(goals), now=at(day(1))))
    with pytest.raises(Conflict):  # the lender's side confirmed already, through the volunteer
        handovers.confirm_pickup(manager, loan, points(goals), now=at(day(1)))
    committed(handovers.confirm_pickup(borrower, loan, points(goals), now=at(day(1))))
    assert loan.status == "active"
    with pytest.raises(Forbidden):
        handovers.confirm_return(outsider, loan, points(goals), now=at(day(3)))
    committed(handovers.confirm_return(borrower, loan, points(goals), now=at(day(3))))
    committed(
        handovers.confirm_return(manager, loan, points(goals), deposit_kept_cents=0, now=at(day(3)))
    )
    assert loan.status == "returned"

    committed(services.rate_loan(volunteer, loan, 5, "Rendu impeccable."))
    # The organisation rates once, whoever of its members does it
    assert services.has_rated(manager, loan)
    with pytest.raises(Conflict):
        services.ensure_can_rate(manager, loan)
    assert queries.rated_loan_ids(manager, [loan]) == {loan.id}
    assert queries.rated_loan_ids(borrower, [loan]) == set()
    committed(services.rate_loan(borrower, loan, 2, "Un but abîmé."))
    assert "loan_rated" in kinds(manager) and "loan_rated" in kinds(volunteer)


def test_the_organisations_handling_stays_out_of_the_creators_reputation(
    goals, manager, volunteer, borrower
):
    loan = ask(borrower, goals, day(0), day(0))
    committed(services.accept_loan(volunteer, loan, now=NOW))
    for member in (volunteer, borrower):
        committed(handovers.confirm_pickup(member, loan, points(goals), now=at(day(0))))
    for member in (borrower, volunteer):
        committed(
            handovers.confirm_return(
                member, loan, points(goals), deposit_kept_cents=0, now=at(day(0))
            )
        )
    committed(services.rate_loan(borrower, loan, 1, "Pas aimable."))
    committed(services.rate_loan(volunteer, loan, 5, "Parfait."))

    mine = reputation.reliability(manager)
    assert (mine.completed, mine.ratings_count) == (0, 0)
    assert received_by(manager) == []
    theirs = reputation.reliability(borrower)
    assert (theirs.completed, theirs.ratings_count, theirs.ratings_average) == (1, 1, 5.0)


def test_extensions_blocked_periods_and_waiting_list_for_the_organisation(
    goals, manager, volunteer, borrower
):
    loan = ask(borrower, goals, day(1), day(2))
    committed(services.accept_loan(manager, loan, now=NOW))
    committed(extensions.request_extension(borrower, loan, day(4), "", now=NOW))
    assert kinds(volunteer)[-1] == "extension_requested"
    assert kinds(manager)[-1] == "extension_requested"
    committed(extensions.accept_extension(volunteer, loan, now=NOW))
    assert loan.end_date == day(4)
    committed(terms.add_blocked_period(volunteer, goals, day(20), day(22), "Tournoi", now=NOW))
    with pytest.raises(Forbidden):
        waitlist.join_waitlist(volunteer, goals, day(1), day(2), now=NOW)
    with pytest.raises(Forbidden):
        services.request_loan(manager, goals, day(8), day(9), now=NOW)


# --- prêt entre clubs et communes ----------------------------------------------------------------


@pytest.fixture
def commune_member(app):
    return make_user(email="mairie@example.org", display_name="Sandrine Mairie")


@pytest.fixture
def commune(commune_member):
    return make_organisation(manager=commune_member, name="Mairie de Lens", kind="public_body")


def test_a_verified_organisation_borrows_without_deposit_and_for_longer(
    goals, commune, commune_member, manager
):
    with pytest.raises(ValidationFailed) as refused:
        services.request_loan(commune_member, goals, day(1), day(20), now=NOW)
    assert "30 jours pour une organisation vérifiée" in str(refused.value.fields["end_date"])

    loan = ask(commune_member, goals, day(1), day(20), borrower_organisation_id=commune.id)

    assert loan.borrower_organisation_id == commune.id and loan.deposit_cents is None
    with pytest.raises(ValidationFailed) as too_long:
        services.request_loan(
            commune_member, goals, day(30), day(60), now=NOW, borrower_organisation_id=commune.id
        )
    assert "au plus 30 jour" in str(too_long.value.fields["end_date"])
    # Lending as a person, the deposit stays
    assert ask(make_user(), goals, day(40), day(41)).deposit_cents == 5000


def test_borrowing_for_an_unverified_organisation_or_one_you_do_not_belong_to_is_refused(
    goals, commune, commune_member, borrower
):
    pending = make_organisation(manager=borrower, name="Club en attente", status="pending")
    with pytest.raises(ValidationFailed) as unverified:
        services.request_loan(
            borrower, goals, day(1), day(2), now=NOW, borrower_organisation_id=pending.id
        )
    assert "organisation vérifiée" in str(unverified.value.fields["borrow_as"])
    with pytest.raises(ValidationFailed) as stranger:
        services.request_loan(
            borrower, goals, day(1), day(2), now=NOW, borrower_organisation_id=commune.id
        )
    assert "pas membre" in str(stranger.value.fields["borrow_as"])
    assert [o.id for o in partners.borrowing_organisations(commune_member, goals)] == [commune.id]
    assert partners.borrowing_organisations(borrower, goals) == []


def test_the_lending_organisation_does_not_borrow_its_own_gear(goals, club, volunteer):
    with pytest.raises(Forbidden):
        services.request_loan(
            volunteer, goals, day(1), day(2), now=NOW, borrower_organisation_id=club.id
        )
    with pytest.raises(ValidationFailed) as same:
        partners.check_borrowing_organisation(volunteer, goals, club.id)
    assert "votre organisation" in str(same.value.fields["borrow_as"])
    assert partners.borrowing_organisations(volunteer, goals) == []


def test_the_borrowing_organisations_members_follow_the_loan_without_acting(
    goals, commune, commune_member, manager
):
    colleague = add_member(commune, make_user(email="collegue@example.org"))
    loan = ask(commune_member, goals, borrower_organisation_id=commune.id)

    assert policies.can_view_loan(colleague, loan)
    assert loan in queries.loans_as_borrower(colleague)
    with pytest.raises(Forbidden):
        services.cancel_loan(colleague, loan)
    leave(commune, colleague)
    assert not policies.can_view_loan(colleague, loan)


def test_partner_terms_belong_to_an_organisations_listing_and_are_checked(bike, owner, goals):
    with pytest.raises(ValidationFailed) as personal:
        terms.set_terms(owner, bike, 1, 7, None, partner_deposit_waived=True)
    assert "organisation" in str(personal.value.fields["partner_max_days"])
    with pytest.raises(ValidationFailed) as short:
        terms.set_terms(goals.owner, goals, 5, 7, None, partner_max_days=3)
    assert "plus courte" in str(short.value.fields["partner_max_days"])
    current = terms.terms_of(goals)
    assert (current.partner_deposit_waived, current.partner_max_days) == (True, 30)


# --- figures and the organisation's page ---------------------------------------------------------


def test_organisation_loan_figures_count_returned_and_active_loans(
    goals, club, volunteer, borrower
):
    other = make_user()
    assert queries.organisation_loan_figures(club.id).lent == 0
    done = ask(borrower, goals, day(0), day(0))
    committed(services.accept_loan(volunteer, done, now=NOW))
    for member in (volunteer, borrower):
        committed(handovers.confirm_pickup(member, done, points(goals), now=at(day(0))))
    for member in (volunteer, borrower):
        committed(handovers.confirm_return(member, done, points(goals), now=at(day(0))))
    running = ask(other, goals, day(1), day(2))
    committed(services.accept_loan(volunteer, running, now=NOW))
    for member in (volunteer, other):
        committed(handovers.confirm_pickup(member, running, points(goals), now=at(day(1))))
    ask(make_user(), goals, day(5), day(6))  # only requested: not lent

    figures = queries.organisation_loan_figures(club.id)
    assert (figures.returned, figures.active, figures.lent, figures.lendable_items) == (1, 1, 2, 1)


def test_the_organisation_page_section_lists_its_visible_gear_and_figures(
    app, goals, club, manager, count_queries
):
    from tests.factories import make_listing

    make_listing(manager, kind="gift", title="Maillots du club", organisation_id=club.id)
    make_listing(manager, kind="gift", title="Brouillon caché", organisation_id=club.id,
                 status="draft")  # fmt: skip
    make_listing(manager, kind="gift", title="Annonce personnelle")
    with app.test_request_context("/organisations/x"):
        from flask_login import AnonymousUserMixin

        with count_queries() as statements:
            html = str(
                render_slot("organisation.sections", organisation=club, viewer=AnonymousUserMixin())
            )
        before = len(statements)
        for number in range(5):
            make_listing(manager, kind="loan", title=f"Objet {number}", category="ballons",
                         size="4", organisation_id=club.id)  # fmt: skip
        db.session.expire_all()
        with count_queries() as statements:
            more = str(
                render_slot("organisation.sections", organisation=club, viewer=AnonymousUserMixin())
            )
    assert "Mini-buts de football" in html and "Maillots du club" in html
    assert "Brouillon caché" not in html and "Annonce personnelle" not in html
    assert re.search(r"<strong>0 objets? prêtés?</strong>", html) and "Objets à emprunter" in html
    assert "Objet 4" in more and len(statements) <= before + 1


# --- closing, sanctions, leaving the site -------------------------------------------------------


def test_a_moderator_withdrawing_the_listing_cancels_its_loans_even_after_the_creator_left(
    goals, club, manager, volunteer, borrower, moderator
):
    from sportressources.listings import services as listings

    loan = ask(borrower, goals)
    leave(club, manager)
    committed(listings.withdraw_listing(moderator, goals))
    assert loan.status == "cancelled"
    assert kinds(borrower)[-1] == "loan_cancelled"


def test_the_creator_deleting_their_account_leaves_the_organisations_loans(
    goals, manager, volunteer, borrower
):
    from sportressources.accounts import personal_data
    from tests.factories import PASSWORD

    loan = ask(borrower, goals)
    personal_data.delete_account(manager, PASSWORD)
    db.session.commit()
    assert loan.status == "requested" and goals.status == "published"
    committed(services.accept_loan(volunteer, loan, now=NOW))


def test_a_sanction_on_the_creator_leaves_the_organisations_loans(goals, manager, borrower):
    loan = ask(borrower, goals)
    cancelled, continuing = restrictions.settle_loans_of_restricted_member(manager, now=NOW)
    db.session.commit()
    assert (cancelled, continuing) == ([], []) and loan.status == "requested"


# --- the pages ----------------------------------------------------------------------------------


def test_the_listing_page_shows_partner_terms_and_offers_to_borrow_for_the_organisation(
    client_for, goals, commune, commune_member, borrower
):
    page = text(client_for(commune_member).get(f"/annonces/{goals.id}"))
    assert "Prêt entre clubs et communes" in page and "sans caution" in page
    assert "Emprunter au nom de Mairie de Lens" in page and "US Liévin Football" in page
    assert "Emprunter au nom de" not in text(client_for(borrower).get(f"/annonces/{goals.id}"))


def test_borrowing_for_the_organisation_through_the_page_and_following_it(
    client_for, goals, commune, commune_member
):
    from sportressources.trade.loans.availability import paris_today

    start = paris_today() + timedelta(days=1)
    response = client_for(commune_member).post(
        f"/prets/annonces/{goals.id}/demander",
        data={
            "loan-borrow_as": str(commune.id),
            "loan-start_date": start.isoformat(),
            "loan-end_date": (start + timedelta(days=19)).isoformat(),
        },
    )
    assert response.status_code == 303
    loan = db.session.scalar(select(Loan))
    assert (loan.borrower_organisation_id, loan.deposit_cents) == (commune.id, None)
    colleague = add_member(commune, make_user(email="collegue@example.org"))
    page = text(client_for(colleague).get(f"/prets/{loan.id}"))
    assert "Vous suivez ce prêt comme membre de Mairie de Lens" in page
    assert "pour Mairie de Lens" in page


def test_a_forged_or_unverified_organisation_on_the_page_gets_a_french_error(
    client_for, goals, borrower
):
    from sportressources.trade.loans.availability import paris_today

    pending = make_organisation(manager=borrower, name="Club en attente", status="pending")
    start = paris_today() + timedelta(days=1)
    response = client_for(borrower).post(
        f"/prets/annonces/{goals.id}/demander",
        data={
            "loan-borrow_as": str(pending.id),
            "loan-start_date": start.isoformat(),
            "loan-end_date": start.isoformat(),
            "loan-message": "Message gardé",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "choisissez-en une de la liste" in page and "Message gardé" in page
    assert db.session.scalar(select(Loan)) is None


def test_the_terms_page_offers_partner_terms_for_an_organisations_listing_only(
    client_for, goals, volunteer, bike, owner
):
    mine = client_for(volunteer)
    page = text(mine.get(f"/prets/annonces/{goals.id}/conditions"))
    assert "Pour les organisations vérifiées : sans caution" in page
    response = mine.post(
        f"/prets/annonces/{goals.id}/conditions",
        data={"min_days": "1", "max_days": "7", "deposit": "50", "partner_max_days": "90"},
    )
    assert response.status_code == 303
    current = terms.terms_of(goals)
    assert (current.partner_deposit_waived, current.partner_max_days) == (False, 90)
    assert "organisations vérifiées" not in text(
        client_for(owner).get(f"/prets/annonces/{bike.id}/conditions")
    )
    assert client_for(make_user()).get(f"/prets/annonces/{goals.id}/conditions").status_code in (
        403,
        404,
    )


def test_the_calendar_feed_holds_the_organisations_loans_for_its_current_members(
    goals, club, manager, volunteer, borrower
):
    from sportressources.trade.loans.calendar import build_calendar, feed_loans

    loan = ask(borrower, goals)
    committed(services.accept_loan(volunteer, loan, now=NOW))
    assert feed_loans(volunteer, NOW) == [loan] and feed_loans(manager, NOW) == [loan]
    unfolded = build_calendar(borrower, NOW).decode().replace("\r\n ", "")
    assert "prêté par US Liévin Football" in unfolded
    leave(club, manager)
    assert feed_loans(manager, NOW) == []


def test_the_organisation_keeps_the_ratings_of_its_handling(
    app, goals, club, manager, volunteer, borrower
):
    from flask_login import AnonymousUserMixin

    from sportressources.trade.reputation import organisation_ratings

    for number, score in enumerate((4, 5)):
        member = make_user(email=f"emprunteur{number}@example.org")
        loan = ask(member, goals, day(number), day(number))
        committed(services.accept_loan(volunteer, loan, now=NOW))
        for side in (volunteer, member):
            committed(handovers.confirm_pickup(side, loan, points(goals), now=at(day(number))))
        for side in (member, manager):
            committed(
                handovers.confirm_return(
                    side, loan, points(goals), deposit_kept_cents=0, now=at(day(number))
                )
            )
        committed(services.rate_loan(member, loan, score, ""))
        committed(services.rate_loan(volunteer, loan, 3, ""))  # of the borrower: theirs

    ratings = organisation_ratings(club.id)
    assert (ratings.count, ratings.average) == (2, 4.5)
    with app.test_request_context("/"):
        html = str(
            render_slot("organisation.sections", organisation=club, viewer=AnonymousUserMixin())
        )
    assert "noté 4,5 / 5 par 2 membres" in html


def test_emails_name_the_member_for_the_organisation_and_reminders_the_organisation(
    goals, club, manager, volunteer, borrower, outbox
):
    from sportressources.trade.loans.reminders import send_reminders

    loan = ask(borrower, goals, day(0), day(1))
    committed(services.accept_loan(volunteer, loan, now=NOW))
    assert "Victor B. pour US Liévin Football" in outbox.to(borrower.email)[-1].text
    for side in (volunteer, borrower):
        committed(handovers.confirm_pickup(side, loan, points(goals), now=at(day(0))))
    leave(club, manager)  # the creator, named as the lender in the loan, left meanwhile
    committed(send_reminders(at(day(0), 17)))
    reminder = outbox.to(borrower.email)[-1].text
    assert "prêté par US Liévin Football" in reminder and "Margaux" not in reminder


def test_my_loans_shows_the_organisations_loans_in_a_fixed_number_of_queries(
    goals, club, manager, volunteer, commune, commune_member, client_for, count_queries
):
    browser = client_for(volunteer)
    other = make_organisation(name="Club voisin", manager=volunteer)

    def statements() -> int:
        browser.get("/prets")
        db.session.expire_all()
        with count_queries() as run:
            assert browser.get("/prets").status_code == 200
        return len(run)

    ask(commune_member, goals, day(1), day(1), borrower_organisation_id=commune.id)
    few = statements()
    for number in range(4):
        owner_org = club if number % 2 else other
        publisher = manager if owner_org is club else volunteer
        item = make_loan_listing(publisher, title=f"Ballon {number}", organisation_id=owner_org.id)
        ask(make_user(), item, day(2), day(2))
    assert statements() == few
    page = text(browser.get("/prets"))
    assert "pour US Liévin Football" in page and "(Mairie de Lens)" in page
