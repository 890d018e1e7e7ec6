"""Creating an organisation, its profile and its members: who becomes manager, what sends it
back to verification, and the rule that an organisation keeps at least one manager."""

import dataclasses

import pytest
from sqlalchemy import select

from sportressources.core.audit import entries_for
from sportressources.core.db import db
from sportressources.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from sportressources.organisations import services
from sportressources.organisations.models import Membership
from sportressources.organisations.queries import is_manager, is_member, membership_of
from tests.factories import add_member, make_organisation, make_user
from tests.organisations.helpers import CLUB, created_by


def test_the_creator_becomes_manager_of_a_pending_organisation(app):
    member = make_user()
    organisation = created_by(member)
    assert organisation.status == "pending"
    assert organisation.rna == "W623000123"
    assert organisation.slug == "racing-club-de-lens-athletisme"
    assert organisation.sports == ["football", "athletisme"]
    assert is_manager(member.id, organisation.id)
    assert [e.action for e in entries_for("organisation", organisation.id)] == [
        "organisation.create"
    ]


def test_a_visitor_cannot_create_an_organisation(app):
    from flask_login import AnonymousUserMixin

    with pytest.raises(Forbidden):
        services.create_organisation(AnonymousUserMixin(), CLUB)


def test_a_suspended_member_cannot_create_an_organisation(app):
    from datetime import timedelta

    from sportressources.core.db import utcnow

    member = make_user(suspended_until=utcnow() + timedelta(days=3))
    with pytest.raises(Forbidden) as error:
        services.create_organisation(member, CLUB)
    assert "suspendu" in str(error.value)


def test_creation_reports_every_bad_field_at_once(app):
    data = dataclasses.replace(
        CLUB,
        name="X",
        kind="gang",
        commune_insee="99999",
        rna="",
        siret="73282932000075",
        website="javascript:alert(1)",
        sports=["football", "quidditch"],
        description="x" * 4001,
    )
    with pytest.raises(ValidationFailed) as error:
        services.create_organisation(make_user(), data)
    assert set(error.value.fields) == {
        "name",
        "kind",
        "commune",
        "siret",
        "website",
        "sports",
        "description",
    }


def test_an_organisation_needs_an_rna_number_or_a_siret(app):
    with pytest.raises(ValidationFailed) as error:
        services.create_organisation(make_user(), dataclasses.replace(CLUB, rna="", siret=""))
    assert "au moins l’un des deux" in str(error.value.fields["rna"][0])


def test_an_identifier_already_registered_is_refused(app):
    created_by(make_user())
    with pytest.raises(ValidationFailed) as error:
        services.create_organisation(make_user(), dataclasses.replace(CLUB, name="Autre club"))
    assert "déjà ce numéro RNA" in str(error.value.fields["rna"][0])


def test_html_in_the_profile_is_kept_as_plain_text(app, client):
    data = dataclasses.replace(
        CLUB, name="<script>alert(1)</script> Club", description="<b>gras</b><img src=x>"
    )
    organisation = created_by(make_user(), data)
    organisation_id = organisation.id
    # A moderator sees the page: the text is escaped, never interpreted
    moderator = make_user(role="moderator")
    from tests.fixtures.web import sign_in

    sign_in(client, moderator)
    slug = db.session.get(type(organisation), organisation_id).slug
    page = client.get(f"/organisations/{slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Club" in page
    assert "&lt;b&gt;gras&lt;/b&gt;" in page


def test_same_names_get_distinct_slugs(app):
    first = created_by(make_user())
    second = created_by(make_user(), dataclasses.replace(CLUB, rna="W623000124"))
    assert (first.slug, second.slug) == (
        "racing-club-de-lens-athletisme",
        "racing-club-de-lens-athletisme-2",
    )


def test_a_volunteer_cannot_edit_the_profile(app):
    organisation = make_organisation()
    volunteer = add_member(organisation)
    with pytest.raises(Forbidden):
        services.update_profile(volunteer, organisation, CLUB)


def test_a_non_member_cannot_edit_the_profile(app):
    organisation = make_organisation()
    with pytest.raises(Forbidden):
        services.update_profile(make_user(), organisation, CLUB)


def test_editing_the_description_keeps_the_verification(app):
    manager = make_user()
    organisation = make_organisation(manager, name=CLUB.name, rna="W623000123")
    services.update_profile(manager, organisation, dataclasses.replace(CLUB, description="Neuf"))
    db.session.commit()
    assert organisation.status == "verified"
    assert organisation.description == "Neuf"


@pytest.mark.parametrize(
    "change", [{"name": "Nouveau nom du club"}, {"rna": "W623999999"}, {"siret": "73282932000074"}]
)
def test_changing_name_or_identifiers_sends_a_verified_organisation_back(app, change):
    manager = make_user()
    organisation = make_organisation(manager, name=CLUB.name, rna="W623000123")
    services.update_profile(manager, organisation, dataclasses.replace(CLUB, **change))
    db.session.commit()
    assert organisation.status == "pending"
    assert not organisation.is_verified
    actions = [e.action for e in entries_for("organisation", organisation.id)]
    assert actions[-2:] == ["organisation.update", "organisation.send_back_to_review"]


# --- roles, removal, leaving ---------------------------------------------------------------------


def test_a_manager_makes_a_volunteer_manager(app):
    manager = make_user()
    organisation = make_organisation(manager)
    volunteer = add_member(organisation)
    services.set_member_role(manager, organisation, volunteer.id, "manager")
    db.session.commit()
    assert is_manager(volunteer.id, organisation.id)


def test_a_volunteer_cannot_change_roles(app):
    organisation = make_organisation()
    volunteer = add_member(organisation)
    other = add_member(organisation)
    with pytest.raises(Forbidden):
        services.set_member_role(volunteer, organisation, other.id, "manager")
    with pytest.raises(Forbidden):
        services.set_member_role(volunteer, organisation, volunteer.id, "manager")


def test_an_unknown_role_is_refused(app):
    manager = make_user()
    organisation = make_organisation(manager)
    volunteer = add_member(organisation)
    with pytest.raises(ValidationFailed):
        services.set_member_role(manager, organisation, volunteer.id, "admin")


def test_the_last_manager_cannot_become_a_volunteer(app):
    manager = make_user()
    organisation = make_organisation(manager)
    with pytest.raises(Conflict) as error:
        services.set_member_role(manager, organisation, manager.id, "volunteer")
    assert "au moins un responsable" in str(error.value)


def test_the_last_manager_cannot_leave(app):
    manager = make_user()
    organisation = make_organisation(manager)
    add_member(organisation)
    with pytest.raises(Conflict) as error:
        services.leave_organisation(manager, organisation)
    assert "au moins un responsable" in str(error.value)


def test_a_manager_may_leave_when_another_remains(app):
    manager = make_user()
    organisation = make_organisation(manager)
    other = add_member(organisation, role="manager")
    services.leave_organisation(manager, organisation)
    db.session.commit()
    assert not is_member(manager.id, organisation.id)
    assert is_manager(other.id, organisation.id)


def test_a_volunteer_leaves_and_managers_are_told(app):
    from sportressources.notifications.models import Notification

    manager = make_user()
    organisation = make_organisation(manager)
    volunteer = add_member(organisation)
    services.leave_organisation(volunteer, organisation)
    db.session.commit()
    assert membership_of(volunteer.id, organisation.id) is None
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == manager.id)
    ).all()
    assert "organisation_member_left" in kinds


def test_a_non_member_cannot_leave(app):
    with pytest.raises(NotFound):
        services.leave_organisation(make_user(), make_organisation())


def test_a_manager_removes_a_volunteer_who_is_told(app):
    from sportressources.notifications.models import Notification

    manager = make_user()
    organisation = make_organisation(manager)
    volunteer = add_member(organisation)
    services.remove_member(manager, organisation, volunteer.id)
    db.session.commit()
    assert not is_member(volunteer.id, organisation.id)
    assert db.session.scalar(
        select(Notification.kind).where(Notification.user_id == volunteer.id)
    ) == ("organisation_removed")
    assert entries_for("organisation", organisation.id)[-1].action == "organisation.member_remove"


def test_a_volunteer_cannot_remove_anyone(app):
    manager = make_user()
    organisation = make_organisation(manager)
    volunteer = add_member(organisation)
    other = add_member(organisation)
    for target in (manager, other):
        with pytest.raises(Forbidden):
            services.remove_member(volunteer, organisation, target.id)


def test_a_manager_removes_another_manager_but_not_the_last(app):
    manager = make_user()
    organisation = make_organisation(manager)
    second = add_member(organisation, role="manager")
    services.remove_member(manager, organisation, second.id)
    db.session.commit()
    with pytest.raises(Conflict):
        services.remove_member(manager, organisation, manager.id)


def test_removing_someone_who_is_not_a_member_is_not_found(app):
    manager = make_user()
    organisation = make_organisation(manager)
    with pytest.raises(NotFound):
        services.remove_member(manager, organisation, make_user().id)


def test_a_manager_of_another_organisation_cannot_act_here(app):
    organisation = make_organisation()
    volunteer = add_member(organisation)
    outsider = make_organisation().memberships[0].user
    with pytest.raises(Forbidden):
        services.remove_member(outsider, organisation, volunteer.id)
    with pytest.raises(Forbidden):
        services.update_profile(outsider, organisation, CLUB)


def test_closing_tells_the_members_and_ends_their_access(app):
    from sportressources.organisations.policies import can_act_for_organisation

    manager = make_user()
    organisation = make_organisation(manager)
    volunteer = add_member(organisation)
    services.close_organisation(manager, organisation)
    db.session.commit()
    assert organisation.status == "closed"
    assert not can_act_for_organisation(volunteer, organisation)
    assert not can_act_for_organisation(manager, organisation)


def test_a_volunteer_cannot_close(app):
    organisation = make_organisation()
    with pytest.raises(Forbidden):
        services.close_organisation(add_member(organisation), organisation)


def test_memberships_are_rows_deleted_on_removal(app):
    manager = make_user()
    organisation = make_organisation(manager)
    volunteer = add_member(organisation)
    services.remove_member(manager, organisation, volunteer.id)
    db.session.commit()
    assert db.session.scalars(
        select(Membership.user_id).where(Membership.organisation_id == organisation.id)
    ).all() == [manager.id]


def test_a_replaced_logo_is_deleted_only_when_the_change_commits(app):
    import io

    from PIL import Image

    from sportressources.core.storage import get_storage

    def jpeg() -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (50, 40), (0, 90, 200)).save(buffer, "JPEG")
        return buffer.getvalue()

    manager = make_user()
    organisation = make_organisation(manager)
    services.set_logo(manager, organisation, jpeg(), "logo.jpg")
    db.session.commit()
    first = organisation.logo_key
    services.set_logo(manager, organisation, jpeg(), "autre.jpg")
    db.session.rollback()
    assert organisation.logo_key == first and get_storage().exists(f"{first}.jpg")
    services.remove_logo(manager, organisation)
    db.session.commit()
    assert organisation.logo_key is None and not get_storage().exists(f"{first}-s.jpg")
    assert [e.action for e in entries_for("organisation", organisation.id)][-2:] == [
        "organisation.logo",
        "organisation.logo",
    ]
