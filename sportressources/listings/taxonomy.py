"""What a listing can describe: sports, categories, sizes, age groups, conditions, and the
hygiene and safety rules per category. This module is the one table moderators read
(page « Règles du matériel »)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.listings.models import Condition, ListingKind

KIND_LABELS: dict[str, LazyString] = {
    ListingKind.GIFT: _l("Don"),
    ListingKind.LOAN: _l("Prêt"),
    ListingKind.SALE: _l("Vente à petit prix"),
}

CONDITION_LABELS: dict[str, LazyString] = {
    Condition.NEW: _l("Neuf"),
    Condition.VERY_GOOD: _l("Très bon état"),
    Condition.GOOD: _l("Bon état"),
    Condition.WORN: _l("Usé"),
}

SPORTS: dict[str, LazyString] = {
    "football": _l("Football"),
    "athletisme": _l("Athlétisme"),
    "natation": _l("Natation"),
    "cyclisme": _l("Cyclisme"),
    "tennis": _l("Tennis"),
    "tennis_de_table": _l("Tennis de table"),
    "badminton": _l("Badminton"),
    "basket": _l("Basket"),
    "handball": _l("Handball"),
    "volley": _l("Volley"),
    "rugby": _l("Rugby"),
    "gymnastique": _l("Gymnastique"),
    "danse": _l("Danse"),
    "randonnee_trail": _l("Randonnée, trail"),
    "fitness": _l("Fitness, musculation"),
    "sports_combat": _l("Sports de combat"),
    "escrime": _l("Escrime"),
    "escalade": _l("Escalade"),
    "equitation": _l("Équitation"),
    "glisse": _l("Glisse (ski, snowboard, skate)"),
    "hockey": _l("Hockey, roller"),
    "multisport": _l("Multisport, autre"),
}

AGE_GROUPS: dict[str, LazyString] = {
    "u7": _l("Enfant, moins de 7 ans (U7)"),
    "u9": _l("Enfant, moins de 9 ans (U9)"),
    "u11": _l("Enfant, moins de 11 ans (U11)"),
    "u13": _l("Enfant, moins de 13 ans (U13)"),
    "u15": _l("Jeune, moins de 15 ans (U15)"),
    "u17": _l("Jeune, moins de 17 ans (U17)"),
    "adult": _l("Adulte"),
}

# Size systems: the values a size may take, in the order people expect them
_SHOE_SIZES = [str(size) for size in range(16, 51)]
_CLOTHING_SIZES = [
    "2 ans", "4 ans", "6 ans", "8 ans", "10 ans", "12 ans", "14 ans", "16 ans",
    "XS", "S", "M", "L", "XL", "XXL", "XXXL",
]  # fmt: skip
SIZE_SYSTEMS: dict[str, tuple[LazyString, list[str]]] = {
    "shoe_eu": (_l("Pointure (EU)"), _SHOE_SIZES),
    "clothing": (_l("Taille"), _CLOTHING_SIZES),
    "ball": (_l("Taille de ballon"), ["0", "1", "2", "3", "4", "5", "6", "7"]),
    "bike_wheel": (
        _l("Diamètre de roue"),
        ['12"', '14"', '16"', '20"', '24"', '26"', '27,5"', '28"', '29"'],
    ),
    "glove_oz": (_l("Poids des gants (oz)"), ["4", "6", "8", "10", "12", "14", "16", "18"]),
    "racket": (_l("Taille de raquette"), ['19"', '21"', '23"', '25"', '26"', "Adulte"]),
    # Frames: measured in cm (seat tube) or in letters, as the maker writes it
    "bike_frame_cm": (
        _l("Taille de cadre (cm)"),
        ["40 cm", "44 cm", "48 cm", "50 cm", "52 cm", "54 cm", "56 cm", "58 cm", "60 cm", "62 cm"],
    ),
    "bike_frame": (_l("Taille de cadre"), ["XS", "S", "M", "L", "XL"]),
    "helmet": (
        _l("Tour de tête (cm)"),
        ["44–48 cm", "48–52 cm", "52–56 cm", "56–60 cm", "60–64 cm"],
    ),
}


# Sizes written in French words: shown translated, stored as written here
SIZE_WORDS: dict[str, LazyString] = {
    "2 ans": _l("2 ans"),
    "4 ans": _l("4 ans"),
    "6 ans": _l("6 ans"),
    "8 ans": _l("8 ans"),
    "10 ans": _l("10 ans"),
    "12 ans": _l("12 ans"),
    "14 ans": _l("14 ans"),
    "16 ans": _l("16 ans"),
    "Adulte": _l("Adulte"),
}


def size_label(size: str) -> str:
    """A size as readers of the page's language write it (« 8 ans », « 8 years »)."""
    label = SIZE_WORDS.get(size)
    return str(label) if label is not None else size


@dataclass(frozen=True)
class Category:
    code: str
    label: LazyString
    # Its size scale, or several (a bike: its wheels, or its frame in cm or in letters)
    size_system: str | tuple[str, ...] | None = None
    # Hygiene: the item may only change hands new, never be lent (mouthguards, swimwear…)
    new_only: bool = False
    # Safety gear: the owner declares its age and that it never took an impact
    safety: bool = False
    examples: LazyString | None = None

    @property
    def size_systems(self) -> tuple[str, ...]:
        if self.size_system is None:
            return ()
        return (self.size_system,) if isinstance(self.size_system, str) else self.size_system

    @property
    def sizes(self) -> list[str]:
        """Every size this category accepts, scale after scale."""
        return [size for system in self.size_systems for size in SIZE_SYSTEMS[system][1]]

    @property
    def size_label(self) -> LazyString | None:
        """The name of its scale (« Pointure (EU) »), or « Taille » for several."""
        systems = self.size_systems
        if len(systems) > 1:
            return _l("Taille")
        return SIZE_SYSTEMS[systems[0]][0] if systems else None

    @property
    def lendable(self) -> bool:
        return not self.new_only


CATEGORIES: dict[str, Category] = {
    category.code: category
    for category in (
        Category(
            "chaussures", _l("Chaussures"), "shoe_eu", examples=_l("crampons, pointes, baskets")
        ),
        Category("vetements", _l("Vêtements"), "clothing", examples=_l("maillots, survêtements")),
        Category(
            "protections",
            _l("Protections"),
            "clothing",
            examples=_l("protège-tibias, genouillères, plastrons"),
        ),
        Category("ballons", _l("Ballons"), "ball"),
        Category("raquettes", _l("Raquettes"), "racket"),
        Category("velos", _l("Vélos"), ("bike_wheel", "bike_frame_cm", "bike_frame")),
        Category("accessoires_velo", _l("Accessoires de vélo"), examples=_l("pompes, antivols")),
        Category(
            "casques",
            _l("Casques"),
            "helmet",
            safety=True,
            examples=_l("vélo, ski, équitation, escalade"),
        ),
        Category(
            "escalade",
            _l("Matériel d’escalade"),
            safety=True,
            examples=_l("baudriers, cordes, dégaines"),
        ),
        Category("sieges_velo_enfant", _l("Sièges vélo enfant"), safety=True),
        Category("gants_combat", _l("Gants de combat"), "glove_oz"),
        Category(
            "materiel_collectif", _l("Matériel collectif"), examples=_l("plots, chasubles, filets")
        ),
        Category("fitness", _l("Matériel de fitness"), examples=_l("haltères, tapis, élastiques")),
        Category("glisse", _l("Glisse"), examples=_l("skis, snowboards, skates, rollers")),
        Category("sacs", _l("Sacs et rangement")),
        Category("protege_dents", _l("Protège-dents"), new_only=True),
        Category("maillots_bain", _l("Maillots et bonnets de bain"), "clothing", new_only=True),
        Category("coquilles", _l("Coquilles de protection"), new_only=True),
        Category("autre", _l("Autre matériel")),
    )
}


@dataclass
class RuleRow:
    """One line of the public rules table."""

    category: Category
    kinds_allowed: list[str] = field(default_factory=list)
    note: LazyString | None = None


def rules_table() -> list[RuleRow]:
    """The hygiene and safety rules, one row per category, for the rules page."""
    rows = []
    for category in CATEGORIES.values():
        if category.new_only:
            note = _l(
                "Hygiène : ne se prête jamais ; se donne ou se vend uniquement neuf, jamais porté."
            )
            kinds = [ListingKind.GIFT.value, ListingKind.SALE.value]
        elif category.safety:
            note = _l("Sécurité : l’annonce indique l’âge de l’équipement et l’absence de choc.")
            kinds = [kind.value for kind in ListingKind]
        else:
            continue
        rows.append(RuleRow(category, kinds, note))
    return rows
