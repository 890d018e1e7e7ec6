"""The open data: CSV and JSON per commune and month, described by a data package that the
frictionless library validates against the files the site serves; no personal data."""

import csv
import io
import json

from frictionless import Package

from tests.impact.conftest import LENS, LIEVIN


def download(client, tmp_path):
    for name in ("datapackage.json", "donnees.csv", "donnees.json"):
        response = client.get(f"/impact/{name}")
        assert response.status_code == 200
        (tmp_path / name).write_bytes(response.data)
    return tmp_path / "datapackage.json"


def test_the_data_package_validates_with_frictionless(seeded, client, tmp_path):
    report = Package(str(download(client, tmp_path))).validate()

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == 2


def test_a_broken_csv_fails_the_validation(seeded, client, tmp_path):
    path = download(client, tmp_path)
    text = (tmp_path / "donnees.csv").read_text(encoding="utf-8")
    (tmp_path / "donnees.csv").write_text(text.replace(f",{LENS},", ",LENS,", 1), encoding="utf-8")
    broken = (tmp_path / "donnees.csv").read_text(encoding="utf-8").splitlines()
    broken[1] = broken[1].replace(",3,", ",trois,", 1)
    (tmp_path / "donnees.csv").write_text("\r\n".join(broken) + "\r\n", encoding="utf-8")

    report = Package(str(path)).validate()

    assert not report.valid
    types = {error[0] for error in report.flatten(["type"])}
    assert "constraint-error" in types or "type-error" in types


def test_the_csv_has_a_row_per_commune_and_month_with_suppressed_cells_empty(seeded, client):
    response = client.get("/impact/donnees.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # December 2025: the listings were published then (people active, nothing handed over)
    assert {row["mois"] for row in rows if row["mois"] < "2026"} == {"2025-12"}
    rows = [row for row in rows if row["mois"] >= "2026"]
    places = [(row["mois"], row["commune"]) for row in rows]
    assert places == [
        ("2026-01", "Lens"),
        ("2026-01", "Liévin"),
        ("2026-02", "Carvin"),
        ("2026-02", "Lens"),
        ("2026-03", "Lens"),
    ]
    lens, lievin = rows[0], rows[1]
    assert (lens["code_insee"], lens["objets_donnes"], lens["membres_actifs"]) == (LENS, "3", "8")
    assert lens["secret_statistique"] == "false"
    assert lievin["code_insee"] == LIEVIN
    assert (lievin["objets_donnes"], lievin["membres_actifs"], lievin["kg_evites"]) == ("", "", "")
    assert lievin["secret_statistique"] == "true"
    assert "zone" in lens and lens["zone"].startswith("Communauté d")


def test_the_files_hold_no_personal_data(seeded, client):
    text = client.get("/impact/donnees.csv").get_data(as_text=True)
    data = client.get("/impact/donnees.json").get_data(as_text=True)

    for leak in ("@example.org", "Membre ", "Bénéficiaire", "Club sportif"):
        assert leak not in text
        assert leak not in data
    rows = [row for row in json.loads(data) if row["code_insee"] == LIEVIN]
    assert rows[1]["objets_donnes"] is None
    assert rows[1]["secret_statistique"] is True


def test_the_package_states_the_licence_and_the_reference_version(client):
    package = client.get("/impact/datapackage.json").get_json()

    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert package["licenses"][0]["title"] == "Licence Ouverte 2.0"
    assert package["version"] == "2026.1"
    schema = package["resources"][0]["schema"]
    assert schema["primaryKey"] == ["mois", "code_insee"]
    assert schema["missingValues"] == [""]
    assert all(field.get("description") for field in schema["fields"])


def test_empty_data_still_validates(client, tmp_path):
    report = Package(str(download(client, tmp_path))).validate()

    assert report.valid
