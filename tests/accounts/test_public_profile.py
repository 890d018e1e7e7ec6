"""A member's public profile: found by an opaque id only, showing their listings, ratings and
reliability, and nothing that tells staff from residents."""

from __future__ import annotations

import re

import pytest

from sportressources.core.security import Role
from tests.factories import make_listing, make_user
from tests.fixtures.web import text
from tests.moderation.reporting import rating_by


def profile_links(page: str) -> set[str]:
    return set(re.findall(r'href="/membres/([^"/?#]+)"', page))


def test_members_have_distinct_unguessable_public_ids(app):
    members = [make_user() for _ in range(5)]
    ids = {member.public_id for member in members}
    assert len(ids) == 5
    for public_id in ids:
        assert len(public_id) >= 12 and not public_id.isdigit()
        assert re.fullmatch(r"[A-Za-z0-9_-]+", public_id)


def test_the_profile_answers_at_its_public_id_and_never_at_the_integer_id(client, resident):
    assert client.get(f"/membres/{resident.public_id}").status_code == 200
    for path in (f"/membres/{resident.id}", f"/membres/{resident.id:05d}", "/membres/1"):
        response = client.get(path)
        assert response.status_code == 404, path  # not a redirect: that would list them again
        assert resident.display_name not in text(response)


def test_every_link_to_a_member_uses_the_public_id(client, resident):
    listing = make_listing(owner=resident, title="Raquette de badminton")

    page = text(client.get(f"/annonces/{listing.id}"))

    assert profile_links(page) == {resident.public_id}
    assert f"/signaler/profile/{resident.public_id}" in text(
        client.get(f"/membres/{resident.public_id}")
    )
    assert client.get(f"/signaler/profile/{resident.id}").status_code == 404


@pytest.mark.parametrize(
    "path", ["/membres/%3Cscript%3E", "/membres/' OR 1=1 --", "/membres/" + "x" * 400]
)
def test_malformed_public_ids_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_profile_shows_published_listings_only(client, resident):
    make_listing(owner=resident, title="Vélo enfant 20 pouces")
    make_listing(owner=resident, title="Casque en relecture", status="awaiting_review")
    make_listing(owner=resident, title="Ballon déjà donné", status="given")
    make_listing(owner=make_user(), title="Gants d’un autre membre")

    page = text(client.get(f"/membres/{resident.public_id}"))

    assert "Annonces en cours" in page
    assert "Vélo enfant 20 pouces" in page
    for hidden in ("Casque en relecture", "Ballon déjà donné", "Gants d’un autre membre"):
        assert hidden not in page


def test_a_profile_without_listings_says_so(client, resident):
    page = text(client.get(f"/membres/{resident.public_id}"))
    assert "Aucune annonce en cours." in page
    assert "Pas encore d’avis" in page


def test_the_profile_shows_reliability_and_ratings(client):
    giver, receiver = make_user(display_name="Nora G."), make_user(display_name="Lucas P.")
    rating_by(giver, receiver, comment="Très ponctuel", score=4)

    page = text(client.get(f"/membres/{receiver.public_id}"))

    assert "Fiabilité" in page
    assert "1 échange réalisé" in page
    assert "0 rendez-vous manqué" in page
    assert "Note moyenne : 4 sur 5 (1 avis)" in page
    assert "Très ponctuel" in page


def main_of(page: str) -> str:
    return re.search(r"<main.*?</main>", page, re.S).group(0)


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_staff_profiles_look_like_any_member(client, role):
    staff = make_user(display_name="Alice R.", role=role)
    make_listing(owner=staff, title="Tapis de yoga")
    resident = make_user(display_name="Bruno T.")
    make_listing(owner=resident, title="Tapis de yoga")

    staff_page = main_of(text(client.get(f"/membres/{staff.public_id}")))
    resident_page = main_of(text(client.get(f"/membres/{resident.public_id}")))

    for word in ("modérat", "administrat", "équipe", "staff", "admin", "rôle"):
        assert word not in staff_page.lower(), word
    headings = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)
    assert headings.findall(staff_page) == headings.findall(resident_page)


def test_the_demo_staff_accounts_have_ordinary_names(app):
    from sportressources.accounts.demo import DEMO_ACCOUNTS

    for _email, name, role, _commune in DEMO_ACCOUNTS:
        if role != Role.RESIDENT:
            assert not re.search(r"admin|modérat|équipe|staff", name, re.I), name
