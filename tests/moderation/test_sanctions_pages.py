"""The sanction pages: who may open and post what, the member search and history, the forms with
hostile input, and the member's own view on their account page."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.states import apply_transition
from sportressources.moderation import sanctions
from sportressources.moderation.models import Report, Sanction
from sportressources.moderation.queue import open_case
from tests.factories import committed, fresh, make_listing, make_user
from tests.fixtures.web import text

REASON = "Annonces en double publiées à la chaîne."


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Sanction))


def future(days: int = 7) -> str:
    return (paris_today() + timedelta(days=days)).strftime("%d/%m/%Y")


def warn_data(**overrides):
    return {"warn-rule": "3.6", "warn-reason": REASON, **overrides}


def suspend_data(**overrides):
    return {"suspend-rule": "3.6", "suspend-reason": REASON, "suspend-until": future(), **overrides}


def ban_data(**overrides):
    return {"ban-rule": "5.4", "ban-reason": REASON, **overrides}


# --- who may -------------------------------------------------------------------------------------


def test_visitors_and_residents_cannot_open_the_pages_or_post(
    client, resident, other_resident, client_for
):
    sanction = committed(sanctions.warn_member(make_moderator(), other_resident, REASON, "3.6"))
    pages = [
        "/moderation/membres",
        "/moderation/membres?q=Yanis",
        f"/moderation/membres/{other_resident.id}",
    ]
    posts = [
        (f"/moderation/membres/{other_resident.id}/avertir", warn_data()),
        (f"/moderation/membres/{other_resident.id}/suspendre", suspend_data()),
        (f"/moderation/membres/{other_resident.id}/fermer", ban_data()),
        (f"/moderation/sanctions/{sanction.id}/lever", {f"lift-{sanction.id}-reason": "Non"}),
    ]
    for path in pages:
        assert client.get(path).status_code == 302  # to the sign-in page
    for path, data in posts:
        assert client.post(path, data=data).status_code == 302
    browser = client_for(resident)
    for path in pages:
        assert browser.get(path).status_code == 403
    for path, data in posts:
        assert browser.post(path, data=data).status_code == 403
    assert count() == 1 and fresh(sanction).status == "active"


def make_moderator():
    return make_user(email="modo2@example.org", display_name="Autre modo", role="moderator")


def test_a_moderator_warns_and_suspends_from_the_member_page(moderator, resident, client_for):
    make_listing(owner=resident, title="Vélo enfant 20 pouces")
    browser = client_for(moderator)
    page = text(browser.get(f"/moderation/membres/{resident.id}"))
    assert "Camille Résidente" in page and "resident@example.org" in page
    assert "Avertir le membre" in page and "Suspendre le compte" in page
    assert "Fermer le compte</button>" not in page  # only admins ban
    assert "Vélo enfant 20 pouces" in page

    response = browser.post(f"/moderation/membres/{resident.id}/avertir", data=warn_data())
    assert response.status_code == 303
    assert "Le membre est averti" in text(browser.get(response.location))
    response = browser.post(f"/moderation/membres/{resident.id}/suspendre", data=suspend_data())
    assert response.status_code == 303

    page = text(browser.get(f"/moderation/membres/{resident.id}"))
    assert "Avertissement" in page and "Suspension" in page and "Suspendu jusqu’au" in page
    assert "Masquée (compte sanctionné)" in page
    assert [s.kind for s in sanctions.sanctions_of(resident)] == ["suspension", "warning"]


def test_a_moderator_cannot_ban_and_a_posted_ban_is_refused(moderator, resident, client_for):
    browser = client_for(moderator)
    response = browser.post(f"/moderation/membres/{resident.id}/fermer", data=ban_data())
    assert response.status_code == 403
    assert "Seul un administrateur peut fermer un compte" in text(response)
    assert count() == 0 and fresh(resident).banned_at is None


def test_a_moderator_cannot_sanction_an_admin_or_themselves(moderator, admin, client_for):
    browser = client_for(moderator)
    for member in (admin, moderator):
        page = text(browser.get(f"/moderation/membres/{member.id}"))
        assert "Vous ne pouvez pas sanctionner ce membre" in page
        assert "Avertir le membre" not in page
        for action, data in (("avertir", warn_data()), ("suspendre", suspend_data())):
            response = browser.post(f"/moderation/membres/{member.id}/{action}", data=data)
            assert response.status_code == 403
    assert count() == 0


def test_an_admin_bans_and_lifts_the_ban(admin, resident, client_for, outbox):
    browser = client_for(admin)
    assert "Fermer le compte</button>" in text(browser.get(f"/moderation/membres/{resident.id}"))
    response = browser.post(f"/moderation/membres/{resident.id}/fermer", data=ban_data())
    assert response.status_code == 303 and fresh(resident).banned_at is not None
    ban = sanctions.sanctions_of(resident)[0]
    page = text(browser.get(f"/moderation/membres/{resident.id}"))
    assert "Lever cette sanction" in page and "Fermé depuis le" in page

    response = browser.post(
        f"/moderation/sanctions/{ban.id}/lever",
        data={f"lift-{ban.id}-reason": "Contestation fondée."},
    )
    assert response.status_code == 303
    assert fresh(ban).status == "lifted" and fresh(resident).banned_at is None
    assert "Contestation fondée." in outbox.last(resident.email).text


def test_a_moderator_cannot_lift_a_ban(moderator, admin, resident, client_for):
    ban = committed(sanctions.ban_member(admin, resident, REASON, "5.4"))
    browser = client_for(moderator)
    assert "Lever cette sanction" not in text(browser.get(f"/moderation/membres/{resident.id}"))
    response = browser.post(
        f"/moderation/sanctions/{ban.id}/lever", data={f"lift-{ban.id}-reason": "Pourquoi pas"}
    )
    assert response.status_code == 403 and fresh(ban).status == "active"


# --- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"suspend-until": "31/02/2027"}, "Indiquez une date, par exemple"),
        ({"suspend-until": "demain"}, "Indiquez une date, par exemple"),
        ({"suspend-until": "9" * 500}, "Indiquez une date, par exemple"),
        ({"suspend-until": "01/01/1900"}, "Indiquez une date entre le"),
        ({"suspend-until": ""}, "Indiquez jusqu’à quel jour"),
        ({"suspend-until": (paris_today() - timedelta(days=1)).isoformat()}, "dans le futur"),
        ({"suspend-until": future(400)}, "au plus un an"),
        ({"suspend-reason": ""}, "Expliquez ce qui motive cette décision"),
        ({"suspend-reason": "x" * 5000}, "ne peut pas dépasser 2000 caractères"),
        ({"suspend-rule": ""}, "Choisissez la règle"),
        ({"suspend-rule": "9.9"}, "Choisissez une valeur dans la liste"),
        ({"suspend-rule": "<script>alert(1)</script>"}, "Choisissez une valeur dans la liste"),
    ],
)
def test_a_bad_suspension_form_says_what_to_fix_and_changes_nothing(
    moderator, resident, client_for, overrides, message
):
    browser = client_for(moderator)
    data = suspend_data(**overrides)
    response = browser.post(f"/moderation/membres/{resident.id}/suspendre", data=data)
    assert response.status_code == 422
    page = text(response)
    assert message in page and "Le formulaire contient" in page
    if overrides.get("suspend-reason") == "x" * 5000:
        assert "x" * 5000 in page  # the text is given back to be shortened
    assert count() == 0 and fresh(resident).suspended_until is None


def test_a_second_suspension_is_refused_with_the_first_ones_end(moderator, resident, client_for):
    browser = client_for(moderator)
    assert (
        browser.post(
            f"/moderation/membres/{resident.id}/suspendre", data=suspend_data()
        ).status_code
        == 303
    )
    response = browser.post(
        f"/moderation/membres/{resident.id}/suspendre",
        data=suspend_data(**{"suspend-until": future(20)}),
    )
    assert response.status_code == 409 and "déjà suspendu jusqu’au" in text(response)
    assert count() == 1


def test_lifting_needs_a_reason(moderator, resident, client_for):
    sanction = committed(sanctions.warn_member(moderator, resident, REASON, "3.6"))
    other = make_moderator()
    browser = client_for(other)
    response = browser.post(
        f"/moderation/sanctions/{sanction.id}/lever", data={f"lift-{sanction.id}-reason": "  "}
    )
    assert response.status_code == 422 and "Expliquez ce qui motive" in text(response)
    assert fresh(sanction).status == "active"


def test_unknown_members_and_sanctions_are_404(moderator, client_for):
    browser = client_for(moderator)
    for path in ("/moderation/membres/999999", "/moderation/membres/99999999999999999999"):
        assert browser.get(path).status_code == 404
    assert browser.post("/moderation/membres/999999/avertir", data=warn_data()).status_code == 404
    assert browser.post("/moderation/sanctions/999999/lever", data={}).status_code == 404


def test_the_search_finds_members_by_name_email_or_number(moderator, resident, client_for):
    other = make_user(email="jeanne.dupont@example.org", display_name="Jeanne 100% Sport")
    browser = client_for(moderator)
    assert "Camille Résidente" in text(browser.get("/moderation/membres?q=camille"))
    page = text(browser.get("/moderation/membres?q=DUPONT"))
    assert "Jeanne 100% Sport" in page and "Camille" not in page
    assert "Jeanne 100% Sport" in text(browser.get(f"/moderation/membres?q=%23{other.id}"))
    # A « % » or « _ » is a character, not a wildcard
    page = text(browser.get("/moderation/membres?q=%25"))
    assert "Jeanne 100% Sport" in page and "Camille" not in page
    assert "Aucun membre ne correspond" in text(browser.get("/moderation/membres?q=_"))
    for hostile in ("x" * 5000, "%00", "' OR 1=1 --", "<script>"):
        response = browser.get(f"/moderation/membres?q={hostile}")
        assert response.status_code == 200 and "<script>" not in text(response).split("</h1>")[1]


def test_the_member_list_shows_the_sanctions_in_force(moderator, resident, client_for):
    committed(
        sanctions.suspend_member(
            moderator, resident, paris_today() + timedelta(days=3), REASON, "3.6"
        )
    )
    page = text(client_for(moderator).get("/moderation/membres"))
    assert "Suspensions et fermetures en vigueur" in page and "Camille Résidente" in page


# --- the member's own view -----------------------------------------------------------------------


def test_a_member_sees_their_warnings_and_sanctions_on_their_account(
    moderator, resident, client_for
):
    browser = client_for(resident)
    assert "Avertissements et sanctions" not in text(browser.get("/compte/"))
    warning = committed(sanctions.warn_member(moderator, resident, REASON, "3.6"))
    committed(sanctions.lift_sanction(make_moderator(), warning, "Avertissement donné par erreur."))
    committed(sanctions.warn_member(moderator, resident, "Photos trompeuses.", "3.1"))
    page = text(browser.get("/compte/"))
    assert "Avertissements et sanctions" in page
    assert "Photos trompeuses." in page and "Règle 3.1 des conditions d’utilisation" in page
    assert "Avertissement donné par erreur." in page and "Levée" in page
    assert "La décision et comment la contester" in page


def test_posting_without_the_csrf_token_fails(app, moderator, resident, client_for):
    browser = client_for(moderator)
    app.config["WTF_CSRF_ENABLED"] = True
    response = browser.post(f"/moderation/membres/{resident.id}/avertir", data=warn_data())
    assert response.status_code == 400
    assert count() == 0


def test_the_member_page_shows_reports_and_decisions_on_their_content(
    moderator, resident, other_resident, client_for
):
    listing = make_listing(owner=resident, title="Vélo enfant 20 pouces")
    db.session.add(
        Report(
            target_type="listing",
            target_id=listing.id,
            reporter_id=other_resident.id,
            reason="rule:3.4",
            explanation="Un numéro de téléphone dans l’annonce.",
        )
    )
    db.session.add(
        Report(
            target_type="profile",
            target_id=resident.id,
            reporter_name="Visiteur",
            reporter_email="visiteur@example.org",
            reason="illegal:fraud",
        )
    )
    case = open_case("listing", listing.id, author_id=resident.id, reason="reported")
    case.decision, case.decision_note = "dismiss", "Rien d’illicite."
    apply_transition(case, "decide", actor=moderator)
    db.session.commit()

    page = text(client_for(moderator).get(f"/moderation/membres/{resident.id}"))

    assert "Pas de coordonnées ni de liens dans une annonce" in page
    assert "Escroquerie" in page and "à examiner" in page
    assert "signalements écartés" in page and "Rien d’illicite." in page
    assert f"Annonce n° {listing.id}" in page and "Profil" in page
