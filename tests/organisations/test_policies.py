"""What each person may do for an organisation comes from their membership, read at each call,
never from a site role; the policies are also template globals."""

from datetime import timedelta

import pytest
from flask import render_template_string
from flask_login import AnonymousUserMixin

from sportressources.core.db import db, utcnow
from sportressources.core.security import Actor
from sportressources.organisations import services
from sportressources.organisations.policies import (
    can_act_for_organisation,
    can_create_organisation,
    can_leave_organisation,
    can_manage_organisation,
    can_run_drives,
    can_verify_organisation,
    can_view_organisation,
)
from tests.factories import add_member, make_organisation, make_user

POLICIES = (can_act_for_organisation, can_manage_organisation, can_run_drives)


@pytest.fixture
def people(app):
    manager = make_user()
    organisation = make_organisation(manager)
    return {
        "organisation": organisation,
        "visitor": AnonymousUserMixin(),
        "resident": make_user(),
        "moderator": make_user(role="moderator"),
        "admin": make_user(role="admin"),
        "volunteer": add_member(organisation),
        "manager": manager,
    }


@pytest.mark.parametrize(
    ("who", "act", "manage", "drives"),
    [
        ("visitor", False, False, False),
        ("resident", False, False, False),
        ("moderator", False, False, False),
        ("admin", False, False, False),
        ("volunteer", True, False, True),
        ("manager", True, True, True),
    ],
)
def test_rights_come_from_the_membership(people, who, act, manage, drives):
    organisation = people["organisation"]
    user = people[who]
    assert [policy(user, organisation) for policy in POLICIES] == [act, manage, drives]
    assert [policy(Actor(user), organisation) for policy in POLICIES] == [act, manage, drives]


def test_a_pending_organisation_cannot_run_drives_but_its_members_act(app):
    manager = make_user()
    organisation = make_organisation(manager, status="pending")
    assert can_act_for_organisation(manager, organisation)
    assert can_manage_organisation(manager, organisation)
    assert not can_run_drives(manager, organisation)


def test_a_former_member_loses_every_right_at_once(people):
    organisation = people["organisation"]
    volunteer = people["volunteer"]
    services.remove_member(people["manager"], organisation, volunteer.id)
    db.session.commit()
    assert not any(policy(volunteer, organisation) for policy in POLICIES)
    assert not can_leave_organisation(volunteer, organisation)


def test_a_suspended_member_loses_their_rights(people):
    manager = people["manager"]
    manager.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    assert not can_manage_organisation(manager, people["organisation"])
    assert not can_create_organisation(manager)


def test_who_sees_a_pending_organisation(app):
    manager = make_user()
    organisation = make_organisation(manager, status="refused")
    assert can_view_organisation(manager, organisation)
    assert can_view_organisation(make_user(role="moderator"), organisation)
    assert not can_view_organisation(make_user(), organisation)
    assert not can_view_organisation(AnonymousUserMixin(), organisation)
    assert not can_view_organisation(manager, None)


def test_only_moderators_verify_and_members_create(people):
    assert can_verify_organisation(people["moderator"])
    assert not can_verify_organisation(people["manager"])
    assert can_create_organisation(people["resident"])
    assert not can_create_organisation(people["visitor"])


def test_policies_and_macros_are_available_to_templates(app, people):
    organisation = people["organisation"]
    template = (
        '{% from "_macros/organisations.html" import organisation_link %}'
        "{{ can_run_drives(user, org) }} {{ can_manage_organisation(user, org) }} "
        "{{ organisation_link(org) }}"
    )
    with app.test_request_context():
        html = render_template_string(template, user=people["volunteer"], org=organisation)
    assert html.startswith("True False ")
    assert f'href="/organisations/{organisation.slug}"' in html
    assert "Organisation vérifiée" in html


def test_the_directory_runs_a_fixed_number_of_queries(client, count_queries, app):
    for n in range(3):
        make_organisation(name=f"Club {n}")
    with count_queries() as few:
        client.get("/organisations")
    for n in range(3, 9):
        make_organisation(name=f"Club {n}")
    with count_queries() as many:
        assert "Club 8" in client.get("/organisations").get_data(as_text=True)
    assert len(many) == len(few)
