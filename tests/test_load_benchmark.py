"""The load test (benchmarks/load.py, run by `make load-test`, never here) reads its options, and
still finds on the real pages the forms its simulated members fill in, so that a template change
does not silently turn the load test into a stream of failed requests."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.factories import make_user
from tests.fixtures.web import sign_in, text
from tests.trade.loans.conftest import make_loan_listing

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_module(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_load_test_runs_two_bounded_phases_by_default():
    load = load_module("load")

    args = load.parse_args([])

    assert (args.duration, args.users, args.workers) == (60, 40, 2)
    assert args.database == "sr62_load" and not args.keep and not args.no_rate_limits
    assert load.parse_args(["--duration", "5", "--keep"]).duration == 5


@pytest.mark.parametrize(
    "wrong", [["--duration", "0"], ["--users", "-1"], ["--database", "x; DROP"]]
)
def test_the_load_test_refuses_options_that_make_no_sense(wrong, capsys):
    load = load_module("load")

    with pytest.raises(SystemExit):
        load.parse_args(wrong)

    assert "error:" in capsys.readouterr().err


def test_a_simulated_member_finds_the_sign_in_and_loan_request_forms(client):
    forms = load_module("load_forms")
    owner, borrower = make_user(), make_user()
    listing = make_loan_listing(owner)

    sign_in_form = forms.find_form(text(client.get("/compte/connexion")), "/compte/connexion")
    sign_in(client, borrower)
    page = text(client.get(f"/prets/annonces/{listing.id}"))
    request_form = forms.find_form(page, "/demander")

    assert {"email", "password"} <= set(sign_in_form["fields"])
    assert request_form["action"] == f"/prets/annonces/{listing.id}/demander"
    assert {"loan-start_date", "loan-end_date", "loan-message"} <= set(request_form["fields"])
    start = date.today() + timedelta(days=30)
    fields = {
        **request_form["fields"],
        "loan-start_date": start.isoformat(),
        "loan-end_date": (start + timedelta(days=1)).isoformat(),
    }
    assert client.post(request_form["action"], data=fields).status_code == 303
