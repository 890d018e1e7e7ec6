"""How messaging tells a member that they have a new message: one notice (and one email) per
batch of unread messages, registered by the package's ``init_app``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sportressources.notifications.services import register_kind

NEW_MESSAGE = "new_message"


def register_kinds() -> None:
    """Declare the messaging's kind to the notifications (called by the package's init_app)."""
    register_kind(NEW_MESSAGE, _l("%(actor)s vous a écrit au sujet de l’annonce « %(title)s »."))
