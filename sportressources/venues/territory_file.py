"""Reading and checking ``territory.json`` and ``venues.csv``: every error at once, in French,
with the file and row at fault; nothing is written while a file is wrong."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sportressources.geo.models import ZoneKind
from sportressources.venues.models import VenueKind
from sportressources.venues.territory_schema import (
    COMMUNE_FIELDS,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    POSTAL_CODE_PATTERN,
    SIREN_PATTERN,
    TERRITORY_FILE,
    VENUE_COLUMNS,
    ZONE_FIELDS,
    CommuneRow,
    VenueRow,
    ZoneRow,
    _Known,
    _Row,
    _show,
    _Unique,
)


def _read_territory_file(path: Path, errors: list[str]) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(f"{path.name} : fichier introuvable ({path})")
        return None
    except (OSError, UnicodeDecodeError) as error:
        errors.append(f"{path.name} : lecture impossible ({error})")
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        errors.append(f"{path.name}, ligne {error.lineno} : JSON invalide ({error.msg})")
        return None
    if not isinstance(document, dict):
        errors.append(f"{path.name} : un objet JSON est attendu à la racine")
        return None
    return document


def _json_rows(
    document: dict[str, Any], key: str, errors: list[str], file_name: str
) -> list[dict[str, Any]]:
    rows = document.get(key)
    if not isinstance(rows, list):
        errors.append(f"{file_name}, champ « {key} » : une liste est attendue")
        return []
    valid = []
    for index, row in enumerate(rows):
        if isinstance(row, dict):
            valid.append(row)
        else:
            errors.append(f"{file_name}, {key}[{index}] : un objet est attendu")
            valid.append({})
    return valid


def _json_where(file_name: str, key: str, index: int, row: dict[str, Any], natural: str) -> str:
    label = row.get(natural)
    suffix = f" ({label})" if isinstance(label, str) and label else ""
    return f"{file_name}, {key}[{index}]{suffix}"


def _check_zones(
    rows: list[dict[str, Any]], known: _Known, errors: list[str], file_name: str
) -> list[ZoneRow]:
    checked: list[ZoneRow] = []
    slugs, sirens = _Unique(), _Unique()
    file_slugs = _slugs_of(rows)
    raw_parents = {
        row["slug"]: row.get("parent") for row in rows if isinstance(row.get("slug"), str)
    }
    for index, values in enumerate(rows):
        row = _Row(errors, _json_where(file_name, "zones", index, values, "slug"), values)
        before = len(errors)
        row.unknown_fields(ZONE_FIELDS)
        slug = row.slug()
        name = row.text("name", 150)
        short_name = row.text("short_name", 80)
        kind = row.choice("kind", [kind.value for kind in ZoneKind])
        siren = row.matching("siren", SIREN_PATTERN, "un SIREN (9 chiffres)", required=False)
        if kind == ZoneKind.EPCI.value and siren == "":
            row.fail("siren", "valeur obligatoire pour une intercommunalité")
        parent = row.slug("parent", 80) if values.get("parent") is not None else None
        if parent and parent not in file_slugs and parent not in known.zone_slugs:
            row.fail("parent", f"zone « {parent} » inconnue (ni dans le fichier ni en base)")
        elif parent and slug and _has_cycle(slug, raw_parents):
            row.fail("parent", f"« {parent} » forme une boucle de zones parentes")
        population = row.population()
        slugs.check(row, "slug", slug, f"zones[{index}]")
        if siren and sirens.check(row, "siren", siren, f"zones[{index}]"):
            owner = known.zone_sirens.get(siren)
            if owner is not None and owner != slug and owner not in file_slugs:
                row.fail("siren", f"« {siren} » est déjà celui de la zone « {owner} » en base")
        if len(errors) == before:
            checked.append(ZoneRow(slug, name, short_name, kind, siren or None, parent, population))
    return checked


def _slugs_of(rows: list[dict[str, Any]]) -> set[str]:
    return {row["slug"] for row in rows if isinstance(row.get("slug"), str)}


def _has_cycle(start: str, parents: dict[str, Any]) -> bool:
    seen = {start}
    current = parents.get(start)
    while isinstance(current, str) and current in parents:
        if current in seen:
            return True
        seen.add(current)
        current = parents[current]
    return False


def _check_communes(
    rows: list[dict[str, Any]],
    zone_slugs: set[str],
    known: _Known,
    errors: list[str],
    file_name: str,
) -> list[CommuneRow]:
    checked: list[CommuneRow] = []
    codes, slugs = _Unique(), _Unique()
    file_codes = {row["insee"] for row in rows if isinstance(row.get("insee"), str)}
    for index, values in enumerate(rows):
        where = _json_where(file_name, "communes", index, values, "insee")
        row = _Row(errors, where, values)
        before = len(errors)
        row.unknown_fields(COMMUNE_FIELDS)
        insee = row.insee("insee")
        name = row.text("name", 100)
        slug = row.slug()
        postal_codes = _postal_codes(row, values.get("postal_codes"))
        zone = row.slug("zone", 80)
        if zone and zone not in zone_slugs and zone not in known.zone_slugs:
            row.fail("zone", f"zone « {zone} » inconnue (ni dans le fichier ni en base)")
        latitude = row.coordinate("latitude", LATITUDE_RANGE)
        longitude = row.coordinate("longitude", LONGITUDE_RANGE)
        population = row.population()
        codes.check(row, "insee", insee, f"communes[{index}]")
        if slugs.check(row, "slug", slug, f"communes[{index}]") and slug and insee:
            owner = known.commune_slugs.get(slug)
            if owner is not None and owner != insee and owner not in file_codes:
                row.fail("slug", f"« {slug} » est déjà celui de la commune {owner} en base")
        if len(errors) == before:
            checked.append(
                CommuneRow(insee, name, slug, postal_codes, zone, latitude, longitude, population)
            )
    return checked


def _postal_codes(row: _Row, value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        row.fail("postal_codes", f"« {_show(value)} » : une liste non vide est attendue")
        return None
    codes = []
    for code in value:
        if not isinstance(code, str) or not POSTAL_CODE_PATTERN.fullmatch(code):
            row.fail("postal_codes", f"« {_show(code)} » n’est pas un code postal (5 chiffres)")
            return None
        if code not in codes:
            codes.append(code)
    joined = ";".join(codes)
    if len(joined) > 60:
        row.fail("postal_codes", "trop de codes postaux (60 caractères au plus une fois joints)")
        return None
    return joined


def _read_venues_file(path: Path, errors: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """The rows of venues.csv with the line each starts on; [] after a file-level error."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            columns = reader.fieldnames or []
            missing = [name for name in VENUE_COLUMNS if name not in columns]
            unknown = [name for name in columns if name not in VENUE_COLUMNS]
            for name in missing:
                errors.append(f"{path.name}, ligne 1 : colonne « {name} » manquante")
            for name in unknown:
                errors.append(f"{path.name}, ligne 1 : colonne « {name} » inconnue")
            if missing or unknown:
                return []
            rows = []
            for values in reader:
                # line_num is the row's last line; a quoted value may span several lines.
                breaks = sum(value.count("\n") for value in values.values() if value)
                start = reader.line_num - breaks
                if None in values or None in values.values():
                    errors.append(
                        f"{path.name}, ligne {start} : {len(VENUE_COLUMNS)} valeurs attendues "
                        "(vérifiez les virgules et les guillemets)"
                    )
                    continue
                rows.append((start, values))
            return rows
    except FileNotFoundError:
        errors.append(f"{path.name} : fichier introuvable ({path})")
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        errors.append(f"{path.name} : lecture impossible ({error})")
    return []


def _check_venues(
    rows: list[tuple[int, dict[str, Any]]],
    commune_codes: set[str],
    known: _Known,
    errors: list[str],
    file_name: str,
) -> list[VenueRow]:
    checked: list[VenueRow] = []
    slugs = _Unique()
    for line, values in rows:
        row = _Row(errors, f"{file_name}, ligne {line}", values)
        before = len(errors)
        slug = row.slug()
        name = row.text("name", 150)
        kind = row.choice("kind", [kind.value for kind in VenueKind])
        insee = row.insee("insee")
        if insee and insee not in commune_codes and insee not in known.commune_centres:
            row.fail("insee", f"commune « {insee} » inconnue (ni dans {TERRITORY_FILE} ni en base)")
        address = row.text("address", 255, required=False)
        latitude = row.coordinate("latitude", LATITUDE_RANGE, required=False)
        longitude = row.coordinate("longitude", LONGITUDE_RANGE, required=False)
        if len(errors) == before and (latitude is None) != (longitude is None):
            blank = "latitude" if latitude is None else "longitude"
            row.fail(blank, "renseignez la latitude et la longitude, ou aucune des deux")
        description = row.text("description", 5000, required=False)
        opening_hours = row.text("opening_hours", 2000, required=False)
        pickup = row.yes_no("pickup")
        dropoff = row.yes_no("dropoff")
        source = row.text("source", 5000)
        slugs.check(row, "slug", slug, f"ligne {line}")
        if len(errors) == before:
            checked.append(
                VenueRow(
                    slug,
                    name,
                    kind,
                    insee,
                    address,
                    latitude,
                    longitude,
                    description,
                    opening_hours,
                    pickup,
                    dropoff,
                    source,
                )
            )
    return checked


def check_territory_document(
    document: dict[str, Any], file_name: str = TERRITORY_FILE
) -> list[str]:
    """The errors of a territory.json document on its own, as if the database were empty."""
    errors: list[str] = []
    known = _Known()
    zone_rows = _json_rows(document, "zones", errors, file_name)
    commune_rows = _json_rows(document, "communes", errors, file_name)
    _check_zones(zone_rows, known, errors, file_name)
    _check_communes(commune_rows, _slugs_of(zone_rows), known, errors, file_name)
    return errors
