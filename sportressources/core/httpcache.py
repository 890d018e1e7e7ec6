"""HTTP caching of anonymous public pages: a validator, 304 without rendering, and headers that let
a reverse proxy keep a page a few seconds and serve it stale while it asks again.

``public_page`` marks a view whose page is the same for every anonymous visitor in a language.
For a GET or HEAD by an anonymous visitor (no member in the session, no remember cookie, no
message waiting to be shown), the page's weak ETag is a digest of everything the page is made
of: the data version (``core.dataversion``, read from the database, so a change made through any
server counts at the next request of every other), the locale, the build (code, templates,
static files, translations, migrations: a deploy changes it), the Paris date (pages say « today
»), the address with its query string, and the endpoint. A request whose ``If-None-Match`` holds
that tag gets 304 without the view being called: equal inputs would render an equal page. A 200
that carries nothing of the visitor's own (the session untouched, no cookie set, no form token
in the page) gets the tag with ``Cache-Control: public, max-age=0, s-maxage=…,
stale-while-revalidate=…`` and ``Vary: Cookie``: browsers ask again every time (a 304 is cheap),
a shared cache may answer for ``PAGE_CACHE_SHARED_SECONDS`` and then keep answering from its copy
for ``PAGE_CACHE_STALE_SECONDS`` while it asks us again. Anything else (a redirect, a 404, a
page that touched the session) gets no validator. Signed-in members never get one:
``core.security`` marks their pages ``private, no-store``.

The same tag names the page in the rendering cache (``core.cache``, in each process or in Redis):
the body of a public 200 is kept there, compressed, for ``PAGE_SECONDS``, and the next anonymous
visitor who asks for the same page in the same language while the tag holds gets it without the
view being called, as a 304 would. It is as fresh as the tag: any public write moves the data
version, hence the tag, hence the key. Only a page that ends up public is kept (the last hook
decides, after every other one has run).

No Last-Modified: the version says *that* the data changed, not when, and the other inputs have
no date; a made-up date would only give clients a weaker validator. ``PAGE_CACHE_ENABLED`` false
turns this off with the rendering cache.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale

from sportressources.core import cache, dataversion
from sportressources.core.dates import paris_today

F = TypeVar("F", bound=Callable)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUILD_PARTS = ("sportressources", "templates", "static", "migrations")
PUBLIC = "_public_page_etag"  # on ``g``: the tag a public answer of this request carries
KEEP = "_public_page_keep"  # on ``g``: the rendered page to keep if it stays public
# How long a rendered public page stays in the rendering cache (it is only ever served while its
# tag is current; this bounds the memory of pages nobody asks for again)
PAGE_SECONDS = 600


@functools.cache
def build_id() -> str:
    """A digest of the files a page is made from, computed once per process: every server of
    one deploy agrees on it, and a deploy that changes any of them changes every page's tag."""
    digest = hashlib.blake2b(digest_size=12)
    for part in BUILD_PARTS:
        root = PROJECT_ROOT / part
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def anonymous_visitor() -> bool:
    """True when nothing in the request can make the page personal: no member in the session,
    no remember cookie that would sign one in, no flashed message waiting."""
    if "_user_id" in session or "_flashes" in session:
        return False
    return current_app.config["REMEMBER_COOKIE_NAME"] not in request.cookies


def page_etag() -> str:
    """The weak tag of this request's page, as the module docstring says."""
    parts = (
        dataversion.current(),
        str(get_locale()),
        build_id(),
        paris_today().isoformat(),
        request.root_url,
        request.path,
        request.query_string.decode("latin-1"),
        request.endpoint,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def public_page(view: F) -> F:
    """Mark ``view`` as a public page: see the module's docstring."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if (
            request.method not in {"GET", "HEAD"}
            or not current_app.config["PAGE_CACHE_ENABLED"]
            or not anonymous_visitor()
        ):
            return view(*args, **kwargs)
        tag = page_etag()  # before the view reads anything: the page is at least this new
        if not request.if_none_match.star_tag and request.if_none_match.contains_weak(tag):
            response = current_app.response_class(status=304)
            _make_public(response, tag)
            return response
        kept = cache.get_many([page_key(tag)]).get(page_key(tag))
        if kept is not None:
            mimetype, body = kept
            response = current_app.response_class(zlib.decompress(body), mimetype=mimetype)
            _make_public(response, tag)
            return response
        before = dict(session)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        _forget_unshown_form_secret(response, before)
        if _carries_nothing_personal(response):
            _make_public(response, tag)
            g.setdefault(KEEP, response)
        else:
            response.headers.setdefault("Cache-Control", "private, no-cache")
            response.vary.add("Cookie")
        return response

    return wrapped  # type: ignore[return-value]


def page_key(tag: str) -> str:
    return f"page:{tag}"


def _make_public(response: Response, tag: str) -> None:
    config = current_app.config
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = (
        f"public, max-age=0, s-maxage={config['PAGE_CACHE_SHARED_SECONDS']}, "
        f"stale-while-revalidate={config['PAGE_CACHE_STALE_SECONDS']}"
    )
    response.vary.add("Cookie")
    g.setdefault(PUBLIC, tag)


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _forget_unshown_form_secret(response: Response, before: dict) -> None:
    """Building a form with a CSRF field creates the visitor's form secret in the session, even
    when the page never shows the form (a member's button on a listing page). If this request
    created it and no token reached the page, nobody holds it: drop it, so that the visitor gets
    no cookie for nothing and the page stays public."""
    field = _csrf_field()
    token = g.get(field)
    if token is None or field in before or field not in session:
        return
    if response.is_streamed or token.encode() in response.get_data():
        return
    after = dict(session)
    after.pop(field)
    if after == before:
        session.pop(field)
        session.modified = False
        g.pop(field)


def _carries_nothing_personal(response: Response) -> bool:
    if response.is_streamed or "Set-Cookie" in response.headers:
        return False
    if "Cache-Control" in response.headers:  # the view said how it may be kept
        return False
    if _csrf_field() in g:  # a form token is in the page: it is this visitor's
        return False
    return not session.modified


def withdraw_public_headers(response: Response) -> Response:
    """After every other hook: a public answer whose session was changed since (it would set a
    cookie) loses its tag and its public caching."""
    if PUBLIC not in g:
        return response
    app = current_app
    if "Set-Cookie" in response.headers or app.session_interface.should_set_cookie(app, session):
        del response.headers["ETag"]
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    if g.get(KEEP) is response and response.status_code == 200:
        body = zlib.compress(response.get_data(), 6)
        cache.set_many({page_key(g.get(PUBLIC)): (response.mimetype, body)}, PAGE_SECONDS)
    return response


def init_app(app: Flask) -> None:
    build_id()  # once per process, at start rather than in a visitor's request
    # Registered by core, before the other packages: Flask runs it after their hooks
    app.after_request(withdraw_public_headers)
