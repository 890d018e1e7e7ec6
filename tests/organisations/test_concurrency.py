"""Two managers removing each other at the same moment, on SQLite and PostgreSQL: the
organisation row is locked first, so one removal wins and the organisation keeps a manager."""

from sqlalchemy import func, select

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.errors import Forbidden
from sportressources.organisations import invitations, services
from sportressources.organisations.models import Membership, Organisation
from tests.concurrency import in_threads
from tests.factories import add_member, make_organisation, make_user


def removing(actor_id: int, organisation_id: int, target_id: int):
    def action():
        actor = db.session.get(User, actor_id)
        organisation = db.session.get(Organisation, organisation_id)
        try:
            services.remove_member(actor, organisation, target_id)
        except Forbidden as error:
            return error
        return "removed"

    return action


def test_two_managers_removing_each_other_at_once_leave_one_manager(app):
    first = make_user()
    organisation = make_organisation(first)
    second = add_member(organisation, role="manager")
    results = in_threads(
        app,
        [
            removing(first.id, organisation.id, second.id),
            removing(second.id, organisation.id, first.id),
        ],
    )
    assert results.count("removed") == 1, results
    managers = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == organisation.id, Membership.role == "manager")
    )
    assert managers == 1


def test_an_invitation_opened_twice_at_once_is_used_once(app):
    organisation = make_organisation()
    token = invitations.invite_member(
        organisation.memberships[0].user, organisation, "nouveau@example.org", "volunteer"
    )
    member_id = make_user(email="nouveau@example.org").id
    db.session.commit()

    def accepting():
        try:
            invitations.accept_invitation(db.session.get(User, member_id), token)
        except invitations.InvitationUnusable as error:
            return error
        return "joined"

    results = in_threads(app, [accepting, accepting])
    assert sorted(map(str, results)) == ["Cette invitation a déjà été acceptée.", "joined"]
    assert (
        db.session.scalar(
            select(func.count()).select_from(Membership).where(Membership.user_id == member_id)
        )
        == 1
    )
