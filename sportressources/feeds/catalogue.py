"""The site's feeds, each built whole: its title and subtitle in French, its own URL (also its
id), the page it follows, and its entries."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _

from sportressources.feeds import queries
from sportressources.feeds.atom import Feed, absolute
from sportressources.feeds.entries import drive_entry, event_entry, listing_entry
from sportressources.geo.models import Zone
from sportressources.listings.search import SearchParams
from sportressources.organisations.models import Organisation


def search_query_string(params: SearchParams) -> str:
    """The canonical query string of a search's feed: its criteria, without order or page."""
    args = queries.feed_params(params).to_args()
    args.pop("sort", None)
    return urlencode(sorted(args.items()))


def _with_query(url: str, query_string: str) -> str:
    return f"{url}?{query_string}" if query_string else url


def search_feed(params: SearchParams) -> Feed:
    """The newest listings of a search, as the search page finds them."""
    site = current_app.config["SITE_NAME"]
    query_string = search_query_string(params)
    if params.q:
        title = _("Nouvelles annonces « %(q)s » – %(site)s", q=params.q, site=site)
    elif query_string:
        title = _("Nouvelles annonces de votre recherche – %(site)s", site=site)
    else:
        title = _("Nouvelles annonces – %(site)s", site=site)
    return Feed(
        self_url=_with_query(absolute("feeds.listings"), query_string),
        page_url=_with_query(absolute("listings.search"), query_string),
        title=title,
        subtitle=_("Les dernières annonces publiées qui répondent à cette recherche."),
        entries=[listing_entry(listing) for listing in queries.newest_listings(params)],
    )


def zone_feed(zone: Zone, params: SearchParams) -> Feed:
    """The newest listings in a zone (``params``: the search of that zone)."""
    site = current_app.config["SITE_NAME"]
    return Feed(
        self_url=absolute("feeds.zone", slug=zone.slug),
        page_url=absolute("venues.zone", slug=zone.slug),
        title=_("Nouvelles annonces – %(zone)s – %(site)s", zone=zone.short_name, site=site),
        subtitle=_("Les dernières annonces publiées dans %(zone)s.", zone=zone.name),
        entries=[listing_entry(listing) for listing in queries.newest_listings(params)],
    )


def organisation_feed(organisation: Organisation) -> Feed:
    """The newest listings an organisation published."""
    site = current_app.config["SITE_NAME"]
    listings = queries.organisation_listings(organisation)
    return Feed(
        self_url=absolute("feeds.organisation", slug=organisation.slug),
        page_url=absolute("organisations.page", slug=organisation.slug),
        title=_("Annonces de %(name)s – %(site)s", name=organisation.name, site=site),
        subtitle=_("Le matériel que %(name)s donne, prête ou vend.", name=organisation.name),
        entries=[listing_entry(listing) for listing in listings],
    )


def drives_feed() -> Feed:
    """The running and upcoming drives, the latest announced first."""
    site = current_app.config["SITE_NAME"]
    return Feed(
        self_url=absolute("feeds.drives"),
        page_url=absolute("drives.index"),
        title=_("Collectes de matériel – %(site)s", site=site),
        subtitle=_("Les collectes en cours et à venir des clubs et associations du territoire."),
        entries=[drive_entry(drive) for drive in queries.newest_drives()],
    )


def events_feed() -> Feed:
    """The events still to come, the latest added first."""
    site = current_app.config["SITE_NAME"]
    return Feed(
        self_url=absolute("feeds.events"),
        page_url=absolute("events.index"),
        title=_("Événements sportifs – %(site)s", site=site),
        subtitle=_("Les événements sportifs à venir sur le territoire."),
        entries=[event_entry(event) for event in queries.newest_events()],
    )
