"""How listings tell their owner about the review: the kinds of notice, each an email subject
and an in-app message, registered by the package's ``init_app``."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.notifications.services import register_kind

# kind -> (email subject, in-app message); both lazy, written in the recipient's language
KINDS: dict[str, tuple[LazyString, LazyString]] = {
    "listing_published": (
        _l("Votre annonce est publiée"),
        _l("Votre annonce « %(title)s » est publiée : tout le monde peut la voir."),
    ),
    "listing_change_published": (
        _l("La modification de votre annonce est publiée"),
        _l("La modification de votre annonce « %(title)s » est publiée."),
    ),
    "listing_rejected": (
        _l("Votre annonce n’a pas été acceptée"),
        _l("Votre annonce « %(title)s » n’a pas été acceptée. Motif : %(reason)s"),
    ),
}


def register_kinds() -> None:
    """Declare the listings' kinds to the notifications (called by the package's init_app)."""
    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)
