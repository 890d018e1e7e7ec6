"""Admins grant and withdraw the moderator role in the pages; each change is logged with its
reason and told to the member. Nobody changes their own role or an admin's here; moderators and
residents change none."""

import pytest

from sportressources.core.audit import entries_for
from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.moderation import team
from sportressources.notifications.models import Notification
from tests.factories import committed, make_user
from tests.fixtures.web import text


def role_of(user) -> str:
    db.session.refresh(user)
    return user.role


def role_changes(user) -> list[tuple]:
    return [
        (entry.action, entry.actor_id, entry.before, entry.after, entry.reason)
        for entry in entries_for("user", user.id)
    ]


def notices_of(user) -> list[str]:
    return list(
        db.session.scalars(db.select(Notification.kind).where(Notification.user_id == user.id))
    )


def test_an_admin_finds_a_member_by_email_and_makes_them_a_moderator(
    admin, admin_client, resident, outbox
):
    page = text(
        admin_client.get("/moderation/equipe", query_string={"email": " Resident@Example.org "})
    )
    assert (
        "Camille Résidente" in page and f'action="/moderation/equipe/{resident.id}/nommer"' in page
    )

    response = admin_client.post(
        f"/moderation/equipe/{resident.id}/nommer", data={"reason": "Renfort pour l’été"}
    )

    assert response.status_code == 302
    assert role_of(resident) == "moderator"
    assert role_changes(resident) == [
        ("user.role_change", admin.id, "resident", "moderator", "Renfort pour l’été")
    ]
    assert notices_of(resident) == ["moderation_role_granted"]
    mail = outbox.last(resident.email)
    assert mail.subject == "Vous rejoignez l’équipe de modération"
    assert "http://localhost/moderation/" in mail.text
    page = text(admin_client.get("/moderation/equipe"))
    assert "Camille Résidente fait désormais partie de l’équipe de modération." in page
    assert f'action="/moderation/equipe/{resident.id}/retirer"' in page


def test_an_admin_withdraws_the_role_of_a_moderator(admin, admin_client, moderator, outbox):
    response = admin_client.post(
        f"/moderation/equipe/{moderator.id}/retirer", data={"reason": "Fin de mission"}
    )

    assert response.status_code == 302
    assert role_of(moderator) == "resident"
    assert role_changes(moderator) == [
        ("user.role_change", admin.id, "moderator", "resident", "Fin de mission")
    ]
    assert notices_of(moderator) == ["moderation_role_withdrawn"]
    assert outbox.last(moderator.email).subject == "Vous quittez l’équipe de modération"
    assert moderator.email not in text(admin_client.get("/moderation/equipe"))


def test_the_team_page_lists_moderators_and_admins_only(admin_client, admin, moderator, resident):
    page = text(admin_client.get("/moderation/equipe"))
    assert "2 membres de l’équipe" in page
    assert moderator.email in page and admin.email in page
    assert resident.email not in page
    # No button against one's own row nor against an admin's
    assert f"/moderation/equipe/{admin.id}/retirer" not in page
    assert f"/moderation/equipe/{moderator.id}/retirer" in page


def test_an_unknown_address_finds_nobody(admin_client):
    page = text(admin_client.get("/moderation/equipe?email=personne@example.org"))
    assert "Aucun membre n’a l’adresse « personne@example.org »." in page


@pytest.mark.parametrize("reason", ["Essai", ""])
def test_an_admin_cannot_change_their_own_role(admin, admin_client, reason):
    for action in ("nommer", "retirer"):
        response = admin_client.post(
            f"/moderation/equipe/{admin.id}/{action}", data={"reason": reason}
        )
        assert response.status_code == 403
        assert "Vous ne pouvez pas changer votre propre rôle." in text(response)
    assert role_of(admin) == "admin" and role_changes(admin) == []


def test_an_admin_cannot_demote_another_admin_here(admin_client):
    other = make_user(email="admin2@example.org", role="admin")
    response = admin_client.post(
        f"/moderation/equipe/{other.id}/retirer", data={"reason": "Désaccord"}
    )
    assert response.status_code == 403
    assert "Le rôle d’un administrateur ne se change pas ici." in text(response)
    assert role_of(other) == "admin" and role_changes(other) == []


@pytest.mark.parametrize("role", ["resident", "moderator"])
def test_only_admins_change_roles(client_for, resident, role):
    actor = make_user(email=f"acting-{role}@example.org", role=role)
    target = make_user(email="target@example.org", role="moderator")
    browser = client_for(actor)
    assert (
        browser.post(f"/moderation/equipe/{resident.id}/nommer", data={"reason": "x"}).status_code
        == 403
    )
    assert (
        browser.post(f"/moderation/equipe/{target.id}/retirer", data={"reason": "x"}).status_code
        == 403
    )
    assert role_of(resident) == "resident" and role_of(target) == "moderator"
    with pytest.raises(Forbidden):
        team.grant_moderator(actor, resident.id, "Renfort")


def test_a_role_change_needs_a_reason_and_keeps_what_was_typed(admin_client, resident):
    url = f"/moderation/equipe/{resident.id}/nommer"
    response = admin_client.post(url, data={"reason": "   "})
    assert response.status_code == 422
    assert "Indiquez la raison de ce changement" in text(response)

    long_reason = "Une raison bien trop longue. " * 30
    response = admin_client.post(url, data={"reason": long_reason})
    assert response.status_code == 422
    page = text(response)
    assert "500 caractères" in page and long_reason.strip() in page
    assert f'href="#reason-grant_moderator-{resident.id}"' in page
    assert f'id="reason-grant_moderator-{resident.id}"' in page
    assert role_of(resident) == "resident" and role_changes(resident) == []


def test_granting_the_role_twice_is_a_conflict_logged_once(admin, admin_client, moderator):
    response = admin_client.post(
        f"/moderation/equipe/{moderator.id}/nommer", data={"reason": "Encore"}
    )
    assert response.status_code == 409
    page = text(response)
    assert "Le rôle n’a pas été changé" in page
    assert "Ce membre fait déjà partie de l’équipe de modération." in page
    assert role_changes(moderator) == []


def test_withdrawing_from_a_resident_is_a_conflict(admin_client, resident):
    response = admin_client.post(f"/moderation/equipe/{resident.id}/retirer", data={"reason": "x"})
    assert response.status_code == 409
    assert role_changes(resident) == []


def test_an_unknown_or_deleted_member_is_not_found(admin, admin_client):
    assert (
        admin_client.post("/moderation/equipe/999999/nommer", data={"reason": "x"}).status_code
        == 404
    )
    gone = make_user(email="gone@example.org", deleted_at=utcnow())
    assert (
        admin_client.post(f"/moderation/equipe/{gone.id}/nommer", data={"reason": "x"}).status_code
        == 404
    )
    with pytest.raises(NotFound):
        team.grant_moderator(admin, 2**31 - 1, "Renfort")


def test_an_unconfirmed_suspended_or_banned_member_cannot_join(admin):
    unconfirmed = make_user(email="new@example.org", confirmed=False)
    banned = make_user(email="banned@example.org", banned_at=utcnow())
    suspended = make_user(
        email="suspended@example.org",
        suspended_until=utcnow().replace(year=utcnow().year + 1),
    )
    for member in (unconfirmed, banned, suspended):
        with pytest.raises(Conflict):
            team.grant_moderator(admin, member.id, "Renfort")
        db.session.rollback()
        assert role_of(member) == "resident"


def test_the_service_refuses_a_missing_reason(admin, resident):
    with pytest.raises(ValidationFailed) as refused:
        team.grant_moderator(admin, resident.id, "\x00  ")
    assert "reason" in refused.value.fields


def test_the_policy_matches_the_buttons(admin, moderator, resident):
    other_admin = make_user(email="admin2@example.org", role="admin")
    assert team.can_change_role(admin, moderator) and team.can_change_role(admin, resident)
    assert not team.can_change_role(admin, admin)
    assert not team.can_change_role(admin, other_admin)
    assert not team.can_change_role(moderator, resident)
    assert not team.can_change_role(None, resident)


def test_a_member_made_moderator_opens_the_moderation_pages(admin, resident, client_for):
    committed(team.grant_moderator(admin, resident.id, "Renfort"))
    assert client_for(resident).get("/moderation/tableau-de-bord").status_code == 200
    committed(team.withdraw_moderator(admin, resident.id, "Fin"))
    assert client_for(resident).get("/moderation/tableau-de-bord").status_code == 403
    assert [change[2:4] for change in role_changes(resident)] == [
        ("resident", "moderator"),
        ("moderator", "resident"),
    ]
