"""The shipped territory data files, and ``flask territory build-data`` that produces them.

The official lists below are the members of the three intercommunalities in the package
@etalab/decoupage-administratif 6.0.0 (DGCL list of EPCI, millésime 2026).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from sportressources.venues import cli as territory_cli_module
from sportressources.venues.cli import ATTRIBUTION, dump_territory_document, register
from sportressources.venues.models import VenueKind
from sportressources.venues.territory_file import check_territory_document
from sportressources.venues.territory_schema import (
    DEFAULT_DATA_DIR,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    VENUE_COLUMNS,
)


def codes(text: str) -> list[str]:
    return sorted(text.split())


OFFICIAL_MEMBERS = {
    "246200364": codes("""
        62001 62003 62019 62032 62033 62065 62107 62133 62170 62186 62213 62291 62311 62351
        62371 62380 62386 62413 62464 62498 62510 62523 62528 62563 62570 62573 62628 62666
        62737 62771 62793 62801 62842 62854 62861 62895
    """),
    "246200299": codes("""
        62148 62215 62249 62250 62274 62277 62321 62427 62497 62587 62624 62637 62724 62907
    """),
    "200072460": codes("""
        62023 62028 62029 62034 62035 62048 62049 62051 62077 62083 62119 62120 62126 62132
        62141 62162 62178 62188 62190 62194 62195 62197 62200 62217 62218 62224 62232 62252
        62262 62269 62270 62276 62278 62286 62310 62313 62314 62328 62330 62349 62350 62356
        62366 62373 62376 62377 62391 62400 62401 62407 62441 62443 62445 62454 62456 62457
        62473 62479 62480 62486 62489 62500 62508 62509 62512 62516 62517 62520 62529 62532
        62540 62555 62564 62584 62606 62617 62620 62626 62632 62642 62676 62693 62701 62706
        62713 62720 62727 62735 62747 62750 62770 62836 62841 62846 62847 62848 62851 62863
        62885 62900
    """),
}
ZONE_OF_SIREN = {
    "246200364": "lens-lievin",
    "246200299": "henin-carvin",
    "200072460": "bethune-bruay",
}
# Venues whose cited sources give coordinates; every other one sits at its commune's centre.
LOCATED_VENUES = {
    "stade-bollaert-delelis",
    "arena-stade-couvert-lievin",
    "la-gaillette",
    "stade-parc-roger-salengro",
    "loisinord-stade-de-glisse",
    "stade-gustave-delmotte",
}


@pytest.fixture(scope="module")
def territory() -> dict:
    return json.loads((DEFAULT_DATA_DIR / "territory.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def venues() -> list[dict[str, str]]:
    with (DEFAULT_DATA_DIR / "venues.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def communes_by_code(territory: dict) -> dict[str, dict]:
    return {commune["insee"]: commune for commune in territory["communes"]}


# --- territory.json ---------------------------------------------------------------------------


def test_territory_holds_exactly_the_official_members_of_the_three_intercommunalities(territory):
    assert sum(len(codes) for codes in OFFICIAL_MEMBERS.values()) == 150
    assert len(territory["communes"]) == 150
    for siren, codes in OFFICIAL_MEMBERS.items():
        in_zone = {c["insee"] for c in territory["communes"] if c["zone"] == ZONE_OF_SIREN[siren]}
        assert in_zone == set(codes), siren
    assert [len(OFFICIAL_MEMBERS[s]) for s in ZONE_OF_SIREN] == [36, 14, 100]


def test_territory_spot_values_match_the_official_data(territory):
    communes = communes_by_code(territory)

    assert communes["62510"]["name"] == "Liévin"
    assert communes["62510"]["postal_codes"] == ["62800"]
    assert communes["62510"]["zone"] == "lens-lievin"
    assert communes["62498"]["name"] == "Lens"
    assert communes["62498"]["postal_codes"] == ["62300"]
    assert communes["62427"]["name"] == "Hénin-Beaumont"
    assert communes["62427"]["zone"] == "henin-carvin"
    assert communes["62119"]["name"] == "Béthune"
    assert communes["62119"]["postal_codes"] == ["62400"]
    assert communes["62119"]["zone"] == "bethune-bruay"
    assert communes["62617"]["name"] == "Nœux-les-Mines"
    assert communes["62617"]["slug"] == "noeux-les-mines"
    assert communes["62617"]["population"] == 11590


def test_territory_communes_are_well_formed_and_inside_the_territory(territory):
    slugs = [commune["slug"] for commune in territory["communes"]]
    assert len(set(slugs)) == len(slugs)
    for commune in territory["communes"]:
        assert LATITUDE_RANGE[0] < commune["latitude"] < LATITUDE_RANGE[1], commune
        assert LONGITUDE_RANGE[0] < commune["longitude"] < LONGITUDE_RANGE[1], commune
        assert commune["population"] > 0, commune
        assert commune["slug"].isascii()
    assert check_territory_document(territory) == []


def test_territory_zones_are_the_pole_and_its_three_intercommunalities(territory):
    zones = {zone["slug"]: zone for zone in territory["zones"]}

    assert set(zones) == {"pole-metropolitain-artois", *ZONE_OF_SIREN.values()}
    pole = zones["pole-metropolitain-artois"]
    assert (pole["name"], pole["short_name"], pole["kind"], pole["siren"], pole["parent"]) == (
        "Pôle métropolitain de l'Artois",
        "Artois",
        "pole",
        None,
        None,
    )
    assert zones["lens-lievin"]["name"] == "Communauté d'agglomération de Lens-Liévin"
    assert zones["henin-carvin"]["short_name"] == "Hénin-Carvin"
    assert zones["bethune-bruay"]["name"] == (
        "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane"
    )
    for siren, slug in ZONE_OF_SIREN.items():
        assert zones[slug]["siren"] == siren
        assert zones[slug]["kind"] == "epci"
        assert zones[slug]["parent"] == "pole-metropolitain-artois"
    assert zones["lens-lievin"]["population"] == 242591
    assert pole["population"] == sum(zones[slug]["population"] for slug in ZONE_OF_SIREN.values())


def test_territory_file_names_its_sources_and_is_in_canonical_form(territory):
    text = (DEFAULT_DATA_DIR / "territory.json").read_text(encoding="utf-8")

    assert text == dump_territory_document(territory)
    assert territory["attribution"] == ATTRIBUTION
    source = territory["source"]
    assert source["communes"]["package"] == "@etalab/decoupage-administratif"
    assert source["communes"]["version"] == "6.0.0"
    assert source["communes"]["licence"] == "Licence Ouverte / Etalab"
    assert "Admin Express" in source["centres"]["source"]
    assert source["centres"]["compiled_in"] == "commune-centres.csv"


# --- venues.csv and README --------------------------------------------------------------------


def test_venues_are_real_places_with_their_sources(venues, territory):
    communes = communes_by_code(territory)
    slugs = [venue["slug"] for venue in venues]

    assert len(venues) >= 20
    assert len(set(slugs)) == len(slugs)
    assert list(venues[0]) == list(VENUE_COLUMNS)
    for venue in venues:
        assert venue["kind"] in {kind.value for kind in VenueKind}, venue
        assert venue["insee"] in communes, venue
        assert "https://" in venue["source"], venue
        assert venue["description"], venue
        assert venue["opening_hours"] == "", "no source states opening hours"
        # Nobody is sent to meet at a pool still under works; no site takes drop-offs yet.
        expected_pickup = "non" if venue["slug"] in CLOSED_FOR_WORKS else "oui"
        assert (venue["pickup"], venue["dropoff"]) == (expected_pickup, "non"), venue
    assert {venue["slug"] for venue in venues if venue["latitude"]} == LOCATED_VENUES


CLOSED_FOR_WORKS = {"centre-aquatique-nauticaa", "centre-aquatique-harnes"}


def test_venues_include_the_three_stadiums_of_henin_beaumont(venues):
    by_slug = {venue["slug"]: venue for venue in venues}

    delmotte = by_slug["stade-gustave-delmotte"]
    assert (delmotte["insee"], delmotte["latitude"], delmotte["longitude"]) == (
        "62427",
        "50.407",
        "2.938",
    )
    assert delmotte["address"] == "Rue Pierre-Brossolette, 62110 Hénin-Beaumont"
    for slug in ("stade-octave-birembaut", "stade-raymond-delabre"):
        assert by_slug[slug]["insee"] == "62427"
        assert by_slug[slug]["latitude"] == by_slug[slug]["longitude"] == ""
        assert by_slug[slug]["source"].startswith(
            "https://fr.wikipedia.org/wiki/Stade_Octave-Birembaut"
        )


def test_data_readme_documents_every_venue_and_how_to_rebuild(venues):
    readme = (DEFAULT_DATA_DIR / "README.md").read_text(encoding="utf-8")

    assert "flask territory build-data" in readme
    assert ATTRIBUTION in readme
    for venue in venues:
        assert f"`{venue['slug']}`" in readme, venue["slug"]


def test_data_directory_ships_no_contour_file():
    # Commune contours are a copy of a third-party file: never shipped (centres only).
    assert sorted(path.name for path in DEFAULT_DATA_DIR.iterdir()) == [
        "README.md",
        "commune-centres.csv",
        "territory.json",
        "venues.csv",
    ]


# --- flask territory build-data ---------------------------------------------------------------

FAKE_EPCI = [
    {
        "code": "246200364",
        "nom": "CA de Lens - Liévin",
        "populationMunicipale": 1000,
        "membres": [{"code": "62510", "nom": "Liévin"}, {"code": "62498", "nom": "Lens"}],
    },
    {
        "code": "246200299",
        "nom": "CA d'Hénin-Carvin",
        "populationMunicipale": 200,
        "membres": [{"code": "62427", "nom": "Hénin-Beaumont"}],
    },
    {
        "code": "200072460",
        "nom": "CA de Béthune-Bruay, Artois-Lys Romane",
        "populationMunicipale": 30,
        "membres": [{"code": "62617", "nom": "Nœux-les-Mines"}],
    },
    {"code": "200000000", "nom": "Autre EPCI", "membres": [{"code": "62041", "nom": "Arras"}]},
]
FAKE_COMMUNES = [
    {
        "code": "62510",
        "nom": "Liévin",
        "type": "commune-actuelle",
        "codesPostaux": ["62800"],
        "population": 600,
    },
    {
        "code": "62498",
        "nom": "Lens",
        "type": "commune-actuelle",
        "codesPostaux": ["62300"],
        "population": 400,
    },
    # A former commune sharing its code with a current one must not replace it.
    {"code": "62498", "nom": "Ancienne commune", "type": "commune-deleguee", "codesPostaux": []},
    {
        "code": "62427",
        "nom": "Hénin-Beaumont",
        "type": "commune-actuelle",
        "codesPostaux": ["62110"],
        "population": 200,
    },
    {
        "code": "62617",
        "nom": "Nœux-les-Mines",
        "type": "commune-actuelle",
        "codesPostaux": ["62290", "62290"],
        "population": 30,
    },
    {"code": "62041", "nom": "Arras", "type": "commune-actuelle", "codesPostaux": ["62000"]},
]
FAKE_CENTRES = {
    "62510": ("50.42431", "2.7726"),
    "62498": ("50.43", "2.82"),
    "62427": ("50.40927", "2.95918"),
    "62617": ("50.47491", "2.66258"),
}


def write_fake_tarball(path: Path, epci: list = FAKE_EPCI, communes: list = FAKE_COMMUNES) -> Path:
    members = {
        "package/package.json": {
            "name": "@etalab/decoupage-administratif",
            "version": "6.0.0",
            "license": "MIT",
        },
        "package/data/epci.json": epci,
        "package/data/communes.json": communes,
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            data = json.dumps(content, ensure_ascii=False).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def write_fake_centres(path: Path, centres: dict = FAKE_CENTRES) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["insee", "name", "lat", "lon"])
        for code, (latitude, longitude) in centres.items():
            writer.writerow([code, "ignored", latitude, longitude])
    return path


@pytest.fixture
def runner(app, monkeypatch):
    register(app)

    def no_npm(*args, **kwargs):
        raise AssertionError("tests never run npm")

    monkeypatch.setattr(territory_cli_module.subprocess, "run", no_npm)
    return app.test_cli_runner()


@pytest.fixture
def fake_inputs(tmp_path) -> tuple[Path, Path, Path]:
    build = tmp_path / "build"
    build.mkdir()
    return (
        write_fake_tarball(build / "package.tgz"),
        write_fake_centres(build / "centres.csv"),
        build / "out" / "territory.json",
    )


def build(runner, tarball: Path, centres: Path, output: Path):
    args = ["territory", "build-data", "--tarball", tarball, "--centres", centres]
    return runner.invoke(args=[*map(str, args), "--output", str(output)])


def test_build_data_writes_the_members_with_their_centres(runner, fake_inputs):
    tarball, centres, output = fake_inputs

    result = build(runner, tarball, centres, output)

    assert result.exit_code == 0, result.output
    assert "4 zones, 4 communes (Lens-Liévin 2, Hénin-Carvin 1, Béthune-Bruay 1)" in result.output
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["attribution"] == ATTRIBUTION
    assert document["source"]["communes"]["version"] == "6.0.0"
    assert document["source"]["centres"]["compiled_in"] == "centres.csv"
    assert document["communes"] == [
        {
            "insee": "62427",
            "name": "Hénin-Beaumont",
            "slug": "henin-beaumont",
            "postal_codes": ["62110"],
            "zone": "henin-carvin",
            "latitude": 50.40927,
            "longitude": 2.95918,
            "population": 200,
        },
        {
            "insee": "62498",
            "name": "Lens",
            "slug": "lens",
            "postal_codes": ["62300"],
            "zone": "lens-lievin",
            "latitude": 50.43,
            "longitude": 2.82,
            "population": 400,
        },
        {
            "insee": "62510",
            "name": "Liévin",
            "slug": "lievin",
            "postal_codes": ["62800"],
            "zone": "lens-lievin",
            "latitude": 50.42431,
            "longitude": 2.7726,
            "population": 600,
        },
        {
            "insee": "62617",
            "name": "Nœux-les-Mines",
            "slug": "noeux-les-mines",
            "postal_codes": ["62290"],
            "zone": "bethune-bruay",
            "latitude": 50.47491,
            "longitude": 2.66258,
            "population": 30,
        },
    ]
    zones = {zone["slug"]: zone for zone in document["zones"]}
    assert zones["pole-metropolitain-artois"]["population"] == 1230
    assert zones["lens-lievin"] == {
        "slug": "lens-lievin",
        "name": "Communauté d'agglomération de Lens-Liévin",
        "short_name": "Lens-Liévin",
        "kind": "epci",
        "siren": "246200364",
        "parent": "pole-metropolitain-artois",
        "population": 1000,
    }


def test_build_data_output_is_deterministic(runner, fake_inputs):
    tarball, centres, output = fake_inputs

    assert build(runner, tarball, centres, output).exit_code == 0
    first = output.read_bytes()
    assert build(runner, tarball, centres, output).exit_code == 0

    assert output.read_bytes() == first
    text = first.decode("utf-8")
    assert text.endswith("}\n")
    assert "Nœux-les-Mines" in text, "ensure_ascii=False keeps accents readable"
    assert text == dump_territory_document(json.loads(text))


def test_build_data_fails_and_writes_nothing_when_a_member_has_no_centre(runner, fake_inputs):
    tarball, _, output = fake_inputs
    centres = {code: value for code, value in FAKE_CENTRES.items() if code != "62427"}
    partial = write_fake_centres(output.parent.parent / "partial.csv", centres)

    result = build(runner, tarball, partial, output)

    assert result.exit_code == 1
    assert "Centre manquant" in result.output
    assert "62427 (Hénin-Beaumont)" in result.output
    assert not output.exists()


def test_build_data_fails_when_an_intercommunality_is_missing(runner, fake_inputs, tmp_path):
    _, centres, output = fake_inputs
    tarball = write_fake_tarball(tmp_path / "short.tgz", epci=FAKE_EPCI[1:])

    result = build(runner, tarball, centres, output)

    assert result.exit_code == 1
    assert "L’EPCI 246200364" in result.output
    assert not output.exists()


def test_build_data_without_tarball_packs_the_pinned_package_with_npm(
    runner, fake_inputs, monkeypatch
):
    tarball, centres, output = fake_inputs
    calls = []

    def fake_npm(command, cwd, **kwargs):
        calls.append(command)
        shutil.copyfile(tarball, Path(cwd) / "etalab-decoupage-administratif-6.0.0.tgz")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(territory_cli_module.subprocess, "run", fake_npm)

    result = runner.invoke(
        args=["territory", "build-data", "--centres", str(centres), "--output", str(output)]
    )

    assert result.exit_code == 0, result.output
    assert calls == [
        ["npm", "pack", "--ignore-scripts", "--silent", "@etalab/decoupage-administratif@6.0.0"]
    ]
    assert len(json.loads(output.read_text(encoding="utf-8"))["communes"]) == 4


def test_build_data_explains_when_npm_is_missing(runner, fake_inputs, monkeypatch):
    _, centres, output = fake_inputs

    def missing_npm(*args, **kwargs):
        raise FileNotFoundError("npm")

    monkeypatch.setattr(territory_cli_module.subprocess, "run", missing_npm)

    result = runner.invoke(
        args=["territory", "build-data", "--centres", str(centres), "--output", str(output)]
    )

    assert result.exit_code == 1
    assert "npm est introuvable" in result.output
    assert not output.exists()
