"""How second life tells members: the owner (notice and email, in their language) and the members
of the ressourcerie an item is offered to (notice only: their list shows every offer)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.accounts.models import User
from sportressources.core.db import db
from sportressources.core.mail import external_url
from sportressources.notifications.services import (
    Email,
    notify,
    register_kind,
    site_path,
    tell_member,
)
from sportressources.organisations.queries import member_ids
from sportressources.secondlife.models import Suggestion

Subject = Callable[[dict], LazyString]

# kind -> (email subject, in-app message); both lazy, written in the recipient's language
KINDS: dict[str, tuple[Subject | None, LazyString]] = {
    "second_life_suggested": (
        lambda p: _l("Une seconde vie pour « %(title)s » ?", **p),
        _l("« %(title)s » attend depuis longtemps : donnez-le ou proposez-le à une ressourcerie."),
    ),
    "second_life_accepted": (
        lambda p: _l("« %(title)s » : la ressourcerie l’accepte", **p),
        _l("%(organisation)s accepte « %(title)s » : organisez la collecte par message."),
    ),
    "second_life_declined": (
        lambda p: _l("« %(title)s » : la ressourcerie ne le prend pas", **p),
        _l("%(organisation)s ne prend pas « %(title)s » : %(reason)s"),
    ),
    "second_life_offered": (
        None,
        _l("%(actor)s propose « %(title)s » à %(organisation)s."),
    ),
}


def register_kinds() -> None:
    """Declare the kinds to the notifications (called by the package's init_app)."""
    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)


def _params(suggestion: Suggestion) -> dict:
    params = {"title": suggestion.listing.title}
    if suggestion.organisation is not None:
        params["organisation"] = suggestion.organisation.name
    return params


def tell_owner(suggestion: Suggestion, kind: str, **extra) -> None:
    """Tell the owner, with the notice and the email ``templates/email/secondlife_<kind>.txt``."""
    subject, _message = KINDS[kind]
    params = _params(suggestion) | extra
    email = Email(
        subject({"title": suggestion.listing.title}),
        f"secondlife_{kind}",
        {
            "suggestion": suggestion,
            "listing": suggestion.listing,
            "organisation": suggestion.organisation,
            "reason": extra.get("reason", ""),
            "suggestion_url": external_url("secondlife.suggestion", suggestion_id=suggestion.id),
        },
    )
    url = site_path("secondlife.suggestion", suggestion_id=suggestion.id)
    tell_member(suggestion.owner, kind, url, email=email, **params)


def tell_ressourcerie(suggestion: Suggestion) -> None:
    """Tell every member of the ressourcerie an item was just offered to, in the app."""
    url = site_path("secondlife.suggestion", suggestion_id=suggestion.id)
    params = _params(suggestion) | {"actor_id": suggestion.owner_id}
    for user_id in member_ids(suggestion.organisation_id):
        notify(db.session.get(User, user_id), "second_life_offered", url, **params)
