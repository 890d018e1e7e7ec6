"""The check-list of each category, ticked at pickup and again at return, so that both sides
record the condition of the gear the same way. A category without its own list uses the default.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

Checklist = tuple[tuple[str, LazyString], ...]

DEFAULT: Checklist = (
    ("propre", _l("Propre")),
    ("complet", _l("Complet (accessoires et pièces)")),
    ("fonctionne", _l("Fonctionne normalement")),
)

BY_CATEGORY: dict[str, Checklist] = {
    "velos": (
        ("freins", _l("Freins efficaces")),
        ("pneus", _l("Pneus gonflés, sans coupure")),
        ("eclairage", _l("Éclairage et catadioptres")),
        ("chaine", _l("Chaîne graissée, vitesses qui passent")),
    ),
    "accessoires_velo": (
        ("complet", _l("Complet (fixations, clés, embouts)")),
        ("fonctionne", _l("Fonctionne normalement")),
    ),
    "casques": (
        ("coque", _l("Coque intacte, sans fissure")),
        ("sangles", _l("Sangles et boucle en bon état")),
        ("mousses", _l("Mousses intérieures présentes")),
    ),
    "escalade": (
        ("coutures", _l("Coutures et sangles sans usure")),
        ("metal", _l("Pièces métalliques sans fissure ni bavure")),
        ("complet", _l("Complet")),
    ),
    "sieges_velo_enfant": (
        ("harnais", _l("Harnais et boucle en bon état")),
        ("fixations", _l("Fixations complètes")),
        ("coque", _l("Coque intacte")),
    ),
    "raquettes": (
        ("cordage", _l("Cordage intact")),
        ("cadre", _l("Cadre sans fissure")),
        ("grip", _l("Grip en bon état")),
    ),
    "ballons": (
        ("gonfle", _l("Gonflé, tient la pression")),
        ("enveloppe", _l("Enveloppe sans hernie ni coupure")),
    ),
    "protections": (
        ("propre", _l("Propre")),
        ("sangles", _l("Sangles et attaches en bon état")),
        ("coque", _l("Coques et mousses intactes")),
    ),
    "glisse": (
        ("carres", _l("Carres et semelle sans dommage")),
        ("fixations", _l("Fixations réglées et complètes")),
        ("propre", _l("Propre et sec")),
    ),
    "materiel_collectif": (
        ("compte", _l("Nombre de pièces vérifié")),
        ("propre", _l("Propre")),
        ("fonctionne", _l("Fonctionne normalement")),
    ),
}


def checklist_for(category: str) -> Checklist:
    """The points to check for a listing of ``category``: its own list, or the default one."""
    return BY_CATEGORY.get(category, DEFAULT)


def points_to_check(category: str, ticked: dict) -> list[LazyString]:
    """The labels of the points left unticked in a recorded check-list."""
    return [label for code, label in checklist_for(category) if not (ticked or {}).get(code)]
