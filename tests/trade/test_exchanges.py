"""The exchange of gifts and sales: every transition and every illegal one, emails, reliability,
bad input, the pages with who may see what, CSRF, and simultaneous clicks on both databases."""

import pytest
from flask import render_template_string
from flask_login import AnonymousUserMixin, login_user
from sqlalchemy import func, select

from sportressources.accounts import personal_data
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.core.states import apply_transition
from sportressources.listings.models import Listing
from sportressources.trade import reputation
from sportressources.trade.exchanges import queries as exchange_queries
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.exchanges.models import ExchangeRequest
from sportressources.trade.models import Rating
from tests.concurrency import post_at_once
from tests.factories import PASSWORD, committed, fresh, make_listing, make_user
from tests.fixtures.web import text

TITLE = "Vélo enfant 20 pouces"


@pytest.fixture
def gift(owner):
    return make_listing(owner=owner, title=TITLE, category="velos", size='20"')


@pytest.fixture
def sale(owner):
    return make_listing(owner=owner, kind="sale", price_cents=2500, title="Raquette de tennis")


def ask(user, listing, message: str = "") -> ExchangeRequest:
    return committed(exchanges.request_item(user, listing, message))


def accepted(owner, user, listing) -> ExchangeRequest:
    request = ask(user, listing)
    return committed(exchanges.accept_request(owner, request))


def completed(owner, user, listing) -> ExchangeRequest:
    request = accepted(owner, user, listing)
    committed(exchanges.confirm_handover(user, request))
    return committed(exchanges.confirm_handover(owner, request))


def subjects(outbox, address: str) -> list[str]:
    return [mail.subject for mail in outbox.to(address)]


# --- requesting -----------------------------------------------------------------------------------


def test_a_member_requests_a_gift_and_the_owner_is_told(owner, asker, gift, outbox):
    request = ask(asker, gift, "  Je peux passer mercredi.  ")
    assert (request.status, request.message) == ("pending", "Je peux passer mercredi.")
    mail = outbox.last(owner.email)
    assert mail.subject == f"Nouvelle demande pour « {TITLE} »"
    assert "Inès Intéressée aimerait obtenir votre article" in mail.text
    assert "Je peux passer mercredi." in mail.text
    assert mail.link("/demandes") == f"http://localhost/annonces/{gift.id}/demandes"


def test_the_owner_cannot_request_their_own_item(owner, gift):
    with pytest.raises(Forbidden, match="C’est votre annonce"):
        exchanges.request_item(owner, gift)


@pytest.mark.parametrize("status", ["draft", "awaiting_review", "rejected"])
def test_requesting_a_listing_nobody_can_see_is_a_not_found(owner, asker, status):
    with pytest.raises(NotFound):
        exchanges.request_item(asker, make_listing(owner=owner, status=status))


@pytest.mark.parametrize(
    "status, message",
    [
        ("withdrawn", "Cette annonce n’est plus disponible."),
        ("given", "Cette annonce n’est plus disponible."),
        ("reserved", "Cet article est déjà réservé pour un autre membre."),
    ],
)
def test_requesting_a_listing_no_longer_available_is_a_conflict(owner, asker, status, message):
    with pytest.raises(Conflict) as error:
        exchanges.request_item(asker, make_listing(owner=owner, status=status))
    assert str(error.value) == message


def test_loans_do_not_go_through_this_workflow(owner, asker):
    loan = make_listing(owner=owner, kind="loan")
    with pytest.raises(Conflict, match="prêt"):
        exchanges.request_item(asker, loan)


def test_one_active_request_per_member_and_withdrawing_then_asking_again_reuses_it(
    owner, asker, gift, outbox
):
    first = ask(asker, gift, "Premier message")
    with pytest.raises(Conflict, match="Vous avez déjà demandé cet article."):
        exchanges.request_item(asker, gift)
    db.session.rollback()
    committed(exchanges.withdraw_request(asker, first))
    assert "Demande retirée pour « Vélo enfant 20 pouces »" in subjects(outbox, owner.email)
    again = ask(asker, gift, "Finalement oui")
    assert again.id == first.id
    assert (again.status, again.message) == ("pending", "Finalement oui")
    assert db.session.scalar(select(func.count()).select_from(ExchangeRequest)) == 1


def test_a_member_with_an_accepted_request_elsewhere_may_still_request(owner, asker, gift, sale):
    accepted(owner, asker, gift)
    assert ask(asker, sale).status == "pending"


def test_a_request_message_over_1000_characters_is_refused(asker, gift):
    with pytest.raises(ValidationFailed) as error:
        exchanges.request_item(asker, gift, "x" * 1001)
    assert list(error.value.fields) == ["message"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ExchangeRequest)) == 0


# --- the owner's choice ---------------------------------------------------------------------------


def test_accepting_reserves_the_listing_and_declines_the_others_politely(
    owner, asker, rival, stranger, gift, outbox
):
    picked = ask(asker, gift)
    others = [ask(rival, gift), ask(stranger, gift)]
    committed(exchanges.accept_request(owner, picked))

    assert (picked.status, fresh(gift).status) == ("accepted", "reserved")
    assert picked.decided_at is not None
    assert [fresh(other).status for other in others] == ["declined", "declined"]
    assert subjects(outbox, asker.email) == [f"Bonne nouvelle : « {TITLE} » vous est réservé"]
    assert "Olivier Propriétaire vous a choisi" in outbox.last(asker.email).text
    for user in (rival, stranger):
        mail = outbox.last(user.email)
        assert mail.subject == f"Votre demande pour « {TITLE} »"
        assert "Merci pour votre intérêt" in mail.text
        assert "réservé à un autre membre" in mail.text


def test_only_the_owner_may_accept(owner, asker, stranger, gift):
    request = ask(asker, gift)
    for actor in (asker, stranger, AnonymousUserMixin()):
        with pytest.raises(Forbidden):
            exchanges.accept_request(actor, request)
    assert fresh(request).status == "pending"


def test_a_declined_or_withdrawn_request_cannot_be_accepted(owner, asker, rival, gift):
    declined = committed(exchanges.decline_request(owner, ask(asker, gift)))
    withdrawn = committed(exchanges.withdraw_request(rival, ask(rival, gift)))
    with pytest.raises(Conflict, match="n’a pas été retenue"):
        exchanges.accept_request(owner, declined)
    db.session.rollback()
    with pytest.raises(Conflict, match="retirée par le membre"):
        exchanges.accept_request(owner, withdrawn)
    assert fresh(gift).status == "published"


def test_a_second_acceptance_is_refused_once_the_item_is_reserved(owner, asker, rival, gift):
    late = ask(rival, gift)
    accepted(owner, asker, gift)
    with pytest.raises(Conflict):
        exchanges.accept_request(owner, late)
    db.session.rollback()
    accepted_count = db.session.scalar(
        select(func.count())
        .select_from(ExchangeRequest)
        .where(ExchangeRequest.status == "accepted")
    )
    assert accepted_count == 1


def test_the_database_keeps_one_accepted_request_per_listing(owner, asker, rival, gift):
    ask(asker, gift)
    second = ask(rival, gift)
    accepted_first = db.session.scalar(
        select(ExchangeRequest).where(ExchangeRequest.requester_id == asker.id)
    )
    apply_transition(accepted_first, "accept", actor=owner)  # the listing left as it was
    db.session.commit()
    # As if the checks had been passed by two writers at once: the index has the last word.
    with pytest.raises(Conflict, match="Un autre membre vient d’être choisi"):
        exchanges.accept_request(owner, second)
    db.session.rollback()
    assert fresh(second).status == "pending"


def test_declining_tells_the_member_with_the_owners_reason(owner, asker, gift, outbox):
    request = committed(
        exchanges.decline_request(owner, ask(asker, gift), "Déjà promis à mon neveu")
    )
    assert request.status == "declined"
    mail = outbox.last(asker.email)
    assert "n’a pas pu donner suite" in mail.text
    assert "Déjà promis à mon neveu" in mail.text


def test_declining_has_rules_too(owner, asker, gift):
    request = ask(asker, gift)
    with pytest.raises(Forbidden):
        exchanges.decline_request(asker, request)
    with pytest.raises(ValidationFailed) as error:
        exchanges.decline_request(owner, request, "x" * 501)
    assert list(error.value.fields) == ["reason"]
    db.session.rollback()
    committed(exchanges.accept_request(owner, request))
    with pytest.raises(Conflict):
        exchanges.decline_request(owner, request)


# --- withdrawing ----------------------------------------------------------------------------------


def test_withdrawing_an_accepted_request_publishes_the_listing_again(owner, asker, gift, outbox):
    request = accepted(owner, asker, gift)
    committed(exchanges.withdraw_request(asker, request))
    assert (request.status, fresh(gift).status) == ("withdrawn", "published")
    assert "de nouveau publiée" in outbox.last(owner.email).text


def test_only_the_requester_withdraws_and_only_an_open_request(owner, asker, stranger, gift):
    request = ask(asker, gift)
    for actor in (owner, stranger):
        with pytest.raises(Forbidden):
            exchanges.withdraw_request(actor, request)
    done = completed(owner, asker, make_listing(owner=owner))
    with pytest.raises(Conflict, match="déjà terminé"):
        exchanges.withdraw_request(asker, done)


# --- handover -------------------------------------------------------------------------------------


def test_confirming_before_acceptance_is_refused(owner, asker, gift):
    request = ask(asker, gift)
    for actor in (owner, asker):
        with pytest.raises(Conflict, match="une fois la demande acceptée"):
            exchanges.confirm_handover(actor, request)


def test_only_the_two_parties_confirm_and_each_only_once(owner, asker, rival, stranger, gift):
    request = accepted(owner, asker, gift)
    for actor in (rival, stranger, AnonymousUserMixin()):
        with pytest.raises(Forbidden):
            exchanges.confirm_handover(actor, request)
    committed(exchanges.confirm_handover(asker, request))
    with pytest.raises(Conflict, match="déjà confirmé"):
        exchanges.confirm_handover(asker, request)
    db.session.rollback()
    assert fresh(request).status == "accepted"


def test_the_whole_gift_closes_as_given_with_both_ratings_and_the_reliability_figure(
    owner, asker, rival, gift, outbox
):
    ask(rival, gift)
    request = accepted(owner, asker, gift)
    assert reputation.reliability(asker) == reputation.Reliability(0, 0, 0, None)

    committed(exchanges.confirm_handover(owner, request))
    assert fresh(gift).status == "reserved"
    mail = outbox.last(asker.email)
    assert mail.subject == f"Confirmez la remise de « {TITLE} »"
    assert "Olivier Propriétaire a confirmé la remise" in mail.text

    committed(exchanges.confirm_handover(asker, request))
    gift = fresh(gift)
    assert (request.status, gift.status) == ("completed", "given")
    assert request.completed_at is not None and gift.closed_at is not None
    mail = outbox.last(owner.email)
    assert mail.subject == f"Échange terminé : « {TITLE} »"
    assert mail.link("/evaluer") == f"http://localhost/demandes/{request.id}/evaluer"

    committed(exchanges.rate(owner, request, 5, "Très ponctuelle, merci !"))
    committed(exchanges.rate(asker, request, "4", ""))
    ratings = db.session.scalars(select(Rating).order_by(Rating.id)).all()
    assert [(r.rater_id, r.ratee_id, r.score) for r in ratings] == [
        (owner.id, asker.id, 5),
        (asker.id, owner.id, 4),
    ]
    assert outbox.last(asker.email).subject == "Olivier Propriétaire vous a évalué"
    assert "Très ponctuelle, merci !" in outbox.last(asker.email).text
    assert reputation.reliability(asker) == reputation.Reliability(1, 0, 1, 5.0)
    assert reputation.reliability(owner) == reputation.Reliability(1, 0, 1, 4.0)
    assert reputation.reliability(rival) == reputation.Reliability(0, 0, 0, None)


def test_a_completed_sale_closes_the_listing_as_sold(owner, asker, sale):
    completed(owner, asker, sale)
    assert fresh(sale).status == "sold"


# --- no-shows -------------------------------------------------------------------------------------


def test_a_no_show_publishes_the_listing_again_and_counts_in_reliability(
    owner, asker, rival, gift, outbox
):
    request = accepted(owner, asker, gift)
    committed(exchanges.mark_no_show(owner, request))
    assert (request.status, fresh(gift).status) == ("no_show", "published")
    assert outbox.last(asker.email).subject == f"Rendez-vous manqué pour « {TITLE} »"
    assert reputation.reliability(asker).no_shows == 1
    assert reputation.reliability(owner).no_shows == 0
    with pytest.raises(Conflict, match="Vous ne pouvez plus demander"):
        exchanges.request_item(asker, gift)
    db.session.rollback()
    assert accepted(owner, rival, gift).status == "accepted"


def test_no_show_rules(owner, asker, gift):
    with pytest.raises(Conflict):
        exchanges.mark_no_show(owner, ask(asker, gift))
    db.session.rollback()
    request = db.session.scalar(select(ExchangeRequest))
    committed(exchanges.accept_request(owner, request))
    with pytest.raises(Forbidden):
        exchanges.mark_no_show(asker, request)
    committed(exchanges.confirm_handover(asker, request))
    with pytest.raises(Conflict, match="a confirmé avoir reçu"):
        exchanges.mark_no_show(owner, request)


# --- ratings --------------------------------------------------------------------------------------


def test_an_exchange_not_completed_cannot_be_rated(owner, asker, gift):
    request = accepted(owner, asker, gift)
    with pytest.raises(Conflict, match="une fois l’échange terminé"):
        exchanges.rate(owner, request, 5)


def test_each_party_rates_once_and_nobody_else(owner, asker, stranger, gift):
    request = completed(owner, asker, gift)
    with pytest.raises(Forbidden):
        exchanges.rate(stranger, request, 5)
    committed(exchanges.rate(asker, request, 5))
    with pytest.raises(Conflict, match="Vous avez déjà évalué cet échange."):
        exchanges.rate(asker, request, 3)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 1


@pytest.mark.parametrize("score", [0, 6, -1, "abc", "", None, True, 4.5, "3.0", "²", "٣"])
def test_a_score_outside_1_to_5_is_refused_in_french(owner, asker, gift, score):
    request = completed(owner, asker, gift)
    with pytest.raises(ValidationFailed) as error:
        exchanges.rate(owner, request, score)
    assert error.value.fields == {"score": ["Choisissez une note de 1 à 5."]}


def test_a_comment_over_500_characters_is_refused(owner, asker, gift):
    request = completed(owner, asker, gift)
    with pytest.raises(ValidationFailed) as error:
        exchanges.rate(owner, request, 5, "x" * 501)
    assert list(error.value.fields) == ["comment"]
    committed(exchanges.rate(owner, request, 5, "x" * 500))


# --- reading --------------------------------------------------------------------------------------


def test_only_the_owner_sees_the_requests_of_a_listing(owner, asker, stranger, gift):
    ask(asker, gift)
    assert [r.requester_id for r in exchange_queries.requests_for_listing(owner, gift)] == [
        asker.id
    ]
    for actor in (asker, stranger, AnonymousUserMixin()):
        with pytest.raises(Forbidden):
            exchange_queries.requests_for_listing(actor, gift)


def test_reliability_counts_both_sides_and_several_members_in_fixed_statements(
    owner, asker, rival, gift, sale, count_queries
):
    completed(owner, asker, gift)
    committed(exchanges.mark_no_show(owner, accepted(owner, rival, sale)))
    members = [owner, asker, rival]
    assert [m.id for m in members]
    with count_queries() as statements:
        figures = reputation.reliabilities(members)
    # one statement for exchanges and loans, whatever the number of members
    assert len(statements) == 1
    everyone = [*members, *[make_user() for _ in range(5)]]
    assert [m.id for m in everyone]  # loaded, as in a request that shows them
    with count_queries() as more:
        reputation.reliabilities(everyone)
    assert len(more) == 1
    assert figures[owner.id] == reputation.Reliability(1, 0, 0, None)
    assert figures[asker.id] == reputation.Reliability(1, 0, 0, None)
    assert figures[rival.id] == reputation.Reliability(0, 1, 0, None)


def test_personal_data_export_holds_requests_and_ratings(owner, asker, gift):
    request = completed(owner, asker, gift)
    committed(exchanges.rate(owner, request, 4, "Bien"))
    data = personal_data.export_personal_data(asker)["exchanges"]
    assert [(r["listing_title"], r["status"]) for r in data["requests"]] == [(TITLE, "completed")]
    assert [(r["given"], r["score"], r["comment"]) for r in data["ratings"]] == [(False, 4, "Bien")]


def test_a_leaving_member_frees_the_item_reserved_for_them(owner, asker, gift, outbox):
    request = accepted(owner, asker, gift)
    personal_data.delete_account(asker, PASSWORD)
    db.session.commit()
    assert (fresh(request).status, fresh(gift).status) == ("withdrawn", "published")
    assert "de nouveau publiée" in outbox.last(owner.email).text


def test_past_exchanges_and_ratings_survive_account_deletion(owner, asker, gift):
    request = completed(owner, asker, gift)
    committed(exchanges.rate(asker, request, 5, "Super"))
    personal_data.delete_account(asker, PASSWORD)
    db.session.commit()
    assert fresh(request).status == "completed"
    assert reputation.reliability(owner) == reputation.Reliability(1, 0, 1, 5.0)


# --- the listing page's buttons -------------------------------------------------------------------


def render_actions(app, listing, user) -> str:
    source = (
        '{% from "exchanges/_listing_actions.html" import exchange_actions %}'
        "{{ exchange_actions(listing, current_user) }}"
    )
    with app.test_request_context(f"/annonces/{listing.id}"):
        if user is not None:
            login_user(user)
        return render_template_string(source, listing=db.session.get(Listing, listing.id))


def test_the_listing_page_shows_each_viewer_the_right_buttons(app, owner, asker, rival, gift):
    assert render_actions(app, gift, None).strip() == ""
    assert "Demander cet article" in render_actions(app, gift, asker)
    assert "Demandes reçues : aucune en attente" in render_actions(app, gift, owner)

    request = ask(asker, gift)
    assert "Retirer ma demande" in render_actions(app, gift, asker)
    assert "Voir la demande en attente (1)" in render_actions(app, gift, owner)

    committed(exchanges.accept_request(owner, request))
    mine = render_actions(app, gift, asker)
    assert "J’ai reçu l’article" in mine and "Je ne peux plus venir" in mine
    theirs = render_actions(app, gift, owner)
    assert "Réservé pour Inès Intéressée." in theirs and "Confirmer la remise" in theirs
    assert "Signaler que Inès Intéressée n’est pas venu" in theirs
    assert "réservé pour un autre membre" in render_actions(app, gift, rival)

    committed(exchanges.confirm_handover(asker, request))
    assert "Signaler" not in render_actions(app, gift, owner)
    committed(exchanges.confirm_handover(owner, request))
    assert "Évaluer Olivier Propriétaire" in render_actions(app, gift, asker)
    committed(exchanges.rate(asker, request, 5))
    assert "Évaluer" not in render_actions(app, gift, asker)
    assert "Évaluer Inès Intéressée" in render_actions(app, gift, owner)


def test_the_reliability_figure_is_plain_and_transparent(app, owner, asker, gift):
    request = completed(owner, asker, gift)
    committed(exchanges.rate(asker, request, 4))
    source = (
        '{% from "exchanges/_reliability.html" import reliability %}'
        "{{ reliability(member_reliability(member)) }}"
    )
    with app.test_request_context("/"):
        html = " ".join(render_template_string(source, member=owner).split())
    assert "1 échange réalisé" in html
    assert "0 rendez-vous manqué" in html
    assert "Note moyenne : 4 sur 5 (1 avis)" in html


# --- pages ----------------------------------------------------------------------------------------


def test_requesting_through_the_pages(owner, asker, gift, client_for, outbox):
    browser = client_for(asker)
    form = browser.get(f"/annonces/{gift.id}/demander")
    assert form.status_code == 200
    assert 'for="message"' in text(form)
    response = browser.post(f"/annonces/{gift.id}/demander", data={"message": "Mercredi ?"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/mes-demandes"
    page = text(browser.get("/mes-demandes"))
    assert "Votre demande est envoyée à Olivier Propriétaire." in page
    assert TITLE in page and "En attente de réponse" in page
    assert len(outbox.to(owner.email)) == 1


def test_a_too_long_request_message_is_kept_with_a_422(asker, gift, client_for):
    message = "Bonjour " * 130
    response = client_for(asker).post(f"/annonces/{gift.id}/demander", data={"message": message})
    assert response.status_code == 422
    assert "Ce texte ne peut pas dépasser 1000 caractères." in text(response)
    assert f"{message}</textarea>" in text(response)
    assert db.session.scalar(select(func.count()).select_from(ExchangeRequest)) == 0


def test_request_pages_answer_the_owner_and_unavailable_listings_clearly(
    owner, asker, gift, client_for
):
    assert client_for(owner).post(f"/annonces/{gift.id}/demander").status_code == 403
    draft = make_listing(owner=owner, status="draft")
    browser = client_for(asker)
    assert browser.post(f"/annonces/{draft.id}/demander").status_code == 404
    given = make_listing(owner=owner, status="given")
    response = browser.post(f"/annonces/{given.id}/demander", data={"message": ""})
    assert response.status_code == 409
    assert "Cette annonce n’est plus disponible." in text(response)
    response = browser.get(f"/annonces/{given.id}/demander")
    assert response.headers["Location"] == "/mes-demandes"
    assert "Cette annonce n’est plus disponible." in text(browser.get("/mes-demandes"))


def test_the_owner_chooses_from_the_requests_page(owner, asker, rival, gift, client_for, outbox):
    picked = ask(asker, gift, "Je viens à vélo !")
    other = ask(rival, gift)
    browser = client_for(owner)
    page = text(browser.get(f"/annonces/{gift.id}/demandes"))
    assert "Je viens à vélo !" in page
    assert "Choisir Inès Intéressée" in page and "Choisir Rémi Rival" in page
    assert "0 rendez-vous manqué" in page
    response = browser.post(f"/demandes/{picked.id}/choisir")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/annonces/{gift.id}/demandes"
    page = text(browser.get(response.headers["Location"]))
    assert "Vous avez choisi Inès Intéressée" in page
    assert "Personne choisie : Inès Intéressée" in page
    assert (fresh(picked).status, fresh(other).status) == ("accepted", "declined")

    again = browser.post(f"/demandes/{other.id}/choisir")
    assert again.status_code == 303
    assert "Cette demande n’a pas été retenue." in text(browser.get(again.headers["Location"]))


def test_strangers_get_403_on_requests_and_404_on_unknown_ids(
    owner, asker, stranger, gift, client_for
):
    request = ask(asker, gift)
    browser = client_for(stranger)
    assert browser.get(f"/annonces/{gift.id}/demandes").status_code == 403
    for action in ("choisir", "refuser", "retirer", "remise", "absent"):
        response = browser.post(f"/demandes/{request.id}/{action}")
        assert response.status_code == 403, action
        assert "Accès refusé" in text(response) or "Seul" in text(response)
        assert browser.post(f"/demandes/{request.id + 1000}/{action}").status_code == 404
    assert browser.get(f"/demandes/{request.id}/evaluer").status_code == 403
    assert browser.get(f"/annonces/{gift.id + 1000}/demandes").status_code == 404
    assert fresh(request).status == "pending"


def test_visitors_are_sent_to_sign_in(client, gift):
    for path in (f"/annonces/{gift.id}/demandes", "/mes-demandes", f"/annonces/{gift.id}/demander"):
        assert client.get(path).headers["Location"].startswith("/compte/connexion")


def test_a_too_long_decline_reason_is_kept_with_a_422(owner, asker, gift, client_for):
    request = ask(asker, gift)
    reason = "Désolé " * 80
    response = client_for(owner).post(
        f"/demandes/{request.id}/refuser", data={f"decline-{request.id}-reason": reason}
    )
    assert response.status_code == 422
    assert "Ce texte ne peut pas dépasser 500 caractères." in text(response)
    assert f'href="#decline-{request.id}-reason"' in text(response)  # the error summary
    assert f"{reason}</textarea>" in text(response)
    assert fresh(request).status == "pending"


def test_handover_no_show_and_withdrawal_through_the_pages(owner, asker, rival, gift, client_for):
    request = accepted(owner, asker, gift)
    owner_browser, asker_browser = client_for(owner), client_for(asker)
    response = asker_browser.post(
        f"/demandes/{request.id}/remise", data={"next": f"/annonces/{gift.id}"}
    )
    # Always the exchange's page: the listing may be closed (a gift visible to its owner only)
    page = f"/demandes/{request.id}"
    assert (response.status_code, response.headers["Location"]) == (303, page)
    response = asker_browser.post(f"/demandes/{request.id}/remise", data={"next": "//evil.example"})
    assert response.headers["Location"] == page
    assert "Vous avez déjà confirmé la remise." in text(asker_browser.get(page))
    response = owner_browser.post(f"/demandes/{request.id}/absent")
    assert "a confirmé avoir reçu" in text(owner_browser.get(response.headers["Location"]))
    owner_browser.post(f"/demandes/{request.id}/remise")
    assert (fresh(request).status, fresh(gift).status) == ("completed", "given")

    sale = make_listing(owner=owner, kind="sale")
    second = accepted(owner, rival, sale)
    assert owner_browser.post(f"/demandes/{second.id}/absent").status_code == 303
    assert (fresh(second).status, fresh(sale).status) == ("no_show", "published")
    third = ask(asker, sale)
    assert (
        asker_browser.post(f"/demandes/{third.id}/retirer", data={"confirmed": "yes"}).status_code
        == 303
    )
    assert fresh(third).status == "withdrawn"


def test_rating_through_the_pages(owner, asker, gift, client_for):
    request = completed(owner, asker, gift)
    browser = client_for(asker)
    form = text(browser.get(f"/demandes/{request.id}/evaluer"))
    assert "Évaluer Olivier Propriétaire" in form
    assert 'type="radio"' in form and "<legend>Votre note" in form
    response = browser.post(
        f"/demandes/{request.id}/evaluer", data={"score": "5", "comment": "Top"}
    )
    assert response.headers["Location"] == f"/demandes/{request.id}"
    assert "Merci pour votre évaluation." in text(browser.get(f"/demandes/{request.id}"))
    response = browser.get(f"/demandes/{request.id}/evaluer")
    assert response.headers["Location"] == f"/demandes/{request.id}"
    assert "Vous avez déjà évalué cet échange." in text(browser.get(f"/demandes/{request.id}"))


@pytest.mark.parametrize("score", ["0", "6", "abc", ""])
def test_a_bad_score_from_the_page_is_a_422_that_keeps_the_comment(
    owner, asker, gift, client_for, score
):
    request = completed(owner, asker, gift)
    response = client_for(asker).post(
        f"/demandes/{request.id}/evaluer", data={"score": score, "comment": "Très sympa"}
    )
    assert response.status_code == 422
    assert "Choisissez une note de 1 à 5." in text(response)
    assert "Très sympa</textarea>" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 0


def test_a_too_long_comment_from_the_page_is_a_422_that_keeps_it(owner, asker, gift, client_for):
    request = completed(owner, asker, gift)
    comment = "Parfait " * 70
    response = client_for(asker).post(
        f"/demandes/{request.id}/evaluer", data={"score": "5", "comment": comment}
    )
    assert response.status_code == 422
    assert "Ce texte ne peut pas dépasser 500 caractères." in text(response)
    assert f"{comment}</textarea>" in text(response)


def test_rating_an_unfinished_exchange_from_the_page_explains_why(owner, asker, gift, client_for):
    request = accepted(owner, asker, gift)
    browser = client_for(owner)
    response = browser.post(f"/demandes/{request.id}/evaluer", data={"score": "5"})
    assert response.status_code == 303
    assert "une fois l’échange terminé" in text(browser.get(f"/demandes/{request.id}"))


def test_html_in_requests_and_comments_is_shown_as_text(owner, asker, gift, client_for):
    ask(asker, gift, "<img src=x onerror=alert(1)>")
    page = text(client_for(owner).get(f"/annonces/{gift.id}/demandes"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_exchange_forms_refuse_a_post_without_csrf_token(app, owner, asker, gift, client_for):
    request = ask(asker, gift)
    owner_browser, asker_browser = client_for(owner), client_for(asker)
    app.config["WTF_CSRF_ENABLED"] = True
    response = owner_browser.post(f"/demandes/{request.id}/choisir")
    assert response.status_code == 400
    assert "Formulaire expiré" in text(response)
    assert asker_browser.post(f"/annonces/{gift.id}/demander", data={}).status_code == 400
    assert fresh(request).status == "pending"


# --- simultaneous clicks --------------------------------------------------------------------------


def test_eight_simultaneous_acceptances_choose_exactly_one(app, owner, gift, client_for, outbox):
    requesters = [make_user(display_name=f"Demandeur {n}") for n in range(8)]
    requests = [ask(user, gift) for user in requesters]
    tabs = [client_for(owner) for _ in requests]

    statuses = post_at_once(
        app, [(tab, f"/demandes/{r.id}/choisir", {}) for tab, r in zip(tabs, requests, strict=True)]
    )

    assert sorted(statuses) == [303] * 8
    chosen = [r for r in requests if fresh(r).status == "accepted"]
    assert len(chosen) == 1
    assert sorted(r.status for r in requests) == ["accepted"] + ["declined"] * 7
    assert fresh(gift).status == "reserved"
    for user in requesters:
        assert len(outbox.to(user.email)) == 1
    [winner] = chosen
    assert outbox.to(winner.requester.email)[0].subject.startswith("Bonne nouvelle")


def test_both_parties_rating_twice_at_once_leave_one_rating_each(
    app, owner, asker, gift, client_for, outbox
):
    request = completed(owner, asker, gift)
    path = f"/demandes/{request.id}/evaluer"
    calls = [
        (client_for(user), path, {"score": str(score), "comment": f"Note {score}"})
        for user in (owner, asker)
        for score in (4, 5)
    ]

    statuses = post_at_once(app, calls)

    assert sorted(statuses) == [303] * 4
    ratings = db.session.scalars(select(Rating)).all()
    assert sorted(r.rater_id for r in ratings) == sorted([owner.id, asker.id])
    for user in (owner, asker):
        assert subjects(outbox, user.email).count(f"{user.display_name} vous a évalué") == 0
        rated_mails = [s for s in subjects(outbox, user.email) if s.endswith("vous a évalué")]
        assert len(rated_mails) == 1


def test_both_parties_confirming_at_the_same_moment_complete_the_exchange(
    app, owner, asker, gift, client_for, outbox
):
    request = accepted(owner, asker, gift)
    path = f"/demandes/{request.id}/remise"

    statuses = post_at_once(app, [(client_for(owner), path, {}), (client_for(asker), path, {})])

    assert statuses == [303, 303]
    assert (fresh(request).status, fresh(gift).status) == ("completed", "given")
    assert request.owner_confirmed_at is not None and request.requester_confirmed_at is not None
    closing = [
        mail
        for address in (owner.email, asker.email)
        for mail in outbox.to(address)
        if mail.subject.startswith("Échange terminé")
    ]
    assert len(closing) == 1


def test_ids_too_large_for_the_database_are_a_404(asker, client_for):
    browser = client_for(asker)
    huge = 10**25
    assert browser.get(f"/annonces/{huge}/demandes").status_code == 404
    assert browser.get(f"/demandes/{huge}/evaluer").status_code == 404
    assert browser.post(f"/demandes/{huge}/choisir").status_code == 404
