"""Correctness first: every change to a listing (published, edited, reserved, withdrawn,
moderated) shows on every page that lists it at the next request, for a plain GET and for a
conditional one sending the tag the visitor got before (a 200 with the new page, never a 304),
with the rendering cache in the process or shared through Redis.

The changes are made as members make them, through the site: the moderator's decisions, the
owner's edit form, availability and withdrawal buttons.
"""

from __future__ import annotations

import os
import secrets

import pytest

from sportressources.core.db import db
from sportressources.listings import photos
from sportressources.listings.models import ListingPhoto
from sportressources.moderation import queue
from sportressources.venues.models import Venue
from tests.factories import make_listing, make_user, pickup_venue
from tests.fixtures.web import IsolatedClient, sign_in
from tests.listings.helpers import form_data, stored_photo
from tests.moderation.queue_helpers import FACTS, GROUND, reported, submitted_listing

OLD, NEW = "Raquette Babolat junior", "Raquette Wilson adulte"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
CACHES = ["in-process", "redis"] if REDIS_URL else ["in-process"]


@pytest.fixture(params=CACHES)
def app_overrides(request) -> dict:
    if request.param == "redis":
        return {"PAGE_CACHE_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"fresh{secrets.token_hex(4)}"}
    return {}


def visitor(app) -> IsolatedClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def venue(app) -> Venue:
    return pickup_venue()


@pytest.fixture
def owner(app):
    return make_user(email="owner@example.org", display_name="Olivier Propriétaire")


@pytest.fixture
def owner_client(app, owner):
    return sign_in(visitor(app), owner)


@pytest.fixture
def moderator_client(app):
    return sign_in(visitor(app), make_user(email="modo@example.org", role="moderator"))


def pages_of(listing_id: int, venue: Venue) -> dict[str, str]:
    return {
        "search": "/annonces",
        "listing": f"/annonces/{listing_id}",
        "home": "/",
        "venue": f"/lieux/{venue.slug}",
    }


def snapshot(app, paths: dict[str, str]) -> dict[str, tuple[int, str | None, str]]:
    """Each page as a new anonymous visitor gets it: status, tag, text."""
    seen = {}
    for name, path in paths.items():
        response = visitor(app).get(path)
        seen[name] = (response.status_code, response.headers.get("ETag"), response.text)
    return seen


def after_change(app, paths, before) -> dict[str, tuple[int, str]]:
    """Each page at the next request, plain and conditional on the tag seen before: both give
    the same new page."""
    seen = {}
    for name, path in paths.items():
        plain = visitor(app).get(path)
        _status, tag, _text = before[name]
        if tag is not None:
            conditional = visitor(app).get(path, headers={"If-None-Match": tag})
            assert conditional.status_code == plain.status_code, name
            assert conditional.status_code != 304, name
            assert conditional.text == plain.text, name
            if plain.status_code == 200:
                assert conditional.headers["ETag"] != tag, name
        seen[name] = (plain.status_code, plain.text)
    return seen


def placed_listing(owner, venue, **fields):
    return make_listing(
        owner, title=OLD, venue=venue, commune_insee=venue.commune_insee, size="36", **fields
    )


def test_a_listing_approved_by_a_moderator_appears_everywhere(app, owner, venue, moderator_client):
    listing, case = submitted_listing(
        owner, title=OLD, venue=venue, commune_insee=venue.commune_insee
    )
    paths = pages_of(listing.id, venue)
    before = snapshot(app, paths)
    assert before["listing"][0] == 404
    assert all(OLD not in text for _status, _tag, text in before.values())

    answer = moderator_client.post(
        f"/moderation/file/{case.id}/decision", data={"decision": "approve"}
    )
    assert answer.status_code == 303

    after = after_change(app, paths, before)
    for name, (status, text) in after.items():
        assert status == 200 and OLD in text, name


def test_an_edit_approved_by_a_moderator_replaces_the_old_title_everywhere(
    app, owner, owner_client, venue, moderator_client
):
    listing = placed_listing(owner, venue)
    key = stored_photo()
    listing.photos.append(ListingPhoto(key=key, position=0, **photos.stored_photo_columns(key)))
    db.session.commit()
    paths = pages_of(listing.id, venue)
    before = snapshot(app, paths)
    assert all(OLD in text for _status, _tag, text in before.values())

    edit = form_data(title=NEW, size="36", commune=venue.commune_insee, venue=str(venue.id))
    answer = owner_client.post(
        f"/annonces/{listing.id}/modifier",
        data={**edit, "existing_photos": [key]},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    waiting = after_change(app, paths, before)  # the change waits: the old title stays
    assert all(OLD in text and NEW not in text for _status, text in waiting.values())

    before = snapshot(app, paths)
    case = queue.open_case_for("listing", listing.id)
    answer = moderator_client.post(
        f"/moderation/file/{case.id}/decision", data={"decision": "approve"}
    )
    assert answer.status_code == 303

    after = after_change(app, paths, before)
    for name, (status, text) in after.items():
        assert status == 200 and NEW in text and OLD not in text, name


def test_a_listing_its_owner_reserves_shows_reserved_at_once(app, owner, owner_client, venue):
    listing = placed_listing(owner, venue)
    paths = pages_of(listing.id, venue)
    before = snapshot(app, paths)
    assert all("Réservé" not in text for _status, _tag, text in before.values())

    answer = owner_client.post(f"/annonces/{listing.id}/disponibilite", data={"status": "reserved"})
    assert answer.status_code == 302

    after = after_change(app, paths, before)
    assert "Réservé" in after["search"][1] and "Réservé" in after["listing"][1]
    assert OLD not in after["venue"][1]  # « to pick up here » lists available listings only
    for name, (status, text) in after.items():
        assert status == 200 and text != before[name][2], name


def test_a_listing_its_owner_withdraws_leaves_every_page(app, owner, owner_client, venue):
    listing = placed_listing(owner, venue)
    paths = pages_of(listing.id, venue)
    before = snapshot(app, paths)

    answer = owner_client.post(f"/annonces/{listing.id}/retirer", data={"confirmed": "yes"})
    assert answer.status_code == 302

    after = after_change(app, paths, before)
    assert after["listing"][0] == 404
    for name in ("search", "home", "venue"):
        status, text = after[name]
        assert status == 200 and OLD not in text, name


def test_a_listing_a_moderator_removes_leaves_every_page(app, owner, venue, moderator_client):
    listing = placed_listing(owner, venue)
    case = reported("listing", listing.id, owner)
    paths = pages_of(listing.id, venue)
    before = snapshot(app, paths)
    assert all(OLD in text for _status, _tag, text in before.values())

    answer = moderator_client.post(
        f"/moderation/file/{case.id}/decision",
        data={"decision": "remove", "note": FACTS, "ground": GROUND},
    )
    assert answer.status_code == 303

    after = after_change(app, paths, before)
    assert after["listing"][0] == 404
    for name in ("search", "home", "venue"):
        status, text = after[name]
        assert status == 200 and OLD not in text, name
