"""Removing a member, cancelling an invitation, leaving and closing an organisation ask first
(core.web.confirmation): the first POST changes nothing and says what happens, the confirmed
POST acts, whoever may not act is refused at both steps, a tokenless confirmed POST fails."""

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.organisations import invitations
from sportressources.organisations.models import Invitation, Organisation
from sportressources.organisations.queries import is_member
from tests.factories import add_member, make_organisation, make_user
from tests.fixtures.web import sign_in, text

CONFIRMED = {"confirmed": "yes"}


@pytest.fixture
def club(app):
    manager = make_user(display_name="Responsable")
    organisation = make_organisation(manager, name="Club des Lilas")
    volunteer = add_member(organisation, make_user(display_name="Bénévole Béa"))
    invitations.invite_member(manager, organisation, "x@example.org", "volunteer")  # its token
    db.session.commit()
    return organisation, manager, volunteer, db.session.scalar(select(Invitation.id))


def state(organisation_id, volunteer_id):
    """The organisation's status, whether the volunteer belongs, whether the invitation works."""
    db.session.rollback()
    return (
        db.session.get(Organisation, organisation_id).status,
        is_member(volunteer_id, organisation_id),
        db.session.scalar(select(Invitation)).revoked_at is None,
    )


BEFORE = ("verified", True, True)


@pytest.fixture(params=["remove", "revoke", "leave", "close"])
def step(request, club):
    """path, who acts, who may not, what the page says, the state once done."""
    organisation, manager, volunteer, invitation_id = club
    slug = organisation.slug
    path, who, intruder, says, after = {
        "remove": (
            f"/organisations/{slug}/membres/{volunteer.id}/retirer",
            manager,
            volunteer,
            [
                "Retirer Bénévole Béa de « Club des Lilas » ?",
                "perd aussitôt l’accès",
                "Oui, retirer",
            ],
            ("verified", False, True),
        ),
        "revoke": (
            f"/organisations/{slug}/invitations/{invitation_id}/annuler",
            manager,
            volunteer,
            ["Annuler cette invitation ?", "Le lien envoyé ne fonctionnera plus."],
            ("verified", True, False),
        ),
        "leave": (
            f"/organisations/{slug}/quitter",
            volunteer,
            make_user(display_name="Voisin"),
            ["Quitter « Club des Lilas » ?", "ses responsables sont prévenus", "Oui, quitter"],
            ("verified", False, True),
        ),
        "close": (
            f"/organisations/{slug}/fermer",
            manager,
            volunteer,
            ["Fermer « Club des Lilas » ?", "C’est définitif.", "Oui, fermer l’organisation"],
            ("closed", None, None),
        ),
    }[request.param]
    return path, who, intruder, says, after, lambda: state(organisation.id, volunteer.id), slug


def test_the_first_post_asks_and_changes_nothing(client, step):
    path, who, intruder, says, after, now, slug = step
    sign_in(client, who)
    response = client.post(path)
    assert response.status_code == 200
    page = text(response)
    for words in says:
        assert words in page
    assert f'href="/organisations/{slug}/gerer"' in page
    assert now() == BEFORE


def test_the_confirmed_post_acts(client, step):
    path, who, intruder, says, after, now, slug = step
    sign_in(client, who)
    assert client.post(path, data=CONFIRMED).status_code == 303
    status, member, invitation = now()
    assert status == after[0]
    if status != "closed":  # closing settles memberships and invitations its own way
        assert (member, invitation) == after[1:]


def test_whoever_may_not_act_is_refused_at_both_steps(client, step):
    path, who, intruder, says, after, now, slug = step
    sign_in(client, intruder)
    assert client.post(path).status_code == 403
    assert client.post(path, data=CONFIRMED).status_code == 403
    assert now() == BEFORE


def test_a_confirmed_post_without_csrf_token_fails(app, client, step):
    path, who, intruder, says, after, now, slug = step
    sign_in(client, who)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(path, data=CONFIRMED).status_code == 400
    assert now() == BEFORE
