"""The organisations' pages: who sees what, who may do what, and what bad input gets back."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.storage import get_storage
from sportressources.organisations.models import Invitation, Organisation
from sportressources.organisations.queries import is_member, membership_of
from tests.factories import add_member, make_organisation, make_user
from tests.fixtures.web import sign_in, text

VISITOR, RESIDENT, VOLUNTEER, MANAGER, MODERATOR = (
    "visitor",
    "resident",
    "volunteer",
    "manager",
    "moderator",
)


@pytest.fixture
def club(app):
    manager = make_user(display_name="Responsable")
    organisation = make_organisation(manager, name="Club des Lilas")
    volunteer = add_member(organisation, make_user(display_name="Bénévole"))
    return {"organisation": organisation, MANAGER: manager, VOLUNTEER: volunteer}


def as_(client, club, who):
    users = {
        RESIDENT: lambda: make_user(),
        MODERATOR: lambda: make_user(role="moderator"),
        VOLUNTEER: lambda: club[VOLUNTEER],
        MANAGER: lambda: club[MANAGER],
    }
    if who != VISITOR:
        sign_in(client, users[who]())
    return client


def jpeg(width=300, height=200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


# --- public pages --------------------------------------------------------------------------------


def test_the_directory_lists_verified_organisations_with_their_badge(client, app):
    make_organisation(name="Club vérifié")
    make_organisation(name="Club en attente", status="pending")
    page = text(client.get("/organisations"))
    assert "Club vérifié" in page
    assert "Club en attente" not in page
    assert "Organisation vérifiée" in page


def test_the_directory_filters_by_kind_and_commune(client, app):
    make_organisation(name="Club de Lens", commune_insee="62498")
    make_organisation(name="Ressourcerie de Lens", kind="ressourcerie", siret="73282932000074")
    make_organisation(name="Club de Béthune", commune_insee="62119")
    page = text(client.get("/organisations?type=ressourcerie"))
    assert "Ressourcerie de Lens" in page and "Club de Lens" not in page
    page = text(client.get("/organisations?commune=62119"))
    assert "Club de Béthune" in page and "Club de Lens" not in page


def test_the_directory_filters_by_zone(client, app):
    from sportressources.geo.models import Commune

    make_organisation(name="Club de Lens", commune_insee="62498")
    zone = db.session.get(Commune, "62498").zone
    page = text(client.get(f"/organisations?zone={zone.slug}"))
    assert "Club de Lens" in page


def test_the_directory_refuses_unknown_filters_without_error(client, app):
    response = client.get("/organisations?type=<script>&commune=x&zone=nowhere")
    assert response.status_code == 422
    assert "<script>" not in text(response).split("</header>")[1]


def test_a_verified_organisation_page_is_public(client, club):
    response = client.get(f"/organisations/{club['organisation'].slug}")
    page = text(response)
    assert response.status_code == 200
    assert "Club des Lilas" in page and "Organisation vérifiée" in page
    assert "Gérer" not in page


@pytest.mark.parametrize(("who", "status"), [(VISITOR, 404), (RESIDENT, 404), (MODERATOR, 200)])
def test_a_pending_organisation_is_hidden_but_from_members_and_moderators(client, app, who, status):
    organisation = make_organisation(name="Club en attente", status="pending")
    as_(client, {}, who)
    assert client.get(f"/organisations/{organisation.slug}").status_code == status


def test_a_member_sees_a_pending_organisation_and_the_manage_link(client, app):
    manager = make_user()
    organisation = make_organisation(manager, status="pending")
    sign_in(client, manager)
    page = text(client.get(f"/organisations/{organisation.slug}"))
    assert "En attente de vérification" in page
    assert "Gérer" in page


def test_an_unknown_organisation_is_not_found(client, app):
    assert client.get("/organisations/nothing-here").status_code == 404


# --- management page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [(RESIDENT, 403), (MODERATOR, 403), (VOLUNTEER, 200), (MANAGER, 200)]
)
def test_the_management_page_is_for_members(client, club, who, status):
    as_(client, club, who)
    assert client.get(f"/organisations/{club['organisation'].slug}/gerer").status_code == status


def test_a_visitor_is_sent_to_sign_in(client, club):
    response = client.get(f"/organisations/{club['organisation'].slug}/gerer")
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]


def test_a_volunteer_sees_the_members_read_only_and_may_leave(client, club):
    as_(client, club, VOLUNTEER)
    page = text(client.get(f"/organisations/{club['organisation'].slug}/gerer"))
    assert "Responsable" in page and "Bénévole" in page
    assert "Quitter l’organisation" in page
    assert "Enregistrer le profil" not in page
    assert "Envoyer l’invitation" not in page
    assert "Retirer " not in page


def actions(club):
    org = club["organisation"]
    slug, manager_id, volunteer_id = org.slug, club[MANAGER].id, club[VOLUNTEER].id
    return {
        "profile": (f"/organisations/{slug}/gerer", {"name": "Nouveau nom", "kind": "club"}),
        "invite": (
            f"/organisations/{slug}/invitations",
            {"email": "x@example.org", "role": "volunteer"},
        ),
        "role": (f"/organisations/{slug}/membres/{volunteer_id}/role", {"role": "manager"}),
        "remove": (f"/organisations/{slug}/membres/{volunteer_id}/retirer", {}),
        "remove_manager": (f"/organisations/{slug}/membres/{manager_id}/retirer", {}),
        "close": (f"/organisations/{slug}/fermer", {}),
        "logo": (f"/organisations/{slug}/logo", {"logo": (io.BytesIO(jpeg()), "logo.jpg")}),
    }


@pytest.mark.parametrize("action", ["profile", "invite", "role", "remove_manager", "close", "logo"])
def test_a_volunteer_cannot_manage(client, club, action):
    as_(client, club, VOLUNTEER)
    path, data = actions(club)[action]
    response = client.post(path, data=data)
    assert response.status_code == 403
    db.session.expire_all()
    assert membership_of(club[MANAGER].id, club["organisation"].id).role == "manager"
    assert club["organisation"].status == "verified"
    assert db.session.scalar(select(Invitation)) is None


@pytest.mark.parametrize("who", [RESIDENT, MODERATOR])
@pytest.mark.parametrize("action", ["profile", "invite", "role", "remove", "close", "logo"])
def test_a_non_member_cannot_act_for_the_organisation(client, club, who, action):
    as_(client, club, who)
    path, data = actions(club)[action]
    assert client.post(path, data=data).status_code == 403
    assert is_member(club[VOLUNTEER].id, club["organisation"].id)


def test_a_manager_invites_removes_and_changes_roles(client, club, outbox):
    as_(client, club, MANAGER)
    paths = actions(club)
    path, data = paths["invite"]
    assert client.post(path, data=data).status_code == 303
    assert outbox.to("x@example.org")
    path, data = paths["role"]
    assert client.post(path, data=data).status_code == 303
    assert membership_of(club[VOLUNTEER].id, club["organisation"].id).role == "manager"
    path, data = paths["remove"]
    assert client.post(path, data={**data, "confirmed": "yes"}).status_code == 303
    assert not is_member(club[VOLUNTEER].id, club["organisation"].id)


def test_the_last_manager_is_told_why_they_cannot_leave(client, club):
    as_(client, club, MANAGER)
    slug = club["organisation"].slug
    response = client.post(f"/organisations/{slug}/quitter", data={"confirmed": "yes"})
    assert response.status_code == 303
    assert "au moins un responsable" in text(client.get(response.headers["Location"]))
    assert is_member(club[MANAGER].id, club["organisation"].id)


def test_a_former_member_loses_access_at_once(client, club):
    from sportressources.organisations import services

    as_(client, club, VOLUNTEER)
    slug = club["organisation"].slug
    assert client.get(f"/organisations/{slug}/gerer").status_code == 200
    services.remove_member(club[MANAGER], club["organisation"], club[VOLUNTEER].id)
    db.session.commit()
    assert client.get(f"/organisations/{slug}/gerer").status_code == 403


def test_a_bad_profile_is_shown_again_with_the_values_and_messages(client, club):
    as_(client, club, MANAGER)
    slug = club["organisation"].slug
    response = client.post(
        f"/organisations/{slug}/gerer",
        data={
            "name": "Club des Lilas",
            "kind": "club",
            "commune": "62498",
            "rna": "W12",
            "siret": "73282932000075",
            "description": "<script>alert('x')</script>",
        },
    )
    page = text(response)
    assert response.status_code == 422
    assert "lettre W suivie de 9 chiffres" in page
    assert "clé de contrôle est fausse" in page
    assert 'value="73282932000075"' in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_a_missing_name_is_asked_for(client, club):
    as_(client, club, MANAGER)
    response = client.post("/organisations/nouvelle", data={"kind": "club", "commune": "62498"})
    assert response.status_code == 422
    assert "Indiquez le nom de l’organisation." in text(response)


def test_an_oversized_description_is_refused(client, club):
    as_(client, club, MANAGER)
    response = client.post(
        "/organisations/nouvelle",
        data={"name": "Club", "kind": "club", "commune": "62498", "description": "x" * 5000},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Club")) is None


def test_a_member_creates_an_organisation_and_manages_it(client, app):
    member = make_user()
    sign_in(client, member)
    assert client.get("/organisations/nouvelle").status_code == 200
    response = client.post(
        "/organisations/nouvelle",
        data={
            "name": "Entente sportive",
            "kind": "club",
            "commune": "62498",
            "rna": "w 623 000 777",
            "sports": ["football", "natation"],
        },
    )
    assert response.status_code == 303
    organisation = db.session.scalar(select(Organisation))
    assert (organisation.rna, organisation.sports) == ("W623000777", ["football", "natation"])
    assert "Vérification" in text(client.get(response.headers["Location"]))


# --- logo ----------------------------------------------------------------------------------------


def test_a_manager_adds_replaces_and_removes_the_logo(client, club):
    as_(client, club, MANAGER)
    path, data = actions(club)["logo"]
    assert client.post(path, data=data).status_code == 303
    db.session.expire_all()
    first = club["organisation"].logo_key
    assert first.startswith("logo-") and get_storage().exists(f"{first}-m.jpg")
    page = text(client.get(f"/organisations/{club['organisation'].slug}"))
    assert 'alt="Logo de Club des Lilas"' in page
    client.post(path, data={"logo": (io.BytesIO(jpeg()), "autre.jpg")})
    db.session.expire_all()
    second = club["organisation"].logo_key
    assert second != first and not get_storage().exists(f"{first}.jpg")
    client.post(path, data={"action": "remove"})
    db.session.expire_all()
    assert club["organisation"].logo_key is None
    assert not get_storage().exists(f"{second}.jpg")


def test_a_logo_form_without_file_asks_for_one(client, club):
    as_(client, club, MANAGER)
    response = client.post(f"/organisations/{club['organisation'].slug}/logo", data={})
    assert response.status_code == 422
    assert "Choisissez une image." in text(response)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "est vide"),
        (b"<svg onload=alert(1)>", "n’est pas une image JPEG, PNG ou WebP"),
        (jpeg()[:200], "semble tronquée ou abîmée"),
    ],
)
def test_a_bad_logo_is_refused_with_a_message(client, club, content, message):
    as_(client, club, MANAGER)
    path = f"/organisations/{club['organisation'].slug}/logo"
    response = client.post(path, data={"logo": (io.BytesIO(content), "logo.svg")})
    assert response.status_code == 422
    assert message in text(response).replace("&#39;", "'")
    db.session.expire_all()
    assert club["organisation"].logo_key is None


# --- account area, CSRF --------------------------------------------------------------------------


def test_my_organisations_lists_the_members_organisations(client, club):
    as_(client, club, VOLUNTEER)
    assert "Mes organisations" in text(client.get("/compte/"))
    page = text(client.get("/compte/organisations"))
    assert "Club des Lilas" in page and "Gérer Club des Lilas" in page


def test_a_post_without_csrf_token_is_refused(client, club, app):
    as_(client, club, MANAGER)
    app.config["WTF_CSRF_ENABLED"] = True
    path, data = actions(club)["remove"]
    assert client.post(path, data=data).status_code == 400
    assert is_member(club[VOLUNTEER].id, club["organisation"].id)
