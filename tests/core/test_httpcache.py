"""HTTP caching of public pages as browsers and proxies see it: a validator on anonymous pages,
304 without rendering when nothing changed, never a validator for a signed-in member or a page
with a message, and the data version that moves with every committed write to public data."""

from __future__ import annotations

import re

import pytest
from flask import template_rendered
from sqlalchemy import select, text

from sportressources.core import dataversion
from sportressources.core.dataversion import DataVersion
from sportressources.core.db import db
from sportressources.listings import photos
from sportressources.listings.models import ListingPhoto
from sportressources.venues.models import Venue
from tests.factories import make_listing, make_organisation, make_user, pickup_venue
from tests.fixtures.web import IsolatedClient, sign_in
from tests.listings.helpers import stored_photo


def visitor(app) -> IsolatedClient:
    """A browser of its own, each request in its own contexts (as in production)."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


PUBLIC = re.compile(r"^public, max-age=0, s-maxage=\d+, stale-while-revalidate=\d+$")


def version() -> int:
    db.session.rollback()
    return db.session.scalar(select(DataVersion.version).where(DataVersion.name == "pages")) or 0


@pytest.fixture
def renders(app):
    """The templates rendered by requests, by name."""
    rendered: list[str] = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    yield rendered
    template_rendered.disconnect(record, app)


@pytest.fixture
def venue(app) -> Venue:
    return pickup_venue()


@pytest.fixture
def demo(app, venue):
    """Demo-like data: listings with a photo, one at a venue, one of an organisation."""
    owner = make_user(email="owner@example.org", display_name="Olivier Propriétaire")
    at_venue = make_listing(owner, title="Vélo enfant 20 pouces", venue=venue)
    club = make_organisation(name="Club de Liévin")
    make_listing(club.memberships[0].user, title="Ballons du club", organisation_id=club.id)
    key = stored_photo()
    at_venue.photos.append(ListingPhoto(key=key, position=0, **photos.stored_photo_columns(key)))
    at_venue.cover_photo = key
    db.session.commit()
    return at_venue


def public_paths(listing, venue) -> list[str]:
    return [
        "/",
        "/annonces",
        f"/annonces/{listing.id}",
        "/territoire",
        f"/territoire/{_zone_slug()}",
        "/lieux",
        f"/lieux/{venue.slug}",
    ]


def _zone_slug() -> str:
    from sportressources.geo.models import Zone

    return db.session.scalars(select(Zone.slug).where(Zone.parent_id.is_not(None))).first()


# --- anonymous pages ------------------------------------------------------------------------------


def test_an_anonymous_page_carries_a_weak_validator_for_shared_caches(client, demo):
    response = client.get("/annonces")
    assert response.status_code == 200
    assert response.headers["ETag"].startswith('W/"')
    assert PUBLIC.match(response.headers["Cache-Control"])
    assert "Cookie" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers


def test_nothing_changed_answers_304_without_rendering_or_reading_the_page(
    client, demo, renders, count_queries
):
    path = f"/annonces/{demo.id}"
    first = client.get(path)
    tag = first.headers["ETag"]
    renders.clear()
    with count_queries() as statements:
        again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert PUBLIC.match(again.headers["Cache-Control"])
    assert renders == []
    assert len(statements) == 1 and "data_versions" in statements[0]  # the version, nothing else
    # Another tag, or none: the page, as before (the one kept when it was rendered)
    other = client.get(path, headers={"If-None-Match": 'W/"x"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


def test_the_next_visitor_gets_the_kept_page_without_it_being_rendered(
    app, demo, renders, count_queries
):
    first = visitor(app).get("/annonces?kind=gift")
    assert renders and "Vélo enfant 20 pouces" in first.get_data(as_text=True)
    renders.clear()
    with count_queries() as statements:
        second = visitor(app).get("/annonces?kind=gift")
    assert second.status_code == 200 and renders == []
    assert len(statements) == 1 and "data_versions" in statements[0]
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert PUBLIC.match(second.headers["Cache-Control"]) and "Set-Cookie" not in second.headers
    # Another address is another page
    assert "Vélo enfant" not in visitor(app).get("/annonces?kind=sale").get_data(as_text=True)
    assert renders


def test_a_kept_page_is_never_served_once_the_data_changed(app, demo, renders):
    assert "Vélo enfant 20 pouces" in visitor(app).get("/annonces").get_data(as_text=True)
    demo.title = "Vélo adulte 26 pouces"
    db.session.commit()
    renders.clear()
    page = visitor(app).get("/annonces").get_data(as_text=True)
    assert renders and "Vélo adulte 26 pouces" in page and "Vélo enfant 20 pouces" not in page


def test_a_page_kept_in_french_is_not_served_in_english(app, demo):
    assert '<html lang="fr">' in visitor(app).get("/annonces").get_data(as_text=True)
    english = visitor(app)
    english.post("/langue", data={"locale": "en"})
    assert '<html lang="en">' in english.get("/annonces").get_data(as_text=True)


def test_a_page_showing_a_message_is_never_kept_for_the_next_visitor(app, client, demo):
    client.post("/annonces/nouvelle")  # back to sign-in with « Connectez-vous… »
    with_message = client.get("/annonces").get_data(as_text=True)
    assert "Connectez-vous pour accéder à cette page." in with_message
    page = visitor(app).get("/annonces")
    assert "Connectez-vous pour accéder à cette page." not in page.get_data(as_text=True)
    assert page.headers["ETag"]


def test_the_same_page_twice_is_byte_for_byte_the_same_for_two_visitors(app, demo, venue):
    one, two = visitor(app), visitor(app)
    for path in public_paths(demo, venue):
        first, second = one.get(path), two.get(path)
        assert first.status_code == 200, path
        assert first.get_data() == second.get_data(), path
        assert first.headers["ETag"] == second.headers["ETag"], path


def test_head_gets_the_same_validator_and_its_304(client, demo):
    tag = client.get("/").headers["ETag"]
    head = client.head("/")
    assert head.status_code == 200 and head.headers["ETag"] == tag
    assert client.head("/", headers={"If-None-Match": tag}).status_code == 304


def test_the_tag_differs_by_query_string_and_by_language(client, demo):
    plain = client.get("/annonces").headers["ETag"]
    gifts = client.get("/annonces?kind=gift").headers["ETag"]
    assert plain != gifts
    assert client.get("/annonces?kind=gift", headers={"If-None-Match": plain}).status_code == 200

    client.post("/langue", data={"locale": "en"})
    english = client.get("/annonces")
    assert english.status_code == 200 and '<html lang="en">' in english.get_data(as_text=True)
    assert english.headers["ETag"] not in {plain, gifts}
    assert client.get("/annonces", headers={"If-None-Match": plain}).status_code == 200


def test_answers_that_are_not_pages_get_no_validator(client, demo):
    missing = client.get("/annonces/999999")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    assert client.get("/annonces/999999", headers={"If-None-Match": "*"}).status_code == 404
    unknown = client.get("/lieux/nulle-part")
    assert unknown.status_code == 404 and "ETag" not in unknown.headers


def test_a_page_showing_a_message_is_neither_public_nor_validated(client, demo):
    client.post("/annonces/nouvelle")  # a members' page: back to sign-in with a message
    page = client.get("/annonces")
    assert "ETag" not in page.headers
    assert "public" not in page.headers.get("Cache-Control", "")
    # The message shown, the next page is public again
    assert client.get("/annonces").headers["ETag"]


def test_a_signed_in_member_never_gets_a_validator_nor_a_shared_copy(app, client, demo):
    anonymous_tag = visitor(app).get("/annonces").headers["ETag"]
    sign_in(client, make_user(email="member@example.org"))
    for path in ("/", "/annonces", f"/annonces/{demo.id}"):
        page = client.get(path, headers={"If-None-Match": anonymous_tag})
        assert page.status_code == 200, path
        assert "ETag" not in page.headers, path
        assert page.headers["Cache-Control"] == "private, no-store", path
        assert "Cookie" in page.headers["Vary"], path


def test_a_remember_cookie_alone_keeps_the_page_private(app, client, demo):
    tag = client.get("/").headers["ETag"]
    client.set_cookie(app.config["REMEMBER_COOKIE_NAME"], "anything")
    page = client.get("/", headers={"If-None-Match": tag})
    assert page.status_code == 200 and "ETag" not in page.headers


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_public_pages_set_no_cookie_and_hold_no_form_token(app, demo, venue):
    # With the production's CSRF protection: a token in a page would be one visitor's
    for path in public_paths(demo, venue):
        client = visitor(app)
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert "csrf_token" not in body, path
        assert PUBLIC.match(response.headers["Cache-Control"]), path


@pytest.mark.filterwarnings("ignore:Flask-Caching")
@pytest.mark.parametrize("app_overrides", [{"PAGE_CACHE_ENABLED": False}])
def test_turning_the_page_cache_off_turns_validators_off(client, demo):
    assert "ETag" not in client.get("/annonces").headers


# --- the language switch, without a form token ----------------------------------------------------


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_the_language_switch_needs_no_token_but_refuses_other_sites(app, resident):
    client = visitor(app)
    other_site = client.post(
        "/langue", data={"locale": "en"}, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status_code == 403
    assert "Le changement de langue doit être demandé depuis ce site." in other_site.get_data(
        as_text=True
    )
    assert (
        client.post("/langue", data={"locale": "en"}, headers={"Origin": "null"}).status_code == 403
    )
    same_site = client.post(
        "/langue",
        data={"locale": "en", "next": "/annonces"},
        headers={"Origin": "http://localhost"},
    )
    assert same_site.status_code == 302 and same_site.headers["Location"] == "/annonces"
    assert '<html lang="en">' in client.get("/annonces").get_data(as_text=True)


# --- the data version -----------------------------------------------------------------------------


def test_a_committed_public_write_moves_the_version_a_private_one_does_not(app, demo):
    before = version()
    make_user(email="someone@example.org")  # users: public (names on listings)
    after_user = version()
    assert after_user != before
    db.session.execute(
        text("UPDATE member_sessions SET last_seen_at = last_seen_at")
    )  # private table
    db.session.commit()
    assert version() == after_user


def test_a_rolled_back_write_leaves_the_version_alone(app, demo):
    before = version()
    demo.title = "Autre titre"
    db.session.flush()
    db.session.rollback()
    assert version() == before


def test_writes_outside_the_session_move_the_version_too(app, demo):
    before = version()
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE listings SET title = 'Titre changé' WHERE id = :id"), {"id": demo.id}
        )
    assert version() != before


def test_a_missing_version_reads_0_and_the_next_change_creates_it(app, demo):
    db.session.execute(text("DELETE FROM data_versions"))
    db.session.commit()
    assert version() == 0
    with app.test_request_context():
        assert dataversion.current() == 0
    make_user(email="someone@example.org")
    assert version() != 0


def test_anonymous_page_views_change_nothing(client, demo, venue):
    before = version()
    for path in public_paths(demo, venue):
        client.get(path)
    assert version() == before


def test_every_private_table_exists(app):
    from sqlalchemy import inspect

    tables = set(inspect(db.engine).get_table_names())
    assert tables >= dataversion.PRIVATE_TABLES


def test_two_app_objects_on_one_database_see_each_others_changes(app, demo):
    """Two servers, each with its own in-process caches: a change made through one changes the
    other's tag and page at its next request."""
    from sportressources import create_app

    other = create_app(dict(app.config))
    path = f"/annonces/{demo.id}"
    try:
        first, second = visitor(app), visitor(other)
        tag = second.get(path).headers["ETag"]
        sign_in(first, demo.owner)
        answer = first.post(f"{path}/disponibilite", data={"status": "reserved"})
        assert answer.status_code == 302
        page = second.get(path, headers={"If-None-Match": tag})
        assert page.status_code == 200 and page.headers["ETag"] != tag
        assert "Réservé" in page.get_data(as_text=True)
    finally:
        with other.app_context():  # its own engine: no connection left open
            db.session.remove()
            db.engine.dispose()


def test_signing_in_leaves_the_pages_cached_a_new_display_name_does_not(app, client, demo):
    member = make_user(email="member@example.org", display_name="Camille")
    before = version()
    sign_in(client, member)
    assert version() == before  # a session, the sign-in time: nothing a page shows
    member.display_name = "Camille R."
    db.session.commit()
    assert version() != before


@pytest.mark.parametrize(
    "statement, public",
    [
        ("SELECT listings.id FROM listings WHERE listings.id = ? FOR UPDATE", False),
        ('INSERT INTO "listings" (title) VALUES (?)', True),
        ("/* job */ UPDATE ONLY public.listings AS l SET title = ? WHERE l.id = ?", True),
        ("DELETE FROM messages WHERE id = ?", False),
        ("WITH gone AS (DELETE FROM venues RETURNING id) SELECT count(*) FROM gone", True),
        ('SET LOCAL x = 1; DELETE FROM "favourites"; DELETE FROM "zones"', True),
        ("TRUNCATE notifications", True),  # counted as any table: never missed
        ("UPDATE users SET last_login_at=?, updated_at=? WHERE users.id = ?", False),
        ("UPDATE users SET display_name=?, updated_at=? WHERE users.id = ?", True),
        ("INSERT INTO data_versions (name, version) VALUES ('pages', 1)", False),
    ],
)
def test_which_statements_write_what_pages_show(statement, public):
    assert dataversion.writes_public_table(statement) is public
