"""The one request boundary (core.web.act): views never commit nor catch domain errors
themselves, and each kind of refusal gets the same answer in every blueprint."""

from __future__ import annotations

import ast
import html
import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from sportressources.alerts.services import save_search
from sportressources.core.db import db
from sportressources.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from sportressources.core.web import OUTCOMES, problem_response
from sportressources.listings.models import Listing
from sportressources.listings.search import SearchParams
from sportressources.trade.exchanges.services import request_item, withdraw_request
from sportressources.trade.loans import services as loans
from sportressources.trade.loans import terms
from sportressources.trade.loans.availability import paris_today
from sportressources.trade.loans.models import Loan
from tests.factories import PASSWORD, make_listing, make_user
from tests.fixtures.web import sign_in

PACKAGE = Path(__file__).resolve().parents[2] / "sportressources"
# Reading an uploaded file into a field message is form validation, before any service runs.
UPLOAD_READERS = {
    ("listings/views.py", "_collect_photos"),
    ("trade/loans/views.py", "_stored_photo"),
}


def view_modules():
    return sorted(PACKAGE.rglob("views.py"))


def domain_error_names() -> set[str]:
    import sportressources.app  # noqa: F401 - every package, so every DomainError subclass

    names, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def caught_names(handler: ast.ExceptHandler) -> set[str]:
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = set()
    for node in nodes:
        for part in ast.walk(node):
            if isinstance(part, ast.Name):
                names.add(part.id)
            elif isinstance(part, ast.Attribute):
                names.add(part.attr)
    return names


def boundary_offences(path: Path, errors: set[str]) -> list[str]:
    relative = path.relative_to(PACKAGE).as_posix()
    found = []

    def visit(node, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef) else function
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "commit"
            ):
                found.append(f"{relative}:{child.lineno} {function}: commits itself")
            if isinstance(child, ast.ExceptHandler) and child.type is not None:
                caught = caught_names(child) & errors
                if caught and (relative, function) not in UPLOAD_READERS:
                    found.append(f"{relative}:{child.lineno} {function}: catches {sorted(caught)}")
            visit(child, name)

    visit(ast.parse(path.read_text()), "<module>")
    return found


def test_views_leave_commits_and_domain_errors_to_the_boundary():
    errors = domain_error_names()
    modules = view_modules()
    assert len(modules) >= 10
    offences = [line for path in modules for line in boundary_offences(path, errors)]
    assert not offences, "\n".join(offences)


def test_the_check_catches_a_view_of_its_own(tmp_path, monkeypatch):
    fake = tmp_path / "sportressources"
    (fake / "things").mkdir(parents=True)
    (fake / "things" / "views.py").write_text(
        "def save():\n"
        "    try:\n"
        "        services.save()\n"
        "        db.session.commit()\n"
        "    except (errors.Conflict, KeyError):\n"
        "        pass\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    [path] = view_modules()
    assert boundary_offences(path, domain_error_names()) == [
        "things/views.py:4 save: commits itself",
        "things/views.py:5 save: catches ['Conflict']",
    ]


# --- the same answer in every blueprint ----------------------------------------------------------


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def error_page(response) -> tuple[str, str]:
    """(title, message) of the error page."""
    match = re.search(r'<h1>(.*?)</h1>\s*<p class="lead">(.*?)</p>', text(response), re.S)
    assert match, text(response)[:3000]
    return match[1].strip(), match[2].strip()


def field_error(response, field_id: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', text(response), re.S
    )
    assert match, f"no error on {field_id}"
    return re.sub(r"<[^>]+>", "", match[1]).strip()


def error_summary(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', text(response), re.S)
    assert match, "no error summary"
    return match[0]


def flashed_errors(client, location: str) -> list[str]:
    page = text(client.get(location))
    return re.findall(r'<div class="flash flash--error"[^>]*>\s*<p>(.*?)</p>', page, re.S)


@pytest.fixture
def people(app):
    owner = make_user(email="owner@example.org", display_name="Olivier")
    member = make_user(email="member@example.org", display_name="Inès")
    return owner, member


def client_for(app, user):
    return sign_in(app.test_client(), user)


def loan_listing(owner) -> Listing:
    listing = make_listing(owner=owner, kind="loan", title="Vélo", category="velos", size='20"')
    terms.set_terms(owner, listing, 1, 7, None)
    db.session.commit()
    return listing


def requested_loan(borrower, listing, start=1, end=2) -> Loan:
    today = paris_today()
    loan = loans.request_loan(
        borrower, listing, today + timedelta(days=start), today + timedelta(days=end)
    )
    db.session.commit()
    return loan


def test_forbidden_is_the_same_403_page_in_every_blueprint(app, people):
    owner, member = people
    listing = make_listing(owner=owner)
    loan = requested_loan(member, loan_listing(owner))

    answers = {
        "listings": client_for(app, member).post(f"/annonces/{listing.id}/retirer"),
        "loans": client_for(app, member).post(f"/prets/{loan.id}/accepter"),
    }

    for blueprint, response in answers.items():
        assert response.status_code == 403, blueprint
        title, message = error_page(response)
        assert title == "Accès refusé", blueprint
        assert message and message != "Vous n’avez pas le droit d’accéder à cette page.", blueprint
    db.session.rollback()
    assert db.session.get(Listing, listing.id).status == "published"
    assert db.session.get(Loan, loan.id).status == "requested"


def test_not_found_is_the_same_404_page_in_every_blueprint(app, people):
    owner, member = people
    draft = make_listing(owner=owner, status="draft")
    their_alert = save_search(owner, SearchParams(q="vélo"))
    db.session.commit()
    browser = client_for(app, member)

    answers = {
        "listings": browser.post("/annonces/987654/retirer"),
        "loans": browser.post("/prets/annonces/987654/demander"),
        "alerts": browser.post(f"/alertes/{their_alert.id}/supprimer"),
        "messages": browser.post(f"/annonces/{draft.id}/contacter"),
    }

    for blueprint, response in answers.items():
        assert response.status_code == 404, blueprint
        assert error_page(response)[0] == "Page introuvable", blueprint
    assert error_page(answers["alerts"])[1] == "Cette alerte n’existe pas ou a déjà été supprimée."


def test_a_conflict_on_a_form_shows_the_form_again_with_409(app, people):
    owner, member = people
    given = make_listing(owner=owner, status="given")
    bike = loan_listing(owner)
    taken = requested_loan(make_user(), bike, 2, 4)
    loans.accept_loan(owner, taken)
    db.session.commit()
    browser = client_for(app, member)
    today = paris_today()

    answers = {
        "exchanges": browser.post(f"/annonces/{given.id}/demander", data={"message": "Bonjour"}),
        "loans": browser.post(
            f"/prets/annonces/{bike.id}/demander",
            data={
                "loan-start_date": (today + timedelta(days=3)).isoformat(),
                "loan-end_date": (today + timedelta(days=5)).isoformat(),
                "loan-message": "Bonjour",
            },
        ),
    }

    for blueprint, response in answers.items():
        assert response.status_code == 409, blueprint
        assert "Bonjour" in text(response), blueprint  # what was typed is kept
    assert "Cette annonce n’est plus disponible." in error_summary(answers["exchanges"])
    assert "Ces dates ne sont plus libres" in error_summary(answers["loans"])


def test_a_conflict_without_a_form_is_flashed_on_the_page_it_came_from(app, people):
    owner, member = people
    gift = make_listing(owner=owner)
    exchange = request_item(member, gift, "")
    withdraw_request(member, exchange)
    loan = requested_loan(member, loan_listing(owner))
    loans.accept_loan(owner, loan)
    db.session.commit()
    browser = client_for(app, owner)

    for blueprint, action, back in (
        ("exchanges", f"/demandes/{exchange.id}/choisir", f"/annonces/{gift.id}/demandes"),
        ("loans", f"/prets/{loan.id}/accepter", f"/prets/{loan.id}"),
    ):
        response = browser.post(action)
        assert response.status_code == 303, blueprint
        assert response.headers["Location"] == back, blueprint
        assert len(flashed_errors(browser, back)) == 1, blueprint


def test_refused_values_go_on_their_fields_with_422(app, people):
    owner, _member = people
    bike = loan_listing(owner)
    browser = client_for(app, owner)

    answers = {
        "accounts": browser.post(
            "/compte/mot-de-passe",
            data={
                "current_password": "pas le bon mot de passe",
                "new_password": "un ballon tout neuf pour le club",
                "new_password_confirm": "un ballon tout neuf pour le club",
            },
        ),
        "loans": browser.post(
            f"/prets/annonces/{bike.id}/conditions", data={"min_days": "5", "max_days": "2"}
        ),
    }

    for blueprint, response in answers.items():
        assert response.status_code == 422, blueprint
    assert field_error(answers["accounts"], "current_password") == (
        "Le mot de passe actuel est incorrect."
    )
    assert field_error(answers["loans"], "max_days") == (
        "La durée maximale ne peut pas être plus courte que la minimale."
    )
    assert terms.terms_of(bike).max_days == 7
    sign_in(app.test_client(), owner, PASSWORD)  # the password is still the old one


def test_a_refusal_that_names_no_field_shows_at_the_top_of_the_form(app):
    """A ValidationFailed without fields is not lost: the page shows its message above the form
    (it used to vanish, leaving a 200 page with no word of what went wrong)."""
    from flask_wtf import FlaskForm

    from sportressources.core.web import act, form_status

    def refuse():
        raise ValidationFailed(message="Vous avez déjà trop de jetons.")

    with app.test_request_context("/", method="POST"):
        form = FlaskForm(meta={"csrf": False})
        result = act(refuse, form=form)
        assert not result
        assert form.form_errors == ["Vous avez déjà trop de jetons."]
        assert form_status(form) == 422


# --- the table, and problem JSON for the API -----------------------------------------------------


def test_the_table_gives_each_error_family_its_status():
    statuses = {cls: rule.status for cls, rule in OUTCOMES}
    assert statuses[NotFound] == 404
    assert statuses[Forbidden] == 403
    assert statuses[ValidationFailed] == 422
    assert statuses[Conflict] == 409
    assert OUTCOMES[-1][0] is DomainError, "the catch-all comes last"


class Unauthorised(DomainError):
    code = "unauthorised"
    status = 401


@pytest.mark.parametrize(
    ("error", "status", "code", "errors"),
    [
        (NotFound("Cette annonce n’existe pas."), 404, "not_found", {}),
        (Forbidden(), 403, "forbidden", {}),
        (Conflict(code="dates_taken"), 409, "dates_taken", {}),
        (
            ValidationFailed({"title": "Trop long.", "size": ["Taille inconnue.", "Autre."]}),
            422,
            "validation_failed",
            {"title": ["Trop long."], "size": ["Taille inconnue.", "Autre."]},
        ),
        (Unauthorised("Connectez-vous."), 401, "unauthorised", {}),
    ],
)
def test_problem_response_is_problem_json(app, error, status, code, errors):
    with app.test_request_context("/api/v1/annonces"):
        response = problem_response(error)

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) == {"type", "title", "status", "detail", "code", "errors"}
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"] == str(error.message)
    assert body["code"] == code
    assert body["errors"] == errors


def test_a_domain_error_reaching_the_app_answers_an_api_client_with_problem_json(app, people):
    _owner, member = people
    browser = client_for(app, member)

    response = browser.post("/annonces/987654/retirer", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "not_found"
    assert response.get_json()["title"] == "Page introuvable"
