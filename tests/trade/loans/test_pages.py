"""The loan pages: calendar and request form on a listing, each step through its form, errors
kept with a 422, who may see and do what, CSRF, and the lists that must not grow queries."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from sportressources.core.db import db
from sportressources.trade.loans import handovers, services, terms
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import BlockedPeriod, Handover, KitItem, Loan, LoanTerms
from tests.factories import make_listing, make_user
from tests.trade.loans.conftest import committed, fresh, make_loan_listing

CONFIRMED = {"confirmed": "yes"}  # the second step of a destructive action (core.web.confirmation)


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def today():
    return paris_today()


def on(today, offset: int):
    return today + timedelta(days=offset)


def requested(borrower, listing, today, start=1, end=2):
    return committed(services.request_loan(borrower, listing, on(today, start), on(today, end)))


def accepted(owner, borrower, listing, today, start=1, end=2):
    loan = requested(borrower, listing, today, start, end)
    return committed(services.accept_loan(owner, loan))


def active(owner, borrower, listing, today, end=2):
    loan = accepted(owner, borrower, listing, today, 0, end)
    for user in (owner, borrower):
        committed(handovers.confirm_pickup(user, loan))
    return loan


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (10, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


# --- the listing's loan page ---------------------------------------------------------------------


def test_the_calendar_shows_one_month_as_a_table_with_each_day_in_words(
    owner, borrower, rival, bike, today, client_for
):
    accepted(owner, borrower, bike, today, 2, 3)
    committed(terms.add_blocked_period(owner, bike, on(today, 5), on(today, 5)))
    browser = client_for(rival)

    page = html(browser.get(f"/prets/annonces/{bike.id}"))

    assert page.count('<table class="table loan-calendar-month">') == 1
    assert page.count('<th scope="col"><abbr title="lundi">lun.</abbr></th>') == 1
    assert re.search(r"<caption>[A-ZÉ][a-zéû]+ \d{4}</caption>", page)
    for offset, state in ((2, "réservé"), (3, "réservé"), (5, "bloqué")):
        day = on(today, offset)
        month_page = html(browser.get(f"/prets/annonces/{bike.id}?mois={day:%Y-%m}"))
        cell = re.search(
            rf'<td class="loan-day loan-day--\w+" data-date="{day.isoformat()}">'
            rf'\s*(?:<a [^>]*>)?{day.day} <span class="loan-day-state">(\w+)</span>',
            month_page,
        )
        assert cell and cell.group(1) == state, (offset, state)
    # A free day links to the form with that day filled in
    free_day = on(today, 7)
    if free_day.month == today.month:
        link = f"/prets/annonces/{bike.id}?debut={free_day.isoformat()}#demande-pret"
    else:
        page = html(browser.get(f"/prets/annonces/{bike.id}?mois={free_day:%Y-%m}"))
        link = (
            f"/prets/annonces/{bike.id}?mois={free_day:%Y-%m}&amp;debut={free_day.isoformat()}"
            "#demande-pret"
        )
    assert link in page
    prefilled = html(browser.get(link.split("#")[0].replace("&amp;", "&")))
    assert f'value="{free_day.isoformat()}"' in prefilled
    assert "Passer le calendrier et aller au formulaire de demande" in page


def test_the_calendar_turns_month_by_month_without_javascript(bike, today, client):
    first, second = today.replace(day=1), (today.replace(day=1) + timedelta(days=32))
    path = f"/prets/annonces/{bike.id}"

    page = html(client.get(path))
    assert f'href="{path}?mois={second:%Y-%m}#calendrier-pret" rel="next">Mois suivant ›' in page
    assert "Mois précédent" not in page
    assert f'data-date="{first.isoformat()}"' in page

    page = html(client.get(f"{path}?mois={second:%Y-%m}"))
    assert f'data-date="{second.replace(day=1).isoformat()}"' in page
    assert f'data-date="{first.isoformat()}"' not in page
    assert f'href="{path}?mois={first:%Y-%m}#calendrier-pret" rel="prev">‹ Mois précédent' in page


@pytest.mark.parametrize("wanted", ["2001-01", "demain", "<script>", "2099-13", ""])
def test_an_unknown_month_shows_the_current_one(bike, today, client, wanted):
    response = client.get(f"/prets/annonces/{bike.id}", query_string={"mois": wanted})
    page = html(response)
    assert response.status_code == 200
    assert f'data-date="{today.replace(day=1).isoformat()}"' in page


def test_visitors_see_the_calendar_without_links_and_a_sign_in_invitation(client, bike):
    page = html(client.get(f"/prets/annonces/{bike.id}"))
    assert "loan-calendar-month" in page and "?debut=" not in page
    assert "Connectez-vous pour emprunter ce matériel." in page


def test_the_owner_gets_the_management_links_not_the_form(owner, bike, client_for):
    page = html(client_for(owner).get(f"/prets/annonces/{bike.id}"))
    assert "Conditions de prêt, kit et périodes bloquées" in page
    assert "Envoyer ma demande de prêt" not in page and "?debut=" not in page
    assert "Le prêt de votre matériel</h2>" in page and "Emprunter ce matériel" not in page


def test_requesting_through_the_page(owner, borrower, bike, today, client_for, outbox):
    browser = client_for(borrower)
    response = browser.post(
        f"/prets/annonces/{bike.id}/demander",
        data={
            "loan-start_date": on(today, 1).isoformat(),
            "loan-end_date": on(today, 2).strftime("%d/%m/%Y"),
            "loan-message": "Pour une sortie en famille",
        },
    )
    loan = db.session.scalar(select(Loan))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/prets/{loan.id}"
    assert loan.end_date == on(today, 2)
    assert "Votre demande est envoyée à Olivier Prêteur" in html(browser.get(f"/prets/{loan.id}"))
    assert outbox.last(owner.email).subject.startswith("Demande de prêt")


def test_a_request_with_errors_is_shown_again_with_its_values(borrower, bike, today, client_for):
    response = client_for(borrower).post(
        f"/prets/annonces/{bike.id}/demander",
        data={
            "loan-start_date": on(today, 3).isoformat(),
            "loan-end_date": on(today, 1).isoformat(),
            "loan-message": "Mon message gardé",
        },
    )
    page = html(response)
    assert response.status_code == 422
    assert "<title>Erreur – " in page
    assert "Le dernier jour ne peut pas précéder le premier." in page
    assert f'value="{on(today, 3).isoformat()}"' in page
    assert "Mon message gardé" in page
    assert 'aria-invalid="true"' in page
    bad = client_for(borrower).post(
        f"/prets/annonces/{bike.id}/demander",
        data={"loan-start_date": "31/02/2027", "loan-end_date": "demain"},
    )
    assert bad.status_code == 422
    assert "Indiquez une date, par exemple 27/03/2027." in html(bad)
    assert 'value="demain"' in html(bad)
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 0


def test_booked_dates_offer_the_waiting_list_for_the_same_dates(
    owner, borrower, rival, bike, today, client_for, outbox
):
    loan = accepted(owner, borrower, bike, today, 2, 4)
    browser = client_for(rival)
    response = browser.post(
        f"/prets/annonces/{bike.id}/demander",
        data={
            "loan-start_date": on(today, 3).isoformat(),
            "loan-end_date": on(today, 5).isoformat(),
        },
    )
    page = html(response)
    assert response.status_code == 409
    assert "Ces dates ne sont plus libres" in page
    assert page.count(f'value="{on(today, 3).isoformat()}"') == 2  # request and waiting list

    joined = browser.post(
        f"/prets/annonces/{bike.id}/liste-attente",
        data={
            "waitlist-start_date": on(today, 3).isoformat(),
            "waitlist-end_date": on(today, 5).isoformat(),
        },
    )
    assert joined.status_code == 303
    assert "Vous attendez ce matériel du" in html(browser.get(f"/prets/annonces/{bike.id}"))
    committed(services.cancel_loan(borrower, loan))
    assert outbox.last(rival.email).subject == "« Vélo enfant 20 pouces » est de nouveau libre"
    left = browser.post(f"/prets/annonces/{bike.id}/liste-attente/quitter", data=CONFIRMED)
    assert left.status_code == 303
    assert "Vous attendez ce matériel" not in html(browser.get(f"/prets/annonces/{bike.id}"))


def test_a_borrower_who_cannot_borrow_is_told_why_instead_of_the_form(
    app, owner, borrower, bike, today, client_for
):
    app.config["LOANS_MAX_ACTIVE"] = 1
    requested(borrower, make_loan_listing(owner, title="Ballon"), today)
    page = html(client_for(borrower).get(f"/prets/annonces/{bike.id}"))
    assert "Vous avez déjà 1 prêts demandés ou en cours" in page
    assert "Envoyer ma demande de prêt" not in page


def test_loan_pages_of_listings_that_are_not_loans_or_not_visible_are_not_found(
    owner, borrower, client_for
):
    gift = make_listing(owner=owner, kind="gift")
    draft = make_loan_listing(owner, status="draft")
    browser = client_for(borrower)
    assert browser.get(f"/prets/annonces/{gift.id}").status_code == 404
    assert browser.get(f"/prets/annonces/{draft.id}").status_code == 404
    assert browser.get(f"/prets/annonces/{10**25}").status_code == 404
    assert client_for(owner).get(f"/prets/annonces/{draft.id}").status_code == 200


# --- one loan, step by step ----------------------------------------------------------------------


def test_a_whole_loan_through_the_pages(owner, borrower, bike, today, client_for, outbox):
    loan = requested(borrower, bike, today, 0, 2)
    lender, taker = client_for(owner), client_for(borrower)

    page = html(lender.get(f"/prets/{loan.id}"))
    assert "Accepter le prêt du" in page and "Refuser la demande" in page
    assert "Accepter le prêt" not in html(taker.get(f"/prets/{loan.id}"))
    assert lender.post(f"/prets/{loan.id}/accepter").status_code == 303

    page = html(taker.get(f"/prets/{loan.id}"))
    assert "Confirmer la remise" in page and 'type="checkbox"' in page
    assert 'id="pickup-checklist-freins"' in page and "Freins efficaces" in page
    response = taker.post(
        f"/prets/{loan.id}/retrait",
        data={
            "pickup-checklist": ["freins", "pneus"],
            "pickup-notes": "Sonnette absente",
            "pickup-photo": (io.BytesIO(jpeg()), "velo.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert (
        lender.post(f"/prets/{loan.id}/retrait", data={"pickup-checklist": ["freins"]}).status_code
        == 303
    )
    assert fresh(loan).status == "active"
    page = html(lender.get(f"/prets/{loan.id}"))
    assert "Freins efficaces : <strong>en ordre</strong>" in page
    assert "Éclairage et catadioptres : <strong>à revoir</strong>" in page
    assert "Sonnette absente" in page
    photo = db.session.scalar(select(Handover.photo_key).where(Handover.photo_key.is_not(None)))
    assert photo.startswith("pret-") and f"/medias/{photo}-s.jpg" in page
    with lender.get(f"/medias/{photo}.jpg") as served:
        assert served.status_code == 200 and served.data.startswith(b"\xff\xd8")

    assert (
        taker.post(f"/prets/{loan.id}/retour", data={"return-checklist": ["freins"]}).status_code
        == 303
    )
    response = lender.post(
        f"/prets/{loan.id}/retour",
        data={
            "return-checklist": ["freins"],
            "return-deposit_kept": "12,50",
            "return-damage_report": "Pneu crevé",
        },
    )
    assert response.status_code == 303
    assert (fresh(loan).status, loan.deposit_kept_cents) == ("returned", 1250)

    assert "Évaluer Inès Emprunteuse" in html(lender.get(f"/prets/{loan.id}"))
    rate_page = lender.get(f"/prets/{loan.id}/evaluer")
    assert rate_page.status_code == 200 and "5 – Excellent" in html(rate_page)
    assert lender.post(f"/prets/{loan.id}/evaluer", data={"score": "5"}).status_code == 303
    assert "Prêt terminé. Merci !" in html(lender.get(f"/prets/{loan.id}"))
    assert lender.get(f"/prets/{loan.id}/evaluer").status_code == 303  # once only
    subjects = [mail.subject for mail in outbox.messages()]
    steps = ("Demande de prêt", "Prêt accepté", "Confirmez la remise", "Prêt en cours")
    steps += ("Confirmez le retour", "Prêt terminé", "Olivier Prêteur vous a évalué")
    for expected in steps:
        assert any(subject.startswith(expected) for subject in subjects), expected


def test_step_forms_with_errors_keep_their_text_with_a_422(
    app, owner, borrower, bike, today, client_for
):
    loan = requested(borrower, bike, today, 1, 2)
    lender = client_for(owner)
    response = lender.post(f"/prets/{loan.id}/refuser", data={"decline-reason": "x" * 501})
    assert response.status_code == 422
    assert "x" * 501 in html(response) and "500 caractères" in html(response)
    assert fresh(loan).status == "requested"

    committed(services.accept_loan(owner, loan))
    helmet = make_loan_listing(owner, title="Casque")
    committed(terms.set_terms(owner, helmet, 1, 7, 2000))
    loan2 = active(owner, borrower, helmet, today)
    taker = client_for(borrower)
    response = taker.post(
        f"/prets/{loan2.id}/prolongation", data={"extension-new_end": on(today, 1).isoformat()}
    )
    assert response.status_code == 422
    assert "Le nouveau dernier jour doit être après le" in html(response)
    response = taker.post(f"/prets/{loan2.id}/retrait", data={"pickup-checklist": ["freins"]})
    assert response.status_code == 303  # already active: a message, not a form error
    response = client_for(owner).post(
        f"/prets/{loan2.id}/retour",
        data={"return-checklist": ["nimporte"], "return-notes": "Mes notes"},
    )
    assert response.status_code == 422
    assert "Cochez seulement les cases proposées." in html(response)
    assert "Mes notes" in html(response)
    bad_photo = taker.post(
        f"/prets/{loan2.id}/retour",
        data={"return-photo": (io.BytesIO(b"not an image"), "photo.jpg")},
        content_type="multipart/form-data",
    )
    assert bad_photo.status_code == 422
    assert "« photo.jpg » n’est pas une image JPEG, PNG ou WebP." in html(bad_photo)
    # A good photo sent with a refused step is not kept
    refused = client_for(owner).post(
        f"/prets/{loan2.id}/retour",
        data={"return-deposit_kept": "25", "return-photo": (io.BytesIO(jpeg()), "casque.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "entre 0 et 20 €" in html(refused)
    assert not list(Path(app.config["UPLOAD_DIR"]).rglob("pret-*"))
    assert fresh(loan2).status == "active"


def uploaded_files(app) -> list[str]:
    """Every file under UPLOAD_DIR, staged ones included."""
    return sorted(p.name for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def crash_after(real):
    """The service runs, then the request crashes before its commit."""

    def confirm(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("crash after the service")

    return confirm


def fail_the_commit(real):
    """The service runs, then a second record of the same step makes the commit fail."""

    def confirm(actor, loan, **kwargs):
        real(actor, loan, **kwargs)
        db.session.add(
            Handover(loan_id=loan.id, stage="pickup", party="borrower", user_id=actor.id)
        )

    return confirm


def locked_database():
    """The write lock is not obtained (SQLite busy past its timeout): before the service runs."""
    raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))


@pytest.mark.parametrize(
    ("failure", "outcome"),
    [
        (crash_after, RuntimeError),
        (fail_the_commit, IntegrityError),
        ("lock", 503),  # answered by the database-unavailable page
    ],
)
def test_a_failure_after_the_photo_leaves_no_file_and_no_record(
    app, owner, borrower, bike, today, client_for, monkeypatch, failure, outcome
):
    loan = accepted(owner, borrower, bike, today, 0, 2)
    taker = client_for(borrower)

    def send_pickup():
        return taker.post(
            f"/prets/{loan.id}/retrait",
            data={"pickup-checklist": ["freins"], "pickup-photo": (io.BytesIO(jpeg()), "v.jpg")},
            content_type="multipart/form-data",
        )

    with monkeypatch.context() as patched:
        if failure == "lock":
            patched.setattr("sportressources.core.web.begin_write", locked_database)
            assert send_pickup().status_code == outcome
        else:
            patched.setattr(handovers, "confirm_pickup", failure(handovers.confirm_pickup))
            with pytest.raises(outcome):
                send_pickup()
    db.session.rollback()
    assert uploaded_files(app) == []
    assert db.session.scalar(select(func.count()).select_from(Handover)) == 0

    assert send_pickup().status_code == 303
    key = db.session.scalar(select(Handover.photo_key))
    assert uploaded_files(app) == sorted([f"{key}.jpg", f"{key}-m.jpg", f"{key}-s.jpg"])


def test_conflicts_become_a_message_on_the_loan_page(owner, borrower, bike, today, client_for):
    loan = requested(borrower, bike, today, 1, 2)
    committed(services.cancel_loan(borrower, loan))
    lender = client_for(owner)
    response = lender.post(f"/prets/{loan.id}/accepter")
    assert response.status_code == 303
    assert "Ce prêt a été annulé." in html(lender.get(f"/prets/{loan.id}"))
    taker = client_for(borrower)
    assert taker.post(f"/prets/{loan.id}/retour").status_code == 303
    assert "Ce prêt a été annulé." in html(taker.get(f"/prets/{loan.id}"))


def test_an_overlapping_extension_is_refused_with_a_clear_message(
    owner, borrower, rival, bike, today, client_for
):
    loan = active(owner, borrower, bike, today, 2)
    accepted(owner, rival, bike, today, 4, 5)
    response = client_for(borrower).post(
        f"/prets/{loan.id}/prolongation", data={"extension-new_end": on(today, 4).isoformat()}
    )
    assert response.status_code == 409
    assert "Ces dates ne sont plus libres" in html(response)
    assert fresh(loan).extension_end_date is None


def test_html_in_messages_and_notes_is_shown_as_text(owner, borrower, bike, today, client_for):
    loan = committed(
        services.request_loan(
            borrower, bike, on(today, 1), on(today, 1), "<script>alert(1)</script>"
        )
    )
    page = html(client_for(owner).get(f"/prets/{loan.id}"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


# --- owner's pages -------------------------------------------------------------------------------


def test_the_owner_sets_terms_and_composes_a_kit(owner, client_for):
    bike = make_loan_listing(owner)
    helmet = make_loan_listing(owner, title="Casque enfant", category="casques", size="S")
    browser = client_for(owner)
    page = html(browser.get(f"/prets/annonces/{bike.id}/conditions"))
    assert 'value="1"' in page and 'value="14"' in page and "Casque enfant" in page

    response = browser.post(
        f"/prets/annonces/{bike.id}/conditions",
        data={
            "min_days": "2",
            "max_days": "300",
            "deposit": "40,50",
            "kit_items": [str(helmet.id)],
        },
    )
    assert response.status_code == 303
    row = db.session.get(LoanTerms, bike.id)
    assert (row.min_days, row.max_days, row.deposit_cents) == (2, 300, 4050)
    assert db.session.scalars(select(KitItem.item_id)).all() == [helmet.id]

    bad = browser.post(
        f"/prets/annonces/{bike.id}/conditions",
        data={"min_days": "5", "max_days": "3", "deposit": "beaucoup"},
    )
    assert bad.status_code == 422
    assert "Indiquez un nombre" in html(bad) and 'value="beaucoup"' in html(bad)
    bad = browser.post(
        f"/prets/annonces/{bike.id}/conditions", data={"min_days": "5", "max_days": "3"}
    )
    assert "ne peut pas être plus courte que la minimale" in html(bad)
    forged = browser.post(
        f"/prets/annonces/{bike.id}/conditions",
        data={"min_days": "1", "max_days": "3", "kit_items": ["999999"]},
    )
    assert forged.status_code == 422 and "Cochez seulement les cases proposées." in html(forged)


def test_the_owner_blocks_and_frees_periods(owner, bike, today, client_for):
    browser = client_for(owner)
    response = browser.post(
        f"/prets/annonces/{bike.id}/periodes",
        data={
            "block-start_date": on(today, 3).isoformat(),
            "block-end_date": on(today, 4).isoformat(),
            "block-note": "Vacances",
        },
    )
    assert response.status_code == 303
    page = html(browser.get(f"/prets/annonces/{bike.id}/conditions"))
    assert "Vacances" in page
    period = db.session.scalar(select(BlockedPeriod))
    bad = browser.post(
        f"/prets/annonces/{bike.id}/periodes",
        data={
            "block-start_date": on(today, 4).isoformat(),
            "block-end_date": on(today, 3).isoformat(),
            "block-note": "Gardée",
        },
    )
    assert bad.status_code == 422 and "Gardée" in html(bad)
    assert browser.post(f"/prets/periodes/{period.id}/supprimer", data=CONFIRMED).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(BlockedPeriod)) == 0


def test_the_history_shows_who_borrowed_when_and_the_condition_at_return(
    owner, borrower, bike, today, client_for
):
    loan = active(owner, borrower, bike, today, 1)
    committed(handovers.confirm_return(borrower, loan, ["freins", "pneus", "eclairage", "chaine"]))
    committed(handovers.confirm_return(owner, loan, ["freins"], damage_report="Chaîne rouillée"))
    page = html(client_for(owner).get(f"/prets/annonces/{bike.id}/historique"))
    assert "Inès Emprunteuse" in page
    assert re.search(r"Selon l’emprunteur :\s+tout est en ordre", page)
    assert re.search(r"Selon le prêteur :\s+à revoir", page)
    assert "à revoir : Pneus gonflés, sans coupure, Éclairage et catadioptres" in page
    assert "Chaîne rouillée" in page


def test_my_loans_lists_both_sides_with_the_next_step_in_a_fixed_number_of_queries(
    owner, borrower, bike, today, client_for, count_queries
):
    browser = client_for(borrower)
    lent_listing = make_loan_listing(borrower, title="Raquettes de badminton")
    requested(borrower, bike, today, 1, 1)
    requested(make_user(), lent_listing, today, 2, 2)
    with count_queries() as few:
        assert browser.get("/prets").status_code == 200
    others = [make_loan_listing(owner, title=f"Ballon {n}") for n in range(2)]
    for n, listing in enumerate(others):
        requested(borrower, listing, today, 2 + n, 2 + n)
    for n in range(2):
        requested(make_user(), lent_listing, today, 3 + n, 3 + n)
    with count_queries() as many:
        page = html(browser.get("/prets"))
    assert len(many) == len(few)
    assert page.count("Attendre la réponse") == 3
    assert page.count("Répondre à la demande") == 3
    assert "Raquettes de badminton" in page


# --- who may see and do what ---------------------------------------------------------------------


def test_visitors_are_sent_to_sign_in_everywhere(client, owner, borrower, bike, today):
    loan = requested(borrower, bike, today)
    for path in (
        "/prets",
        f"/prets/{loan.id}",
        f"/prets/{loan.id}/evaluer",
        f"/prets/annonces/{bike.id}/conditions",
        f"/prets/annonces/{bike.id}/historique",
        "/prets/calendrier",
        "/notifications",
    ):
        response = client.get(path)
        assert (
            response.status_code == 302 and "/compte/connexion" in response.headers["Location"]
        ), path
    for path in (
        f"/prets/annonces/{bike.id}/demander",
        f"/prets/annonces/{bike.id}/liste-attente",
        f"/prets/{loan.id}/accepter",
        f"/prets/{loan.id}/annuler",
        "/prets/calendrier/adresse",
    ):
        assert client.post(path).status_code == 302, path
    assert fresh(loan).status == "requested"


STEPS = ["accepter", "refuser", "annuler", "retrait", "retour", "prolongation",
         "prolongation/accepter", "prolongation/refuser", "absent"]  # fmt: skip


@pytest.mark.parametrize("step", STEPS)
def test_another_member_can_neither_see_nor_act_on_my_loan(
    owner, borrower, stranger, bike, today, client_for, step
):
    loan = accepted(owner, borrower, bike, today, 0, 2)
    browser = client_for(stranger)
    assert browser.get(f"/prets/{loan.id}").status_code == 403
    assert browser.get(f"/prets/{loan.id}/evaluer").status_code == 403
    assert browser.post(f"/prets/{loan.id}/{step}").status_code == 403
    assert fresh(loan).status == "accepted" and not loan.handovers


@pytest.mark.parametrize("step", ["accepter", "refuser"])
def test_the_borrower_cannot_answer_their_own_request(
    owner, borrower, bike, today, client_for, step
):
    loan = requested(borrower, bike, today)
    assert client_for(borrower).post(f"/prets/{loan.id}/{step}").status_code == 403
    assert fresh(loan).status == "requested"


def test_the_owner_cannot_request_their_own_item_from_the_page(owner, bike, today, client_for):
    response = client_for(owner).post(
        f"/prets/annonces/{bike.id}/demander",
        data={
            "loan-start_date": on(today, 1).isoformat(),
            "loan-end_date": on(today, 1).isoformat(),
        },
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 0


def test_only_the_owner_manages_terms_periods_and_history(owner, stranger, bike, today, client_for):
    period = committed(terms.add_blocked_period(owner, bike, on(today, 1), on(today, 1)))
    browser = client_for(stranger)
    assert browser.get(f"/prets/annonces/{bike.id}/conditions").status_code == 403
    assert (
        browser.post(
            f"/prets/annonces/{bike.id}/conditions", data={"min_days": "1", "max_days": "2"}
        ).status_code
        == 403
    )
    assert browser.post(f"/prets/annonces/{bike.id}/periodes").status_code == 403
    assert browser.post(f"/prets/periodes/{period.id}/supprimer").status_code == 403
    assert browser.get(f"/prets/annonces/{bike.id}/historique").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(BlockedPeriod)) == 1
    assert browser.post(f"/prets/periodes/{10**25}/supprimer").status_code == 404
    assert browser.get(f"/prets/{10**25}").status_code == 404


def test_loan_forms_refuse_a_post_without_csrf_token(app, owner, borrower, bike, today, client_for):
    loan = requested(borrower, bike, today)
    lender, taker = client_for(owner), client_for(borrower)
    app.config["WTF_CSRF_ENABLED"] = True
    response = lender.post(f"/prets/{loan.id}/accepter")
    assert response.status_code == 400
    assert "Formulaire expiré" in html(response)
    assert (
        taker.post(
            f"/prets/annonces/{bike.id}/demander",
            data={
                "loan-start_date": on(today, 5).isoformat(),
                "loan-end_date": on(today, 5).isoformat(),
            },
        ).status_code
        == 400
    )
    assert taker.post("/prets/calendrier/adresse").status_code == 400
    assert fresh(loan).status == "requested"
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 1
