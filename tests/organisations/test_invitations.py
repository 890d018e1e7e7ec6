"""Invitations: a link by email, used once, for 14 days, by the person signed in with the
invited address, who may create their account first."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from sportressources.core.db import db, utcnow
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.organisations import invitations
from sportressources.organisations.invitations import InvitationUnusable, token_hash
from sportressources.organisations.models import Invitation
from sportressources.organisations.queries import is_manager, is_member
from tests.accounts.test_registration import registration
from tests.factories import PASSWORD, add_member, make_organisation, make_user
from tests.fixtures.web import sign_in


def invited(organisation, email="nouveau@example.org", role="volunteer", by=None):
    by = by or organisation.memberships[0].user
    token = invitations.invite_member(by, organisation, email, role)
    db.session.commit()
    return token


def test_an_invitation_is_emailed_with_a_link_and_stored_hashed(app, outbox):
    organisation = make_organisation(name="Club des Lilas")
    token = invited(organisation, email="Nouveau@Example.org")
    [mail] = outbox.to("nouveau@example.org")
    assert mail.subject == "Invitation à rejoindre Club des Lilas"
    assert mail.link("/organisations/invitation/").endswith(token)
    stored = db.session.scalar(select(Invitation))
    assert stored.email == "nouveau@example.org"
    assert stored.token_hash == token_hash(token) != token
    assert stored.expires_at - stored.created_at == timedelta(days=14)


def test_a_volunteer_cannot_invite(app):
    organisation = make_organisation()
    volunteer = add_member(organisation)
    with pytest.raises(Forbidden):
        invitations.invite_member(volunteer, organisation, "x@example.org", "volunteer")


def test_a_non_member_cannot_invite(app):
    with pytest.raises(Forbidden):
        invitations.invite_member(make_user(), make_organisation(), "x@example.org", "volunteer")


def test_a_malformed_address_is_refused(app):
    organisation = make_organisation()
    with pytest.raises(ValidationFailed) as error:
        invited(organisation, email="pas-une-adresse")
    assert "email" in error.value.fields


def test_inviting_a_member_again_is_refused(app):
    organisation = make_organisation()
    volunteer = add_member(organisation)
    with pytest.raises(Conflict):
        invited(organisation, email=volunteer.email.upper())


def test_a_new_invitation_replaces_the_pending_one(app):
    organisation = make_organisation()
    first = invited(organisation)
    second = invited(organisation)
    member = make_user(email="nouveau@example.org")
    with pytest.raises(InvitationUnusable):
        invitations.accept_invitation(member, first)
    invitations.accept_invitation(member, second)


def test_the_invited_member_joins_with_the_offered_role(app):
    organisation = make_organisation()
    member = make_user(email="nouveau@example.org")
    token = invited(organisation, email="NOUVEAU@example.org", role="manager")
    invitations.accept_invitation(member, token)
    db.session.commit()
    assert is_manager(member.id, organisation.id)


def test_an_invitation_is_accepted_once(app):
    organisation = make_organisation()
    member = make_user(email="nouveau@example.org")
    token = invited(organisation)
    invitations.accept_invitation(member, token)
    db.session.commit()
    with pytest.raises(InvitationUnusable) as error:
        invitations.accept_invitation(member, token)
    assert error.value.code == "invitation_accepted"


def test_an_expired_invitation_is_refused(app):
    organisation = make_organisation()
    token = invited(organisation)
    stored = db.session.scalar(select(Invitation))
    stored.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(InvitationUnusable) as error:
        invitations.accept_invitation(make_user(email="nouveau@example.org"), token)
    assert error.value.code == "invitation_expired"
    assert "expiré" in str(error.value)


def test_a_revoked_invitation_is_refused(app):
    organisation = make_organisation()
    manager = organisation.memberships[0].user
    token = invited(organisation)
    invitations.revoke_invitation(manager, organisation, db.session.scalar(select(Invitation.id)))
    db.session.commit()
    with pytest.raises(InvitationUnusable) as error:
        invitations.accept_invitation(make_user(email="nouveau@example.org"), token)
    assert error.value.code == "invitation_revoked"


def test_a_volunteer_cannot_revoke(app):
    organisation = make_organisation()
    invited(organisation)
    with pytest.raises(Forbidden):
        invitations.revoke_invitation(
            add_member(organisation), organisation, db.session.scalar(select(Invitation.id))
        )


def test_another_address_cannot_accept(app):
    organisation = make_organisation()
    token = invited(organisation)
    intruder = make_user(email="autre@example.org")
    with pytest.raises(Forbidden) as error:
        invitations.accept_invitation(intruder, token)
    assert "une autre adresse e-mail" in str(error.value)
    assert not is_member(intruder.id, organisation.id)


def test_an_unknown_or_forged_link_is_not_found(app):
    with pytest.raises(NotFound):
        invitations.accept_invitation(make_user(), "x" * 43)
    with pytest.raises(NotFound):
        invitations.accept_invitation(make_user(), "x" * 5000)


def test_an_invitation_to_a_closed_organisation_is_refused(app):
    from sportressources.organisations import services

    organisation = make_organisation()
    token = invited(organisation)
    services.close_organisation(organisation.memberships[0].user, organisation)
    db.session.commit()
    with pytest.raises(InvitationUnusable):
        invitations.accept_invitation(make_user(email="nouveau@example.org"), token)


# --- through the pages ---------------------------------------------------------------------------


def test_a_visitor_is_asked_to_sign_in_and_comes_back_to_the_link(app, client):
    organisation = make_organisation(name="Club des Lilas")
    token = invited(organisation)
    make_user(email="nouveau@example.org")
    path = f"/organisations/invitation/{token}"
    page = client.get(path).get_data(as_text=True)
    assert "connectez-vous avec l’adresse e-mail qui a reçu l’invitation" in page
    response = client.post(
        "/compte/connexion",
        data={"email": "nouveau@example.org", "password": PASSWORD, "next": path},
    )
    assert response.headers["Location"] == path
    response = client.post(path)
    assert response.status_code == 303
    assert "Bienvenue dans « Club des Lilas »" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_someone_without_an_account_signs_up_then_accepts(app, client, outbox):
    organisation = make_organisation(name="Club des Lilas")
    token = invited(organisation, email="Camille@example.org")
    link = outbox.last("camille@example.org").link("/organisations/invitation/")
    path = link[link.index("/organisations/") :]
    assert "Créer un compte" in client.get(path).get_data(as_text=True)
    response = client.post(
        "/compte/inscription",
        data=registration(
            client,
            email="camille@example.org",
            password="un mot de passe solide 62",
            password_confirm="un mot de passe solide 62",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    confirm = outbox.last("camille@example.org").link("/compte/confirmer/")
    client.get(confirm[confirm.index("/compte/") :])
    client.post(
        "/compte/connexion",
        data={"email": "camille@example.org", "password": "un mot de passe solide 62"},
    )
    assert client.post(path).status_code == 303
    member = db.session.scalar(
        select(Invitation.accepted_by_id).where(Invitation.token_hash == token_hash(token))
    )
    assert member is not None and is_member(member, organisation.id)


def test_the_page_of_a_used_link_explains_it(app, client):
    organisation = make_organisation()
    member = make_user(email="nouveau@example.org")
    token = invited(organisation)
    invitations.accept_invitation(member, token)
    db.session.commit()
    response = client.get(f"/organisations/invitation/{token}")
    assert response.status_code == 410
    assert "déjà été acceptée" in response.get_data(as_text=True)


def test_the_wrong_account_sees_why_on_the_page(app, client):
    organisation = make_organisation()
    token = invited(organisation)
    sign_in(client, make_user(email="autre@example.org"))
    response = client.post(f"/organisations/invitation/{token}")
    assert response.status_code == 403
    assert "une autre adresse e-mail" in response.get_data(as_text=True)


def test_an_unconfirmed_account_must_confirm_first(app):
    organisation = make_organisation()
    token = invited(organisation)
    member = make_user(email="nouveau@example.org", confirmed=False)
    with pytest.raises(Forbidden) as error:
        invitations.accept_invitation(member, token)
    assert "Confirmez d’abord votre adresse" in str(error.value)
    assert not is_member(member.id, organisation.id)
