"""The member's two lists of requests, exchanges and loans alike: « Mes demandes » and
« Demandes reçues »."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from sportressources.trade import requests

bp = Blueprint("requests", __name__)


@bp.get("/mes-demandes")
@login_required
def made():
    return render_template("trade/requests.html", rows=requests.requests_made(current_user))


@bp.get("/demandes-recues")
@login_required
def received():
    return render_template(
        "trade/requests.html", rows=requests.requests_received(current_user), received=True
    )
