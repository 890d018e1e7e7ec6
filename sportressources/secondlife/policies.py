"""Who may do what with a second-life suggestion: pure predicates, for services and templates."""

from __future__ import annotations

from sportressources.organisations.queries import is_member
from sportressources.secondlife.models import Suggestion, SuggestionStatus


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_suggestion_owner(user, suggestion: Suggestion) -> bool:
    return _signed_in(user) and user.id == suggestion.owner_id


def can_choose_for_suggestion(user, suggestion: Suggestion) -> bool:
    """Its owner, while the choice is open (suggested, or declined by a ressourcerie)."""
    return is_suggestion_owner(user, suggestion) and suggestion.status in (
        SuggestionStatus.SUGGESTED.value,
        SuggestionStatus.DECLINED.value,
    )


def is_member_of_offered_ressourcerie(user, suggestion: Suggestion) -> bool:
    return (
        _signed_in(user)
        and suggestion.organisation_id is not None
        and is_member(user.id, suggestion.organisation_id)
    )


def can_answer_offer(user, suggestion: Suggestion) -> bool:
    """A member of the ressourcerie it is offered to, while the offer waits."""
    return suggestion.status == SuggestionStatus.OFFERED.value and (
        is_member_of_offered_ressourcerie(user, suggestion)
    )


def can_view_suggestion(user, suggestion: Suggestion) -> bool:
    """Its owner, and the members of the ressourcerie it was offered to."""
    return is_suggestion_owner(user, suggestion) or is_member_of_offered_ressourcerie(
        user, suggestion
    )
