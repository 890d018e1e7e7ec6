"""What the impact page and the funder report show: totals for the chosen place and period,
the monthly series as charts with their table twins, the figures per zone and per commune."""

from __future__ import annotations

from flask_babel import gettext as _

from sportressources.impact import figures, reference
from sportressources.impact.labels import METRIC_LABELS
from sportressources.impact.period import Request, zones
from sportressources.listings.taxonomy import CATEGORIES
from sportressources.moderation.charts import Point, columns, rows

# The monthly charts: (id, metrics summed into the bars, title)
CHARTS = (
    ("seconde-vie", ("donated", "sold", "rerouted", "handed_out")),
    ("prets", ("loans",)),
    ("kilogrammes", ("kilograms",)),
)


def _chart_title(chart_id: str) -> str:
    return {
        "seconde-vie": _(
            "Objets ayant trouvé une seconde vie (dons, ventes, ressourceries, distributions)"
        ),
        "prets": _("Prêts terminés"),
        "kilogrammes": _("Kilogrammes de déchets évités (estimation)"),
    }[chart_id]


def _summed(cell: figures.Cell, metrics) -> int | None:
    values = [cell.value(metric) for metric in metrics]
    return None if None in values else sum(values)


def monthly_charts(series) -> list[dict]:
    """One column chart per entry of CHARTS, its twin's rows beside it; a suppressed month is
    drawn as no bar and written « < 5 » in the table."""
    charts = []
    for chart_id, metrics in CHARTS:
        title = _chart_title(chart_id)
        values = [(month, _summed(cell, metrics)) for month, cell in series]
        points = [Point(month, value or 0, month[2:]) for month, value in values]
        description = _(
            "Un mois par barre, du plus ancien au plus récent ; les chiffres sont dans le "
            "tableau qui suit."
        )
        charts.append(
            {
                "chart": columns(f"chart-{chart_id}", title, description, points),
                "rows": values,
                "title": title,
            }
        )
    return charts


def impact_page(asked: Request) -> dict:
    """The context of the impact page (and of the report, which shows the same figures)."""
    result = figures.compute(asked.first, asked.last)
    zone_id = asked.zone.id if asked.zone else None
    insee = asked.commune.insee if asked.commune else None
    scope = result.cell(zone_id=zone_id, insee=insee)
    all_zones = zones()
    zone_totals, commune_totals = result.per_place(zones=True), result.per_place()
    per_zone = [(zone, zone_totals.get(zone.id, figures.Cell())) for zone in all_zones]
    zone_chart = rows(
        "chart-zones",
        _("Objets ayant trouvé une seconde vie, par zone"),
        _("Une barre par intercommunalité ; les chiffres sont dans le tableau qui suit."),
        [Point(zone.short_name, _summed(cell, CHARTS[0][1]) or 0) for zone, cell in per_zone],
    )
    communes = [
        (commune, commune_totals.get(commune.insee, figures.Cell()))
        for commune in result.communes.values()
        if zone_id is None or commune.zone_id == zone_id
    ]
    return {
        "asked": asked,
        "metrics": figures.METRICS,
        "labels": METRIC_LABELS,
        "scope": scope,
        "overall": result.cell(),
        "per_zone": per_zone,
        "zone_chart": zone_chart,
        "per_commune": [(c, cell) for c, cell in communes if not cell.empty],
        "communes": sorted(communes, key=lambda pair: pair[0].name),
        "zones": all_zones,
        "charts": monthly_charts(result.monthly(zone_id=zone_id, insee=insee)),
        "reference": reference,
        "categories": CATEGORIES,
        "small_cell": figures.SMALL_CELL,
    }
