"""Site roles and the actor that policies judge."""

from flask_login import AnonymousUserMixin

from sportressources.core.security import Actor, Role, actor_of, has_role
from sportressources.listings.models import ListingStatus
from sportressources.listings.policies import (
    can_edit_listing,
    can_review_listings,
    can_view_listing,
)
from sportressources.trade.loans.policies import can_request_loan
from sportressources.venues.policies import can_manage_venues
from tests.factories import make_listing


def test_each_site_role_includes_the_ones_below(app, resident, moderator, admin):
    assert [has_role(resident, role) for role in Role] == [True, False, False]
    assert [has_role(moderator, role) for role in Role] == [True, True, False]
    assert [has_role(admin, role) for role in Role] == [True, True, True]
    assert not has_role(AnonymousUserMixin(), Role.RESIDENT)
    assert not has_role(None, Role.RESIDENT)


def test_policies_judge_an_actor_as_they_judge_its_member(app, resident, other_resident, moderator):
    draft = make_listing(owner=resident, status=ListingStatus.DRAFT.value)
    loan = make_listing(owner=resident, kind="loan")

    assert can_edit_listing(Actor(resident), draft) and can_edit_listing(resident, draft)
    assert not can_edit_listing(Actor(other_resident), draft)
    assert not can_view_listing(Actor(other_resident), draft)
    assert can_view_listing(Actor(moderator), draft)
    assert can_review_listings(Actor(moderator)) and can_manage_venues(Actor(moderator))
    assert not can_review_listings(Actor(resident)) and not can_manage_venues(Actor(resident))
    assert can_request_loan(Actor(other_resident), loan)
    assert not can_request_loan(Actor(resident), loan)
    assert not can_request_loan(Actor(AnonymousUserMixin()), loan)


def test_actor_of_wraps_a_user_and_keeps_an_actor():
    visitor = actor_of(AnonymousUserMixin())
    assert not visitor.is_member and visitor.user_id is None
    assert actor_of(visitor) is visitor
    assert not actor_of(None).is_member
