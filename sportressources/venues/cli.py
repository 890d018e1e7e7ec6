"""``flask territory ...``: load the territory into the database, and rebuild its data file."""

from __future__ import annotations

import csv
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from sportressources.core.cli import register_initial_data
from sportressources.core.db import transaction
from sportressources.core.text import slugify
from sportressources.geo.models import ZoneKind
from sportressources.venues.loader import load_territory
from sportressources.venues.territory_file import check_territory_document
from sportressources.venues.territory_schema import (
    DEFAULT_DATA_DIR,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    TERRITORY_FILE,
    TerritoryDataError,
)

territory_cli = AppGroup(
    "territory", help="Territoire : zones, communes et lieux du Pôle métropolitain de l’Artois."
)

PACKAGE_NAME = "@etalab/decoupage-administratif"
PACKAGE_VERSION = "6.0.0"
DEFAULT_CENTRES = DEFAULT_DATA_DIR / "commune-centres.csv"
ATTRIBUTION = (
    "Données : INSEE, DGCL, La Poste via @etalab/decoupage-administratif (Licence Ouverte) ; "
    "contours IGN Admin Express (Licence Ouverte) ; lieux : sources citées."
)
POLE_SLUG = "pole-metropolitain-artois"


@dataclass(frozen=True)
class EpciZone:
    siren: str
    slug: str
    name: str
    short_name: str


EPCI_ZONES = (
    EpciZone(
        "246200364", "lens-lievin", "Communauté d'agglomération de Lens-Liévin", "Lens-Liévin"
    ),
    EpciZone(
        "246200299", "henin-carvin", "Communauté d'agglomération d'Hénin-Carvin", "Hénin-Carvin"
    ),
    EpciZone(
        "200072460",
        "bethune-bruay",
        "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane",
        "Béthune-Bruay",
    ),
)


def register(app: Flask) -> None:
    """Add ``flask territory`` and make ``flask data init`` load the territory first."""
    app.cli.add_command(territory_cli)
    register_initial_data(app, "territoire", load_initial_territory, order=10)


def load_initial_territory() -> str:
    """Load the shipped territory data; the short report of ``flask data init``."""
    try:
        report = load_territory()
    except TerritoryDataError as error:
        raise click.ClickException(str(error)) from error
    return report.summary()


@territory_cli.command("load")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="Dossier contenant territory.json et venues.csv.",
)
def load_command(data_dir: Path) -> None:
    """Add or update zones, communes and venues from the data files; never deletes anything."""
    try:
        with transaction():
            report = load_territory(data_dir)
    except TerritoryDataError as error:
        raise click.ClickException(f"{error}\nRien n’a été enregistré.") from error
    click.echo(f"Territoire chargé depuis {data_dir} :")
    click.echo(report.summary())


@territory_cli.command("build-data")
@click.option(
    "--tarball",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"Archive npm de {PACKAGE_NAME} déjà téléchargée (sinon : npm pack).",
)
@click.option(
    "--centres",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CENTRES,
    show_default=True,
    help="CSV des centres de communes (colonnes insee, lat, lon).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR / TERRITORY_FILE,
    show_default=True,
    help="Fichier JSON à écrire.",
)
def build_data_command(tarball: Path | None, centres: Path, output: Path) -> None:
    """Rebuild territory.json from the npm package and the commune centres CSV.

    Without --tarball, ``npm pack`` downloads the pinned package into a temporary directory (it
    runs none of its code). Fails, writing nothing, if a member commune has no centre.
    """
    with _package_tarball(tarball) as path:
        document = build_territory_document(path, centres)
    errors = check_territory_document(document)
    if errors:
        raise click.ClickException("Le fichier produit est invalide :\n- " + "\n- ".join(errors))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(dump_territory_document(document), encoding="utf-8")
    counts = {zone["slug"]: 0 for zone in document["zones"]}
    for commune in document["communes"]:
        counts[commune["zone"]] += 1
    per_zone = ", ".join(f"{zone.short_name} {counts[zone.slug]}" for zone in EPCI_ZONES)
    source = document["source"]["communes"]
    click.echo(
        f"{output} écrit : {len(document['zones'])} zones, {len(document['communes'])} communes "
        f"({per_zone}), d’après {source['package']} {source['version']}."
    )


@contextmanager
def _package_tarball(tarball: Path | None) -> Iterator[Path]:
    if tarball is not None:
        yield tarball
        return
    spec = f"{PACKAGE_NAME}@{PACKAGE_VERSION}"
    with tempfile.TemporaryDirectory(prefix="territory-") as directory:
        try:
            subprocess.run(
                ["npm", "pack", "--ignore-scripts", "--silent", spec],
                cwd=directory,
                check=True,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except FileNotFoundError as error:
            raise click.ClickException(
                "npm est introuvable : installez Node.js (npm) ou passez --tarball."
            ) from error
        except subprocess.CalledProcessError as error:
            raise click.ClickException(
                f"npm pack {spec} a échoué :\n{error.stderr.strip()}"
            ) from error
        except subprocess.TimeoutExpired as error:
            raise click.ClickException(f"npm pack {spec} n’a pas abouti en 5 minutes.") from error
        archives = sorted(Path(directory).glob("*.tgz"))
        if len(archives) != 1:
            raise click.ClickException(f"npm pack {spec} n’a pas produit d’archive .tgz.")
        yield archives[0]


def build_territory_document(tarball: Path, centres_csv: Path) -> dict[str, Any]:
    """The territory.json document: members of the three EPCI from the package, centres from CSV.

    Raises ``click.ClickException`` (in French) when the archive is not the expected package,
    lacks an EPCI or a member commune, or when a member commune has no centre in the CSV.
    """
    package, epcis, communes = _read_package(tarball)
    centres = _read_centres(centres_csv)
    zones: list[dict[str, Any]] = []
    members: list[tuple[str, EpciZone]] = []
    for zone in EPCI_ZONES:
        epci = epcis.get(zone.siren)
        if epci is None:
            raise click.ClickException(f"L’EPCI {zone.siren} ({zone.name}) manque dans l’archive.")
        members.extend((member["code"], zone) for member in epci.get("membres", []))
        zones.append(
            {
                "slug": zone.slug,
                "name": zone.name,
                "short_name": zone.short_name,
                "kind": ZoneKind.EPCI.value,
                "siren": zone.siren,
                "parent": POLE_SLUG,
                "population": epci.get("populationMunicipale"),
            }
        )
    populations = [zone["population"] for zone in zones]
    zones.sort(key=lambda zone: zone["slug"])
    pole = {
        "slug": POLE_SLUG,
        "name": "Pôle métropolitain de l'Artois",
        "short_name": "Artois",
        "kind": ZoneKind.POLE.value,
        "siren": None,
        "parent": None,
        "population": None if None in populations else sum(populations),
    }

    missing_communes = sorted(code for code, _ in members if code not in communes)
    if missing_communes:
        raise click.ClickException(
            "Communes membres absentes de communes.json : " + ", ".join(missing_communes)
        )
    seen: dict[str, EpciZone] = {}
    for code, zone in members:
        if code in seen:
            raise click.ClickException(
                f"La commune {code} est membre de deux EPCI ({seen[code].siren}, {zone.siren})."
            )
        seen[code] = zone
    missing_centres = sorted(code for code in seen if code not in centres)
    if missing_centres:
        names = ", ".join(f"{code} ({communes[code]['nom']})" for code in missing_centres)
        raise click.ClickException(
            f"Centre manquant dans {centres_csv} pour {len(missing_centres)} commune(s) "
            f"membre(s) : {names}. Ajoutez leurs coordonnées (insee, lat, lon) puis relancez."
        )

    rows = []
    slugs: set[str] = set()
    for code in sorted(seen):
        commune = communes[code]
        slug = slugify(commune["nom"])
        if slug in slugs:  # two communes of the same name: the INSEE code tells them apart
            slug = f"{slug}-{code.lower()}"
        slugs.add(slug)
        latitude, longitude = centres[code]
        rows.append(
            {
                "insee": code,
                "name": commune["nom"],
                "slug": slug,
                "postal_codes": sorted(set(commune.get("codesPostaux") or [])),
                "zone": seen[code].slug,
                "latitude": latitude,
                "longitude": longitude,
                "population": commune.get("population"),
            }
        )
    return {
        "source": _source_block(package, centres_csv),
        "attribution": ATTRIBUTION,
        "zones": [pole, *zones],
        "communes": rows,
    }


def dump_territory_document(document: dict[str, Any]) -> str:
    """Serialise deterministically: sorted keys, one-space indent, UTF-8 text, final newline."""
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def _read_package(tarball: Path) -> tuple[dict, dict[str, dict], dict[str, dict]]:
    try:
        with tarfile.open(tarball, "r:*") as archive:
            package = _tar_json(archive, "package/package.json")
            epci_list = _tar_json(archive, "package/data/epci.json")
            commune_list = _tar_json(archive, "package/data/communes.json")
    except tarfile.TarError as error:
        raise click.ClickException(f"{tarball} n’est pas une archive lisible : {error}") from error
    if package.get("name") != PACKAGE_NAME:
        raise click.ClickException(
            f"{tarball} contient le paquet « {package.get('name')} », pas {PACKAGE_NAME}."
        )
    epcis = {epci["code"]: epci for epci in epci_list}
    # Former communes (déléguées, associées) share codes with current ones: keep current ones.
    communes = {
        commune["code"]: commune
        for commune in commune_list
        if commune.get("type") == "commune-actuelle"
    }
    return package, epcis, communes


def _tar_json(archive: tarfile.TarFile, name: str) -> Any:
    try:
        member = archive.extractfile(name)
    except KeyError:
        member = None
    if member is None:
        raise click.ClickException(f"{name} manque dans l’archive {archive.name}.")
    try:
        return json.load(member)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{name} n’est pas du JSON valide : {error}") from error


def _read_centres(path: Path) -> dict[str, tuple[float, float]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            missing = {"insee", "lat", "lon"} - set(reader.fieldnames or [])
            if missing:
                raise click.ClickException(
                    f"{path} : colonne(s) manquante(s) : {', '.join(sorted(missing))}"
                )
            centres = {}
            for row in reader:
                try:
                    latitude, longitude = float(row["lat"]), float(row["lon"])
                except (TypeError, ValueError) as error:
                    raise click.ClickException(
                        f"{path}, ligne {reader.line_num} : coordonnées illisibles "
                        f"« {row['lat']} », « {row['lon']} »"
                    ) from error
                if not (
                    LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
                    and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]
                ):
                    raise click.ClickException(
                        f"{path}, ligne {reader.line_num} : {latitude}, {longitude} est hors du "
                        "territoire"
                    )
                centres[row["insee"]] = (latitude, longitude)
            return centres
    except OSError as error:
        raise click.ClickException(f"Lecture impossible de {path} : {error}") from error


def _source_block(package: dict, centres_csv: Path) -> dict[str, Any]:
    # The file by its name alone, whatever directory the checkout or the test sits in
    centres_name = centres_csv.name
    return {
        "communes": {
            "package": package["name"],
            "version": package.get("version"),
            "url": f"https://www.npmjs.com/package/{PACKAGE_NAME}",
            "licence": "Licence Ouverte / Etalab",
            "code_licence": package.get("license"),
            "origin": (
                "INSEE (COG, populations légales), DGCL (liste des EPCI), "
                "La Poste (base officielle des codes postaux)"
            ),
            "fields": (
                "code INSEE, nom, codes postaux (codesPostaux), population (communes.json), "
                "appartenance et population municipale des EPCI (epci.json)"
            ),
        },
        "centres": {
            "source": (
                "IGN Admin Express COG 2018 : centroïdes (pondérés par la surface) des contours "
                "simplifiés de gregoiredavid/france-geojson"
            ),
            "licence": "Licence Ouverte",
            "compiled_in": centres_name,
        },
    }
