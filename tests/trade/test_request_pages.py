"""The pages where requests end and are listed: an exchange request's own page for its two
parties, « Mes demandes » and « Demandes reçues » with exchanges and loans alike, every link of
both lists resolving for both parties in every status, and who may open each page."""

import re

import pytest

from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.exchanges.models import RequestStatus
from sportressources.trade.loans import handovers
from sportressources.trade.loans import services as loans
from sportressources.trade.loans.checklists import checklist_for
from sportressources.trade.loans.models import LoanStatus
from tests.factories import committed, fresh, make_listing, make_user
from tests.fixtures.web import text
from tests.trade.loans.conftest import NOW, at, day, make_loan_listing

GIFT_TITLE = "Vélo enfant 20 pouces"


def ask(user, listing):
    return committed(exchanges.request_item(user, listing))


def accepted(owner, user, listing):
    return committed(exchanges.accept_request(owner, ask(user, listing)))


def completed(owner, user, listing):
    request = accepted(owner, user, listing)
    committed(exchanges.confirm_handover(owner, request))
    return committed(exchanges.confirm_handover(user, request))


def exchanges_in_every_status(owner, asker) -> dict[str, object]:
    """One gift or sale of ``owner`` per exchange status, each asked for by ``asker``."""

    def listing(title):
        return make_listing(owner=owner, title=title)

    rival = make_user(email="rival-exchange@example.org", display_name="Rémi Rival")
    requests = {
        "pending": ask(asker, listing("Ballon de basket")),
        "accepted": accepted(owner, asker, listing("Raquette de badminton")),
        "completed": completed(owner, asker, listing(GIFT_TITLE)),
    }
    declined = listing("Casque de ski")
    requests["declined"] = ask(asker, declined)
    committed(exchanges.accept_request(owner, ask(rival, declined)))
    requests["withdrawn"] = committed(
        exchanges.withdraw_request(asker, ask(asker, listing("Gants de boxe")))
    )
    requests["no_show"] = committed(
        exchanges.mark_no_show(owner, accepted(owner, asker, listing("Planche de surf")))
    )
    assert {name: fresh(r).status for name, r in requests.items()} == {
        name: name for name in RequestStatus
    }
    return requests


def loans_in_every_status(owner, borrowers) -> dict[str, object]:
    """One loan of ``owner``'s bike per loan status, on days that never overlap; one borrower
    per loan (a member may hold three open loans at most)."""
    bike = make_loan_listing(owner)
    point = [checklist_for(bike.category)[0][0]]
    people = iter(borrowers)

    def ask_loan(start, end):
        return committed(loans.request_loan(next(people), bike, day(start), day(end), now=NOW))

    def accept(loan):
        return committed(loans.accept_loan(owner, loan, now=NOW))

    def pick_up(loan):
        committed(handovers.confirm_pickup(owner, loan, point, now=at(loan.start_date)))
        return committed(
            handovers.confirm_pickup(loan.borrower, loan, point, now=at(loan.start_date))
        )

    result = {"expired": ask_loan(8, 9)}
    committed(loans.expire_requests(now=at(day(10))))
    result["active"] = pick_up(accept(ask_loan(1, 2)))
    returned = pick_up(accept(ask_loan(3, 4)))
    committed(handovers.confirm_return(returned.borrower, returned, point, now=at(day(4))))
    result["returned"] = committed(
        handovers.confirm_return(owner, returned, point, deposit_kept_cents=0, now=at(day(4)))
    )
    result["no_show"] = committed(loans.mark_no_show(owner, accept(ask_loan(5, 6)), now=at(day(6))))
    result["accepted"] = accept(ask_loan(11, 12))
    result["requested"] = ask_loan(13, 14)
    result["declined"] = committed(loans.decline_loan(owner, ask_loan(15, 16), "Pas dispo"))
    cancelled = ask_loan(17, 18)
    result["cancelled"] = committed(loans.cancel_loan(cancelled.borrower, cancelled))
    assert {name: fresh(loan).status for name, loan in result.items()} == {
        name: name for name in LoanStatus
    }
    return result


def list_links(html: str) -> list[str]:
    """Every href of the list of requests on a page."""
    [listing] = re.findall(r'<ul class="cards request-list">(.*?)</ul>', html, re.S)
    return re.findall(r'href="([^"]+)"', listing)


@pytest.fixture
def borrowers(app):
    return [
        make_user(email=f"borrower{n}@example.org", display_name=f"Emprunteur {n}")
        for n in range(8)
    ]


def test_both_lists_show_both_kinds_and_every_link_resolves_for_both_parties(
    owner, asker, borrowers, client_for
):
    requests = exchanges_in_every_status(owner, asker)
    loans_by_status = loans_in_every_status(owner, borrowers)

    owner_browser = client_for(owner)
    received = text(owner_browser.get("/demandes-recues"))
    links = list_links(received)
    for request in requests.values():
        assert f"/demandes/{request.id}" in links
    for loan in loans_by_status.values():
        assert f"/prets/{loan.id}" in links
    assert "Don" in received and "Prêt" in received and "Demandes reçues" in received
    for link in links:
        assert owner_browser.get(link).status_code == 200, link

    asker_browser = client_for(asker)
    made = text(asker_browser.get("/mes-demandes"))
    links = list_links(made)
    for request in requests.values():
        assert f"/demandes/{request.id}" in links
    # A closed listing is its owner's alone: its title shows, without a link
    assert f"/annonces/{requests['completed'].listing_id}" not in links
    assert GIFT_TITLE in made
    for link in links:
        assert asker_browser.get(link).status_code == 200, link
    for loan in loans_by_status.values():
        browser = client_for(loan.borrower)
        links = list_links(text(browser.get("/mes-demandes")))
        assert f"/prets/{loan.id}" in links
        for link in links:
            assert browser.get(link).status_code == 200, link


def test_each_status_is_said_in_words_on_both_lists(owner, asker, borrowers, client_for):
    exchanges_in_every_status(owner, asker)
    loans_in_every_status(owner, borrowers)
    received = text(client_for(owner).get("/demandes-recues"))
    for label in (
        "En attente de réponse",
        "Échange terminé",
        "Absent au rendez-vous",
        "Demandé : en attente de réponse",
        "Rendu",
        "Expiré : sans réponse à temps",
    ):
        assert label in received
    made = text(client_for(asker).get("/mes-demandes"))
    assert (
        "Retirée" in made and "Non retenue" in made and "proposé par Olivier Propriétaire" in made
    )


def test_the_lists_are_each_members_own(owner, asker, client_for):
    request = ask(asker, make_listing(owner=owner, title=GIFT_TITLE))
    stranger = client_for(make_user(email="stranger@example.org", display_name="Sam Inconnu"))
    for path in ("/mes-demandes", "/demandes-recues"):
        page = text(stranger.get(path))
        assert f"/demandes/{request.id}" not in page
    assert "Vous n’avez encore rien demandé." in text(stranger.get("/mes-demandes"))
    assert "Aucune demande reçue pour l’instant." in text(stranger.get("/demandes-recues"))
    assert f"/demandes/{request.id}" not in text(client_for(owner).get("/mes-demandes"))
    assert f"/demandes/{request.id}" not in text(client_for(asker).get("/demandes-recues"))


@pytest.mark.parametrize("path", ["/mes-demandes", "/demandes-recues", "/demandes/1"])
def test_a_visitor_is_asked_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


# --- an exchange request's own page -----------------------------------------------------------


def test_the_member_who_receives_a_gift_lands_on_its_page_and_may_rate(owner, asker, client_for):
    gift = make_listing(owner=owner, title=GIFT_TITLE)
    request = accepted(owner, asker, gift)
    committed(exchanges.confirm_handover(owner, request))
    browser = client_for(asker)
    response = browser.post(f"/demandes/{request.id}/remise", data={"next": f"/annonces/{gift.id}"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/demandes/{request.id}"
    page = browser.get(response.headers["Location"])
    assert page.status_code == 200
    html = text(page)
    assert "Merci, la remise est confirmée." in html
    assert f"Don de « {GIFT_TITLE} »" in html and "Échange terminé" in html
    assert (
        f'href="/demandes/{request.id}/evaluer"' in html and "Évaluer Olivier Propriétaire" in html
    )
    # The listing itself is now its owner's alone: the page does not link to it
    assert browser.get(f"/annonces/{gift.id}").status_code == 404
    assert f'href="/annonces/{gift.id}"' not in html

    browser.post(f"/demandes/{request.id}/evaluer", data={"score": "5", "comment": "Merci"})
    assert "Échange terminé et évalué : merci !" in text(browser.get(f"/demandes/{request.id}"))
    requests_page = text(client_for(owner).get(f"/annonces/{gift.id}/demandes"))
    assert f'href="/demandes/{request.id}"' in requests_page
    owner_page = text(client_for(owner).get(f"/demandes/{request.id}"))
    assert "Évaluer Inès Intéressée" in owner_page and f'href="/annonces/{gift.id}"' in owner_page


def test_the_page_shows_each_party_its_next_step(owner, asker, client_for):
    request = accepted(owner, asker, make_listing(owner=owner, kind="sale", title="Raquette"))
    owner_page = text(client_for(owner).get(f"/demandes/{request.id}"))
    assert "Vente de « Raquette »" in owner_page
    assert "Confirmer la remise" in owner_page and "Signaler que Inès Intéressée" in owner_page
    asker_page = text(client_for(asker).get(f"/demandes/{request.id}"))
    assert "J’ai reçu « Raquette »" in asker_page and "Signaler que" not in asker_page
    pending = ask(asker, make_listing(owner=owner, title="Ballon"))
    assert "Inès Intéressée attend votre réponse." in text(
        client_for(owner).get(f"/demandes/{pending.id}")
    )


def test_the_page_is_for_the_two_parties_only(owner, asker, client_for):
    request = ask(asker, make_listing(owner=owner, title=GIFT_TITLE))
    stranger = client_for(make_user(email="stranger@example.org", display_name="Sam Inconnu"))
    assert stranger.get(f"/demandes/{request.id}").status_code == 404
    assert client_for(asker).get(f"/demandes/{request.id + 1000}").status_code == 404
    assert client_for(asker).get("/demandes/99999999999999999999").status_code == 404
    assert client_for(asker).get("/demandes/abc").status_code == 404


def test_the_lists_run_the_same_statements_whatever_their_length(
    owner, asker, client_for, count_queries
):
    owner_browser, asker_browser = client_for(owner), client_for(asker)

    def statements() -> list[int]:
        counts = []
        for browser, path in (
            (owner_browser, "/demandes-recues"),
            (asker_browser, "/mes-demandes"),
        ):
            with count_queries() as run:
                assert browser.get(path).status_code == 200
            counts.append(len(run))
        return counts

    ask(asker, make_listing(owner=owner, title="Ballon 1"))
    bike = make_loan_listing(owner)
    committed(loans.request_loan(asker, bike, day(1), day(2), now=NOW))
    few = statements()
    for n in range(2, 6):
        ask(asker, make_listing(owner=owner, title=f"Ballon {n}"))
    committed(
        loans.request_loan(asker, make_loan_listing(owner, title="Vélo 2"), day(3), day(4), now=NOW)
    )
    assert statements() == few


def test_the_requester_may_withdraw_from_the_page_and_stays_on_it(owner, asker, client_for):
    request = ask(asker, make_listing(owner=owner, title=GIFT_TITLE))
    browser = client_for(asker)
    page = f"/demandes/{request.id}"
    assert f'action="/demandes/{request.id}/retirer"' in text(browser.get(page))
    assert f'action="/demandes/{request.id}/retirer"' not in text(client_for(owner).get(page))
    asked = browser.post(f"/demandes/{request.id}/retirer", data={"next": page})
    assert asked.status_code == 200 and f'href="{page}"' in text(asked)  # « Non, revenir »
    assert fresh(request).status == "pending"
    response = browser.post(
        f"/demandes/{request.id}/retirer", data={"next": page, "confirmed": "yes"}
    )
    assert response.headers["Location"] == page
    html = text(browser.get(page))
    assert "Retirée" in html and "Aucune : cette demande est close." in html
    assert fresh(request).status == "withdrawn"
