"""How venues tell the member who proposed one about its review: the kinds of notice, each an
email subject and an in-app message, registered by the package's ``init_app``."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.notifications.services import register_kind

# kind -> (email subject, in-app message); both lazy, written in the recipient's language
KINDS: dict[str, tuple[LazyString, LazyString]] = {
    "venue_accepted": (
        _l("Votre proposition de lieu a été acceptée"),
        _l("Le lieu que vous avez proposé, « %(venue)s », est maintenant publié."),
    ),
    "venue_rejected": (
        _l("Votre proposition de lieu n’a pas été retenue"),
        _l("Le lieu que vous avez proposé, « %(venue)s », n’a pas été retenu. Motif : %(reason)s"),
    ),
}


def register_kinds() -> None:
    """Declare the venues' kinds to the notifications (called by the package's init_app)."""
    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)
