"""The impact figures computed from seeded activity match what one counts by hand, per commune,
zone, month and overall, on both backends; cells of fewer than 5 people are suppressed."""

from datetime import UTC, datetime

from sqlalchemy import select

from sportressources.core.db import db
from sportressources.geo.models import Zone
from sportressources.impact import figures
from tests.impact.conftest import CARVIN, LENS, LIEVIN, completed_exchange, listing, moment


def zone_id(slug: str) -> int:
    return db.session.scalar(select(Zone.id).where(Zone.slug == slug))


def test_figures_per_commune_and_month_match_the_hand_count(seeded):
    result = figures.compute("2026-01", "2026-03")

    lens_january = result.cell("2026-01", insee=LENS)
    assert [lens_january.value(m) for m in ("donated", "sold", "members")] == [3, 1, 8]
    # 3 pairs of shoes (800 g, 60 €) and a ball (420 g, 20 € new, bought 5 €)
    assert lens_january.value("kilograms") == 3  # 2.82 kg
    assert lens_january.value("euros") == 3 * 60 + 15
    carvin_february = result.cell("2026-02", insee=CARVIN)
    assert carvin_february.value("loans") == 3
    assert carvin_february.value("lent") == 2
    assert carvin_february.value("members") == 5
    lens_february = result.cell("2026-02", insee=LENS)
    assert lens_february.value("drives") == 1
    assert lens_february.value("collected") == 2
    assert lens_february.value("organisations") == 1
    assert result.cell("2026-03", insee=LENS).value("handed_out") == 1


def test_figures_roll_up_per_zone_and_overall(seeded):
    result = figures.compute("2026-01", "2026-03")

    lens_lievin = result.cell("2026-01", zone_id=zone_id("lens-lievin"))
    assert lens_lievin.value("donated") == 5
    assert lens_lievin.value("sold") == 1
    assert lens_lievin.value("members") == 12
    assert lens_lievin.value("kilograms") == 4  # 5 × 800 g + 420 g
    assert lens_lievin.value("euros") == 5 * 60 + 15
    assert result.cell(zone_id=zone_id("henin-carvin")).value("loans") == 3
    assert result.cell(zone_id=zone_id("bethune-bruay")).empty

    overall = result.cell()
    expected = {
        "donated": 5,
        "sold": 1,
        "lent": 2,
        "loans": 3,
        "rerouted": 0,
        "drives": 1,
        "collected": 2,
        "handed_out": 1,
        "members": 17,
        "organisations": 1,
        "kilograms": 5,  # 4.42 kg exchanged + a pair of shoes handed out
        "euros": 315 + 60,
    }
    assert {metric: overall.value(metric) for metric in figures.METRICS} == expected
    monthly = [(month, cell.value("donated")) for month, cell in result.monthly()]
    assert monthly == [("2026-01", 5), ("2026-02", 0), ("2026-03", 0)]


def test_the_period_bounds_leave_other_months_out(seeded):
    assert figures.compute("2026-02", "2026-02").cell().value("loans") == 3
    assert figures.compute("2026-02", "2026-02").cell().raw("donated") == 0
    assert figures.compute("2026-04", "2026-06").cell().empty


def test_a_cell_of_four_people_is_suppressed_and_one_of_five_shown(seeded):
    result = figures.compute("2026-01", "2026-03")
    lievin = result.cell("2026-01", insee=LIEVIN)

    assert lievin.raw("members") == 4
    assert lievin.suppressed
    assert [lievin.value(m) for m in ("donated", "members", "kilograms", "euros")] == [None] * 4

    completed_exchange(listing(commune=LIEVIN), at=moment(1))
    lievin = figures.compute("2026-01", "2026-01").cell(insee=LIEVIN)
    assert lievin.raw("members") == 6
    assert lievin.value("donated") == 3


def test_a_cell_without_people_shows_zeros_and_the_organisations_figures(seeded):
    lens_march = figures.compute("2026-03", "2026-03").cell(insee=LENS)

    assert not lens_march.suppressed
    assert lens_march.value("members") == 0
    assert lens_march.value("handed_out") == 1
    assert lens_march.value("kilograms") == 1  # a pair of shoes, 800 g


def test_organisations_figures_stay_in_a_small_cell(seeded):
    completed_exchange(listing(), at=moment(2))  # 2 people in Lens in February
    lens_february = figures.compute("2026-02", "2026-02").cell(insee=LENS)

    assert lens_february.suppressed
    assert lens_february.value("drives") == 1
    assert lens_february.value("collected") == 2
    assert lens_february.value("donated") is None
    assert lens_february.value("members") is None


def test_months_are_cut_at_midnight_utc_on_both_backends(app):
    completed_exchange(listing(), at=datetime(2026, 1, 31, 23, 59, tzinfo=UTC))
    completed_exchange(listing(), at=datetime(2026, 2, 1, 0, 1, tzinfo=UTC))

    result = figures.compute("2026-01", "2026-02")
    assert result.cell("2026-01").raw("donated") == 1
    assert result.cell("2026-02").raw("donated") == 1


def rerouted(item, ressourcerie, at, status="accepted"):
    """``item`` offered by its owner to ``ressourcerie``, which took it (or declined it) at
    ``at``; the row is written as the second-life services leave it."""
    from sportressources.secondlife.models import Suggestion

    db.session.add(
        Suggestion(
            listing_id=item.id,
            owner_id=item.owner_id,
            reason="idle_loan",
            status=status,
            organisation_id=ressourcerie.id,
            offered_at=at,
            decided_at=at,
        )
    )
    db.session.commit()


def test_gear_taken_by_a_ressourcerie_counts_as_a_second_life_and_its_weight(app):
    from tests.factories import make_organisation

    ressourcerie = make_organisation(kind="ressourcerie", commune_insee=LENS)
    for _ in range(5):
        rerouted(listing(kind="loan", category="velos", commune=LIEVIN), ressourcerie, moment(3))
    declined = listing(kind="loan", category="velos", commune=LIEVIN)
    rerouted(declined, ressourcerie, moment(3), status="declined")  # said no: not counted

    lievin_march = figures.compute("2026-03", "2026-03").cell("2026-03", insee=LIEVIN)
    assert lievin_march.value("rerouted") == 5
    assert lievin_march.value("kilograms") == 65  # 5 bikes of 13 kg
    assert lievin_march.value("euros") == 0  # no household saving until passed on
    assert lievin_march.value("members") == 5  # the five owners
    assert lievin_march.value("organisations") == 1
