"""The dashboard's figures on a known data set: what waits, decisions per Paris day (across
midnight and the change to summer time), per member of the team; the charts are SVG images with a
table twin; the page's statements do not grow with the data."""

import re
from datetime import timedelta

import pytest

from sportressources.core.db import utcnow
from sportressources.moderation import charts, figures
from tests.factories import make_user
from tests.fixtures.web import text
from tests.moderation.admin_data import (
    make_appeal,
    make_case,
    make_report,
    make_sanction,
    make_statement,
    paris,
)

NOW = paris(2026, 3, 31, 12)  # the window is 2 to 31 March; summer time began on the 29th


@pytest.fixture
def team(app, admin):
    first = make_user(email="anne@example.org", display_name="Anne Modo", role="moderator")
    second = make_user(email="bruno@example.org", display_name="Bruno Modo", role="moderator")
    return first, second, admin


def test_the_backlog_counts_what_is_open_and_dates_the_oldest(app, resident, moderator):
    make_case(opened_at=paris(2026, 3, 20, 9))
    make_case(opened_at=paris(2026, 3, 25, 9))
    make_case(opened_at=paris(2026, 3, 1, 9), decided_at=NOW, decision="approve")
    make_report(reason="rule:3.4", created_at=paris(2026, 3, 22, 8))
    make_report(reason="rule:3.4", created_at=paris(2026, 3, 2), outcome="reject", decided_at=NOW)
    statement = make_statement(
        decision="reject", ground="rule:3.4", created_at=paris(2026, 3, 3), member=resident
    )
    make_appeal(statement, created_at=paris(2026, 3, 27, 18))

    backlog = figures.backlog()

    assert (backlog.cases, backlog.reports, backlog.appeals) == (2, 1, 1)
    assert backlog.oldest_case_at == paris(2026, 3, 20, 9)
    assert backlog.oldest_report_at == paris(2026, 3, 22, 8)
    assert backlog.oldest_appeal_at == paris(2026, 3, 27, 18)


def test_an_empty_backlog(app):
    assert figures.backlog() == figures.Backlog(0, None, 0, None, 0, None)


def test_decisions_are_counted_per_paris_day_over_thirty_days(app, moderator):
    def decided(moment, decision="approve"):
        make_case(
            opened_at=moment - timedelta(hours=1),
            decided_at=moment,
            decision=decision,
            moderator=moderator,
        )

    decided(paris(2026, 3, 1, 23, 30))  # the day before the window
    decided(paris(2026, 3, 2, 0, 10))  # 1 March in UTC, 2 March in Paris
    decided(paris(2026, 3, 29, 23, 45), "reject")
    decided(paris(2026, 3, 30, 0, 30), "remove")  # 29 March in UTC
    decided(paris(2026, 3, 30, 14), "dismiss")
    decided(paris(2026, 3, 30, 15), "request_changes")
    decided(paris(2026, 3, 31, 11))

    days = figures.decisions_per_day(now=NOW)

    assert len(days) == 30
    assert days[0].day.isoformat() == "2026-03-02" and days[-1].day.isoformat() == "2026-03-31"
    counts = {day.day.isoformat(): (day.approved, day.restricted, day.dismissed) for day in days}
    assert counts["2026-03-02"] == (1, 0, 0)
    assert counts["2026-03-29"] == (0, 1, 0)
    assert counts["2026-03-30"] == (0, 2, 1)
    assert counts["2026-03-31"] == (1, 0, 0)
    assert sum(day.total for day in days) == 6


def test_each_member_of_the_team_with_what_they_decided(app, team, resident):
    anne, bruno, admin = team
    for hour in (9, 10, 11):
        make_case(
            opened_at=paris(2026, 3, 10, 8),
            decided_at=paris(2026, 3, 10, hour),
            decision="approve",
            moderator=anne,
        )
    make_case(
        opened_at=paris(2026, 1, 10, 8),
        decided_at=paris(2026, 1, 10, 9),  # before the window
        decision="approve",
        moderator=bruno,
    )
    make_case(
        opened_at=paris(2026, 3, 10, 8),
        decided_at=paris(2026, 3, 11, 9),
        decision="reject",
        moderator=bruno,
    )
    statement = make_statement(
        decision="reject",
        ground="rule:3.4",
        created_at=paris(2026, 3, 11, 9),
        member=resident,
        moderator=bruno,
    )
    make_appeal(
        statement,
        created_at=paris(2026, 3, 12),
        outcome="reject",
        ruled_at=paris(2026, 3, 13),
        moderator=anne,
    )
    make_sanction(resident, kind="warning", starts_at=paris(2026, 3, 14), moderator=bruno)

    rows = figures.decisions_per_moderator(now=NOW)

    assert [(r.member.display_name, r.cases, r.appeals, r.sanctions) for r in rows] == [
        ("Anne Modo", 3, 1, 0),
        ("Bruno Modo", 1, 0, 1),
        ("Admin", 0, 0, 0),
    ]


def test_the_scale_of_a_chart_ends_on_a_round_number():
    assert [charts.scale_top(n) for n in (0, 1, 3, 9, 10, 11, 45, 100, 101)] == [
        2,
        2,
        4,
        10,
        10,
        20,
        60,
        100,
        200,
    ]


def test_column_heights_follow_the_values_and_labels_never_crowd():
    points = [charts.Point(f"jour {n}", n % 5, f"{n}") for n in range(30)]
    chart = charts.columns("c", "Titre", "Description", points)
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.value == 4
    assert chart.bars[0].height == 0
    assert chart.bars[2].height == pytest.approx(tallest.height / 2)
    labelled = [bar for bar in chart.bars if bar.axis_label]
    assert 1 < len(labelled) <= charts.MAX_AXIS_LABELS and chart.bars[-1].axis_label == "29"


def test_the_dashboard_draws_svg_images_with_their_table_twins(moderator_client, team):
    anne = team[0]
    now = utcnow()
    make_case(opened_at=now - timedelta(days=3), decided_at=now, decision="approve", moderator=anne)
    make_case(opened_at=now - timedelta(hours=5))

    html = text(moderator_client.get("/moderation/tableau-de-bord"))

    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert 'role="img"' in svg
        ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        assert f'<title id="{ids[0]}">' in svg and f'<desc id="{ids[1]}">' in svg
        assert "<script" not in svg and "style=" not in svg
    assert "Décisions par jour</title>" in svgs[0]
    assert ">Anne Modo</text>" in svgs[1]
    assert html.count("<table") == 2 and html.count("<caption") == 2
    assert "Décisions par jour, du plus ancien au plus récent" in html
    assert "Le plus ancien attend depuis 5 heures." in html
    assert "<script" not in html


def test_the_dashboard_runs_the_same_statements_whatever_the_data(
    moderator_client, team, resident, count_queries
):
    def statements() -> int:
        with count_queries() as seen:
            assert moderator_client.get("/moderation/tableau-de-bord").status_code == 200
        return len(seen)

    before = statements()
    now = utcnow()
    for moderator in team:
        for days in range(1, 6):
            make_case(
                opened_at=now - timedelta(days=days, hours=2),
                decided_at=now - timedelta(days=days),
                decision="reject",
                moderator=moderator,
            )
        make_sanction(resident, kind="warning", starts_at=now, moderator=moderator)
        make_report(reason="rule:5.1", created_at=now)
    assert statements() == before <= 8
