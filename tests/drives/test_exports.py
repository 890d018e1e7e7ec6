"""CSV exports of the inventory, receipts and handouts, parsed back as a spreadsheet would."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from sportressources.drives import handouts
from sportressources.drives.exports import csv_document
from tests.drives.inventory_helpers import make_drive, receive_items, stock_item
from tests.factories import add_member, committed, make_organisation, make_user
from tests.fixtures.web import sign_in, text

HOSTILE_TITLE = '=cmd|" /C calc"!A0; « guillemets » "doubles"'


@pytest.fixture
def club(app):
    return make_organisation(name="US Béthune Athlétisme", commune_insee="62119")


@pytest.fixture
def volunteer(club):
    return add_member(club)


@pytest.fixture
def member_client(client, volunteer):
    return sign_in(client, volunteer)


def parse(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    assert b"\r\n" in body
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def export(member_client, club, what: str):
    response = member_client.get(f"/organisations/{club.slug}/inventaire/export/{what}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    today = date.today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{what}-{club.slug}-{today}.csv"'
    )
    return parse(response)


def test_the_inventory_export_reads_back_with_french_headers_and_neutralised_formulas(
    club, member_client
):
    received = receive_items(club, title=HOSTILE_TITLE, size="38")[0]
    stock_item(club, title="-1+1 @SUM(A1)", note="+33 note")
    rows = export(member_client, club, "inventaire")
    assert rows[0][:8] == [
        "N° d’objet",
        "Objet",
        "Sport",
        "Catégorie",
        "Taille",
        "Public",
        "État",
        "Statut",
    ]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["N° d’objet"] == str(received.id)
    assert first["Objet"] == "'" + HOSTILE_TITLE  # ; and " survive, = is neutralised
    assert (first["Sport"], first["Catégorie"], first["Statut"]) == (
        "Football",
        "Chaussures",
        "En stock",
    )
    assert first["Collecte"] == "Collecte de rentrée"
    assert first["Entré le"][:4].isdigit() and first["Entré le"][4] == "-"  # ISO date
    second = dict(zip(rows[0], rows[2], strict=True))
    assert (second["Objet"], second["Note"]) == ("'-1+1 @SUM(A1)", "'+33 note")
    assert len(rows) == 3


def test_the_receipts_export_lists_pledged_items_without_the_pledger(club, member_client):
    pledger = make_user(email="pledger@example.org", display_name="Paulette Donatrice")
    drive = make_drive(club, title="Collecte d’automne")
    receive_items(club, title="Pointes d’athlétisme", quantity=2, drive=drive, pledger=pledger)
    response = member_client.get(f"/organisations/{club.slug}/inventaire/export/receptions.csv")
    assert "pledger@example.org" not in text(response) and "Paulette" not in text(response)
    rows = export(member_client, club, "receptions")
    assert rows[0] == [
        "Collecte",
        "Créneau",
        "Lieu",
        "Objet",
        "Quantité",
        "Sport",
        "Catégorie",
        "Taille",
        "État",
        "Statut",
        "Promis le",
        "Décidé le",
    ]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Collecte"], row["Objet"], row["Quantité"], row["Statut"]) == (
        "Collecte d’automne",
        "Pointes d’athlétisme",
        "2",
        "reçu",
    )
    assert row["Lieu"].startswith("Stade de l’inventaire")


def test_the_handouts_export_keeps_no_recipient(club, volunteer, member_client):
    item = stock_item(club, title=HOSTILE_TITLE)
    committed(
        handouts.record_handout(
            volunteer,
            club,
            item,
            handouts.HandoutData("Anaïs", "6-10", commune_insee="62119", pass_sport=True),
        )
    )
    response = member_client.get(f"/organisations/{club.slug}/inventaire/export/remises.csv")
    assert "Anaïs" not in response.get_data(as_text=True)
    rows = export(member_client, club, "remises")
    assert rows[0] == [
        "Date",
        "N° d’objet",
        "Objet",
        "Sport",
        "Catégorie",
        "Tranche d’âge",
        "Commune",
        "Code INSEE",
        "Pass’Sport",
    ]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Objet"], row["Tranche d’âge"], row["Commune"], row["Pass’Sport"]) == (
        "'" + HOSTILE_TITLE,
        "6-10",
        "Béthune",
        "oui",
    )


def test_an_empty_inventory_exports_its_headers_only(club, member_client):
    for what in ("inventaire", "receptions", "remises"):
        assert len(export(member_client, club, what)) == 1


def test_exports_are_for_members_only(app, club, client):
    stock_item(club)
    url = f"/organisations/{club.slug}/inventaire/export/inventaire.csv"
    assert app.test_client().get(url).status_code == 302  # to sign in
    assert sign_in(app.test_client(), make_user()).get(url).status_code == 403
    member = add_member(club)
    member_client = sign_in(client, member)
    assert (
        member_client.get(f"/organisations/{club.slug}/inventaire/export/autre.csv").status_code
        == 404
    )
    assert (
        member_client.get("/organisations/inconnue/inventaire/export/inventaire.csv").status_code
        == 404
    )


def test_csv_document_quotes_what_needs_it(app):
    body = csv_document(["A", "B"], [["x;y", 'il a dit "oui"'], [None, True], ["\tTAB", "@x"]])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["A", "B"], ["x;y", 'il a dit "oui"'], ["", "oui"], ["'\tTAB", "'@x"]]
