"""Template slots: packages add their part to shared pages; one left out leaves no trace."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from werkzeug.exceptions import MethodNotAllowed, NotFound

from sportressources.app import DOMAINS
from sportressources.core.db import db
from sportressources.core.hooks import add_to_slot
from sportressources.messaging import services as messaging
from sportressources.trade.exchanges import services as exchanges
from sportressources.trade.loans import terms
from tests.factories import make_listing, make_user

OPTIONAL = {"messaging", "alerts", "trade"}
WITHOUT_OPTIONAL = tuple(name for name in DOMAINS if name not in OPTIONAL)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def targets(html: str) -> list[tuple[str, str]]:
    """(method, path) of every link and form of the page that stays on the site."""
    found = [("GET", href) for href in re.findall(r'<a [^>]*href="(/[^"#?]*)', html)]
    for form in re.findall(r"<form [^>]*>", html):
        action = re.search(r'action="(/[^"?]*)', form)
        if action:
            found.append(("POST" if 'method="post"' in form else "GET", action[1]))
    return found


def unserved(app, html: str) -> list[str]:
    adapter = app.url_map.bind("localhost")
    missing = []
    for method, path in targets(html):
        try:
            adapter.match(path, method=method)
        except (NotFound, MethodNotAllowed):
            missing.append(f"{method} {path}")
    return missing


@pytest.fixture
def neighbour(app):
    return make_user(email="neighbour@example.org", display_name="Yanis Voisin")


@pytest.fixture
def gift(neighbour):
    return make_listing(owner=neighbour, title="Raquette de badminton", sport="badminton")


@pytest.fixture
def bike(neighbour):
    listing = make_listing(
        owner=neighbour, kind="loan", title="Vélo enfant", category="velos", size='20"'
    )
    terms.set_terms(neighbour, listing, 1, 7, 5000)
    db.session.commit()
    return listing


def test_an_empty_slot_renders_nothing(app):
    with app.test_request_context():
        assert render_template_string('[{{ slot("nobody.fills.this") }}]') == "[]"


def test_a_slot_renders_its_contributions_by_order_with_the_context(app):
    add_to_slot(app, "test.slot", lambda **context: f"late {context['name']}", order=90)
    add_to_slot(app, "test.slot", lambda **context: "", order=5)
    add_to_slot(app, "test.slot", lambda **context: "<b>early</b>", order=10)
    with app.test_request_context():
        rendered = render_template_string('{{ slot("test.slot", name="<i>") }}')
    assert rendered == "<b>early</b>\nlate <i>"


@pytest.mark.parametrize("app_domains", [WITHOUT_OPTIONAL])
def test_without_messaging_alerts_and_trade_the_pages_link_only_to_what_is_served(
    app, resident_client, gift, bike
):
    for url in (
        "/",
        "/annonces?q=raquette",
        f"/annonces/{gift.id}",
        f"/annonces/{bike.id}",
        "/mon-espace",
    ):
        html = text(resident_client.get(url))
        assert unserved(app, html) == [], url
        assert "Mes prêts" not in html and "Notifications" in html
    assert "Écrire au propriétaire" not in html
    assert 'id="favoris"' in html and 'id="conversations"' not in html


def test_with_every_package_the_listing_page_shows_their_parts(app, resident_client, gift, bike):
    html = text(resident_client.get(f"/annonces/{gift.id}"))
    assert "Fiabilité" in html
    assert "Demander cet article" in html
    assert f'action="/annonces/{gift.id}/contacter"' in html
    assert "Écrire au propriétaire" in html
    assert 'id="loan-section-title"' not in html

    html = text(resident_client.get(f"/annonces/{bike.id}"))
    assert 'id="loan-section-title"' in html
    assert unserved(app, html) == []


def test_with_every_package_my_space_and_the_header_keep_their_order(
    app, resident, resident_client, neighbour, gift
):
    mine = make_listing(owner=resident, title="Ballon de handball", sport="handball")
    exchanges.request_item(neighbour, mine)
    exchanges.request_item(resident, gift)
    conversation = messaging.start_conversation(neighbour, mine)
    messaging.send_message(neighbour, conversation, "Toujours disponible ?")
    db.session.commit()

    html = text(resident_client.get("/mon-espace"))
    sections = re.findall(r'<section id="([a-z-]+)"', html)
    assert sections == [
        "mes-annonces",
        "demandes-recues",
        "mes-demandes",
        "conversations",
        "favoris",
        "alertes",
    ]
    assert re.findall(r'<li><a href="#([a-z-]+)">', html) == sections
    assert "Ballon de handball</a> · Yanis Voisin" in html
    assert "Raquette de badminton</a>" in html
    buttons = re.findall(r'<a class="button[^"]*" href="([^"]+)">', html)
    assert buttons[:4] == ["/annonces/nouvelle", "/messages", "/mes-demandes", "/alertes"]

    header = html.split('<ul class="account-nav">', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<li><a href="([^"]+)"', header)
    assert links == [
        "/messages",
        "/notifications",
        "/prets",
        "/collectes/mes-promesses",
        "/mon-espace",
        "/compte/",
    ]
    assert '<a href="/mon-espace" aria-current="page">' in header
    assert '<span class="badge">(1 non lu)</span>' in header
    assert unserved(app, html) == []
