"""In real Chromium (axe-core on every page): a visitor opens the impact page, picks a zone,
reads a chart and its table twin, downloads the open data, and prints the funder report."""

import csv
import io

import pytest

from tests.fixtures.browser import expect
from tests.impact.conftest import seed_activity

SECOND_LIFE = "Objets ayant trouvé une seconde vie (dons, ventes, ressourceries, distributions)"

pytestmark = pytest.mark.e2e


def test_a_visitor_reads_the_impact_and_downloads_the_open_data(app, page):
    seed_activity()
    page.goto("/impact?du=2026-01&au=2026-03")

    page.get_by_label("Zone", exact=True).select_option(
        label="Communauté d'agglomération de Lens-Liévin"
    )
    page.get_by_role("button", name="Afficher").click()
    expect(
        page.get_by_role("heading", level=2, name="Communauté d'agglomération de Lens-Liévin")
    ).to_be_visible()
    chart = page.get_by_role(
        "img",
        name="Objets ayant trouvé une seconde vie (dons, ventes, ressourceries, distributions)",
    )
    expect(chart).to_be_visible()
    twin = page.get_by_role("table", name=f"{SECOND_LIFE}, par mois")
    expect(twin.get_by_role("row", name="2026-01 6")).to_be_visible()
    communes = page.get_by_role("table", name="Chiffres par commune sur la période")
    expect(communes.get_by_role("row", name="Liévin")).to_contain_text("< 5")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger les données (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text(encoding="utf-8"))))
    assert {"mois", "code_insee", "commune", "zone", "membres_actifs"} <= set(rows[0])
    assert any(row["commune"] == "Carvin" and row["prets_termines"] == "3" for row in rows)


def test_a_project_officer_prints_the_report_without_the_site_navigation(app, page):
    seed_activity()
    page.goto("/impact/rapport?du=2026-01&au=2026-03")
    expect(
        page.get_by_role("heading", name="Rapport d’impact de Sport ressources 62")
    ).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_text("Pour enregistrer ce rapport en PDF")).to_be_hidden()
    expect(page.get_by_role("heading", name="Chiffres clés")).to_be_visible()

    page.emulate_media(media="screen")
    page.goto("/impact/rapport?du=2026-03&au=2026-01")
    expect(page.get_by_role("alert")).to_contain_text("La fin de la période doit suivre son début.")
