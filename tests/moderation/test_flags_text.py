"""What the automatic flags find in a listing's text: each scanner with what it must find and
what it must leave alone. Pure functions: no application, no database."""

import pytest

from sportressources.moderation import flag_text


@pytest.mark.parametrize(
    "text, found",
    [
        ("Appelez-moi au 06 12 34 56 78 le soir", "06 12 34 56 78"),
        ("Tél. 06.12.34.56.78", "06.12.34.56.78"),
        ("0612345678", "0612345678"),
        ("06-12-34-56-78", "06-12-34-56-78"),
        ("06 1234 5678", "06 1234 5678"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "+33 (0)6 12 34 56 78"),
        ("0033 6 12 34 56 78", "0033 6 12 34 56 78"),
        ("fixe : 03 21 00 00 00", "03 21 00 00 00"),
        ("taille 38 06 12 34 56 78", "06 12 34 56 78"),
        (
            "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
            "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
        ),
        (
            "mon num : zero six un deux trois quatre cinq six sept huit",
            "zero six un deux trois quatre cinq six sept huit",
        ),
        ("0 6 1 2 3 4 5 6 7 8", "0 6 1 2 3 4 5 6 7 8"),
    ],
)
def test_phone_numbers_are_found_in_their_usual_forms(text, found):
    assert flag_text.phone_numbers(text) == [found]


@pytest.mark.parametrize(
    "text",
    [
        "Acheté le 01/02/2023, porté 3 fois",
        "Référence 1234567890123",
        "Tailles 36 38 40 42 44",
        "Prix neuf 80 €, vendu 12,50 €",
        "06 12 34 56 7",
        "Un vélo neuf, un casque et deux gourdes pour 2 enfants de 6 à 8 ans",
        "Code postal 62300, 12 rue des Sports",
    ],
)
def test_dates_sizes_prices_and_references_are_not_phone_numbers(text):
    assert flag_text.phone_numbers(text) == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("Écrivez à jean.dupont@gmail.com", "jean.dupont@gmail.com"),
        ("JEAN@Orange.fr", "JEAN@Orange.fr"),
        ("jean at gmail point com", "jean at gmail point com"),
        ("jean [at] orange (point) fr", "jean [at] orange (point) fr"),
        ("camille arobase free point fr", "camille arobase free point fr"),
        ("camille(at)laposte.net", "camille(at)laposte.net"),
    ],
)
def test_email_addresses_are_found_plain_or_disguised(text, found):
    assert flag_text.email_addresses(text) == [found]


@pytest.mark.parametrize(
    "text",
    ["Rendez-vous at home", "Un point de retrait au stade", "Casque @ 10 ans", "Modèle point com"],
)
def test_ordinary_words_are_not_email_addresses(text):
    assert flag_text.email_addresses(text) == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("Voir https://example.org/velo?id=3", "https://example.org/velo?id=3"),
        ("Plus de photos : www.monsite.fr", "www.monsite.fr"),
        ("Fiche sur decathlon.fr/p/123", "decathlon.fr/p/123"),
        ("bit.ly/abc", "bit.ly/abc"),
    ],
)
def test_links_and_domain_names_are_found(text, found):
    assert flag_text.links(text) == [found]


@pytest.mark.parametrize(
    "text",
    [
        "Version 2.0, taille 2.5",
        "Bon état.Merci de me contacter ici",
        "jean@gmail.com",  # an email address, reported as one, not as a link too
        "Annonce vue sur https://sportressources62.fr/annonces/12",
    ],
)
def test_text_without_a_link_or_with_the_site_own_has_none(text):
    assert flag_text.links(text, ["sportressources62.fr"]) == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("Aussi en vente sur leboncoin", ["leboncoin"]),
        ("vu sur Le Bon Coin", ["Le Bon Coin"]),
        ("Contactez-moi sur WhatsApp", ["WhatsApp"]),
        ("Dispo sur Vinted et eBay", ["Vinted", "eBay"]),
        ("facebook marketplace", ["facebook", "marketplace"]),
    ],
)
def test_other_marketplaces_and_messaging_apps_are_found(text, found):
    assert flag_text.other_platforms(text) == found


@pytest.mark.parametrize("text", ["Un bon coin de pêche", "ebayer", "Vintage", "Télégramme"])
def test_words_that_only_look_like_a_platform_are_not_found(text):
    assert flag_text.other_platforms(text) == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("Je le laisse pour 10 €", "10 €"),
        ("Contre 15 euros", "15 euros"),
        ("20e et il est à vous", "20e"),
        ("Prix : 5", "Prix : 5"),
        ("Petite participation de 5 svp", "participation de 5"),
        ("€ 8 seulement", "€ 8"),
        ("12,50 € à débattre", "12,50 €"),
    ],
)
def test_prices_are_found(text, found):
    assert flag_text.prices(text) == [found]


@pytest.mark.parametrize(
    "text",
    [
        "Vendu en 2e main, 3e place au tournoi",
        "Don gratuit, 0 €",
        "Acheté 80 € l’an dernier, je le donne",
        "Valeur neuve 120 €",
        "Prix neuf : 80 €",
        "20 balles de tennis",
        "Pour 2 enfants de 6 ans",
        "Prix 2 ans de suite au club",
    ],
)
def test_ordinals_values_new_and_counts_are_not_prices(text):
    assert flag_text.prices(text) == []


def test_forbidden_words_match_whole_words_accents_and_case_aside():
    words = ["contrefacon", "Arme blanche", "arme"]
    text = "Une CONTREFAÇON évidente, vendue avec une arme-blanche"
    found = flag_text.forbidden_words(text, words)
    assert found == ["contrefacon", "Arme blanche"]
    assert flag_text.forbidden_words("Des armes et un armement", words) == []
    assert flag_text.forbidden_words("Rien à signaler", []) == []


def test_a_long_passage_is_cut_for_the_moderator():
    address = "a" * 80 + "@example.org"
    (found,) = flag_text.email_addresses(f"écrire à {address}")
    assert len(found) == flag_text.EXCERPT_MAX and found.endswith("…")


def test_at_most_three_passages_are_reported():
    text = " ".join(f"06 12 34 56 7{digit}" for digit in range(6))
    assert len(flag_text.phone_numbers(text)) == flag_text.MATCHES_MAX
