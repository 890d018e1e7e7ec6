"""How alerts tell a member of new listings: the daily digest, an email and an in-app notice,
registered by the package's ``init_app``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sportressources.notifications.services import register_kind

ALERT_DIGEST = "alert_digest"


def register_kinds() -> None:
    """Declare the alerts' kind to the notifications (called by the package's init_app)."""
    register_kind(
        ALERT_DIGEST, _l("De nouvelles annonces correspondent à vos alertes : %(alerts)s.")
    )
