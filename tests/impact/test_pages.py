"""The public impact page and the funder report: what a visitor and a project officer see, the
parameters they may send (wrong, hostile), and a statement count that does not grow with data."""

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from sportressources.core.db import db
from sportressources.geo.models import Zone
from tests.impact.conftest import CARVIN, LIEVIN, seed_activity
from tests.test_html_validity import nu_errors

PERIOD = {"du": "2026-01", "au": "2026-03"}


def text(response) -> str:
    """What a person reads in the page's main part: tags dropped, spaces collapsed."""
    page = response.get_data(as_text=True)
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    words = html.unescape(re.sub(r"<[^>]+>", " ", main)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", words)


def zone_id(slug: str) -> int:
    return db.session.scalar(select(Zone.id).where(Zone.slug == slug))


def test_the_page_shows_the_figures_a_chart_and_its_table_twin(seeded, client):
    response = client.get("/impact", query_string=PERIOD)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'role="img"' in page
    assert '<title id="chart-seconde-vie-title">' in page
    assert 'id="chart-seconde-vie-caption"' in page
    shown = text(response)
    assert "17 Membres actifs" in shown
    assert "375 Euros économisés par les ménages" in shown
    assert "<script" not in page.split("</main>")[0].split("<main")[1]


def test_the_page_says_which_cells_are_suppressed_and_why(seeded, client):
    shown = text(client.get("/impact", query_string=PERIOD))

    assert "Liévin < 5 < 5" in shown
    assert "Secret statistique" in shown


def test_the_page_cites_the_reference_table_and_links_the_open_data(seeded, client):
    response = client.get("/impact", query_string=PERIOD)
    shown = text(response)

    assert "Table de référence version 2026.1 du 2026-12-01." in shown
    assert "ADEME" in shown
    assert "Licence Ouverte 2.0" in shown
    page = response.get_data(as_text=True)
    for url in ("/impact/donnees.csv", "/impact/donnees.json", "/impact/datapackage.json"):
        assert f'href="{url}"' in page


def test_a_zone_or_a_commune_narrows_the_figures(seeded, client):
    carvin_zone = {**PERIOD, "zone": zone_id("henin-carvin")}
    shown = text(client.get("/impact", query_string=carvin_zone))
    assert "0 Objets donnés" in shown
    assert "3 Prêts terminés" in shown

    lievin = text(client.get("/impact", query_string={**PERIOD, "commune": LIEVIN}))
    assert "< 5 Objets donnés" in lievin
    assert "< 5 Membres actifs" in lievin


@pytest.mark.parametrize(
    "args",
    [
        {"du": "2026-13"},
        {"zone": "999999"},
        {"zone": "1"},  # the Pôle itself is no choice: its communes belong to the zones
        {"commune": "<script>alert(1)</script>"},
        {"du": "' OR 1=1 --", "au": "\x00"},
        {"zone": "9" * 40},
    ],
)
def test_the_page_ignores_what_it_cannot_use(app, client, args):
    response = client.get("/impact", query_string=args)

    assert response.status_code == 200
    assert "<script>alert" not in response.get_data(as_text=True)


def test_the_page_runs_the_same_statements_whatever_the_data(app, client, count_queries):
    args = {**PERIOD, "commune": CARVIN}
    client.get("/impact", query_string=args)  # warm the caches
    with count_queries() as empty:
        client.get("/impact", query_string=args)
    seed_activity()
    seed_activity()
    with count_queries() as full:
        response = client.get("/impact", query_string=args)

    assert "6 Prêts terminés" in text(response)
    assert len(full) == len(empty)


def test_the_report_is_a_printable_page_for_a_zone_and_a_period(app, seeded, client):
    args = {**PERIOD, "zone": zone_id("lens-lievin")}
    response = client.get("/impact/rapport", query_string=args)

    assert response.status_code == 200
    shown = text(response)
    assert "Période : du 2026-01 au 2026-03." in shown
    assert "Zone : Communauté d" in shown
    assert "Lens-Liévin" in shown
    assert "5 Objets donnés" in shown
    page = response.get_data(as_text=True)
    assert 'class="page-break"' in page
    css = (Path(app.static_folder) / "css" / "site.css").read_text(encoding="utf-8")
    assert "@media print" in css


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"du": "2026-13", "au": "2026-03"}, "Indiquez un mois sous la forme AAAA-MM"),
        ({"du": "mars", "au": "2026-03"}, "Indiquez un mois sous la forme AAAA-MM"),
        ({"du": "2019-12", "au": "2026-03"}, "Indiquez un mois sous la forme AAAA-MM"),
        ({"du": "2099-01"}, "Indiquez un mois sous la forme AAAA-MM"),
        ({"du": "2026-03", "au": "2026-01"}, "La fin de la période doit suivre son début."),
        ({"zone": "424242"}, "Cette zone n’existe pas"),
        ({"zone": "1"}, "Cette zone n’existe pas"),
        ({"zone": "<b>x</b>"}, "Cette zone n’existe pas"),
        ({"commune": "99999"}, "Cette commune n’existe pas"),
        ({"du": "2026-01\x00", "au": "2026-03"}, "Indiquez un mois sous la forme AAAA-MM"),
        ({"du": "2026-01" * 100}, "Indiquez un mois sous la forme AAAA-MM"),
    ],
)
def test_the_report_refuses_wrong_parameters_in_french(app, client, args, message):
    response = client.get("/impact/rapport", query_string=args)

    assert response.status_code == 400
    assert message in text(response)
    assert "<b>x</b>" not in response.get_data(as_text=True)


def test_the_report_without_parameters_covers_the_last_twelve_months(app, client):
    response = client.get("/impact/rapport")

    assert response.status_code == 200
    assert "tout le territoire du Pôle métropolitain de l’Artois" in text(response)


def test_the_report_and_its_error_page_are_valid_html(seeded, client, tmp_path):
    files = []
    for name, args in (
        ("report", {**PERIOD, "zone": zone_id("lens-lievin")}),
        ("errors", {"du": "2026-13", "au": "x", "zone": "0", "commune": "1"}),
        ("commune", {**PERIOD, "commune": LIEVIN}),
    ):
        path = "/impact" if name == "commune" else "/impact/rapport"
        file = tmp_path / f"{name}.html"
        file.write_bytes(client.get(path, query_string=args).get_data())
        files.append(file)

    assert nu_errors(files) == []
