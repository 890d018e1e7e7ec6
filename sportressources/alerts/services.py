"""Saved searches (alerts): a member saves a search and gets new matching listings by email.

``flask alerts send`` (daily, from cron) sends each member one digest grouping their alerts, with
the listings published since each alert's high-water mark (``SavedSearch.last_listing_id``, which
holds a ``listing_search.seq``: listings are counted when they become visible, not when their
draft was created). Each alert is sent at most once per calendar day in Europe/Paris. Running the
command twice, or twice at once, sends nothing more: an alert is claimed by one compare-and-set
UPDATE of its mark before its email is queued, and the email leaves when that transaction commits.
Every digest carries a signed one-click unsubscribe link (RFC 8058) that needs no login.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from urllib.parse import parse_qsl

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from sportressources.accounts.models import User
from sportressources.alerts.models import SavedSearch
from sportressources.alerts.notices import ALERT_DIGEST
from sportressources.core.dates import PARIS
from sportressources.core.db import db, transaction, utcnow
from sportressources.core.errors import Conflict, NotFound, ValidationFailed
from sportressources.core.mail import external_url
from sportressources.core.tasks import SKIPPED, exclusive
from sportressources.core.text import clean_line
from sportressources.core.tokens import InvalidToken, fingerprint, make_token, read_token
from sportressources.geo.models import Commune, Zone
from sportressources.listings.search.index import listing_search
from sportressources.listings.search.params import SearchParams, parse_search_args
from sportressources.listings.search.query import SearchHit, search_listings
from sportressources.listings.taxonomy import CATEGORIES, KIND_LABELS, SPORTS
from sportressources.notifications.services import Email, site_path, tell_member
from sportressources.venues.models import Venue

ALERTS_PER_USER = 20
NAME_MAX = 80
LISTINGS_PER_ALERT = 10
TIMEZONE = PARIS
# Listings visible for less than this are left for the next run: a transaction that took a seq
# just before the run may not have committed yet, and the mark must not jump over it.
SETTLE_TIME = timedelta(minutes=5)
UNSUBSCRIBE_PURPOSE = "alert-unsubscribe"
UNSUBSCRIBE_MAX_AGE = int(timedelta(days=400).total_seconds())
SEARCH_ENDPOINT = "listings.search"

alerts_cli = AppGroup("alerts", help="Alertes de recherche : résumé quotidien par e-mail.")


# --- Saving and deleting -----------------------------------------------------------------------


def alerts_of(user) -> list[SavedSearch]:
    """The member's alerts, oldest first."""
    return list(
        db.session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(SavedSearch.created_at, SavedSearch.id)
        )
    )


def params_of(alert: SavedSearch) -> SearchParams:
    """The search an alert stands for (values no longer valid are dropped)."""
    params, _errors = parse_search_args(MultiDict(parse_qsl(alert.query)))
    return params


def describe(params: SearchParams) -> str:
    """A short French name for a search: « vélo · Cyclisme · Don · à 10 km de Lens »."""
    parts: list[str] = []
    if params.q:
        parts.append(f"« {params.q} »")
    if params.kind:
        parts.append(str(KIND_LABELS[params.kind]))
    if params.sport:
        parts.append(str(SPORTS[params.sport]))
    if params.category:
        parts.append(str(CATEGORIES[params.category].label))
    if params.size:
        parts.append(str(_l("taille %(size)s", size=params.size)))
    if params.place is not None:
        if params.radius_km:
            parts.append(
                str(_l("à %(km)s km de %(place)s", km=params.radius_km, place=params.place.label))
            )
        else:
            parts.append(str(_l("près de %(place)s", place=params.place.label)))
    if params.commune:
        commune = db.session.get(Commune, params.commune)
        parts.append(commune.name if commune else params.commune)
    if params.zone:
        zone = db.session.scalar(select(Zone).where(Zone.slug == params.zone))
        parts.append(zone.short_name if zone else params.zone)
    if params.venue:
        venue = db.session.scalar(select(Venue).where(Venue.slug == params.venue))
        parts.append(venue.name if venue else params.venue)
    if params.max_price_euros:
        parts.append(str(_l("%(price)s € maximum", price=params.max_price_euros)))
    if params.with_photos:
        parts.append(str(_l("avec photo")))
    text = " · ".join(parts) or str(_l("Toutes les annonces"))
    return text if len(text) <= NAME_MAX else text[: NAME_MAX - 1] + "…"


def save_search(user, params: SearchParams, name: str | None = None) -> SavedSearch:
    """Save ``params`` as an alert of ``user``; only listings published from now on are sent.

    Raises ValidationFailed (``query``) for a search without any criterion or ``name`` for a name
    over 80 characters, Conflict when the same search is already saved or the member has 20
    alerts already.
    """
    query = params.to_query_string()
    if params.is_empty:
        raise ValidationFailed(
            {"query": _l("Précisez au moins un critère avant d’enregistrer une alerte.")}
        )
    name = clean_line(name)
    if len(name) > NAME_MAX:
        raise ValidationFailed(
            {"name": _l("Le nom ne peut pas dépasser %(limit)s caractères.", limit=NAME_MAX)}
        )
    existing = db.session.scalar(
        select(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.query == query)
    )
    if existing is not None:
        raise Conflict(_l("Cette recherche est déjà enregistrée dans vos alertes."))
    count = db.session.scalar(
        select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id)
    )
    if count >= ALERTS_PER_USER:
        raise Conflict(
            _l(
                "Vous avez déjà %(limit)s alertes : supprimez-en une pour en créer une autre.",
                limit=ALERTS_PER_USER,
            )
        )
    alert = SavedSearch(
        user_id=user.id,
        name=name or describe(params),
        query=query,
        last_listing_id=db.session.scalar(select(func.max(listing_search.c.seq))) or 0,
        created_at=utcnow(),
    )
    db.session.add(alert)
    db.session.flush()
    return alert


def own_alert(user, alert_id: int) -> SavedSearch:
    """One of the member's alerts; raises NotFound for another member's or a missing one."""
    alert = db.session.get(SavedSearch, alert_id)
    if alert is None or alert.user_id != user.id:
        raise NotFound(_l("Cette alerte n’existe pas ou a déjà été supprimée."))
    return alert


def delete_search(user, alert_id: int) -> None:
    """Delete one of the member's alerts; raises NotFound for another member's or a missing one."""
    alert = own_alert(user, alert_id)
    db.session.delete(alert)
    db.session.flush()


# --- Unsubscribing without signing in -----------------------------------------------------------


def _alert_mark(alert: SavedSearch) -> list:
    # The id alone could name a later alert that reused it (SQLite reuses ids)
    return [alert.id, fingerprint(alert.id, alert.query, alert.created_at.isoformat())[:10]]


def unsubscribe_token(alerts: list[SavedSearch]) -> str:
    """A signed token that deletes these alerts (all of one member) without signing in."""
    return make_token(
        UNSUBSCRIBE_PURPOSE,
        {"u": alerts[0].user_id, "a": [_alert_mark(alert) for alert in alerts]},
    )


def alerts_in_token(token: str) -> list[SavedSearch]:
    """The alerts a token still names (some may be gone already); raises InvalidToken."""
    payload = read_token(UNSUBSCRIBE_PURPOSE, token, UNSUBSCRIBE_MAX_AGE)
    marks = payload.get("a")
    if not isinstance(marks, list) or not isinstance(payload.get("u"), int):
        raise InvalidToken()
    wanted = {tuple(mark) for mark in marks if isinstance(mark, list) and len(mark) == 2}
    ids = [mark[0] for mark in wanted if isinstance(mark[0], int)]
    alerts = db.session.scalars(
        select(SavedSearch).where(SavedSearch.id.in_(ids), SavedSearch.user_id == payload["u"])
    )
    return [alert for alert in alerts if tuple(_alert_mark(alert)) in wanted]


def unsubscribe(token: str) -> int:
    """Delete the alerts a token names; the number deleted (0 when already done).

    Raises InvalidToken for a forged, damaged or expired token.
    """
    alerts = alerts_in_token(token)
    for alert in alerts:
        db.session.delete(alert)
    db.session.flush()
    return len(alerts)


# --- The daily digest ------------------------------------------------------------------------


@dataclass
class DigestReport:
    """What one run of send_digests did."""

    members: int = 0
    emails: int = 0
    alerts_sent: int = 0
    listings: int = 0
    skipped_today: int = 0
    recipients: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.emails} e-mail(s) envoyé(s) à {self.members} membre(s) ayant des alertes, "
            f"{self.alerts_sent} alerte(s), {self.listings} annonce(s) ; "
            f"{self.skipped_today} alerte(s) déjà envoyée(s) aujourd’hui."
        )


@dataclass
class _Section:
    alert: SavedSearch
    hits: list[SearchHit]
    more: bool
    search_url: str
    unsubscribe_url: str


def start_of_day(now: datetime) -> datetime:
    """Midnight of ``now``'s calendar day in Europe/Paris, as an aware UTC datetime."""
    local = now.astimezone(TIMEZONE)
    return datetime.combine(local.date(), time(0), tzinfo=TIMEZONE).astimezone(now.tzinfo)


def search_url(query: str) -> str:
    """Absolute URL of the search page for a query string."""
    try:
        base = external_url(SEARCH_ENDPOINT)
    except BuildError:
        base = current_app.config["SITE_URL"].rstrip("/") + "/annonces"
    return f"{base}?{query}" if query else base


def unsubscribe_url(alerts: list[SavedSearch]) -> str:
    """Absolute one-click unsubscribe URL for these alerts (no login needed)."""
    return external_url("alerts.unsubscribe", token=unsubscribe_token(alerts))


def send_digests(now: datetime | None = None) -> DigestReport:
    """Email each member with alerts the listings published since their alerts' marks.

    One email per member groups their alerts that have something new and were not sent yet
    today (Europe/Paris); each member is handled in a transaction of its own, so a failure
    leaves the others sent. Idempotent and safe to run concurrently (see the module docstring).
    """
    now = now or utcnow()
    day_start = start_of_day(now)
    report = DigestReport()
    user_ids = list(
        db.session.scalars(select(SavedSearch.user_id).distinct().order_by(SavedSearch.user_id))
    )
    db.session.rollback()
    for user_id in user_ids:
        report.members += 1
        with transaction():
            _send_user_digest(user_id, now, day_start, report)
    return report


def _send_user_digest(user_id: int, now: datetime, day_start: datetime, report) -> None:
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted or not user.is_confirmed:
        return
    settled = (
        db.session.scalar(
            select(func.max(listing_search.c.seq)).where(
                listing_search.c.visible_since <= now - SETTLE_TIME
            )
        )
        or 0
    )
    sections: list[_Section] = []
    for alert in alerts_of(user):
        if alert.last_sent_at is not None and alert.last_sent_at >= day_start:
            report.skipped_today += 1
            continue
        if settled <= alert.last_listing_id:
            continue
        params = params_of(alert)
        page = search_listings(
            replace(params, sort="newest", after=None, before=None),
            limit=LISTINGS_PER_ALERT,
            published_in=(alert.last_listing_id, settled),
        )
        claimed = _claim(alert, settled, now if page.hits else None, day_start)
        if not claimed or not page.hits:
            continue
        sections.append(
            _Section(
                alert=alert,
                hits=page.hits,
                more=page.next_cursor is not None,
                search_url=search_url(alert.query),
                unsubscribe_url=unsubscribe_url([alert]),
            )
        )
    if not sections:
        return
    alerts = [section.alert for section in sections]
    one_click = unsubscribe_url(alerts)
    tell_member(
        user,
        ALERT_DIGEST,
        site_path("alerts.index"),
        email=Email(
            _l("Nouvelles annonces pour vos alertes"),
            "listings/alert_digest",
            {
                "sections": sections,
                "unsubscribe_all_url": one_click,
                "manage_url": external_url("alerts.index"),
                "listing_url": lambda listing: external_url(
                    "listings.detail", listing_id=listing.id
                ),
            },
            headers={
                "List-Unsubscribe": f"<{one_click}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        ),
        alerts=", ".join(f"« {alert.name} »" for alert in alerts),
    )
    report.emails += 1
    report.alerts_sent += len(sections)
    report.listings += sum(len(section.hits) for section in sections)
    report.recipients.append(user.email)


def _claim(alert: SavedSearch, settled: int, sent_at: datetime | None, day_start) -> bool:
    """Move the alert's mark to ``settled`` if nobody else did since we read it.

    One UPDATE checks and writes: of two concurrent runs, only one claims the alert (on
    PostgreSQL the second waits for the first's row lock, then finds the mark moved).
    """
    values: dict = {"last_listing_id": settled}
    if sent_at is not None:
        values["last_sent_at"] = sent_at
    result = db.session.execute(
        update(SavedSearch)
        .where(
            SavedSearch.id == alert.id,
            SavedSearch.last_listing_id == alert.last_listing_id,
            or_(SavedSearch.last_sent_at.is_(None), SavedSearch.last_sent_at < day_start),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    alert.last_listing_id = settled
    if sent_at is not None:
        alert.last_sent_at = sent_at
    return True


@exclusive("alerts.send")
def send_digests_job() -> str:
    """Send today's alert digests (the beat runs it daily); returns a summary."""
    return send_digests().summary()


@alerts_cli.command("send")
def send_command() -> None:
    """Send today's alert digests (idempotent: the beat runs it daily, rerun it safely)."""
    click.echo(send_digests_job() or SKIPPED)


# --- personal data --------------------------------------------------------------------------------


def export_alerts(user, **_extra) -> tuple[str, list]:
    """RGPD export: the member's saved searches."""
    return "saved_searches", [
        {"name": search.name, "query": search.query}
        for search in db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
        )
    ]


def delete_alerts_of_deleted_member(user, **_extra) -> None:
    """A leaving member's saved searches go with them."""
    db.session.execute(delete(SavedSearch).where(SavedSearch.user_id == user.id))
