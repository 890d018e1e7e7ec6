"""Identifiers are checked with python-stdnum (SIRET) and the RNA format, with French messages
that say what is wrong."""

import pytest
from stdnum.fr import siret

from sportressources.core.errors import ValidationFailed
from sportressources.organisations.identifiers import normalise_rna, normalise_siret

# Public SIRETs (Emmaüs France, Artois Comm.): their Luhn checksum holds
VALID_SIRETS = ["73282932000074", "35600000000048"]


def message(error) -> str:
    return str(next(iter(error.value.fields.values()))[0])


@pytest.mark.parametrize("number", VALID_SIRETS)
def test_a_valid_siret_is_kept_as_14_digits(app, number):
    assert siret.is_valid(number)  # python-stdnum agrees: the test data is right
    assert normalise_siret(number) == number


def test_a_siret_may_be_typed_with_spaces_and_dots(app):
    assert normalise_siret(" 732 829 320 00074 ") == "73282932000074"
    assert normalise_siret("732.829.320.00074") == "73282932000074"


def test_an_empty_siret_is_none(app):
    assert normalise_siret("") is None
    assert normalise_siret("   ") is None
    assert normalise_siret(None) is None


def test_a_siret_with_a_bad_checksum_is_refused(app):
    with pytest.raises(ValidationFailed) as error:
        normalise_siret("73282932000075")
    assert "clé de contrôle" in message(error)
    assert error.value.fields.keys() == {"siret"}


@pytest.mark.parametrize("number", ["7328293200007", "732829320000740", "1234"])
def test_a_siret_of_the_wrong_length_is_refused(app, number):
    with pytest.raises(ValidationFailed) as error:
        normalise_siret(number)
    assert "au lieu de 14 chiffres" in message(error)


def test_a_siret_with_letters_is_refused(app):
    with pytest.raises(ValidationFailed) as error:
        normalise_siret("7328293200007A")
    assert "que des chiffres" in message(error)


def test_a_very_long_siret_is_refused_without_echoing_it(app):
    with pytest.raises(ValidationFailed) as error:
        normalise_siret("1" * 5000)
    assert "14 chiffres" in message(error)


def test_the_error_names_the_field_asked_for(app):
    with pytest.raises(ValidationFailed) as error:
        normalise_siret("1", field="other")
    assert error.value.fields.keys() == {"other"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("W623000001", "W623000001"), ("w623000001", "W623000001"), (" W 623 000 001 ", "W623000001")],
)
def test_an_rna_number_is_normalised_to_upper_case(app, typed, stored):
    assert normalise_rna(typed) == stored


@pytest.mark.parametrize(
    "typed", ["623000001", "W62300000", "W6230000012", "X623000001", "W62300000A", "W-62300000<"]
)
def test_a_malformed_rna_number_is_refused_with_the_format(app, typed):
    with pytest.raises(ValidationFailed) as error:
        normalise_rna(typed)
    assert "lettre W suivie de 9 chiffres" in message(error)


def test_an_empty_rna_number_is_none(app):
    assert normalise_rna("") is None
