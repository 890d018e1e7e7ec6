"""Where the pages announce their feeds, through template slots (a lower package's template
never names this package's endpoints): ``head.alternate`` puts a ``<link rel="alternate">`` in
the page's head, ``feeds.subscribe`` a visible « S’abonner au flux » link; the search page and
an organisation's page get the link through their own slots."""

from __future__ import annotations

from flask import Flask, render_template, url_for
from flask_babel import gettext as _

from sportressources.core.hooks import add_to_slot
from sportressources.feeds.catalogue import search_query_string


def feed_link(feed: str = "", **context) -> tuple[str, str] | None:
    """(URL, title) of the feed a page follows: ``feed`` names it (« listings », « zone »,
    « organisation », « drives », « events ») and the context gives its ``params``, ``zone``
    or ``organisation``; None when there is none (an organisation not verified yet)."""
    if feed == "listings" and context.get("params") is not None:
        query_string = search_query_string(context["params"])
        url = url_for("feeds.listings")
        return (f"{url}?{query_string}" if query_string else url), _(
            "Nouvelles annonces de cette recherche (Atom)"
        )
    if feed == "zone" and context.get("zone") is not None:
        zone = context["zone"]
        return url_for("feeds.zone", slug=zone.slug), _(
            "Nouvelles annonces – %(zone)s (Atom)", zone=zone.short_name
        )
    organisation = context.get("organisation")
    if feed == "organisation" and organisation is not None and organisation.is_verified:
        return url_for("feeds.organisation", slug=organisation.slug), _(
            "Annonces de %(name)s (Atom)", name=organisation.name
        )
    if feed == "drives":
        return url_for("feeds.drives"), _("Collectes de matériel (Atom)")
    if feed == "events":
        return url_for("feeds.events"), _("Événements sportifs (Atom)")
    return None


def head_link(**context) -> str:
    link = feed_link(**context)
    return render_template("feeds/_head_link.html", link=link) if link else ""


def subscribe_link(**context) -> str:
    link = feed_link(**context)
    return render_template("feeds/_subscribe.html", link=link) if link else ""


def search_subscribe(params=None, **_context) -> str:
    return subscribe_link(feed="listings", params=params)


def organisation_subscribe(organisation=None, **_context) -> str:
    return subscribe_link(feed="organisation", organisation=organisation)


def register(app: Flask) -> None:
    add_to_slot(app, "head.alternate", head_link)
    add_to_slot(app, "feeds.subscribe", subscribe_link)
    add_to_slot(app, "search.results_head", search_subscribe, order=90)
    add_to_slot(app, "organisation.sections", organisation_subscribe, order=90)
