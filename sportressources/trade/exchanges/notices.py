"""How the exchanges tell a member that something happened: an email in their language and an
in-app notice, for each step of a gift or a sale. Services call ``tell``, which hands both to
``notifications.services.tell_member``; the messages live here only, registered by the package's
``init_app``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.accounts.models import User
from sportressources.core.mail import external_url
from sportressources.listings.models import Listing
from sportressources.notifications.services import Email, register_kind, tell_member


class Kind(NamedTuple):
    template: str  # templates/email/listings/<template>.txt
    subject: Callable[[dict], LazyString]
    message: LazyString


# kind -> email template, subject and in-app message; all lazy, written in the recipient's language
KINDS: dict[str, Kind] = {
    "exchange_requested": Kind(
        "request_received",
        lambda p: _l("Nouvelle demande pour « %(title)s »", **p),
        _l("%(actor)s demande « %(title)s »."),
    ),
    "exchange_withdrawn": Kind(
        "request_withdrawn",
        lambda p: _l("Demande retirée pour « %(title)s »", **p),
        _l("%(actor)s a retiré sa demande pour « %(title)s »."),
    ),
    "exchange_accepted": Kind(
        "request_accepted",
        lambda p: _l("Bonne nouvelle : « %(title)s » vous est réservé", **p),
        _l("%(actor)s vous réserve « %(title)s » : convenez ensemble de la remise."),
    ),
    "exchange_declined": Kind(
        "request_declined",
        lambda p: _l("Votre demande pour « %(title)s »", **p),
        _l("Votre demande pour « %(title)s » n’est pas retenue."),
    ),
    "exchange_handover_confirmed": Kind(
        "handover_confirmed",
        lambda p: _l("Confirmez la remise de « %(title)s »", **p),
        _l("%(actor)s a confirmé la remise de « %(title)s » : confirmez-la à votre tour."),
    ),
    "exchange_completed": Kind(
        "exchange_completed",
        lambda p: _l("Échange terminé : « %(title)s »", **p),
        _l("L’échange de « %(title)s » est terminé : vous pouvez évaluer %(actor)s."),
    ),
    "exchange_no_show": Kind(
        "no_show",
        lambda p: _l("Rendez-vous manqué pour « %(title)s »", **p),
        _l("%(actor)s signale que vous n’êtes pas venu chercher « %(title)s »."),
    ),
    "exchange_rated": Kind(
        "rated",
        lambda p: _l("%(name)s vous a évalué", **p),
        _l("%(actor)s vous a évalué après l’échange de « %(title)s »."),
    ),
    "exchange_listing_closed": Kind(
        "listing_closed",
        lambda p: _l("L’annonce « %(title)s » n’est plus disponible", **p),
        _l("L’annonce « %(title)s » n’est plus disponible : votre demande est close."),
    ),
}


def register_kinds() -> None:
    """Declare the exchanges' kinds to the notifications (called by the package's init_app)."""
    for kind, entry in KINDS.items():
        register_kind(kind, entry.message)


def tell(
    user: User | None,
    kind: str,
    listing: Listing,
    url: str,
    actor: User | None = None,
    subject: dict | None = None,
    **context,
) -> None:
    """Email ``user`` about an exchange step and add the in-app notice, in one go
    (``tell_member``); a deleted account gets neither.

    ``url`` is the notice's link (a path of this site); ``subject`` holds the subject's
    placeholders besides the title; ``context`` reaches the email template.
    """
    if user is None or user.is_deleted:
        return
    entry = KINDS[kind]
    params: dict = {"title": listing.title}
    if actor is not None:
        params["actor_id"] = actor.id
    email = Email(
        entry.subject({"title": listing.title, **(subject or {})}),
        f"listings/{entry.template}",
        {
            "listing": listing,
            "my_requests_url": external_url("requests.made"),
            **context,
        },
    )
    tell_member(user, kind, url, email=email, **params)
