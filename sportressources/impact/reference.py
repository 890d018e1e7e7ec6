"""The reference table behind the kilograms and euros: a typical weight and a typical new price
per listing category, versioned and dated, each row with its source.

These are estimates, not measurements: the weight is an order of magnitude taken from makers'
catalogue weights for a common model, the price a mid-range new price in French sports shops;
the method follows ADEME's approach to avoided waste by reuse (an item reused is an item not
thrown away and not bought new). Change a row, change ``VERSION`` and ``DATED``: the page and
the data package show both.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "2026.1"
DATED = "2026-12-01"

# Honest about what they are: orders of magnitude chosen by the project, not a measured survey
_CATALOGUE = (
    "Estimation du projet : ordre de grandeur des poids et prix neufs affichés dans les "
    "catalogues de fabricants et d’enseignes de sport pour un modèle courant"
)
_ADEME = (
    "ADEME, « Panorama de la deuxième vie des produits en France : réemploi et réutilisation » "
    "(méthode des déchets évités par le réemploi)"
)


@dataclass(frozen=True)
class Reference:
    category: str
    weight_grams: int
    new_price_cents: int
    source: str


_ROWS = (
    Reference("chaussures", 800, 6000, _CATALOGUE),
    Reference("vetements", 300, 2500, _CATALOGUE),
    Reference("protections", 400, 2000, _CATALOGUE),
    Reference("ballons", 420, 2000, _CATALOGUE),
    Reference("raquettes", 300, 5000, _CATALOGUE),
    Reference("velos", 13000, 35000, f"{_CATALOGUE} ; {_ADEME}"),
    Reference("accessoires_velo", 500, 2000, _CATALOGUE),
    Reference("casques", 350, 4000, _CATALOGUE),
    Reference("escalade", 1500, 8000, _CATALOGUE),
    Reference("sieges_velo_enfant", 4000, 8000, _CATALOGUE),
    Reference("gants_combat", 400, 3500, _CATALOGUE),
    Reference("materiel_collectif", 1000, 3000, _CATALOGUE),
    Reference("fitness", 3000, 4000, _CATALOGUE),
    Reference("glisse", 3500, 20000, f"{_CATALOGUE} ; {_ADEME}"),
    Reference("sacs", 700, 3000, _CATALOGUE),
    Reference("protege_dents", 30, 1000, _CATALOGUE),
    Reference("maillots_bain", 150, 2000, _CATALOGUE),
    Reference("coquilles", 100, 1200, _CATALOGUE),
    Reference("autre", 1000, 3000, f"{_ADEME} (valeur moyenne par défaut)"),
)
TABLE: dict[str, Reference] = {row.category: row for row in _ROWS}
DEFAULT = TABLE["autre"]


def reference_for(category: str) -> Reference:
    """The row of ``category``; an unknown category takes the « autre » row."""
    return TABLE.get(category, DEFAULT)
