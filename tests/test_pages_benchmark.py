"""The page benchmark (benchmarks/pages.py, run by hand, never here) reads its options, and the
pages it requests are still there: the search mix, the empty search, a listing, the sign-in
form its member fills in and the signed-in pages, so that a route or template change does not
silently turn the benchmark into a stream of redirects and 404s."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.factories import make_listing
from tests.fixtures.web import text

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def load_module(monkeypatch):
    """A benchmarks/ module, with benchmarks/ on sys.path as when it runs as a script."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))

    def load(name: str):
        spec = importlib.util.spec_from_file_location(
            f"benchmarks_{name}", BENCHMARKS / f"{name}.py"
        )
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module

    return load


def test_the_page_benchmark_measures_every_dataset_bounded_by_default(load_module):
    pages = load_module("pages")

    args = pages.parse_args([])

    assert args.size_list == ["100k", "1m"]
    assert args.backend_list == ["sqlite", "postgresql"]
    assert (args.duration, args.concurrency, args.cache_url) == (5.0, 4, "")
    assert pages.slices_of(args) == 10
    quick = pages.parse_args(["--sizes", "100k", "--backends", "sqlite", "--duration", "3"])
    assert (quick.size_list, quick.backend_list, quick.duration) == (["100k"], ["sqlite"], 3.0)
    redis = pages.parse_args(["--cache-url", "redis://127.0.0.1:6379/11", "--requests", "500"])
    assert (redis.cache_url, redis.requests) == ("redis://127.0.0.1:6379/11", 500)


@pytest.mark.parametrize(
    "wrong",
    [
        ["--sizes", "10k"],
        ["--backends", "mysql"],
        ["--concurrency", "0"],
        ["--duration", "-1"],
        ["--cache-url", "memcached://127.0.0.1"],
    ],
)
def test_the_page_benchmark_refuses_options_that_make_no_sense(load_module, wrong, capsys):
    pages = load_module("pages")

    with pytest.raises(SystemExit):
        pages.parse_args(wrong)

    assert "error:" in capsys.readouterr().err


def test_every_page_the_benchmark_requests_answers(app, client, load_module):
    data = load_module("pages_data")
    forms = load_module("load_forms")
    listing = make_listing(title="Chaussures de football à crampons")

    mix = data.walk_mix(data.SEARCHES)
    empty = data.url(data.EMPTY_QUERY)
    data.check_empty(empty)  # raises SystemExit when the « empty » search finds a listing
    email, password = data.member_account()

    assert len(mix) == len(data.SEARCHES) == 15
    for path in ["/healthz", "/", f"/annonces/{listing.id}", *[url for _, url in mix]]:
        assert client.get(path).status_code == 200, path
    assert "Chaussures de football" in text(client.get(data.url({})))
    empty_page = client.get(empty)
    assert empty_page.status_code == 200
    assert "Chaussures de football" not in text(empty_page)
    # A conditional request is answered (304 once pages carry validators, 200 before)
    assert client.get("/", headers={"If-None-Match": '"x"'}).status_code in (200, 304)

    sign_in_form = forms.find_form(text(client.get("/compte/connexion")), "/compte/connexion")
    assert {"email", "password"} <= set(sign_in_form["fields"])
    fields = {**sign_in_form["fields"], "email": email, "password": password}
    assert client.post(sign_in_form["action"], data=fields).status_code in (302, 303)
    assert client.get("/mon-espace").status_code == 200
    assert client.get(mix[1][1]).status_code == 200
