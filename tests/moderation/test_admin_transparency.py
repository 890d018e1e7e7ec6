"""The public transparency report, per Paris calendar year: its figures on a known data set (the
medians computed alike on both backends), the years offered, a wrong year answered in French
without an error, the English version, and statements that do not grow with the data."""

from datetime import timedelta

import pytest

from sportressources.moderation import figures
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


@pytest.fixture
def year_2025(app, moderator, resident):
    """A year of moderation: notices, decisions, statements, appeals, sanctions, and some records
    just outside the year."""
    other = make_user(email="autre@example.org")
    # Notices: three on rule 3.4 (two upheld after 1 h and 3 h, one rejected after 5 h), one on
    # fraud still open; one sent late on New Year's Eve (Paris time) counts, one just after not
    make_report(
        reason="rule:3.4",
        created_at=paris(2025, 2, 1, 10),
        outcome="uphold",
        decided_at=paris(2025, 2, 1, 11),
        moderator=moderator,
    )
    make_report(
        reason="rule:3.4",
        created_at=paris(2025, 3, 1, 10),
        outcome="uphold",
        decided_at=paris(2025, 3, 1, 13),
        moderator=moderator,
    )
    make_report(
        reason="rule:3.4",
        created_at=paris(2025, 4, 1, 10),
        outcome="reject",
        decided_at=paris(2025, 4, 1, 15),
        moderator=moderator,
    )
    make_report(reason="illegal:fraud", created_at=paris(2025, 12, 31, 23, 30))
    make_report(reason="illegal:fraud", created_at=paris(2026, 1, 1, 0, 30))
    make_report(reason="rule:5.1", created_at=paris(2024, 6, 1))
    # Cases decided after 1 h, 2 h, 10 h and 30 h: the median is 6 h; two had automatic flags,
    # one of which ended in a restriction
    for opened, hours, decision, flags in (
        (paris(2025, 5, 1, 8), 1, "approve", ()),
        (paris(2025, 5, 2, 8), 2, "approve", ("price_cap",)),
        (paris(2025, 5, 3, 8), 10, "reject", ("contact_details", "new_account")),
        (paris(2025, 5, 4, 8), 30, "remove", ()),
    ):
        make_case(
            opened_at=opened,
            decided_at=opened + timedelta(hours=hours),
            decision=decision,
            moderator=moderator,
            flags=flags,
        )
    make_case(opened_at=paris(2025, 6, 1), flags=("price_cap",))  # still open
    make_case(
        opened_at=paris(2024, 12, 1),
        decided_at=paris(2024, 12, 2),
        decision="reject",
        moderator=moderator,
        flags=("price_cap",),
    )
    # Statements: two rejections on rule 3.4, a removal for fraud, a warning on rule 5.1; the
    # statement closing an appeal is not a decision of its own
    rejected = make_statement(
        decision="reject", ground="rule:3.4", created_at=paris(2025, 5, 3, 18), member=resident
    )
    make_statement(decision="reject", ground="rule:3.4", created_at=paris(2025, 7, 1), member=other)
    removed = make_statement(
        decision="remove", ground="illegal:fraud", created_at=paris(2025, 5, 5, 14), member=other
    )
    warned = make_statement(
        decision="warning", ground="rule:5.1", created_at=paris(2025, 8, 1), member=resident
    )
    make_statement(
        decision="appeal_rejected", ground="rule:3.4", created_at=paris(2025, 9, 2), member=other
    )
    make_appeal(
        rejected,
        created_at=paris(2025, 5, 10),
        outcome="reject",
        ruled_at=paris(2025, 5, 12),
        moderator=moderator,
    )
    make_appeal(
        removed,
        created_at=paris(2025, 9, 1),
        outcome="grant",
        ruled_at=paris(2025, 9, 2),
        moderator=moderator,
    )
    make_appeal(warned, created_at=paris(2025, 12, 1))
    # Sanctions: two warnings (one lifted since) and a suspension
    make_sanction(resident, kind="warning", starts_at=paris(2025, 8, 1), moderator=moderator)
    make_sanction(
        other,
        kind="warning",
        starts_at=paris(2025, 8, 2),
        moderator=moderator,
        lifted_at=paris(2025, 8, 3),
    )
    make_sanction(other, kind="suspension", starts_at=paris(2025, 10, 1), moderator=moderator)
    return 2025


def test_the_report_of_a_year_counts_what_happened_in_it(year_2025):
    report = figures.transparency(year_2025)

    assert [(r.code, r.received, r.upheld, r.rejected, r.pending) for r in report.notices] == [
        ("rule:3.4", 3, 2, 1, 0),
        ("illegal:fraud", 1, 0, 0, 1),
    ]
    assert str(report.notices[0].label) == (
        "Règle 3.4 : Pas de coordonnées ni de liens dans une annonce"
    )
    assert str(report.notices[1].label) == "Contenu illicite : Escroquerie"
    assert report.notices_received == 4

    assert [(str(r.label), r.count) for r in report.decisions] == [
        ("Approuvé (publié ou maintenu)", 2),
        ("Annonce refusée", 1),
        ("Contenu retiré", 1),
    ]
    assert [(str(r.label), str(r.detail), r.count) for r in report.restrictions] == [
        ("Annonce refusée", "Règle 3.4 : Pas de coordonnées ni de liens dans une annonce", 2),
        ("Contenu retiré", "Contenu illicite : Escroquerie", 1),
        (
            "Avertissement",
            "Règle 5.1 : Pas de propos injurieux, discriminatoires ou harcelants",
            1,
        ),
    ]
    assert (report.median_case_seconds, report.decided_cases) == (6 * 3600, 4)
    assert (report.median_notice_seconds, report.decided_notices) == (3 * 3600, 3)
    assert [(str(r.label), r.count) for r in report.appeals] == [
        ("Décision maintenue", 1),
        ("Décision annulée", 1),
        ("En cours d’examen", 1),
    ]
    assert (report.flagged_decided, report.flagged_confirmed, report.flag_share) == (2, 1, 0.5)
    assert [(str(r.label), r.given, r.lifted) for r in report.sanctions] == [
        ("Avertissements", 2, 1),
        ("Suspensions de compte", 1, 0),
        ("Fermetures de compte", 0, 0),
    ]


def test_an_empty_year_has_nothing_to_divide(app):
    report = figures.transparency(2026)
    assert report.notices == [] and report.decisions == [] and report.restrictions == []
    assert (report.median_case_seconds, report.decided_cases) == (None, 0)
    assert report.flag_share is None
    assert report.appeals_total == 0 and report.sanctions_total == 0


def test_the_years_run_from_the_first_record_to_this_year(app, year_2025):
    this_year = figures.paris_today().year
    assert figures.years_with_data() == list(range(this_year, 2023, -1))


def test_without_any_record_only_this_year_is_offered(app):
    assert figures.years_with_data() == [figures.paris_today().year]


def test_the_page_shows_the_year_asked_for(client, year_2025):
    html = text(client.get("/transparence?annee=2025"))
    assert "<h1>Rapport de transparence 2025</h1>" in html
    assert "4 signalements reçus" in html
    assert "Règle 3.4 : Pas de coordonnées ni de liens dans une annonce" in html
    assert "6 heures" in html and "(sur 4 dossiers décidés)" in html
    assert "3 heures" in html and "(sur 3 signalements traités)" in html
    assert "1 ont conduit à une restriction : 50" in html
    assert 'href="/transparence?annee=2024"' in html
    assert 'aria-current="page">2025</a>' in html


def test_without_a_year_the_page_shows_this_year(client, year_2025):
    this_year = figures.paris_today().year
    html = text(client.get("/transparence"))
    assert f"<h1>Rapport de transparence {this_year}</h1>" in html
    assert "L’année est en cours" in html


@pytest.mark.parametrize(
    "year", ["1999", "2023", "3000", "abc", "-1", "2025.5", "9" * 30, "\x00", "2025 OR 1=1"]
)
def test_a_year_without_a_report_is_a_french_404(client, year_2025, year):
    response = client.get("/transparence", query_string={"annee": year})
    assert response.status_code == 404
    assert "Il n’y a pas de rapport de transparence pour cette année" in text(response)


def test_the_page_in_english(client, year_2025):
    client.post("/langue", data={"locale": "en", "next": "/transparence"})
    html = text(client.get("/transparence?annee=2025"))
    assert "Transparency report 2025" in html
    assert "Rule 3.4: No contact details or links in a listing" in html
    assert "Median time to decide" in html
    assert "Rapport de transparence" not in html


def test_the_page_runs_the_same_statements_whatever_the_data(client, count_queries, moderator):
    def statements() -> int:
        with count_queries() as seen:
            assert client.get("/transparence?annee=2025").status_code == 200
        return len(seen)

    make_report(reason="rule:3.4", created_at=paris(2025, 1, 1, 12))
    before = statements()
    for day in range(1, 20):
        make_report(reason=f"rule:3.{day % 6 + 1}", created_at=paris(2025, 2, day))
        make_case(
            opened_at=paris(2025, 3, day),
            decided_at=paris(2025, 3, day, 12),
            decision="reject",
            moderator=moderator,
            flags=("price_cap",),
        )
    assert statements() == before <= 10
