"""The impact figures as open data: one row per commune and month with any activity, written as
CSV and JSON and described by a Table Schema in a data package (as on schema.data.gouv.fr).

Published in French, the language of French open data, under the Licence Ouverte 2.0. No
personal data: the figures are counts, and those drawn from fewer than 5 members are left empty
with ``secret_statistique`` set.
"""

from __future__ import annotations

import csv
import io
import json

from sportressources.impact import reference
from sportressources.impact.figures import METRICS, SMALL_CELL, Figures

FIRST_MONTH = "2020-01"
LICENCE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte 2.0",
}
SECRET = "secret_statistique"
# metric -> (column, description)
COLUMNS = {
    "donated": ("objets_donnes", "Objets donnés : dons entre membres remis dans le mois."),
    "sold": ("objets_vendus", "Objets vendus : ventes à petit prix conclues dans le mois."),
    "lent": ("objets_pretes", "Objets prêtés : annonces distinctes dont un prêt s’est terminé."),
    "loans": ("prets_termines", "Prêts terminés : prêts dont l’objet a été rendu dans le mois."),
    "rerouted": (
        "objets_ressourcerie",
        "Objets inutilisés acceptés par une ressourcerie (seconde vie) dans le mois.",
    ),
    "drives": ("collectes", "Collectes tenues : collectes d’organisations ouvertes dans le mois."),
    "collected": ("objets_collectes", "Objets reçus lors des collectes dans le mois."),
    "handed_out": ("objets_distribues", "Objets distribués par les organisations dans le mois."),
    "members": ("membres_actifs", "Membres ayant donné, vendu, prêté, reçu ou publié."),
    "organisations": ("organisations_actives", "Organisations ayant eu une activité."),
    "kilograms": ("kg_evites", "Kilogrammes de déchets évités (estimation, table de référence)."),
    "euros": ("euros_economises", "Euros économisés par les ménages (estimation)."),
}
PLACE_COLUMNS = ("mois", "code_insee", "commune", "zone")


def rows(result: Figures) -> list[dict]:
    """One dict per commune and month with any activity, by month then commune name."""
    names = {insee: index for index, insee in enumerate(result.communes)}
    out = []
    for (month, insee), cell in sorted(
        result.cells.items(), key=lambda i: (i[0][0], names[i[0][1]])
    ):
        if cell.empty:
            continue
        commune = result.communes[insee]
        row = {
            "mois": month,
            "code_insee": insee,
            "commune": commune.name,
            "zone": result.zones[commune.zone_id].name,
        }
        row.update({COLUMNS[metric][0]: cell.value(metric) for metric in METRICS})
        row[SECRET] = cell.suppressed
        out.append(row)
    return out


def to_csv(table: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [*PLACE_COLUMNS, *(COLUMNS[m][0] for m in METRICS), SECRET]
    writer.writerow(header)
    for row in table:
        writer.writerow([_cell(row[key]) for key in header])
    return buffer.getvalue()


def _cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_json(table: list[dict]) -> str:
    return json.dumps(table, ensure_ascii=False, indent=1)


def schema() -> dict:
    """The Table Schema of both files."""
    fields = [
        {"name": "mois", "type": "yearmonth", "description": "Mois (AAAA-MM, UTC)."},
        {
            "name": "code_insee",
            "type": "string",
            "description": "Code INSEE de la commune.",
            "constraints": {"required": True, "pattern": "[0-9]{5}"},
        },
        {"name": "commune", "type": "string", "description": "Nom de la commune."},
        {"name": "zone", "type": "string", "description": "Intercommunalité de la commune."},
    ]
    for metric in METRICS:
        name, description = COLUMNS[metric]
        fields.append(
            {
                "name": name,
                "type": "integer",
                "description": description,
                "constraints": {"minimum": 0},
            }
        )
    fields.append(
        {
            "name": SECRET,
            "type": "boolean",
            "description": (
                f"Vrai quand moins de {SMALL_CELL} membres sont concernés : les chiffres "
                "issus de l’activité des membres sont alors laissés vides."
            ),
        }
    )
    return {"fields": fields, "missingValues": [""], "primaryKey": ["mois", "code_insee"]}


def datapackage(created: str) -> dict:
    """The data package (Frictionless Data Package v1) describing the CSV and JSON files."""
    description = (
        "Chiffres d’impact de Sport ressources 62 par commune et par mois. Les kilogrammes et "
        f"euros sont des estimations tirées de la table de référence version {reference.VERSION} "
        f"du {reference.DATED} (poids et prix neufs typiques par catégorie). Secret "
        f"statistique : toute cellule concernant moins de {SMALL_CELL} membres est masquée."
    )
    table_schema = schema()
    return {
        "name": "sport-ressources-62-impact",
        "title": "Sport ressources 62 : impact par commune et par mois",
        "description": description,
        "version": reference.VERSION,
        "created": created,
        "licenses": [LICENCE],
        "resources": [
            {
                "name": "impact-csv",
                "path": "donnees.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema,
            },
            {
                "name": "impact-json",
                "path": "donnees.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "schema": table_schema,
            },
        ],
    }
