"""How moderation tells members: the kinds of notice, each an email subject and an in-app
message, registered by the package's ``init_app``. Parts add their kinds here."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.notifications.services import register_kind

# kind -> (email subject, in-app message); both lazy, written in the recipient's language
KINDS: dict[str, tuple[LazyString, LazyString]] = {
    "moderation_statement": (
        _l("Une décision de modération vous concerne"),
        _l(
            "Une décision de modération concerne « %(subject)s ». Lisez-en les motifs et "
            "comment la contester."
        ),
    ),
}


def register_kinds() -> None:
    """Declare moderation's kinds to the notifications (called by the package's init_app)."""
    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)
