"""Home page, the legal pages a French public service publishes, language switch, health and
readiness checks."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sportressources.accounts.profile import set_locale
from sportressources.core import errorpages
from sportressources.core.dates import paris_today
from sportressources.core.db import db
from sportressources.core.httpcache import public_page
from sportressources.core.probes import readiness
from sportressources.core.web import act, safe_next
from sportressources.extensions import csrf, limiter
from sportressources.listings.search.form import place_options
from sportressources.pages.home import home_page

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)

# endpoint -> (URL, template name); each has a French and an English version
LEGAL_PAGES = {
    "legal_notice": ("/mentions-legales", "legal_notice"),
    "privacy": ("/confidentialite", "privacy"),
    "terms": ("/conditions-utilisation", "terms"),
    "accessibility": ("/accessibilite", "accessibility"),
}


@bp.route("/")
@public_page
def home():
    commune = current_user.home_commune if current_user.is_authenticated else None
    return render_template(
        "pages/home.html", home=home_page(commune), places=place_options(), today=paris_today()
    )


def _legal_page(name: str):
    def view():
        locale = str(get_locale() or "fr")
        return render_template(
            [f"pages/legal/{name}.{locale}.html", f"pages/legal/{name}.fr.html"],
            legal_page=name,
        )

    view.__name__ = name
    return view


for endpoint, (rule, template) in LEGAL_PAGES.items():
    bp.add_url_rule(rule, endpoint, _legal_page(template))


@bp.route("/plan-du-site")
def sitemap():
    return render_template("pages/sitemap.html")


@bp.route("/langue", methods=["POST"])
@csrf.exempt
def set_language():
    """The header's language switch: a POST form without a token, so that public pages carry
    nothing of one visitor's (see core.httpcache). It only changes the display language, and
    SESSION_COOKIE_SAMESITE=Lax keeps another site's POST from carrying the visitor's session;
    a request that says it comes from another site is refused all the same, so that such a POST
    cannot replace the visitor's session cookie either."""
    if not _same_site_origin(request.headers.get("Origin")):
        return errorpages.respond(
            403, _("Le changement de langue doit être demandé depuis ce site.")
        )
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            act(lambda: set_locale(current_user, locale))
    return redirect(safe_next(request.form.get("next"), url_for("pages.home")))


def _same_site_origin(origin: str | None) -> bool:
    """True without an Origin header (older browsers), or when it names this site's host, as
    the request reached us or as SITE_URL says (behind a proxy that does not pass the host)."""
    if origin is None:
        return True
    host = urlsplit(origin).netloc.lower()
    return host in {request.host.lower(), urlsplit(current_app.config["SITE_URL"]).netloc.lower()}


@bp.route("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("health check: database unreachable: %s", exc.__class__.__name__)
        return jsonify(status="error", reason="database unreachable"), 503
    return jsonify(status="ok")


@bp.route("/readyz")
@limiter.exempt
def readyz():
    """Readiness, for a load balancer: liveness (/healthz) plus migrations and services."""
    checks = readiness()
    failing = sorted(name for name, result in checks.items() if result == "error")
    body = {"status": "error" if failing else "ok", "checks": checks, "failing": failing}
    return jsonify(body), 503 if failing else 200
