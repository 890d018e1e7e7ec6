"""Error pages in the visitor's language, and problem JSON for API clients."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Requête invalide"), _l("La demande envoyée au site n’a pas pu être comprise.")),
    403: (_l("Accès refusé"), _l("Vous n’avez pas le droit d’accéder à cette page.")),
    404: (
        _l("Page introuvable"),
        _l("Cette page n’existe pas ou plus. Vérifiez l’adresse ou repartez de l’accueil."),
    ),
    405: (_l("Méthode non autorisée"), _l("Cette page ne s’utilise pas de cette façon.")),
    409: (_l("Conflit"), _l("Cette opération entre en conflit avec l’état actuel.")),
    413: (
        _l("Envoi trop volumineux"),
        _l("Les fichiers envoyés sont trop lourds. Réduisez leur taille et réessayez."),
    ),
    422: (_l("Informations à corriger"), _l("Certaines informations sont à corriger.")),
    429: (
        _l("Trop de tentatives"),
        _l("Vous avez fait trop de demandes en peu de temps. Patientez un peu avant de réessayer."),
    ),
    500: (
        _l("Erreur du serveur"),
        _l("Une erreur inattendue s’est produite. Elle a été enregistrée ; réessayez plus tard."),
    ),
    503: (_l("Service indisponible"), _l("Le service est momentanément indisponible.")),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def respond(status: int, detail: str | None = None, code: str | None = None, title=None):
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    title = title or default_title
    detail = detail or str(default_detail)
    if wants_json():
        body = {
            "status": status,
            "title": str(title),
            "detail": detail,
            "code": code or str(status),
        }
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    html = render_template("errors/error.html", status=status, title=title, detail=detail)
    return make_response(html, status)


def retry_after(error: RateLimitExceeded) -> int:
    """Seconds until the limit that refused this request lets it through again."""
    # Never longer than the window of the limit that refused it (the limiter's current limit
    # may be another of the same rule, with a later reset)
    expiry = int(error.limit.limit.get_expiry())
    for limiter in current_app.extensions.get("limiter", ()):
        current = limiter.current_limit
        if current is not None and current.breached:
            return min(expiry, max(1, math.ceil(current.reset_at - time.time())))
    return expiry


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return respond(
            400,
            _(
                "Le formulaire a expiré ou ne provient pas de ce site. Revenez à la page "
                "précédente, rechargez-la puis renvoyez le formulaire."
            ),
            code="csrf_failed",
            title=_l("Formulaire expiré"),
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        seconds = retry_after(error)
        minutes = max(1, math.ceil(seconds / 60))
        response = respond(
            429,
            ngettext(
                "Vous avez fait trop de demandes en peu de temps. Réessayez dans %(num)s minute.",
                "Vous avez fait trop de demandes en peu de temps. Réessayez dans %(num)s minutes.",
                minutes,
            ),
            code="rate_limited",
        )
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 413:
            limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            return respond(
                413,
                _(
                    "Les fichiers envoyés sont trop lourds (%(limit)s Mo au plus en tout). "
                    "Réduisez leur taille et réessayez.",
                    limit=limit_mb,
                ),
            )
        response = respond(error.code)
        if error.code == 405:
            response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
        return response

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        from sportressources.core.db import db

        db.session.rollback()
        log.error("database error: %s", error.orig.__class__.__name__ if error.orig else error)
        return respond(
            503,
            _(
                "Le site est très sollicité ou momentanément indisponible. Rien n’a été "
                "enregistré : réessayez dans un instant."
            ),
            code="database_unavailable",
        )

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        from sportressources.core.db import db

        try:
            db.session.rollback()  # the page may query: not inside a failed transaction
        except SQLAlchemyError:
            log.warning("rollback failed while answering a server error")
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled error", exc_info=original)
        return respond(500)
