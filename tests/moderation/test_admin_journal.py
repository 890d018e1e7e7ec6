"""Admins browse the audit log newest first, a page at a time, filter it (action or prefix,
actor, target, dates) and export what they see as CSV for a spreadsheet; nothing edits it."""

import csv
import io
import re

import pytest

from sportressources.core.audit import record_entry
from sportressources.core.db import db
from sportressources.moderation import journal, queries
from tests.factories import make_user
from tests.fixtures.web import text
from tests.moderation.admin_data import paris


@pytest.fixture
def log(app, admin, moderator, resident):
    """Seven entries over three days, by a moderator, an admin, a resident and the system."""
    rows = [
        (
            "listing.submit",
            "listing",
            1,
            resident,
            None,
            "awaiting_review",
            None,
            paris(2026, 2, 1, 9),
        ),
        (
            "listing.reject",
            "listing",
            1,
            moderator,
            "awaiting_review",
            "rejected",
            "Photo floue",
            paris(2026, 2, 1, 10),
        ),
        (
            "listing.approve",
            "listing",
            2,
            moderator,
            "awaiting_review",
            "published",
            None,
            paris(2026, 2, 2, 23, 30),
        ),
        (
            "sanction.lift",
            "sanction",
            4,
            moderator,
            "active",
            "lifted",
            "Erreur",
            paris(2026, 2, 3, 0, 30),
        ),
        ("sanction.end", "sanction", 5, None, "active", "ended", None, paris(2026, 2, 3, 6)),
        (
            "user.role_change",
            "user",
            resident.id,
            admin,
            "resident",
            "moderator",
            "Renfort",
            paris(2026, 2, 3, 9),
        ),
        (
            "statement.issue",
            "statement",
            9,
            moderator,
            None,
            "reject",
            '=HYPERLINK("http://x")',
            paris(2026, 2, 3, 10),
        ),
    ]
    entries = [
        record_entry(
            action,
            target_type,
            target_id,
            actor=actor,
            before=before,
            after=after,
            reason=reason,
            details={"ground": "rule:3.4"} if action == "statement.issue" else None,
            now=moment,
        )
        for action, target_type, target_id, actor, before, after, reason, moment in rows
    ]
    db.session.commit()
    return entries


def shown_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<th scope="row">(\d+)</th>', html)]


def ids_of(log, *positions) -> list[int]:
    return [log[position].id for position in positions]


def test_the_journal_shows_each_entry_newest_first(admin_client, log, moderator):
    html = text(admin_client.get("/moderation/journal"))
    assert shown_ids(html) == ids_of(log, 6, 5, 4, 3, 2, 1, 0)
    assert "<code>awaiting_review</code> → <code>rejected</code>" in html
    assert "Photo floue" in html and "Système" in html
    assert f'href="/membres/{moderator.public_id}"' in html and moderator.email in html
    assert 'href="/annonces/1"' in html and 'href="/compte/decisions/9"' in html
    assert "<code>ground</code> : rule:3.4" in html


@pytest.mark.parametrize(
    "query, positions",
    [
        ({"action": "listing.reject"}, (1,)),
        ({"action": "listing."}, (2, 1, 0)),
        ({"action": "sanction."}, (4, 3)),
        ({"acteur": "moderator@example.org"}, (6, 3, 2, 1)),
        ({"acteur": "système"}, (4,)),
        ({"cible": "listing", "numero": "1"}, (1, 0)),
        ({"cible": "sanction"}, (4, 3)),
        ({"du": "2026-02-03"}, (6, 5, 4, 3)),  # from midnight, Paris time
        ({"au": "2026-02-02"}, (2, 1, 0)),
        ({"du": "2026-02-02", "au": "2026-02-02"}, (2,)),
        ({"action": "listing.", "acteur": "moderator@example.org", "au": "2026-02-01"}, (1,)),
    ],
)
def test_the_filters_narrow_the_journal(admin_client, log, query, positions):
    html = text(admin_client.get("/moderation/journal", query_string=query))
    assert shown_ids(html) == ids_of(log, *positions)


def test_an_actor_by_member_number(admin_client, log, resident):
    html = text(admin_client.get(f"/moderation/journal?acteur={resident.id}"))
    assert shown_ids(html) == ids_of(log, 0)


def test_an_unknown_actor_matches_nothing_and_says_so(admin_client, log):
    html = text(admin_client.get("/moderation/journal?acteur=personne@example.org"))
    assert shown_ids(html) == []
    assert "Aucun membre n’a cette adresse" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ({"action": "DROP TABLE"}, "Action non reconnue"),
        ({"action": "x" * 300}, "Critère illisible ou trop long"),
        ({"acteur": "a\x00b"}, "Critère illisible ou trop long"),
        ({"acteur": "quelqu’un"}, "Indiquez l’adresse e-mail du membre"),
        ({"acteur": "99999999999999"}, "Ce numéro de membre n’existe pas."),
        ({"cible": "<script>"}, "Type d’objet inconnu."),
        ({"numero": "-3"}, "nombre entier positif"),
        ({"du": "31/12/2025"}, "Date non reconnue"),
        ({"du": "2026-02-03", "au": "2026-02-01"}, "La date de fin précède la date de début."),
    ],
)
def test_a_wrong_filter_is_ignored_with_a_french_message(admin_client, log, query, message):
    response = admin_client.get("/moderation/journal", query_string=query)
    assert response.status_code == 200
    assert message in text(response)


def test_pages_follow_each_other_by_id(app, admin_client, admin):
    entries = [
        record_entry("listing.approve", "listing", n, actor=admin, now=paris(2026, 1, 1, 0, n))
        for n in range(1, 8)
    ]
    db.session.commit()
    newest_first = [entry.id for entry in reversed(entries)]
    filters = queries.JournalFilter(action="listing.")

    first = queries.journal_page(filters, size=3)
    assert [line.entry.id for line in first.lines] == newest_first[:3]
    assert first.newer is None and first.older == newest_first[2]

    second = queries.journal_page(filters, after=first.older, size=3)
    assert [line.entry.id for line in second.lines] == newest_first[3:6]
    assert second.newer == newest_first[3] and second.older == newest_first[5]

    last = queries.journal_page(filters, after=second.older, size=3)
    assert [line.entry.id for line in last.lines] == newest_first[6:]
    assert last.older is None

    back = queries.journal_page(filters, before=second.newer, size=3)
    assert [line.entry.id for line in back.lines] == newest_first[:3]
    assert back.newer is None and back.older == newest_first[2]


def test_the_page_links_to_older_entries_keeping_the_filters(admin_client, admin):
    for n in range(1, queries.JOURNAL_PAGE_SIZE + 3):
        record_entry("listing.approve", "listing", n, actor=admin)
    record_entry("loan.cancel", "loan", 1, actor=admin)
    db.session.commit()

    html = text(admin_client.get("/moderation/journal?action=listing."))
    assert len(shown_ids(html)) == queries.JOURNAL_PAGE_SIZE
    older = re.search(r'href="(/moderation/journal\?[^"]*after=\d+[^"]*)"', html).group(1)
    assert "action=listing." in older
    html = text(admin_client.get(older.replace("&amp;", "&")))
    assert len(shown_ids(html)) == 2
    assert "Entrées plus récentes" in html and "Entrées plus anciennes" not in html


def test_the_page_runs_the_same_statements_whatever_the_data(admin_client, admin, count_queries):
    def statements() -> int:
        with count_queries() as seen:
            assert admin_client.get("/moderation/journal").status_code == 200
        return len(seen)

    record_entry("listing.approve", "listing", 1, actor=admin)
    db.session.commit()
    before = statements()
    for n in range(40):
        member = make_user()
        record_entry("listing.submit", "listing", n, actor=member)
    db.session.commit()
    assert statements() == before


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_export_is_a_csv_a_spreadsheet_opens(admin_client, log, moderator):
    response = admin_client.get("/moderation/journal.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="journal-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    header, *rows = read_csv(response)
    assert header[:6] == [
        "Numéro",
        "Date (heure de Paris)",
        "Numéro de l’auteur",
        "Auteur",
        "E-mail de l’auteur",
        "Action",
    ]
    assert [int(row[0]) for row in rows] == ids_of(log, 6, 5, 4, 3, 2, 1, 0)
    by_id = {int(row[0]): row for row in rows}
    assert by_id[log[1].id] == [
        str(log[1].id),
        "2026-02-01 10:00:00",
        str(moderator.id),
        "Modo",
        "moderator@example.org",
        "listing.reject",
        "listing",
        "1",
        "awaiting_review",
        "rejected",
        "Photo floue",
        "",
    ]
    assert by_id[log[4].id][3] == "Système"


def test_the_export_defuses_cells_a_spreadsheet_would_run(admin_client, log, app):
    evil = make_user(email="evil@example.org", display_name="+33 6 00 00 00 00")
    record_entry("listing.withdraw", "listing", 3, actor=evil, reason="@SUM(A1)", before="-1")
    db.session.commit()

    rows = read_csv(admin_client.get("/moderation/journal.csv"))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'+33 6 00 00 00 00" in cells and "'@SUM(A1)" in cells and "'-1" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '{"ground": "rule:3.4"}' in cells


def test_the_export_keeps_the_filters(admin_client, log):
    response = admin_client.get("/moderation/journal.csv?action=sanction.&du=2026-02-03")
    assert [int(row[0]) for row in read_csv(response)[1:]] == ids_of(log, 4, 3)


def test_the_export_refuses_wrong_filters_rather_than_export_everything(admin_client, log):
    response = admin_client.get("/moderation/journal.csv?du=hier")
    assert response.status_code == 302
    assert "/moderation/journal?du=hier" in response.headers["Location"]
    assert "Corrigez les critères" in text(admin_client.get(response.headers["Location"]))


def test_the_export_refuses_more_rows_than_its_limit(app, admin_client, admin, monkeypatch):
    monkeypatch.setattr(journal, "EXPORT_LIMIT", 3)
    for n in range(4):
        record_entry("listing.approve", "listing", n, actor=admin)
    db.session.commit()
    response = admin_client.get("/moderation/journal.csv")
    assert response.status_code == 302
    assert "précisez les critères" in text(admin_client.get(response.headers["Location"]))
    assert len(read_csv(admin_client.get("/moderation/journal.csv?numero=1"))) == 2


def test_the_export_reads_in_batches(app, admin, monkeypatch, count_queries):
    monkeypatch.setattr(queries, "EXPORT_BATCH", 2)
    for n in range(5):
        record_entry("listing.approve", "listing", n, actor=admin)
    db.session.commit()
    with count_queries() as seen:
        rows = list(queries.journal_rows(queries.JournalFilter(), limit=100))
    assert [row.target_id for row in rows] == [4, 3, 2, 1, 0]
    assert len(seen) == 3


def test_hostile_values_in_every_filter_never_break_the_admin_pages(admin_client, log):
    from tests.test_hostile_input import HOSTILE

    keys = ("action", "acteur", "cible", "numero", "du", "au", "after", "before", "email")
    for value in HOSTILE:
        query = dict.fromkeys(keys, value) | {"annee": value}
        for url in ("/moderation/journal", "/moderation/journal.csv", "/moderation/equipe"):
            response = admin_client.get(url, query_string=query)
            assert response.status_code in {200, 302}, (url, value)
        assert admin_client.get("/transparence", query_string=query).status_code in {200, 404}
