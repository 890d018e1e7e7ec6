"""Home communes: a real commune of the territory, « hors du territoire », or linked legacy text."""

from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.accounts.profile import link_legacy_communes
from sportressources.core.db import db
from tests.factories import make_user
from tests.fixtures.web import sign_in


def test_legacy_free_text_communes_are_linked_when_unambiguous(app):
    typed = {
        "a@example.org": ("liévin ", "62510"),
        "b@example.org": ("LENS", "62498"),
        "c@example.org": ("62800", "62510"),  # Liévin's postal code
        "f@example.org": ("62300", None),  # shared by Lens and Éleu-dit-Leauwette
        "d@example.org": ("Noeux les mines", None),  # punctuation differs: left for the member
        "e@example.org": ("Arras", None),  # outside the territory
    }
    for email, (legacy, _) in typed.items():
        make_user(email=email, home_commune_insee=None, home_commune_legacy=legacy)

    report = link_legacy_communes()
    db.session.commit()

    assert report == "3 commune(s) reliée(s) sur 6"
    for email, (legacy, insee) in typed.items():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.home_commune_insee == insee
        assert user.home_commune_legacy == (None if insee else legacy)
    assert link_legacy_communes() == "0 commune(s) reliée(s) sur 3"  # the rest stays as typed


def test_a_member_asked_to_pick_their_legacy_commune_sees_what_they_typed(client):
    user = make_user(home_commune_insee=None, home_commune_legacy="Noeux les mines")
    sign_in(client, user)
    page = client.get("/compte/").get_data(as_text=True)
    assert (
        "Vous aviez indiqué « Noeux les mines » : choisissez votre commune dans la liste." in page
    )
    response = client.post(
        "/compte/",
        data={"display_name": user.display_name, "home_commune": "62617", "locale": "fr"},
    )
    assert response.status_code == 302
    db.session.rollback()
    user = db.session.get(User, user.id)
    assert (user.home_commune.name, user.home_commune_legacy) == ("Nœux-les-Mines", None)


def test_living_outside_the_territory_is_a_choice(client, resident):
    sign_in(client, resident)
    response = client.post(
        "/compte/",
        data={"display_name": "Camille", "home_commune": "hors-territoire", "locale": "fr"},
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, resident.id).home_commune_insee is None
    page = client.get("/compte/").get_data(as_text=True)
    assert '<option selected value="hors-territoire">' in page
    assert "Commune</dt>" not in client.get(f"/membres/{resident.public_id}").get_data(as_text=True)
