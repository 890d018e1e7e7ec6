"""How drives tell members what happened: the kinds of notice, each an email subject and an in-app
message, and ``tell`` which hands both to ``notifications.services.tell_member``."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.accounts.models import User
from sportressources.core.dates import PARIS
from sportressources.core.db import db
from sportressources.core.mail import external_url
from sportressources.drives.models import Pledge
from sportressources.notifications.services import (
    Email,
    notify,
    register_kind,
    site_path,
    tell_member,
)
from sportressources.organisations.queries import member_ids

Subject = Callable[[dict], LazyString]

# kind -> (email subject, in-app message); both lazy, written in the recipient's language
KINDS: dict[str, tuple[Subject | None, LazyString]] = {
    "drive_pledge_confirmed": (
        lambda p: _l("Votre promesse de don pour « %(drive)s »", **p),
        _l(
            "Votre promesse pour « %(drive)s » est enregistrée : dépôt le %(date)s à %(time)s, "
            "%(venue)s."
        ),
    ),
    "drive_reminder": (
        lambda p: _l("Rappel : dépôt de vos dons pour « %(drive)s »", **p),
        _l("Rappel : vous déposez vos dons pour « %(drive)s » le %(date)s à %(time)s, %(venue)s."),
    ),
    "drive_cancelled": (
        lambda p: _l("Collecte annulée : « %(drive)s »", **p),
        _l("La collecte « %(drive)s » est annulée : votre rendez-vous de dépôt aussi."),
    ),
    "drive_pledge_new": (
        None,
        _l("%(actor)s promet des dons pour « %(drive)s » (dépôt le %(date)s à %(time)s)."),
    ),
    "drive_pledge_withdrawn": (
        None,
        _l("%(actor)s a annulé sa promesse de dons pour « %(drive)s »."),
    ),
    "drive_items_received": (
        None,
        _l("Merci ! L’organisation de « %(drive)s » a enregistré votre dépôt."),
    ),
    "drive_no_show": (
        None,
        _l("L’organisation de « %(drive)s » indique que vous n’êtes pas venu déposer vos dons."),
    ),
}


def register_kinds() -> None:
    """Declare the drives' kinds to the notifications (called by the package's init_app)."""
    for kind, (_subject, message) in KINDS.items():
        register_kind(kind, message)


def _params(pledge: Pledge) -> dict:
    start = pledge.slot.starts_at.astimezone(PARIS)
    return {
        "drive": pledge.drive.title,
        "date": start.date(),
        "time": start.strftime("%H:%M"),
        "venue": pledge.slot.venue.name,
    }


def tell_pledger(pledge: Pledge, kind: str) -> None:
    """Tell the member who pledged: the in-app notice and, for kinds with a subject, the email
    ``templates/email/drives_<kind>.txt``."""
    member: User = pledge.member
    subject, _message = KINDS[kind]
    params = _params(pledge)
    url = site_path("drives.my_pledges")
    if subject is None:
        notify(member, kind, url, **params)
        return
    email = Email(
        subject({"drive": pledge.drive.title}),
        f"drives_{kind}",
        {
            "pledge": pledge,
            "drive": pledge.drive,
            "slot": pledge.slot,
            "venue": pledge.slot.venue,
            "starts_at": pledge.slot.starts_at.astimezone(PARIS),
            "ends_at": pledge.slot.ends_at.astimezone(PARIS),
            "drive_url": external_url("drives.drive", drive_id=pledge.drive_id),
            "my_pledges_url": external_url("drives.my_pledges"),
        },
    )
    tell_member(member, kind, url, email=email, **params)


def tell_organisation(pledge: Pledge, kind: str) -> None:
    """Tell every member of the drive's organisation, in the app only (no email flood on a busy
    drive: the dashboard lists the pledges)."""
    url = site_path("drives.manage", drive_id=pledge.drive_id)
    params = _params(pledge) | {"actor_id": pledge.member_id}
    for user_id in member_ids(pledge.drive.organisation_id):
        if user_id != pledge.member_id:
            notify(db.session.get(User, user_id), kind, url, **params)
