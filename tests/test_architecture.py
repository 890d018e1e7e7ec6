"""The layering rules of STYLE.md, checked on the source: a violation fails CI, not review."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sportressources"
# A domain may import the domains of a lower rank; moderation reads all and is reached by signals.
RANKS = {
    "core": 0,
    "territory": 1,
    "accounts": 2,
    "notifications": 3,
    "associations": 3,
    "listings": 4,
    "loans": 5,
}
READS_ALL = {"moderation"}
ADAPTERS = {"app", "api", "pages", "dev", "extensions", "config", "__init__", "demo"}
STATEFUL_FREE = {"models", "queries", "policies", "forms"}
WEB_ONLY_NAMES = {"request", "session", "flash", "current_user", "render_template", "redirect"}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        tree = ast.parse(path.read_text())
        yield path, relative.parts[0].removesuffix(".py"), relative.stem, tree


def runtime_nodes(tree):
    """Every node except those under ``if TYPE_CHECKING:``, which only serve type checkers."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_modules(tree):
    for node in runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def sportressources_imports(tree):
    for module, names in imported_modules(tree):
        parts = module.split(".")
        if parts[0] == "sportressources" and len(parts) > 1:
            yield parts[1], (parts[2] if len(parts) > 2 else None), names


def test_domains_only_import_lower_domains():
    problems = []
    for path, domain, _, tree in modules():
        if domain in ADAPTERS or domain in READS_ALL:
            continue
        for target, _, _ in sportressources_imports(tree):
            if target in ADAPTERS and target != "extensions" and target != "config":
                problems.append(f"{path}: imports the adapter sportressources.{target}")
            elif target in READS_ALL:
                problems.append(f"{path}: imports {target}; reach it through signals")
            elif target in RANKS and target != domain and RANKS[target] >= RANKS.get(domain, 99):
                problems.append(f"{path}: {domain} may not import {target}")
    assert not problems, "\n".join(problems)


def test_domains_never_import_another_domains_views_forms_or_api():
    problems = []
    for path, domain, _, tree in modules():
        if domain in ADAPTERS:
            continue
        for target, submodule, _ in sportressources_imports(tree):
            if target not in {domain, "core"} and submodule in {"views", "forms", "api"}:
                problems.append(f"{path}: imports sportressources.{target}.{submodule}")
    assert not problems, "\n".join(problems)


def test_services_and_models_stay_out_of_the_web_layer():
    problems = []
    for path, _, stem, tree in modules():
        if stem not in {"services", "models", "queries", "policies"}:
            continue
        for module, names in imported_modules(tree):
            if module == "flask" and WEB_ONLY_NAMES & set(names):
                problems.append(f"{path}: imports {sorted(WEB_ONLY_NAMES & set(names))} from flask")
            if module == "flask_login" and "current_user" in names:
                problems.append(f"{path}: uses current_user; take the actor as a parameter")
        if stem == "models":
            for module, _ in imported_modules(tree):
                if module.split(".")[0] == "flask":
                    problems.append(f"{path}: models import {module}")
    assert not problems, "\n".join(problems)


def test_only_the_outermost_layer_commits():
    problems = []
    for path, _, stem, tree in modules():
        if stem not in {"services", *STATEFUL_FREE}:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
            ):
                problems.append(f"{path}:{node.lineno}: commit() in {stem}")
    assert not problems, "\n".join(problems)


def test_no_legacy_model_query_api():
    problems = []
    for path, _, _, tree in modules():
        for node in ast.walk(tree):
            # Model.query.filter(...), Model.query.get(...): the legacy API. A column that
            # happens to be named « query » (SavedSearch.query == x) is fine.
            inner = node.value if isinstance(node, ast.Attribute) else None
            if (
                isinstance(inner, ast.Attribute)
                and inner.attr == "query"
                and isinstance(inner.value, ast.Name)
                and inner.value.id[:1].isupper()
            ):
                problems.append(f"{path}:{node.lineno}: {inner.value.id}.query.{node.attr}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "domain, source, check, expected",
    [
        (
            "accounts",
            "from sportressources.loans.models import Loan",
            test_domains_only_import_lower_domains,
            "accounts may not import loans",
        ),
        (
            "loans",
            "from sportressources.listings.views import bp",
            test_domains_never_import_another_domains_views_forms_or_api,
            "imports sportressources.listings.views",
        ),
        (
            "loans",
            "from flask import request",
            test_services_and_models_stay_out_of_the_web_layer,
            "imports \\['request'\\] from flask",
        ),
        (
            "loans",
            "def f(db):\n    db.session.commit()",
            test_only_the_outermost_layer_commits,
            "commit\\(\\) in services",
        ),
    ],
)
def test_the_checks_catch_a_violation(tmp_path, monkeypatch, domain, source, check, expected):
    fake = tmp_path / "sportressources"
    (fake / domain).mkdir(parents=True)
    (fake / domain / "services.py").write_text(source + "\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    with pytest.raises(AssertionError, match=expected):
        check()
