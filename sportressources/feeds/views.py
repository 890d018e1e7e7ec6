"""Atom feeds (``/flux/…``): the newest listings of any search, of a zone and of an
organisation; the drives and the events. Public, cacheable, answered 304 when unchanged."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _

from sportressources.core.errors import NotFound
from sportressources.feeds import catalogue, queries
from sportressources.feeds.atom import Feed, render
from sportressources.geo import queries as geo
from sportressources.listings.search import parse_search_args

bp = Blueprint("feeds", __name__, url_prefix="/flux")

ATOM = "application/atom+xml; charset=utf-8"
MAX_AGE = 300


def _atom(build: Callable[[], Feed]) -> Response:
    # Feeds are in the site's language, whoever polls them: the same document for every reader
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        feed = build()
        body = render(feed)
    response = Response(body, content_type=ATOM)
    response.last_modified = feed.updated
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


@bp.get("/annonces.atom")
def listings():
    # Values the search page would not understand are left out, as it does (never an error)
    params, _errors = parse_search_args(request.args)
    return _atom(lambda: catalogue.search_feed(params))


@bp.get("/territoire/<slug>.atom")
def zone(slug: str):
    found = geo.get_zone(slug)
    params, _errors = parse_search_args({"zone": found.slug})
    if params.zone is None:  # a zone that is not one of the Pôle's intercommunalities
        raise NotFound(_("Cette zone n’existe pas."))
    return _atom(lambda: catalogue.zone_feed(found, params))


@bp.get("/organisations/<slug>.atom")
def organisation(slug: str):
    found = queries.public_organisation(slug)
    return _atom(lambda: catalogue.organisation_feed(found))


@bp.get("/collectes.atom")
def drives():
    return _atom(catalogue.drives_feed)


@bp.get("/evenements.atom")
def events():
    return _atom(catalogue.events_feed)
