"""``/metrics`` for Prometheus: only for ``METRICS_ALLOWED_NETWORKS``, the site's 404 otherwise."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from sportressources.core.metrics import client_allowed, render_metrics
from sportressources.extensions import limiter

bp = Blueprint("metrics", __name__)


@bp.route("/metrics")
@limiter.exempt
def metrics():
    config = current_app.config
    if not config["METRICS_ENABLED"] or not client_allowed(
        request.remote_addr, config["METRICS_ALLOWED_NETWORKS"]
    ):
        abort(404)
    return Response(render_metrics(), mimetype=CONTENT_TYPE_LATEST)
