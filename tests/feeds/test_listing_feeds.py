"""Feeds of new listings: any search, a zone, an organisation. What a feed reader shows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from sportressources.core.dates import paris_today
from sportressources.core.security import Role
from sportressources.listings.search import parse_search_args, search_listings
from sportressources.moderation import sanctions
from tests.factories import committed, make_listing, make_organisation, make_user, move_listing
from tests.feeds.helpers import read_feed

LENS, BETHUNE = "62498", "62119"


@pytest.fixture
def owner(app):
    return make_user(email="proprietaire@example.org", display_name="Paul P.")


def item(owner, title: str, **fields):
    fields = {"description": "Rien à signaler.", "sport": "multisport", "category": "autre",
              "size": "", **fields}  # fmt: skip
    return make_listing(owner, title=title, **fields)


def test_the_feed_of_a_search_lists_what_the_search_page_finds_newest_first(client, owner):
    item(owner, "Vélo enfant 20 pouces")
    item(owner, "Raquette de tennis")
    item(owner, "Vélo de course", commune_insee=BETHUNE)
    item(owner, "Vélo pliant", kind="sale", price_cents=4000)

    query = "q=v%C3%A9lo&kind=gift"
    feed = read_feed(client.get(f"/flux/annonces.atom?{query}"))

    params, _ = parse_search_args(MultiDict([("q", "vélo"), ("kind", "gift")]))
    expected = [hit.listing.title for hit in search_listings(params, limit=50).hits]
    assert feed.titles == expected == ["Vélo de course", "Vélo enfant 20 pouces"]
    assert feed.id == f"http://localhost/flux/annonces.atom?kind=gift&{query.split('&')[0]}"
    assert feed.link("alternate") == "http://localhost/annonces?kind=gift&q=v%C3%A9lo"
    assert "vélo" in feed.title


def test_a_feed_is_bounded_and_ignores_order_and_page_of_the_search(client, owner):
    for number in range(55):
        item(owner, f"Ballon numéro {number}")

    feed = read_feed(client.get("/flux/annonces.atom?sort=cheapest&after=zzz&before=1"))

    assert len(feed.entries) == 50
    assert feed.titles[0] == "Ballon numéro 54"


def test_a_newly_published_listing_appears_and_a_withdrawn_or_pending_one_does_not(client, owner):
    item(owner, "Déjà là")
    pending = item(owner, "En relecture", status="awaiting_review")
    item(owner, "Brouillon", status="draft")
    item(owner, "Réservé pour Julie", status="reserved")
    gone = item(owner, "Retirée bientôt")
    before = read_feed(client.get("/flux/annonces.atom"))
    assert before.titles == ["Retirée bientôt", "Réservé pour Julie", "Déjà là"]
    assert "Réservée" in before.entries[1].summary

    move_listing(gone, "withdraw")
    move_listing(pending, "approve")
    after = read_feed(client.get("/flux/annonces.atom"))

    assert after.titles == ["En relecture", "Réservé pour Julie", "Déjà là"]


def test_a_suspended_members_listings_leave_the_feed(client, owner):
    item(owner, "Gants de boxe")
    item(make_user(), "Casque de vélo")
    moderator = make_user(role=Role.MODERATOR)
    committed(
        sanctions.suspend_member(
            moderator, owner, paris_today() + timedelta(days=3),
            "Annonces trompeuses répétées malgré les avertissements.", "3.6",
        )
    )  # fmt: skip

    assert read_feed(client.get("/flux/annonces.atom")).titles == ["Casque de vélo"]


def test_entries_show_public_names_and_places_never_private_data(client, owner):
    item(owner, "Tapis de judo", description="À venir chercher.")

    body = client.get("/flux/annonces.atom").get_data(as_text=True)
    entry = read_feed(client.get("/flux/annonces.atom")).entries[0]

    assert entry.author == "Paul P."
    assert "Lens" in entry.summary and "Don" in entry.summary
    assert "proprietaire@example.org" not in body
    assert re.search(r"<updated>[^<]*\+00:00</updated>", body)


def test_malicious_titles_are_escaped_text(client, owner):
    item(owner, "<script>alert(1)</script> ]]> Ballon\x07\x1b", description="<b>gras</b>\x0b &amp;")

    response = client.get("/flux/annonces.atom")
    entry = read_feed(response).entries[0]

    assert entry.title == "<script>alert(1)</script> ]]> Ballon"
    assert entry.summary.endswith("<b>gras</b> &amp;")
    assert b"<script>" not in response.data


@pytest.mark.parametrize(
    "query",
    [
        "kind=nimporte&sport=%3Cscript%3E&zone=atlantide&commune=99999&max_price=-3",
        "radius=abc&near=commune%3A00000&sort=worst&with_photos=peut-etre",
        "q=" + "v%C3%A9lo+" * 400,
        "q=%00%01%02&venue=" + "x" * 5000,
        "q=a&q=b&kind=gift&kind=sale",
        "where=%E2%80%AE%F0%9F%98%80&size=XXXXXL",
    ],
)
def test_bad_query_strings_behave_like_the_search_page(client, owner, query):
    item(owner, "Vélo rouge")

    page = client.get(f"/annonces?{query}")
    feed = client.get(f"/flux/annonces.atom?{query}")

    assert page.status_code == 200
    read_feed(feed)


def test_a_zone_feed_lists_the_zones_listings_only(client, owner):
    item(owner, "À Lens", commune_insee=LENS)
    item(owner, "À Béthune", commune_insee=BETHUNE)

    feed = read_feed(client.get("/flux/territoire/lens-lievin.atom"))

    assert feed.titles == ["À Lens"]
    assert feed.link("alternate") == "http://localhost/territoire/lens-lievin"
    assert client.get("/flux/territoire/atlantide.atom").status_code == 404


def test_an_organisations_feed_lists_its_visible_listings_only(client, owner):
    manager = make_user()
    club = make_organisation(manager=manager, name="US Liévin <Rugby>")
    make_listing(manager, title="Maillots du club", organisation_id=club.id)
    make_listing(manager, title="Ballons en relecture", organisation_id=club.id,
                 status="awaiting_review")  # fmt: skip
    item(owner, "Annonce d’un particulier")

    feed = read_feed(client.get(f"/flux/organisations/{club.slug}.atom"))

    assert feed.titles == ["Maillots du club"]
    assert feed.entries[0].author == "US Liévin <Rugby>"
    assert "US Liévin <Rugby>" in feed.title


def test_an_organisation_not_verified_has_no_feed(client):
    pending = make_organisation(status="pending")

    response = client.get(f"/flux/organisations/{pending.slug}.atom")

    assert response.status_code == 404
    assert "introuvable" in response.get_data(as_text=True) or "n’existe pas" in (
        response.get_data(as_text=True)
    )
    assert client.get("/flux/organisations/inconnue.atom").status_code == 404


def test_an_unchanged_feed_answers_304(client, owner):
    item(owner, "Paire de skis")
    first = client.get("/flux/annonces.atom")
    assert first.headers["ETag"] and first.headers["Last-Modified"]

    again = client.get("/flux/annonces.atom", headers={"If-None-Match": first.headers["ETag"]})
    since = client.get(
        "/flux/annonces.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert again.status_code == since.status_code == 304

    item(owner, "Snowboard")
    changed = client.get("/flux/annonces.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert read_feed(changed).titles[0] == "Snowboard"


def test_pages_announce_their_feeds(client, owner):
    club = make_organisation(name="Club de Lens")
    pages = {
        "/annonces?q=v%C3%A9lo&zone=lens-lievin": (
            "/flux/annonces.atom?q=v%C3%A9lo&amp;zone=lens-lievin"
        ),
        "/territoire/lens-lievin": "/flux/territoire/lens-lievin.atom",
        f"/organisations/{club.slug}": f"/flux/organisations/{club.slug}.atom",
        "/collectes": "/flux/collectes.atom",
        "/evenements": "/flux/evenements.atom",
    }
    for page, feed in pages.items():
        html = client.get(page).get_data(as_text=True)
        head = html.split("</head>")[0]
        link = r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="'
        assert re.search(link + re.escape(feed) + '">', head), page
        body = html.split("</head>")[1]
        assert f'href="{feed}" type="application/atom+xml">S’abonner au flux' in body, page
        assert client.get(feed.replace("&amp;", "&")).status_code == 200


def test_a_pending_organisations_page_announces_no_feed(client_for):
    manager = make_user()
    pending = make_organisation(manager=manager, status="pending")

    html = client_for(manager).get(f"/organisations/{pending.slug}").get_data(as_text=True)

    assert "application/atom+xml" not in html


def test_statements_of_a_feed_do_not_depend_on_its_length(client, count_queries):
    def statements() -> int:
        with count_queries() as run:
            read_feed(client.get("/flux/annonces.atom?sport=multisport"))
        return len(run)

    item(make_user(), "Premier ballon")
    few = statements()
    for number in range(12):
        item(make_user(), f"Ballon {number}", cover_photo=f"{number:032x}")
    assert statements() == few


def test_a_photo_shows_in_the_entry(client, owner):
    item(owner, "Trottinette <rouge>", cover_photo="ab" * 16)

    entry = read_feed(client.get("/flux/annonces.atom")).entries[0]

    assert entry.images == [f"http://localhost/medias/{'ab' * 16}-m.jpg"]
    assert entry.content.endswith("<p>Don · Bon état · Lens</p><p>Rien à signaler.</p>")
    assert 'alt="Trottinette &lt;rouge&gt;"' in entry.content
