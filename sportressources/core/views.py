"""``/medias/<name>``: the stored photos, served with long caching and a locked-down policy.

A stored name never changes content (keys are random and never reused), so browsers and proxies
may keep a photo for a year without asking again. The files are images we encoded ourselves, but
the headers still forbid sniffing and any active content, should a file ever be something else.
The same URL serves the disk or the object store (``STORAGE_BACKEND``): a browser that already
holds the photo gets its 304 without a call to the store.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, send_file

from sportressources.core.storage import LocalStorage, get_storage, is_valid_name

bp = Blueprint("media", __name__)

ONE_YEAR = 365 * 24 * 3600
HEADERS = {
    "Cache-Control": f"public, max-age={ONE_YEAR}, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


@bp.get("/medias/<name>")
def file(name: str):
    if not is_valid_name(name):
        abort(404)
    if not request.if_none_match.star_tag and request.if_none_match.contains_weak(name):
        # The name is the ETag and never changes content: no need to ask the store
        response = Response(status=304)
        response.set_etag(name)
        response.headers.update(HEADERS)
        return response
    storage = get_storage()
    try:
        if isinstance(storage, LocalStorage):
            response = send_file(
                storage.path(name), mimetype="image/jpeg", etag=name, conditional=True
            )
        else:
            response = Response(storage.read(name), mimetype="image/jpeg")
            response.set_etag(name)
            response.make_conditional(request)
    except FileNotFoundError:
        abort(404)
    response.headers.update(HEADERS)
    return response
