"""Loading the territory: a full load, idempotence, updates, kept rows, and refused malformed rows.

The test database may start empty or already loaded with the territory; tests that need one state
or the other put the database in it first. Tests that load modified data edit a copy of the files.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from sportressources.core.db import db, utcnow
from sportressources.geo.models import Commune, Zone
from sportressources.venues.cli import register
from sportressources.venues.loader import LoadReport, TableCounts, load_territory
from sportressources.venues.models import Venue, VenueStatus
from sportressources.venues.territory_schema import (
    DEFAULT_DATA_DIR,
    VENUE_COLUMNS,
    TerritoryDataError,
)
from tests.venues.test_territory_data import OFFICIAL_MEMBERS, ZONE_OF_SIREN

TERRITORY_TABLES = ("zones", "communes", "venues")


def shipped_venues() -> list[dict[str, str]]:
    with (DEFAULT_DATA_DIR / "venues.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def empty_territory() -> None:
    """Delete every zone, commune and venue, and detach the rows of other tables that use them."""
    tables = [db.metadata.tables[name] for name in TERRITORY_TABLES]
    for table in db.metadata.sorted_tables:
        if table in tables:
            continue
        for key in table.foreign_keys:
            if key.column.table in tables:
                if key.parent.nullable:
                    db.session.execute(table.update().values({key.parent.name: None}))
                else:
                    db.session.execute(table.delete())
    db.session.execute(delete(Venue))
    db.session.execute(delete(Commune))
    db.session.execute(db.metadata.tables["zones"].update().values(parent_id=None))
    db.session.execute(delete(Zone))
    db.session.commit()


def load_and_commit(data_dir: Path = DEFAULT_DATA_DIR) -> LoadReport:
    report = load_territory(data_dir)
    db.session.commit()
    return report


def snapshot() -> dict[str, list[tuple]]:
    """Every column of every row of the three tables, in primary-key order."""
    db.session.rollback()
    result = {}
    for name in TERRITORY_TABLES:
        table = db.metadata.tables[name]
        statement = select(table).order_by(*table.primary_key.columns)
        result[name] = [tuple(row) for row in db.session.execute(statement)]
    return result


def counts(report_part: TableCounts) -> tuple[int, int, int, int, int]:
    return (
        report_part.added,
        report_part.changed,
        report_part.unchanged,
        report_part.absent,
        report_part.edited,
    )


@pytest.fixture
def data_copy(tmp_path) -> Path:
    directory = tmp_path / "territory-data"
    directory.mkdir()
    for name in ("territory.json", "venues.csv"):
        shutil.copyfile(DEFAULT_DATA_DIR / name, directory / name)
    return directory


def edit_territory(directory: Path, change: Callable[[dict], None]) -> None:
    path = directory / "territory.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def edit_venues(
    directory: Path,
    change: Callable[[list[dict[str, str]]], None],
    columns: tuple[str, ...] = VENUE_COLUMNS,
) -> None:
    path = directory / "venues.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def commune_entry(document: dict, insee: str) -> dict:
    return next(commune for commune in document["communes"] if commune["insee"] == insee)


def venue_row(rows: list[dict[str, str]], slug: str) -> dict[str, str]:
    return next(row for row in rows if row["slug"] == slug)


def line_of(slug: str) -> int:
    """The line of a venue in venues.csv: the header is line 1."""
    return [row["slug"] for row in shipped_venues()].index(slug) + 2


# --- A full load ------------------------------------------------------------------------------


def test_full_load_into_an_empty_database_adds_the_whole_territory(app):
    empty_territory()

    report = load_and_commit()

    venue_count = len(shipped_venues())
    assert venue_count >= 20
    assert counts(report.zones) == (4, 0, 0, 0, 0)
    assert counts(report.communes) == (150, 0, 0, 0, 0)
    assert counts(report.venues) == (venue_count, 0, 0, 0, 0)
    assert report.summary() == (
        "zones : 4 ajoutées, 0 modifiées, 0 inchangées ; "
        "communes : 150 ajoutées, 0 modifiées, 0 inchangées ; "
        f"lieux : {venue_count} ajoutés, 0 modifiés, 0 inchangés"
    )
    assert db.session.scalar(select(func.count()).select_from(Commune)) == 150
    assert db.session.scalar(select(func.count()).select_from(Venue)) == venue_count
    zones = {zone.slug: zone for zone in db.session.scalars(select(Zone))}
    assert len(zones) == 4
    pole = zones["pole-metropolitain-artois"]
    assert pole.parent is None and pole.kind == "pole" and pole.communes == []
    for siren, slug in ZONE_OF_SIREN.items():
        zone = zones[slug]
        assert zone.siren == siren
        assert zone.parent is pole
        assert sorted(commune.insee for commune in zone.communes) == OFFICIAL_MEMBERS[siren]


def test_loaded_communes_keep_the_values_of_the_file(app):
    load_and_commit()

    lievin = db.session.get(Commune, "62510")
    noeux = db.session.get(Commune, "62617")

    assert (lievin.name, lievin.postal_codes, lievin.zone.slug) == (
        "Liévin",
        "62800",
        "lens-lievin",
    )
    assert lievin.label == "Liévin (62800)"
    assert (lievin.latitude, lievin.longitude) == (50.42431, 2.7726)
    assert (noeux.slug, noeux.population) == ("noeux-les-mines", 11590)


def test_every_venue_is_published_in_a_known_commune_and_placed_as_its_source_allows(app):
    load_and_commit()
    rows = shipped_venues()

    for row in rows:
        venue = db.session.scalar(select(Venue).where(Venue.slug == row["slug"]))
        commune = db.session.get(Commune, venue.commune_insee)
        assert commune is not None
        assert venue.commune_insee == row["insee"]
        assert venue.status == VenueStatus.PUBLISHED.value
        assert (venue.pickup, venue.dropoff) == (row["pickup"] == "oui", row["dropoff"] == "oui")
        if row["latitude"]:
            assert (venue.latitude, venue.longitude) == (
                float(row["latitude"]),
                float(row["longitude"]),
            )
            assert venue.position_approximate is False, row["slug"]
        else:
            assert (venue.latitude, venue.longitude) == (commune.latitude, commune.longitude)
            assert venue.position_approximate is True, row["slug"]
    assert any(row["latitude"] for row in rows) and any(not row["latitude"] for row in rows)


# --- Idempotence, updates, kept rows ----------------------------------------------------------


@pytest.mark.parametrize("start", ["empty", "loaded"])
def test_loading_twice_changes_nothing(app, start):
    if start == "empty":
        empty_territory()
    load_and_commit()
    before = snapshot()

    report = load_and_commit()

    assert snapshot() == before
    venue_count = len(shipped_venues())
    assert counts(report.zones) == (0, 0, 4, 0, 0)
    assert counts(report.communes) == (0, 0, 150, 0, 0)
    assert counts(report.venues) == (0, 0, venue_count, 0, 0)
    assert "zones : 0 ajoutées, 0 modifiées, 4 inchangées" in report.summary()


def test_a_value_changed_in_the_files_is_updated_and_reported(app, data_copy):
    load_and_commit()

    def change_territory(document):
        commune_entry(document, "62510")["population"] += 1
        zone = next(zone for zone in document["zones"] if zone["slug"] == "lens-lievin")
        zone["short_name"] = "Lens - Liévin"

    edit_territory(data_copy, change_territory)
    edit_venues(
        data_copy,
        lambda rows: venue_row(rows, "aqualens").update(description="Centre aquatique."),
    )

    report = load_and_commit(data_copy)

    venue_count = len(shipped_venues())
    assert counts(report.zones) == (0, 1, 3, 0, 0)
    assert counts(report.communes) == (0, 1, 149, 0, 0)
    assert counts(report.venues) == (0, 1, venue_count - 1, 0, 0)
    assert "communes : 0 ajoutées, 1 modifiée, 149 inchangées" in report.summary()
    assert db.session.get(Commune, "62510").population == 30064
    assert db.session.scalar(select(Zone.short_name).where(Zone.slug == "lens-lievin")) == (
        "Lens - Liévin"
    )
    aqualens = db.session.scalar(select(Venue).where(Venue.slug == "aqualens"))
    assert aqualens.description == "Centre aquatique."


def test_a_moved_commune_centre_moves_its_approximate_venues_only(app, data_copy):
    load_and_commit()
    edit_territory(data_copy, lambda d: commune_entry(d, "62427").update(latitude=50.41))

    report = load_and_commit(data_copy)

    in_henin = {row["slug"]: row for row in shipped_venues() if row["insee"] == "62427"}
    approximate = {slug for slug, row in in_henin.items() if not row["latitude"]}
    assert approximate and approximate != set(in_henin)
    assert report.venues.changed == len(approximate)
    for venue in db.session.scalars(select(Venue).where(Venue.commune_insee == "62427")):
        expected = 50.41 if venue.slug in approximate else float(in_henin[venue.slug]["latitude"])
        assert venue.latitude == expected, venue.slug


def test_rows_removed_from_the_files_are_kept_and_reported(app, data_copy):
    load_and_commit()
    assert db.session.scalar(select(func.count()).where(Venue.commune_insee == "62001")) == 0
    edit_territory(
        data_copy,
        lambda d: d.update(communes=[c for c in d["communes"] if c["insee"] != "62001"]),
    )
    edit_venues(data_copy, lambda rows: rows.remove(venue_row(rows, "vivalley-center")))
    before = snapshot()

    report = load_and_commit(data_copy)

    assert snapshot() == before
    assert report.communes.absent == 1
    assert report.venues.absent == 1
    assert (
        "communes : 0 ajoutées, 0 modifiées, 149 inchangées, 1 absente du fichier, conservée"
        in (report.summary())
    )
    assert "1 absent du fichier, conservé" in report.summary()
    assert db.session.get(Commune, "62001").name == "Ablain-Saint-Nazaire"
    assert db.session.scalar(select(Venue).where(Venue.slug == "vivalley-center")) is not None


def test_a_venue_edited_on_the_site_keeps_its_values(app):
    load_and_commit()
    venue = db.session.scalar(select(Venue).where(Venue.slug == "aqualens"))
    venue.name = "Aqualens, centre aquatique de Lens"
    venue.opening_hours = "Horaires affichés à l'accueil."
    venue.edited_at = utcnow()
    db.session.commit()
    before = snapshot()

    report = load_and_commit()

    assert snapshot() == before
    assert report.venues.edited == 1
    assert report.venues.changed == 0
    assert "1 modifié sur le site, conservé" in report.summary()
    venue = db.session.scalar(select(Venue).where(Venue.slug == "aqualens"))
    assert venue.name == "Aqualens, centre aquatique de Lens"


# --- Malformed rows ---------------------------------------------------------------------------


def set_commune(insee: str, /, **values):
    return lambda directory: edit_territory(
        directory, lambda d: commune_entry(d, insee).update(values)
    )


def set_zone(slug: str, /, **values):
    def change(document):
        next(zone for zone in document["zones"] if zone["slug"] == slug).update(values)

    return lambda directory: edit_territory(directory, change)


def set_venue(slug: str, /, **values):
    return lambda directory: edit_venues(
        directory, lambda rows: venue_row(rows, slug).update(values)
    )


def duplicate_venue_slug(directory):
    def change(rows):
        rows[2]["slug"] = rows[1]["slug"]

    edit_venues(directory, change)


def drop_venue_column(name: str):
    columns = tuple(column for column in VENUE_COLUMNS if column != name)
    return lambda directory: edit_venues(directory, lambda rows: None, columns)


# Ablain-Saint-Nazaire (62001) is the first commune of the file and has no venue.
MALFORMED = {
    "bad INSEE code": (
        set_commune("62001", insee="6200"),
        "territory.json, communes[0] (6200), champ « insee » : « 6200 » n’est pas un code INSEE",
    ),
    "bad postal code": (
        set_commune("62001", postal_codes=["6215"]),
        "territory.json, communes[0] (62001), champ « postal_codes » : « 6215 »",
    ),
    "commune latitude outside the territory": (
        set_commune("62001", latitude=48.85),
        "territory.json, communes[0] (62001), champ « latitude » : « 48.85 » est hors du "
        "territoire",
    ),
    "negative population": (
        set_commune("62001", population=-5),
        "territory.json, communes[0] (62001), champ « population » : « -5 » n’est pas un entier",
    ),
    "unknown zone": (
        set_commune("62001", zone="arras"),
        "territory.json, communes[0] (62001), champ « zone » : zone « arras » inconnue",
    ),
    "bad commune slug": (
        set_commune("62001", slug="Ablain Saint-Nazaire"),
        "territory.json, communes[0] (62001), champ « slug »",
    ),
    "unknown parent zone": (
        set_zone("lens-lievin", parent="pas-de-calais"),
        "territory.json, zones[3] (lens-lievin), champ « parent » : zone « pas-de-calais » "
        "inconnue",
    ),
    "non-numeric venue latitude": (
        set_venue("aqualens", latitude="abc", longitude="2.8"),
        f"venues.csv, ligne {line_of('aqualens')}, champ « latitude » : « abc » n’est pas un "
        "nombre",
    ),
    "venue longitude outside the territory": (
        set_venue("aqualens", latitude="50.43", longitude="12.8"),
        f"venues.csv, ligne {line_of('aqualens')}, champ « longitude » : « 12.8 » est hors",
    ),
    "unknown commune in venues.csv": (
        set_venue("aqualens", insee="62041"),
        f"venues.csv, ligne {line_of('aqualens')}, champ « insee » : commune « 62041 » inconnue",
    ),
    "unknown venue kind": (
        set_venue("aqualens", kind="piscine"),
        f"venues.csv, ligne {line_of('aqualens')}, champ « kind » : « piscine » n’est pas une "
        "valeur permise",
    ),
    "duplicate venue slug": (
        duplicate_venue_slug,
        "venues.csv, ligne 4, champ « slug » : « {slug} » est en double (déjà ligne 3)",
    ),
    "missing venue column": (
        drop_venue_column("pickup"),
        "venues.csv, ligne 1 : colonne « pickup » manquante",
    ),
    "bad pickup value": (
        set_venue("aqualens", pickup="peut-être"),
        f"venues.csv, ligne {line_of('aqualens')}, champ « pickup » : « peut-être » doit valoir "
        "« oui » ou « non »",
    ),
    "missing venue name": (
        set_venue("aqualens", name=""),
        f"venues.csv, ligne {line_of('aqualens')}, champ « name » : valeur obligatoire manquante",
    ),
}


@pytest.mark.parametrize(("change", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_row_is_refused_and_nothing_is_written(app, data_copy, change, message):
    load_and_commit()
    change(data_copy)
    message = message.format(slug=shipped_venues()[1]["slug"])
    before = snapshot()

    with pytest.raises(TerritoryDataError) as caught:
        load_territory(data_copy)
    db.session.rollback()

    assert len(caught.value.errors) == 1, caught.value.errors
    assert caught.value.errors[0].startswith(message), caught.value.errors
    assert message in str(caught.value)
    assert snapshot() == before


def test_every_malformed_row_is_reported_at_once(app, data_copy):
    set_commune("62001", latitude="nord")(data_copy)
    set_venue("aqualens", dropoff="peut-être", kind="piscine")(data_copy)
    before = snapshot()

    with pytest.raises(TerritoryDataError) as caught:
        load_territory(data_copy)
    db.session.rollback()

    assert len(caught.value.errors) == 3, caught.value.errors
    assert str(caught.value).startswith("Données du territoire invalides (3 erreurs) :\n- ")
    assert snapshot() == before


def test_a_missing_data_file_is_reported(app, tmp_path):
    with pytest.raises(TerritoryDataError) as caught:
        load_territory(tmp_path / "nowhere")

    assert [error.split(" :")[0] for error in caught.value.errors] == [
        "territory.json",
        "venues.csv",
    ]
    assert "fichier introuvable" in caught.value.errors[0]


# --- Command line -----------------------------------------------------------------------------


@pytest.fixture
def runner(app):
    register(app)  # until app.py calls it; registering twice is harmless
    return app.test_cli_runner()


def test_cli_load_prints_the_report(runner):
    empty_territory()

    result = runner.invoke(args=["territory", "load"])

    assert result.exit_code == 0, result.output
    assert "Territoire chargé depuis" in result.output
    assert "zones : 4 ajoutées" in result.output
    assert "communes : 150 ajoutées" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Commune)) == 150


def test_cli_load_refuses_a_bad_data_dir_in_french_and_writes_nothing(runner, tmp_path):
    empty_territory()

    result = runner.invoke(args=["territory", "load", "--data-dir", str(tmp_path / "nowhere")])

    assert result.exit_code == 1
    assert "territory.json : fichier introuvable" in result.output
    assert "Rien n’a été enregistré." in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Zone)) == 0


def test_cli_load_refuses_a_malformed_file_and_writes_nothing(runner, data_copy):
    empty_territory()
    set_venue("aqualens", latitude="abc", longitude="2.8")(data_copy)

    result = runner.invoke(args=["territory", "load", "--data-dir", str(data_copy)])

    assert result.exit_code == 1
    assert f"venues.csv, ligne {line_of('aqualens')}, champ « latitude »" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Commune)) == 0


def test_data_init_loads_the_territory(runner):
    empty_territory()

    result = runner.invoke(args=["data", "init", "--no-demo"])

    assert result.exit_code == 0, result.output
    assert "territoire: zones : 4 ajoutées" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Commune)) == 150
