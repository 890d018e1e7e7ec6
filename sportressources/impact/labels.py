"""What each figure is called on the pages."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

METRIC_LABELS: dict[str, LazyString] = {
    "donated": _l("Objets donnés"),
    "sold": _l("Objets vendus"),
    "lent": _l("Objets prêtés"),
    "loans": _l("Prêts terminés"),
    "rerouted": _l("Objets confiés à une ressourcerie"),
    "drives": _l("Collectes tenues"),
    "collected": _l("Objets collectés"),
    "handed_out": _l("Objets distribués"),
    "members": _l("Membres actifs"),
    "organisations": _l("Organisations actives"),
    "kilograms": _l("Kilogrammes de déchets évités"),
    "euros": _l("Euros économisés par les ménages"),
}
