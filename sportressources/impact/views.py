"""The public impact page, its open data and the funder report."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from sportressources.core.db import utcnow
from sportressources.impact import figures, opendata
from sportressources.impact.pages import impact_page
from sportressources.impact.period import EARLIEST, read_request, zones

bp = Blueprint("impact", __name__, url_prefix="/impact")


@bp.get("")
def index():
    return render_template(
        "impact/index.html", **impact_page(read_request(request.args, strict=False))
    )


@bp.get("/rapport")
def report():
    asked = read_request(request.args, strict=True)
    if asked.errors:
        return render_template("impact/report_form.html", asked=asked, zones=zones()), 400
    return render_template("impact/report.html", **impact_page(asked))


def _table() -> list[dict]:
    return opendata.rows(figures.compute(EARLIEST, figures.current_month()))


@bp.get("/donnees.csv")
def data_csv():
    return Response(
        opendata.to_csv(_table()).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="impact-sport-ressources-62.csv"'},
    )


@bp.get("/donnees.json")
def data_json():
    return Response(opendata.to_json(_table()), content_type="application/json; charset=utf-8")


@bp.get("/datapackage.json")
def data_package():
    package = opendata.datapackage(utcnow().replace(microsecond=0).isoformat())
    return Response(opendata.to_json(package), content_type="application/json; charset=utf-8")
