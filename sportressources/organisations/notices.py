"""How organisations tell their members what happened: the kinds of notice, each an email
subject and an in-app message, registered by the package's ``init_app``."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.notifications.services import register_kind

INVITED = "organisation_invited"

# kind -> (email subject, in-app message); both lazy, written in the recipient's language
KINDS: dict[str, tuple[LazyString, LazyString]] = {
    "organisation_verified": (
        _l("Votre organisation est vérifiée"),
        _l(
            "« %(organisation)s » est vérifiée : son badge s’affiche et elle peut organiser "
            "des collectes."
        ),
    ),
    "organisation_refused": (
        _l("Votre organisation n’a pas été vérifiée"),
        _l("« %(organisation)s » n’a pas été vérifiée. Motif : %(reason)s"),
    ),
    "organisation_joined": (
        _l("Un membre a rejoint votre organisation"),
        _l("%(member)s a rejoint « %(organisation)s »."),
    ),
    "organisation_role_changed": (
        _l("Votre rôle dans une organisation a changé"),
        _l("Votre rôle dans « %(organisation)s » est maintenant : %(role)s."),
    ),
    "organisation_removed": (
        _l("Vous ne faites plus partie d’une organisation"),
        _l("Vous ne faites plus partie de « %(organisation)s »."),
    ),
    "organisation_member_left": (
        _l("Un membre a quitté votre organisation"),
        _l("%(member)s a quitté « %(organisation)s »."),
    ),
    INVITED: (
        _l("Invitation à rejoindre une organisation"),
        _l(
            "%(inviter)s vous invite à rejoindre « %(organisation)s » : le lien pour accepter "
            "est dans l’e-mail que vous avez reçu."
        ),
    ),
    "organisation_closed": (
        _l("Une organisation a été fermée"),
        _l("« %(organisation)s » a été fermée par ses responsables."),
    ),
}


def register_kinds() -> None:
    """Declare the organisations' kinds to the notifications (called by the package's init_app)."""
    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)
