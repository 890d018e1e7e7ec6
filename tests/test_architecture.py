"""The rules of STYLE.md that import-linter cannot express, checked on the source.

The dependency direction of the packages is import-linter's (contracts in ``pyproject.toml``, run
by ``make test``); this module checks what a module may call, and that no import cycle exists.
"""

import ast
import sys
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sportressources"
STATEFUL_FREE = {"models", "queries", "policies", "forms"}
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
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


def import_cycles(graph) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("sportressources", cache_dir=None)
    assert import_cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(module)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a.b")
    graph.add_import(importer="a.d", imported="a.b")
    assert import_cycles(graph) == [["a.b", "a.c"]]


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


def test_services_and_views_ask_policies_not_roles():
    problems = []
    for path, _, stem, tree in modules():
        if stem not in {"services", "views", "api"}:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "has_role":
                problems.append(f"{path}:{node.lineno}: has_role() in {stem}; ask a policy")
    assert not problems, "\n".join(problems)


def test_routes_are_declared_in_view_modules_only():
    problems = []
    for path, _, stem, tree in modules():
        if stem == "views" or stem.startswith("views_") or stem.endswith("_views"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    call = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
                        problems.append(f"{path}:{node.lineno}: route {node.name} outside views")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "domain, source, check, expected",
    [
        (
            "loans",
            "@bp.post('/x')\ndef x():\n    return ''",
            test_routes_are_declared_in_view_modules_only,
            "route x outside views",
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
        (
            "listings",
            "def f(actor):\n    return security.has_role(actor, 'moderator')",
            test_services_and_views_ask_policies_not_roles,
            "has_role\\(\\) in services; ask a policy",
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


def route_paths(tree):
    """The paths of the routes a module declares (``@bp.route("/x")``, ``@bp.post("/x")``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr in ROUTE_DECORATORS
                    and decorator.args
                    and isinstance(decorator.args[0], ast.Constant)
                ):
                    yield node.lineno, decorator.args[0].value


def test_moderation_pages_belong_to_the_moderation_package():
    """The moderation package owns what moderators do: no other package (listings kept the
    review queue until issue 11) declares a page under /moderation."""
    problems = [
        f"{path}:{lineno}: route {route} outside the moderation package"
        for path, domain, _, tree in modules()
        if domain != "moderation"
        for lineno, route in route_paths(tree)
        if route == "/moderation" or route.startswith("/moderation/")
    ]
    moderation_routes = [
        route
        for _, domain, _, tree in modules()
        if domain == "moderation"
        for _, route in route_paths(tree)
    ]
    assert not problems, "\n".join(problems)
    assert "/moderation/file" in moderation_routes


def test_the_moderation_check_catches_a_listing_route(tmp_path, monkeypatch):
    fake = tmp_path / "sportressources"
    (fake / "listings").mkdir(parents=True)
    (fake / "listings" / "views.py").write_text(
        "@bp.route('/moderation/annonces')\ndef review_queue():\n    return ''\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    with pytest.raises(AssertionError, match="route /moderation/annonces outside the moderation"):
        test_moderation_pages_belong_to_the_moderation_package()
