"""The shape of the territory's data files: names, columns, value ranges, and the typed rows
that checking them produces."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sportressources.core.db import db
from sportressources.core.errors import DomainError
from sportressources.geo.models import Commune, Zone

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"


TERRITORY_FILE = "territory.json"


VENUES_FILE = "venues.csv"


VENUE_COLUMNS = (
    "slug",
    "name",
    "kind",
    "insee",
    "address",
    "latitude",
    "longitude",
    "description",
    "opening_hours",
    "pickup",
    "dropoff",
    "source",
)


ZONE_FIELDS = ("slug", "name", "short_name", "kind", "siren", "parent", "population")


COMMUNE_FIELDS = (
    "insee",
    "name",
    "slug",
    "postal_codes",
    "zone",
    "latitude",
    "longitude",
    "population",
)


# A generous box around the Pôle métropolitain: a swapped or mistyped coordinate falls outside it.
LATITUDE_RANGE = (50.2, 50.8)


LONGITUDE_RANGE = (2.2, 3.2)


# Corsica's departments are 2A and 2B; every other code is five digits.
INSEE_PATTERN = re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{3}")


POSTAL_CODE_PATTERN = re.compile(r"[0-9]{5}")


SIREN_PATTERN = re.compile(r"[0-9]{9}")


SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


YES_NO = {"oui": True, "non": False}


class TerritoryDataError(DomainError):
    """The data files hold one or more malformed rows; ``errors`` lists them all, in French."""

    code = "territory_data_invalid"

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        count = len(self.errors)
        heading = f"Données du territoire invalides ({count} erreur{'s' if count > 1 else ''}) :"
        super().__init__("\n".join([heading, *(f"- {error}" for error in self.errors)]))


@dataclass(frozen=True)
class ZoneRow:
    slug: str
    name: str
    short_name: str
    kind: str
    siren: str | None
    parent: str | None
    population: int | None


@dataclass(frozen=True)
class CommuneRow:
    insee: str
    name: str
    slug: str
    postal_codes: str
    zone: str
    latitude: float
    longitude: float
    population: int | None


@dataclass(frozen=True)
class VenueRow:
    slug: str
    name: str
    kind: str
    insee: str
    address: str
    latitude: float | None
    longitude: float | None
    description: str
    opening_hours: str
    pickup: bool
    dropoff: bool
    source: str


@dataclass
class _Known:
    """What the database already holds, for references and unique values the files do not cover."""

    zone_slugs: set[str] = field(default_factory=set)
    zone_sirens: dict[str, str] = field(default_factory=dict)  # siren -> slug
    commune_centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    commune_slugs: dict[str, str] = field(default_factory=dict)  # slug -> insee

    @classmethod
    def from_database(cls) -> _Known:
        known = cls()
        for slug, siren in db.session.execute(select(Zone.slug, Zone.siren)):
            known.zone_slugs.add(slug)
            if siren:
                known.zone_sirens[siren] = slug
        for insee, slug, latitude, longitude in db.session.execute(
            select(Commune.insee, Commune.slug, Commune.latitude, Commune.longitude)
        ):
            known.commune_centres[insee] = (latitude, longitude)
            known.commune_slugs[slug] = insee
        return known


class _Row:
    """One row of a file: collects its errors, each naming the file, the row and the field."""

    def __init__(self, errors: list[str], where: str, values: dict[str, Any]):
        self.errors = errors
        self.where = where
        self.values = values

    def fail(self, name: str, message: str) -> None:
        self.errors.append(f"{self.where}, champ « {name} » : {message}")

    def text(self, name: str, max_length: int, required: bool = True) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, "valeur obligatoire manquante")
                return None
            return ""
        if not isinstance(value, str):
            self.fail(name, f"« {_show(value)} » n’est pas un texte")
            return None
        value = value.strip()
        if required and not value:
            self.fail(name, "valeur obligatoire manquante")
            return None
        if len(value) > max_length:
            self.fail(name, f"« {value} » dépasse {max_length} caractères")
            return None
        return value

    def matching(self, name: str, pattern: re.Pattern[str], what: str, **options) -> str | None:
        value = self.text(name, max_length=200, **options)
        if value and not pattern.fullmatch(value):
            self.fail(name, f"« {value} » n’est pas {what}")
            return None
        return value

    def slug(self, name: str = "slug", max_length: int = 120) -> str | None:
        value = self.matching(
            name, SLUG_PATTERN, "un identifiant valide (minuscules, chiffres et tirets)"
        )
        if value and len(value) > max_length:
            self.fail(name, f"« {value} » dépasse {max_length} caractères")
            return None
        return value

    def insee(self, name: str) -> str | None:
        return self.matching(name, INSEE_PATTERN, "un code INSEE (5 caractères, par exemple 62510)")

    def choice(self, name: str, allowed: Iterable[str]) -> str | None:
        allowed = list(allowed)
        value = self.text(name, max_length=100)
        if value and value not in allowed:
            self.fail(name, f"« {value} » n’est pas une valeur permise ({', '.join(allowed)})")
            return None
        return value

    def coordinate(
        self, name: str, bounds: tuple[float, float], required: bool = True
    ) -> float | None:
        value = self.values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, "valeur obligatoire manquante")
            return None
        number = _as_number(value)
        if number is None:
            self.fail(name, f"« {_show(value)} » n’est pas un nombre")
            return None
        low, high = bounds
        if not low <= number <= high:
            self.fail(
                name,
                f"« {_show(value)} » est hors du territoire (attendu entre {low} et {high})",
            )
            return None
        return number

    def population(self, name: str = "population") -> int | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(name, f"« {_show(value)} » n’est pas un entier positif ou nul")
            return None
        return value

    def yes_no(self, name: str) -> bool | None:
        value = self.values.get(name)
        cleaned = value.strip().lower() if isinstance(value, str) else value
        if cleaned not in YES_NO:
            self.fail(name, f"« {_show(value)} » doit valoir « oui » ou « non »")
            return None
        return YES_NO[cleaned]

    def unknown_fields(self, expected: Iterable[str]) -> None:
        for name in sorted(set(self.values) - set(expected)):
            self.fail(name, "champ inconnu")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


class _Unique:
    """Remembers where each value of a column was first seen, to report duplicates."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def check(self, row: _Row, name: str, value: str | None, here: str) -> bool:
        if value is None:
            return True
        if value in self.seen:
            row.fail(name, f"« {value} » est en double (déjà {self.seen[value]})")
            return False
        self.seen[value] = here
        return True
