"""The converters of core.params, and the edge values that once reached a 500."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from sportressources.core.params import (
    INT_MAX,
    date_param,
    int_param,
    parse_money,
    text_param,
)
from sportressources.trade.loans import terms
from tests.factories import committed, make_listing, make_user
from tests.fixtures.web import sign_in


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (str(INT_MAX), INT_MAX),
        (str(INT_MAX + 1), 7),
        ("9" * 5000, 7),
        ("1e3", 7),
        ("-3", 7),
        ("١٢", 7),
        ("", 7),
        ("1\x00", 7),
    ],
)
def test_int_param_keeps_numbers_within_bounds_only(raw, expected):
    assert int_param(MultiDict({"page": raw}), "page", default=7) == expected


def test_date_param_keeps_dates_within_the_window_only():
    today = date.today()
    args = MultiDict({"a": (today + timedelta(days=3)).isoformat(), "b": "9999-12-31", "c": "x"})
    assert date_param(args, "a") == today + timedelta(days=3)
    assert date_param(args, "b") is None
    assert date_param(args, "c") is None


@pytest.mark.parametrize("raw", ["NaN", "sNaN", "Infinity", "-Infinity", "1e999999", "-5", "1,234"])
def test_money_is_a_bounded_finite_amount(raw):
    assert parse_money(raw) is None
    assert parse_money("12,50 €") == Decimal("12.50")


def test_text_param_drops_control_characters_and_long_values():
    args = MultiDict({"a": " vélo ", "b": "a\x00b", "c": "x" * 101})
    assert [text_param(args, name, max_length=100) for name in "abc"] == ["vélo", "", ""]


def test_a_cursor_beyond_the_integer_columns_shows_the_first_page(client):
    response = client.get("/annonces", query_string={"after": "9" * 40})
    assert response.status_code == 200
    assert "Ce lien de page n’est plus valable" in response.get_data(as_text=True)


@pytest.mark.parametrize("deposit", ["NaN", "Infinity", "1e999999"])
def test_a_non_finite_deposit_is_a_french_message(app, client, deposit):
    owner = make_user()
    bike = make_listing(owner=owner, kind="loan", category="velos", size='20"')
    committed(terms.set_terms(owner, bike, 1, 7, None))
    sign_in(client, owner)
    response = client.post(
        f"/prets/annonces/{bike.id}/conditions",
        data={"min_days": "2", "max_days": "7", "deposit": deposit},
    )
    assert response.status_code == 422
    assert "Indiquez un nombre" in response.get_data(as_text=True)


def test_a_far_first_day_in_a_loan_link_is_ignored(app, client):
    owner = make_user()
    bike = make_listing(owner=owner, kind="loan", category="velos", size='20"')
    committed(terms.set_terms(owner, bike, 3, 7, None))
    response = client.get(f"/prets/annonces/{bike.id}", query_string={"debut": "9999-12-31"})
    assert response.status_code == 200


def test_a_nul_character_in_a_path_is_not_found(client):
    assert client.get("/lieux/gymnase%00").status_code == 404
    assert client.get("/annonces", query_string={"q": "a\x00b"}).status_code == 200
