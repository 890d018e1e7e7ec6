"""In real Chromium, CSRF on, axe-core on every page: an unborrowed bike is suggested to its
owner, who offers it to the ressourcerie; a member of the ressourcerie finds it in the list and
accepts it, and the item's history says where it went."""

import csv
import io
import re

import pytest

from sportressources.core.db import utcnow
from sportressources.impact.figures import current_month
from sportressources.secondlife.scan import months_before, scan
from tests.factories import PASSWORD, add_member, committed, make_listing, make_user
from tests.fixtures.browser import expect
from tests.secondlife.conftest import aged, with_photo

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def login(page, email):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


def test_an_idle_bike_goes_to_the_ressourcerie(page, outbox, ressourcerie, volunteer):
    # Four owners of Lens gave idle bikes this month already: with Olivier's, five people, so
    # the month is no longer a small cell and the public impact page counts the five bikes
    for number in range(4):
        give_to_the_ressourcerie(
            make_user(email=f"voisin{number}@example.org"), volunteer, ressourcerie
        )
    owner = make_user(email="owner@example.org", display_name="Olivier")
    bike = make_listing(
        owner=owner,
        kind="loan",
        title="Vélo enfant 20 pouces",
        category="velos",
        size='20"',
        age_group="u9",
    )
    aged(with_photo(bike), months_before(utcnow(), 7))
    assert committed(scan()) == 1
    assert [m.subject for m in outbox.to("owner@example.org")] == [
        "Une seconde vie pour « Vélo enfant 20 pouces » ?"
    ]

    # Olivier sees the suggestion in « Mon espace » and offers the bike to the ressourcerie
    login(page, "owner@example.org")
    page.goto("/mon-espace")
    section = page.get_by_role("region", name="Une seconde vie pour votre matériel")
    section.get_by_role("link", name="Vélo enfant 20 pouces").click()
    page.get_by_label("Ressourcerie").select_option(label="Ressourcerie démo de l’Artois")
    page.get_by_role("button", name="Proposer à une ressourcerie").click()
    expect(page.locator(".flashes")).to_contain_text(
        "Votre proposition est envoyée à la ressourcerie."
    )
    expect(page.get_by_role("list").filter(has_text="Proposé à")).to_contain_text(
        "Proposé à Ressourcerie démo de l’Artois"
    )
    logout(page)

    # Vera, of the ressourcerie, finds it from the organisation's page, filters, accepts
    login(page, volunteer.email)
    page.goto(f"/organisations/{ressourcerie.slug}")
    page.get_by_role("link", name="Voir les objets proposés").click()
    page.get_by_label("Catégorie").select_option("velos")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="Vélo enfant 20 pouces").click()
    page.get_by_role("button", name="Accepter l’objet").click()
    expect(page.locator(".flashes")).to_contain_text(
        "Objet accepté : convenez de la collecte avec son propriétaire."
    )
    assert re.search(r"/messages/\d+", page.url)
    page.goto(f"/seconde-vie/ressourcerie/{ressourcerie.slug}")
    page.get_by_role("region", name="Objets acceptés").get_by_role(
        "link", name="Vélo enfant 20 pouces"
    ).click()
    expect(page.get_by_role("region", name="Historique de l’objet")).to_contain_text(
        "Accepté par Ressourcerie démo de l’Artois"
    )
    assert "la ressourcerie l’accepte" in outbox.last("owner@example.org").subject
    logout(page)

    page.goto("/impact")
    expect(page.locator(".impact-figures")).to_contain_text("5 Objets confiés à une ressourcerie")
    twin = page.get_by_role("table", name=re.compile(r"seconde vie .*, par mois"))
    expect(twin.get_by_role("row", name=f"{current_month()} 5")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les données (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    this_month = [row for row in rows if row["mois"] == current_month()]
    counted = [(row["commune"], row["objets_ressourcerie"], row["kg_evites"]) for row in this_month]
    assert counted == [("Lens", "5", "65")]


def give_to_the_ressourcerie(owner, volunteer, ressourcerie):
    """An idle bike of ``owner`` suggested, offered and accepted through the services."""
    from sportressources.secondlife import queries, services

    bike = make_listing(owner=owner, kind="loan", category="velos", size='20"', age_group="u9")
    aged(with_photo(bike), months_before(utcnow(), 7))
    committed(scan())
    suggestion = queries.open_suggestions_of(owner)[0]
    committed(services.offer_to_ressourcerie(owner, suggestion, ressourcerie.id))
    committed(services.accept_offer(volunteer, suggestion))


@pytest.fixture
def volunteer(ressourcerie):
    return add_member(
        ressourcerie, make_user(email="vera@example.org", display_name="Vera Bénévole")
    )


def test_the_second_life_pages_fit_a_phone(phone_page, ressourcerie, volunteer):
    from sportressources.secondlife import queries, services

    owner = make_user(email="owner@example.org", display_name="Olivier")
    bike = make_listing(owner=owner, kind="loan", title="Vélo enfant 20 pouces", size="38")
    aged(with_photo(bike), months_before(utcnow(), 7))
    committed(scan())
    suggestion = queries.open_suggestions_of(owner)[0]
    committed(services.offer_to_ressourcerie(owner, suggestion, ressourcerie.id))
    phone_tour(
        phone_page, owner.email, ["/mon-espace", "/seconde-vie", f"/seconde-vie/{suggestion.id}"]
    )
    phone_page.context.clear_cookies()
    phone_tour(
        phone_page,
        volunteer.email,
        [f"/seconde-vie/ressourcerie/{ressourcerie.slug}", f"/seconde-vie/{suggestion.id}"],
    )


def phone_tour(page, email, paths):
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for path in paths:
        assert page.goto(path).status == 200, path
        page.audit()  # axe-core, and the width of the page against the 390 px window
