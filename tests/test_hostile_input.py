"""Hostile values for every parameter of every route: never a 5xx.

For each rule of the URL map (one test per route and backend, so that a failure names it),
Hypothesis builds requests whose path segments, query-string keys and form fields (every field of
every form, so that whichever form the view reads gets all of its fields) hold values at the edge
of their type: 64-bit overflows, NaN and infinities, far dates, control characters, very long
text, besides ordinary ones that let a request reach the service. A visitor, a resident (who owns
a loan listing with a loan request on it) and a moderator send them. CSRF is off: a tokenless POST
is refused before any parsing, and each blueprint's CSRF check has its own test.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sportressources.listings.search.params import SearchParams
from sportressources.trade.loans import services as loans
from sportressources.trade.loans import terms
from tests.factories import committed, make_listing, make_user
from tests.fixtures.database import base_overrides
from tests.fixtures.web import sign_in

ROOT = Path(__file__).resolve().parents[1]

# Every query-string key a view reads (a test below checks the views read no other)
QUERY_KEYS = sorted(
    {
        *SearchParams().to_args(with_cursor=True),
        *SearchParams.__dataclass_fields__,
        "radius",
        "max_price",
        "after",
        "before",
        "page",
        "next",
        "debut",
        "near",
        # moderation: the transparency year, the team search, the audit log's filters
        "annee",
        "email",
        "action",
        "acteur",
        "cible",
        "numero",
        "du",
        "au",
        # moderation: the queue's filters by kind and by flag, the members' search
        "type",
        "alerte",
        "q",
        # drives: the inventory's status filter
        "statut",
        # events: the past events' tab, their filters; the event a new drive is for
        "periode",
        "zone",
        "evenement",
        # api: the operation the documentation's « Essayer » form tries
        "operation",
    }
)
FORM_PREFIXES = ("loan", "waitlist")
# Routes that only serve files or development tools
SKIPPED = {"static", "leaflet.static", "dev.outbox", "dev.outbox_message"}

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "12",
    "12,50",
    "7.5",
    "NaN",
    "nan",
    "sNaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999999",
    "-1e999999",
    "1E+999999999",
    "0e-999999",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 40,
    "9" * 5000,
    "2027-03-27",
    "27/03/2027",
    "9999-12-31",
    "0001-01-01",
    "31/12/9999",
    "2027-02-30",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "\u202e\u200b",
    "𝕏" * 10,
    "é" * 1000,
    "x" * 5000,
    "on",
    "oui",
    "good",
    "loan",
    "velos",
    "62498",
    "newest",
    "cheapest",
    "nearest",
    "commune:62498",
    "1_1",
    "1e5_1",
    "/",
    "//evil",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]


def hostile_text():
    return st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


def ordinary(name: str) -> str:
    """A value a form or a query string would ordinarily hold under ``name``."""
    bare = name.split("-", 1)[-1]
    if "date" in bare or bare in {"new_end", "debut"}:
        return (date.today() + timedelta(days=5)).isoformat()
    if bare.endswith("_days"):
        return "3"
    return {
        "deposit": "20",
        "deposit_kept": "5",
        "price": "10",
        "new_price": "30",
        "email": "someone@example.org",
        "commune": "62498",
        "home_commune": "62498",
        "kind": "loan",
        "category": "velos",
        "sport": "velo",
        "condition": "good",
        "score": "4",
        "after": "12",
        "page": "2",
    }.get(bare, "Un texte ordinaire")


def hostile_int():
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["1", "2", "3", str(2**31 - 1), str(2**31), str(2**63), "0"]),
    )


def form_field_names() -> list[str]:
    """Every field name of every form of the site, bare and with the prefixes views use."""
    names: set[str] = set()
    for path in (ROOT / "sportressources").rglob("forms.py"):
        module = import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, FlaskForm):
                names.update(
                    name
                    for name in dir(value)
                    if not name.startswith("_") and hasattr(getattr(value, name), "field_class")
                )
    names.discard("csrf_token")
    return sorted(names | {f"{prefix}-{name}" for prefix in FORM_PREFIXES for name in names})


def route_rules():
    from sportressources import create_app

    app = create_app(base_overrides("sqlite://", ROOT / "instance" / "unused"))
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


RULES = route_rules()
FIELDS = form_field_names()


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


@pytest.fixture
def world(app):
    """A resident lending a bike with a request on it from the moderator, and a sale."""
    resident = make_user(email="resident@example.org")
    moderator = make_user(email="moderator@example.org", role="moderator")
    bike = make_listing(owner=resident, kind="loan", category="velos", size='20"')
    committed(terms.set_terms(resident, bike, 1, 7, 5000))
    start = date.today() + timedelta(days=3)
    committed(loans.request_loan(moderator, bike, start, start + timedelta(days=2)))
    make_listing(owner=resident, kind="sale", price_cents=1500)
    return resident, moderator


def path_values(rule) -> st.SearchStrategy[dict[str, str]]:
    values = {}
    for name, converter in rule._converters.items():
        is_int = type(converter).__name__ in {"BoundedIntConverter", "IntegerConverter"}
        values[name] = hostile_int() if is_int else hostile_text().filter(_printable_path)
    return st.fixed_dictionaries(values)


def _printable_path(value: str) -> bool:
    # The path is a URL: a test client cannot send some values at all (``?``, ``#``, empty).
    return bool(value) and not re.search(r"[?#%]", value) and value not in {".", ".."}


def build_path(rule, values: dict[str, str]) -> str:
    from urllib.parse import quote

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: quote(values[m.group(1)], safe=""), rule.rule)


def blueprints() -> list[str]:
    return sorted({rule.endpoint.rsplit(".", 1)[0] for rule in RULES})


# One test per blueprint (a database per test is what costs, above all on PostgreSQL); each of
# its routes gets its own examples, and a failure names the route.
@pytest.mark.parametrize("blueprint", blueprints())
def test_hostile_values_never_answer_a_server_error(app, world, blueprint):
    resident, moderator = world
    clients = {"visitor": app.test_client()}
    for rule in RULES:
        if rule.endpoint.rsplit(".", 1)[0] == blueprint:
            probe_route(app, rule, clients, resident, moderator)


def probe_route(app, rule, clients, resident, moderator) -> None:
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        who=st.sampled_from(["visitor", "resident", "moderator"]),
        method=st.sampled_from(methods),
        path=path_values(rule),
        value=hostile_text(),
        query_mask=st.fixed_dictionaries({key: st.booleans() for key in QUERY_KEYS}),
        form_mask=st.fixed_dictionaries({name: st.booleans() for name in FIELDS}),
    )
    def probe(who, method, path, value, query_mask, form_mask):
        # Each example puts one hostile value in about half the parameters, and ordinary values
        # in the others, so that a form can pass its other checks and reach its service.
        if who not in clients:
            user = resident if who == "resident" else moderator
            clients[who] = sign_in(app.test_client(), user)
        url = build_path(rule, path)
        query = {key: value if hit else ordinary(key) for key, hit in query_mask.items()}
        form = {name: value if hit else ordinary(name) for name, hit in form_mask.items()}
        data = form if method != "GET" else None
        response = clients[who].open(url, method=method, query_string=query, data=data)
        assert response.status_code < 500, (
            f"{rule.endpoint}: {method} {url} {query} {form} as {who} answered "
            f"{response.status_code}"
        )

    probe()


def test_views_read_only_the_query_keys_the_fuzz_test_sends():
    read = set()
    for path in (ROOT / "sportressources").rglob("*.py"):
        text = path.read_text()
        read |= set(re.findall(r"request\.args(?:\.get\(|, )\"(\w+)\"", text))
        assert "request.args.get(" not in text or path.name == "params.py", (
            f"{path} reads request.args directly: use core.params"
        )
    assert read <= set(QUERY_KEYS)
