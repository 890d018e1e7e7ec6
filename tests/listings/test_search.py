"""Search: words, filters, sort orders, keyset pages, statements per page, bad parameters.

Every test runs on SQLite (FTS5, R*Tree) and on PostgreSQL (tsvector, GiST) with the same
expectations: both backends must find the same listings in the same order.
"""

from __future__ import annotations

import pytest
from geographiclib.geodesic import Geodesic
from sqlalchemy import delete, func, select, text, update
from werkzeug.datastructures import MultiDict

from sportressources.core.db import db
from sportressources.geo.distance import haversine_km
from sportressources.geo.models import Commune
from sportressources.listings.models import Listing
from sportressources.listings.search import query as search_query
from sportressources.listings.search.index import (
    listing_positions,
    listing_search,
    reindex_listings,
)
from sportressources.listings.search.params import SearchParams, parse_search_args
from sportressources.listings.search.query import search_listings, widen_suggestions
from sportressources.venues.models import Venue
from tests.factories import make_listing, make_user, move_listing

LENS, LIEVIN, BETHUNE, BRUAY, HENIN = "62498", "62510", "62119", "62178", "62427"


def find(**args) -> list[str]:
    """Titles found for these query-string arguments, in order (first page of 50)."""
    params, errors = parse_search_args(MultiDict(args))
    assert not errors, errors
    return [hit.listing.title for hit in search_listings(params, limit=50).hits]


@pytest.fixture
def owner(app):
    return make_user(email="owner@example.org")


def item(owner, title: str, **fields):
    """A listing whose words are its title only (no football boots from the factory's defaults)."""
    fields = {"description": "Rien à signaler.", "sport": "multisport", "category": "autre",
              "size": "", **fields}  # fmt: skip
    return make_listing(owner, title=title, **fields)


# --- Words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["vélos", "velo", "Vélo", "VELOS", "vélo"])
def test_accents_case_and_plurals_find_each_other(owner, words):
    make_listing(owner, title="Vélos enfant 20 pouces", description="Deux petits vélos.")
    make_listing(owner, title="Velo de course", description="Cadre alu.")
    make_listing(owner, title="VÉLO pliant", description="Pour le train.")
    make_listing(owner, title="Raquette de tennis", description="Cordage neuf.")

    assert set(find(q=words)) == {"VÉLO pliant", "Velo de course", "Vélos enfant 20 pouces"}


@pytest.mark.parametrize(
    "document, query",
    [
        ("Chaussures de randonnée", "chaussure"),
        ("Une raquette", "raquettes"),
        ("Paire de skis", "ski"),
        ("Jeux de plots", "jeu"),
        ("Kimonos de judo", "kimono"),
        ("Entraînements du mardi", "entrainement"),
        ("Cœur de raquette", "coeur"),
        ("Genouillères de volley", "genouillere"),
    ],
)
def test_stemming_and_folding_match_other_forms_of_a_word(owner, document, query):
    item(owner, document)
    item(owner, "Tout autre chose")

    assert find(q=query) == [document]


def test_description_brand_sport_and_category_are_searched_too(owner):
    item(owner, "Lot", description="Des crampons vissés")
    item(owner, "Paire", brand="Kipsta")
    item(owner, "Bidule", sport="natation")

    assert find(q="crampon") == ["Lot"]
    assert find(q="kipsta") == ["Paire"]
    assert find(q="natation") == ["Bidule"]


def test_every_word_is_required_unless_joined_by_ou_and_minus_excludes(owner):
    make_listing(owner, title="Vélo de course")
    make_listing(owner, title="Vélo enfant")
    make_listing(owner, title="Trottinette enfant")

    assert find(q="vélo enfant") == ["Vélo enfant"]
    assert find(q="vélo -course") == ["Vélo enfant"]
    assert find(q="course ou trottinette") == ["Trottinette enfant", "Vélo de course"]
    assert find(q="enfant -vélo") == ["Trottinette enfant"]


def test_words_that_are_all_too_common_are_dropped_with_a_message(owner):
    make_listing(owner, title="Ballon")

    params, errors = parse_search_args(MultiDict({"q": "de la"}))

    assert params.q == ""
    assert "trop" in errors["q"] or "précis" in errors["q"]
    assert [hit.listing.title for hit in search_listings(params).hits] == ["Ballon"]


# --- Visibility and index upkeep -----------------------------------------------------------------


def test_only_published_and_reserved_listings_are_found(owner):
    for status in (
        "draft",
        "awaiting_review",
        "published",
        "reserved",
        "given",
        "sold",
        "withdrawn",
        "rejected",
    ):
        make_listing(owner, title=f"Ballon {status}", status=status)

    page = search_listings(SearchParams(q="ballon"))

    assert sorted(hit.listing.title for hit in page.hits) == ["Ballon published", "Ballon reserved"]
    assert {hit.listing.title: hit.is_reserved for hit in page.hits} == {
        "Ballon published": False,
        "Ballon reserved": True,
    }
    assert sorted(find()) == ["Ballon published", "Ballon reserved"]


def test_the_index_follows_every_change_of_a_listing(owner):
    listing = make_listing(owner, title="Casque de vélo", status="draft")
    assert find(q="casque") == []

    move_listing(listing, "submit", "approve")
    assert find(q="casque") == ["Casque de vélo"]

    listing.title = "Gants de boxe"
    listing.commune_insee = BETHUNE
    db.session.commit()
    assert find(q="casque") == []
    assert find(q="gants", commune=BETHUNE) == ["Gants de boxe"]

    move_listing(listing, "send_back_to_review")
    assert find(q="gants") == []

    move_listing(listing, "approve")
    db.session.delete(listing)
    db.session.commit()
    assert db.session.scalar(select(listing_search.c.seq)) is None


def test_reindex_repairs_writes_that_bypassed_the_orm(owner):
    listing = make_listing(owner, title="Haltères")
    db.session.execute(
        update(Listing.__table__).where(Listing.id == listing.id).values(status="sold")
    )
    assert find(q="haltere") == ["Haltères"]  # stale: the ORM did not see the UPDATE

    reindex_listings(db.session.connection(), [listing.id])
    db.session.commit()

    assert find(q="haltere") == []


def positions() -> list[tuple]:
    """listing_positions as (latitude, longitude, listings), and what listing_search implies."""
    p, s = listing_positions.c, listing_search.c
    kept = db.session.execute(select(p.latitude, p.longitude, p.listings)).all()
    implied = db.session.execute(
        select(s.latitude, s.longitude, func.count()).group_by(s.latitude, s.longitude)
    ).all()
    assert sorted(map(tuple, kept)) == sorted(map(tuple, implied))
    if db.engine.dialect.name == "sqlite":
        assert db.session.scalar(text("SELECT count(*) FROM search_position_rtree")) == len(kept)
    return sorted(map(tuple, kept))


def test_positions_follow_every_write_of_the_index(owner):
    lens, bethune = db.session.get(Commune, LENS), db.session.get(Commune, BETHUNE)
    aqualens = db.session.scalar(select(Venue).where(Venue.slug == "aqualens"))
    first = make_listing(owner, title="un")
    make_listing(owner, title="deux")
    moving = make_listing(owner, title="trois", venue=aqualens)  # at the centre of Lens too
    make_listing(owner, title="brouillon", status="draft")
    assert positions() == [(lens.latitude, lens.longitude, 3)]

    moving.commune_insee, moving.venue_id = BETHUNE, None
    moving.latitude, moving.longitude = bethune.latitude, bethune.longitude
    db.session.commit()
    first.title = "un autre titre"  # an update that does not move
    db.session.commit()
    assert len(positions()) == 2

    move_listing(moving, "withdraw")
    assert positions() == [(lens.latitude, lens.longitude, 2)]
    db.session.delete(first)
    db.session.commit()
    assert positions() == [(lens.latitude, lens.longitude, 1)]

    # Bulk SQL on the index, and a repair of what triggers cannot see
    db.session.execute(update(listing_search).values(latitude=50.5, longitude=2.5))
    assert positions() == [(50.5, 2.5, 1)]
    db.session.execute(delete(listing_positions))
    reindex_listings(db.session.connection())
    db.session.commit()
    assert positions() == [(lens.latitude, lens.longitude, 1)]


# --- Filters -------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(owner):
    """Listings that differ in one attribute each from a common base (a football boot in Lens)."""
    venue = db.session.scalar(select(Venue).where(Venue.slug == "stade-bollaert-delelis"))
    made = {
        "base": make_listing(owner, title="base"),
        "loan": make_listing(owner, title="loan", kind="loan"),
        "sale5": make_listing(owner, title="sale5", kind="sale", price_cents=500),
        "sale20": make_listing(owner, title="sale20", kind="sale", price_cents=2000),
        "tennis": make_listing(
            owner, title="tennis", sport="tennis", category="raquettes", size='25"'
        ),  # fmt: skip
        "size42": make_listing(owner, title="size42", size="42"),
        "worn": make_listing(owner, title="worn", condition="worn"),
        "new": make_listing(owner, title="new", condition="new"),
        "bethune": make_listing(owner, title="bethune", commune_insee=BETHUNE),
        "venue": make_listing(owner, title="venue", venue=venue, commune_insee=LENS),
        "photo": make_listing(owner, title="photo", photo_count=2),
    }
    return made


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"kind": "loan"}, {"loan"}),
        ({"kind": "sale"}, {"sale5", "sale20"}),
        ({"sport": "tennis"}, {"tennis"}),
        ({"category": "raquettes"}, {"tennis"}),
        ({"category": "chaussures", "size": "42"}, {"size42"}),
        ({"condition": "very_good"}, {"new"}),
        (
            {"condition": "good"},
            {
                "base",
                "loan",
                "sale5",
                "sale20",
                "tennis",
                "size42",
                "new",
                "bethune",
                "venue",
                "photo",
            },
        ),  # fmt: skip
        ({"zone": "bethune-bruay"}, {"bethune"}),
        ({"commune": BETHUNE}, {"bethune"}),
        ({"venue": "stade-bollaert-delelis"}, {"venue"}),
        (
            {"max_price": "10"},
            {
                "base",
                "loan",
                "sale5",
                "tennis",
                "size42",
                "worn",
                "new",
                "bethune",
                "venue",
                "photo",
            },
        ),  # fmt: skip
        ({"max_price": "4,99", "kind": "sale"}, set()),
        ({"max_price": "5", "kind": "sale"}, {"sale5"}),
        ({"with_photos": "1"}, {"photo"}),
        ({"near": f"commune:{BETHUNE}", "radius": "2"}, {"bethune"}),
    ],
)
def test_each_filter_keeps_exactly_the_matching_listings(catalogue, args, expected):
    assert set(find(**args)) == expected


def test_within_a_radius_keeps_listings_by_their_great_circle_distance(owner):
    lens = db.session.get(Commune, LENS)
    communes = db.session.scalars(select(Commune).order_by(Commune.insee)).all()
    for commune in communes[::5]:
        make_listing(owner, title=commune.insee, commune_insee=commune.insee)

    for radius in (2, 5, 10, 20):
        found = set(find(near=f"commune:{LENS}", radius=str(radius)))
        expected = {
            c.insee
            for c in communes[::5]
            if haversine_km(lens.latitude, lens.longitude, c.latitude, c.longitude) <= radius
        }
        assert found == expected, radius


# --- Sort orders ---------------------------------------------------------------------------------


def test_newest_first_is_the_order_of_publication(owner):
    first = make_listing(owner, title="premier", status="draft")
    make_listing(owner, title="deuxième")
    make_listing(owner, title="troisième")
    move_listing(first, "submit", "approve")  # published last, though created first

    assert find() == ["premier", "troisième", "deuxième"]


def test_cheapest_first_puts_free_items_first_then_prices_then_newest(owner):
    make_listing(owner, title="15 €", kind="sale", price_cents=1500)
    make_listing(owner, title="don", kind="gift")
    make_listing(owner, title="3 € ancien", kind="sale", price_cents=300)
    make_listing(owner, title="3 € récent", kind="sale", price_cents=300)
    make_listing(owner, title="prêt", kind="loan")

    assert find(sort="cheapest") == ["prêt", "don", "3 € récent", "3 € ancien", "15 €"]


def geodesic_km(lat1, lon1, lat2, lon2) -> float:
    return Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1000


def test_nearest_first_follows_the_distances_to_the_place(owner):
    lens = db.session.get(Commune, LENS)
    communes = db.session.scalars(select(Commune).order_by(Commune.insee)).all()[::3]
    for commune in communes:
        make_listing(owner, title=commune.name, commune_insee=commune.insee)

    params, _ = parse_search_args(MultiDict({"near": f"commune:{LENS}", "sort": "nearest"}))
    hits = []
    page = search_listings(params, limit=7)
    while True:
        hits += page.hits
        if page.next_cursor is None:
            break
        params, _ = parse_search_args(
            MultiDict({"near": f"commune:{LENS}", "sort": "nearest", "after": page.next_cursor})
        )
        page = search_listings(params, limit=7)

    assert len(hits) == len(communes)
    distances = [hit.distance_km for hit in hits]
    assert distances == sorted(distances)
    for hit in hits:
        listing = hit.listing
        assert hit.distance_km == pytest.approx(
            haversine_km(lens.latitude, lens.longitude, listing.latitude, listing.longitude),
            abs=1e-6,
        )
        assert hit.distance_km == pytest.approx(
            geodesic_km(lens.latitude, lens.longitude, listing.latitude, listing.longitude),
            rel=0.005,
            abs=1e-6,
        )


def test_nearest_first_with_words_and_a_radius(owner):
    for insee in (LENS, LIEVIN, HENIN, BETHUNE, BRUAY):
        make_listing(owner, title=f"Vélo {insee}", commune_insee=insee)
        make_listing(owner, title=f"Ballon {insee}", commune_insee=insee)
    lens = db.session.get(Commune, LENS)

    found = find(q="vélos", near=f"commune:{LENS}", radius="20", sort="nearest")

    expected = sorted(
        (c for c in db.session.scalars(select(Commune).where(
            Commune.insee.in_([LENS, LIEVIN, HENIN, BETHUNE, BRUAY])))
         if haversine_km(lens.latitude, lens.longitude, c.latitude, c.longitude) <= 20),
        key=lambda c: haversine_km(lens.latitude, lens.longitude, c.latitude, c.longitude),
    )  # fmt: skip
    assert found == [f"Vélo {c.insee}" for c in expected]
    assert len(found) >= 3


def test_nearest_without_a_place_falls_back_to_newest_with_a_message(owner):
    make_listing(owner, title="ancienne")
    make_listing(owner, title="récente")

    params, errors = parse_search_args(MultiDict({"sort": "nearest"}))

    assert params.sort == "newest"
    assert "lieu" in errors["sort"]
    assert [hit.listing.title for hit in search_listings(params).hits] == ["récente", "ancienne"]


@pytest.fixture(params=["walk", "sort"])
def plan(request, monkeypatch):
    """Force how words combine with a sort by distance or price: walk that sort's index testing
    the words row by row, or read every match of the words and sort them (search.py chooses by
    how many listings the words match; tests have too few to ever walk)."""
    monkeypatch.setattr(search_query, "_few_text_matches", lambda query: request.param == "sort")
    return request.param


@pytest.fixture
def crowded(owner):
    """Listings that share points, as they do: the centre of Lens (its commune and the Aqualens
    pool) holds many, a stadium nearby a few, four other communes three each."""
    venues = {v.slug: v for v in db.session.scalars(select(Venue))}
    places = [(LENS, None)] * 8 + [(LENS, venues["aqualens"])] * 5
    places += [(LENS, venues["stade-bollaert-delelis"])] * 4
    places += [(insee, None) for insee in (LIEVIN, HENIN, BETHUNE, BRUAY) for _ in range(3)]
    for number, (insee, venue) in enumerate(places):
        word = "Vélo de course" if number % 5 == 4 else "Vélo" if number % 3 else "Ballon"
        item(owner, f"{word} {number}", commune_insee=insee, venue=venue)
    return places


def seqs_by_listing() -> dict[int, int]:
    rows = db.session.execute(select(listing_search.c.listing_id, listing_search.c.seq))
    return {row.listing_id: row.seq for row in rows}


def expected_nearest(place, words=None, radius=None) -> list[tuple[int, float]]:
    """(listing id, distance) of the listings matching, by core.geo distance then newest."""
    seqs = seqs_by_listing()
    found = []
    for listing in db.session.scalars(select(Listing).where(Listing.id.in_(seqs))):
        distance = haversine_km(place.latitude, place.longitude, listing.latitude,
                                listing.longitude)  # fmt: skip
        if (words is None or words(listing.title)) and (radius is None or distance <= radius):
            found.append((round(distance, 9), -seqs[listing.id], listing.id, distance))
    return [(listing_id, distance) for *_, listing_id, distance in sorted(found)]


def pages(args: dict, size: int, backwards_from_end: bool = False) -> list[list[tuple]]:
    """Every page (listing id, distance) following next cursors; with ``backwards_from_end``,
    then back from the last page by previous cursors, pages in the order read."""
    found, cursor, last = [], None, None
    for _ in range(60):
        params, errors = parse_search_args(MultiDict({**args, **({"after": cursor} if cursor
                                                                 else {})}))  # fmt: skip
        assert not errors
        last = search_listings(params, limit=size)
        found.append([(hit.listing.id, hit.distance_km) for hit in last.hits])
        cursor = last.next_cursor
        if cursor is None:
            break
    if not backwards_from_end:
        return found
    back, cursor = [], last.prev_cursor
    while cursor is not None:
        params, errors = parse_search_args(MultiDict({**args, "before": cursor}))
        assert not errors
        page = search_listings(params, limit=size)
        back.append([(hit.listing.id, hit.distance_km) for hit in page.hits])
        cursor = page.prev_cursor
    return back


@pytest.mark.parametrize(
    "args, words, radius",
    [
        ({}, None, None),
        ({"q": "vélo"}, lambda title: "Vélo" in title, None),
        ({"q": "vélo -course"}, lambda title: "Vélo" in title and "course" not in title, None),
        ({"q": "ballon ou course", "radius": "10"},
         lambda title: "Ballon" in title or "course" in title, 10),
    ],
)  # fmt: skip
@pytest.mark.parametrize("size", [1, 4, 50])
def test_nearest_first_pages_follow_the_distances_exactly_then_newest(
    crowded, plan, args, words, radius, size
):
    lens = db.session.get(Commune, LENS)
    args = {"near": f"commune:{LENS}", "sort": "nearest", **args}

    forward = pages(args, size, backwards_from_end=True)
    found = [hit for page in pages(args, size) for hit in page]
    back = [hit for page in reversed(forward) for hit in page]

    expected = expected_nearest(lens, words, radius)
    assert [listing_id for listing_id, _ in found] == [listing_id for listing_id, _ in expected]
    for (_, distance), (_, exact) in zip(found, expected, strict=True):
        assert distance == pytest.approx(exact, abs=1e-9)
    # Back from the last page by previous cursors: the same pages but the last, in reverse
    assert back == found[: len(back)]
    assert len(found) - len(back) == len(pages(args, size)[-1])


@pytest.mark.parametrize("args", [{}, {"q": "ballon"}, {"q": "ballon", "radius": "5"}])
def test_nearest_first_statements_do_not_depend_on_the_page_size_or_the_crowd(
    owner, count_queries, plan, args
):
    # Sixty-five listings at the centre of Lens (a tie on the distance), a few elsewhere
    aqualens = db.session.scalar(select(Venue).where(Venue.slug == "aqualens"))
    for number in range(65):
        item(owner, f"Ballon {number}", venue=aqualens if number % 4 == 0 else None)
    for insee in (LIEVIN, BETHUNE):
        item(owner, "Ballon", commune_insee=insee)
    args = {"near": f"commune:{LENS}", "sort": "nearest", **args}
    after = search_listings(parse_search_args(MultiDict(args))[0], limit=5).next_cursor

    for cursor in (None, after):  # a first page, and a later one inside the tie
        query = {**args, **({"after": cursor} if cursor else {})}
        counts = {}
        for size in (5, 50):
            db.session.expire_all()
            with count_queries() as statements:
                page = search_listings(parse_search_args(MultiDict(query))[0], limit=size)
                for hit in page.hits:
                    _ = (hit.listing.title, hit.listing.commune.name, hit.listing.venue)
            assert len(page.hits) == size
            assert all(hit.distance_km == 0 for hit in page.hits)
            counts[size] = len(statements)
        assert counts[5] == counts[50] <= 4, cursor


@pytest.mark.parametrize(
    "q, words",
    [
        ("ballon", lambda title: "Ballon" in title),
        ("vélo -course", lambda title: "Vélo" in title and "course" not in title),
        ("course ou ballon", lambda title: "course" in title or "Ballon" in title),
        ("velos enfant", lambda title: "Vélo enfant" in title),
        ("ballon -vélo ou course",
         lambda title: ("Ballon" in title or "course" in title) and "Vélo" not in title),
    ],
)  # fmt: skip
def test_cheapest_first_with_words_is_the_same_by_either_plan(owner, plan, q, words):
    for number in range(24):
        word = ("Vélo de course", "Ballon", "Vélo enfant", "Ballon de course")[number % 4]
        item(owner, f"{word} {number}", kind="sale", price_cents=100 * (number % 5))
    seqs = seqs_by_listing()
    listings = db.session.scalars(select(Listing)).all()
    titles = {listing.id: listing.title for listing in listings}

    found = [titles[listing_id] for page in pages({"q": q, "sort": "cheapest"}, 3)
             for listing_id, _ in page]  # fmt: skip

    by_price = sorted(listings, key=lambda listing: (listing.price_cents, -seqs[listing.id]))
    assert found == [listing.title for listing in by_price if words(listing.title)]


# --- Pages ---------------------------------------------------------------------------------------

SORT_CASES = [
    {},
    {"q": "ballon"},
    {"sort": "cheapest"},
    {"sort": "cheapest", "q": "ballon"},
    {"sort": "nearest", "near": f"commune:{LENS}"},
    {"sort": "nearest", "near": f"commune:{LENS}", "q": "ballon", "radius": "50"},
]
PLACES = [LENS, LENS, LIEVIN, HENIN, BETHUNE, BRUAY]


def walk(args: dict, size: int) -> list[int]:
    """Listing ids of every page, following next cursors."""
    ids, cursor = [], None
    for _ in range(50):
        params, errors = parse_search_args(MultiDict({**args, **({"after": cursor} if cursor
                                                                 else {})}))  # fmt: skip
        assert not errors
        page = search_listings(params, limit=size)
        ids += [hit.listing.id for hit in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("too many pages")


@pytest.mark.parametrize("args", SORT_CASES)
def test_pages_neither_skip_nor_repeat_when_listings_are_added_meanwhile(owner, args):
    for number in range(13):
        make_listing(
            owner,
            title=f"Ballon {number}",
            kind="sale",
            price_cents=100 * (number % 4),
            commune_insee=PLACES[number % len(PLACES)],
        )
    everything = walk(args, 50)
    assert len(everything) == 13

    seen, cursor = [], None
    for page_number in range(10):
        query = {**args, **({"after": cursor} if cursor else {})}
        params, _ = parse_search_args(MultiDict(query))
        page = search_listings(params, limit=4)
        seen += [hit.listing.id for hit in page.hits]
        if page_number == 0:  # new listings arrive while the visitor reads page 1
            for extra in range(3):
                make_listing(owner, title=f"Ballon nouveau {extra}", kind="sale",
                             price_cents=150, commune_insee=LENS)  # fmt: skip
        cursor = page.next_cursor
        if cursor is None:
            break

    assert len(seen) == len(set(seen)), "a listing was shown twice"
    assert [i for i in seen if i in everything] == everything, "a listing was skipped"


@pytest.mark.parametrize("args", SORT_CASES)
def test_previous_page_returns_the_same_listings(owner, args):
    for number in range(11):
        make_listing(owner, title=f"Ballon {number}", kind="sale", price_cents=100 * (number % 3),
                     commune_insee=PLACES[number % len(PLACES)])  # fmt: skip
    first = search_listings(parse_search_args(MultiDict(args))[0], limit=4)
    second = search_listings(
        parse_search_args(MultiDict({**args, "after": first.next_cursor}))[0], limit=4
    )
    back = search_listings(
        parse_search_args(MultiDict({**args, "before": second.prev_cursor}))[0], limit=4
    )

    assert first.is_first_page and first.prev_cursor is None
    assert [h.listing.id for h in back.hits] == [h.listing.id for h in first.hits]
    assert back.prev_cursor is None
    assert back.next_cursor is not None
    assert second.next_query_string() and "after=" in second.next_query_string()


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"q": "ballon"},
        {"sport": "football", "kind": "sale"},
        {"sort": "cheapest", "q": "ballon"},
        {"sort": "nearest", "near": f"commune:{LENS}", "q": "ballon"},
        {"near": f"commune:{LENS}", "radius": "10", "zone": "lens-lievin", "with_photos": "1"},
    ],
)
def test_statements_per_page_do_not_depend_on_its_size(owner, count_queries, args):
    # All at one place: « nearest first » then stops at its first circle for both sizes, so
    # the count compares page sizes only (more circles cost one statement each, see search.py)
    for number in range(60):
        make_listing(owner, title=f"Ballon {number}", kind="sale", price_cents=100 + number,
                     photo_count=1)  # fmt: skip
    params, _ = parse_search_args(MultiDict(args))
    counts = {}
    for size in (5, 50):
        db.session.expire_all()
        with count_queries() as statements:
            page = search_listings(params, limit=size)
            for hit in page.hits:  # what a results page reads from each listing
                _ = (hit.listing.title, hit.listing.commune.name, hit.listing.venue)
        assert len(page.hits) == size
        counts[size] = len(statements)
    assert counts[5] == counts[50]
    assert counts[5] <= 4


def test_the_count_stops_at_the_cap(owner, monkeypatch):
    monkeypatch.setattr(search_query, "COUNT_CAP", 5)
    for number in range(7):
        make_listing(owner, title=f"Ballon {number}")
    make_listing(owner, title="Raquette")

    many = search_listings(SearchParams(q="ballon"), limit=2)
    few = search_listings(SearchParams(q="raquette"), limit=2)
    later = search_listings(SearchParams(q="ballon", after=many.next_cursor), limit=2)

    assert (many.total, many.total_is_capped, many.count_label) == (5, True, "5+")
    assert (few.total, few.count_label) == (1, "1")
    assert later.total is None and later.count_label is None


# --- Parameters ----------------------------------------------------------------------------------


def test_bad_parameters_are_dropped_with_french_messages(owner):
    make_listing(owner, title="Ballon")
    params, errors = parse_search_args(
        MultiDict(
            {
                "q": "ballon " * 40,
                "kind": "troc",
                "sport": "curling",
                "category": "<script>",
                "size": "XXXXXXXL",
                "condition": "pristine",
                "zone": "atlantide",
                "commune": "75056",
                "venue": "nulle-part",
                "near": "commune:00000",
                "radius": "7",
                "max_price": "gratuit",
                "sort": "random",
                "after": "'; DROP TABLE listings; --",
            }
        )
    )

    assert set(errors) == {
        "q", "kind", "sport", "category", "size", "condition", "zone", "commune", "venue",
        "near", "radius", "max_price", "sort", "page",
    }  # fmt: skip
    assert len(params.q) <= 200 and params.q.startswith("ballon")
    assert params.to_args() == {"q": params.q}
    assert "Choisissez" in errors["radius"] and "€" not in errors["max_price"]
    assert "euros" in errors["max_price"]
    assert [hit.listing.title for hit in search_listings(params).hits] == ["Ballon"]


def test_the_search_page_with_bad_parameters_answers_in_french(client, owner):
    make_listing(owner, title="Ballon de rugby")

    response = client.get(
        "/annonces?q=ballon&radius=7&after=1e999_1&sort=nearest&near=venue:" + "x" * 500
        + "&max_price=-3&kind=%00"
    )  # fmt: skip

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ballon de rugby" in page
    assert "Choisissez une distance dans la liste" in page
    assert "Indiquez un prix en euros" in page


def test_query_string_is_canonical_and_round_trips(app):
    one, _ = parse_search_args(
        MultiDict({"sport": "football", "q": "  Ballon   cuir ", "max_price": "12,50",
                   "radius": "10", "near": f"commune:{LENS}", "with_photos": "on"})
    )  # fmt: skip
    two, _ = parse_search_args(
        MultiDict({"with_photos": "1", "near": f"commune:{LENS}", "radius": "10",
                   "max_price": "12.5", "q": "Ballon cuir", "sport": "football", "sort": ""})
    )  # fmt: skip

    assert one.to_query_string() == two.to_query_string()
    assert one.to_query_string() == (
        "max_price=12.50&near=commune%3A62498&q=Ballon+cuir&radius=10&sport=football&with_photos=1"
    )
    again, errors = parse_search_args(MultiDict({"max_price": "12.50", **two.to_args()}))
    assert not errors and again == two


def test_empty_results_suggest_wider_searches(app):
    params, _ = parse_search_args(
        MultiDict({"q": "vélo", "near": f"commune:{LENS}", "radius": "5", "with_photos": "1"})
    )

    suggestions = widen_suggestions(params)

    assert suggestions[0] == (
        "Chercher jusqu’à 10 km",
        "near=commune%3A62498&q=v%C3%A9lo&radius=10&with_photos=1",
    )
    assert ("Chercher sans les mots « vélo »",
            "near=commune%3A62498&radius=5&with_photos=1") in suggestions  # fmt: skip
    assert len(suggestions) <= 4
