"""The main pages of every role are valid HTML for the Nu HTML Checker (vnu-jar from npm, run by
Java): no error on any of them. All pages go to one Java run, the JVM being slow to start."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import g

from tests.fixtures.web import sign_in
from tests.site_tour import build_tour

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Two marks where French takes one, as a reader sees the page (« ?. », « .. », « :. »)
DOUBLED_PUNCTUATION = re.compile(r"[,;:!?]\s*\.(?!\.)|(?<![.])\.\s*\.(?![.])|,\s*,")


def java_path() -> str | None:
    return shutil.which("java") or ("/usr/bin/java" if Path("/usr/bin/java").exists() else None)


def _missing(message: str):
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def nu_errors(files: list[Path]) -> list[dict]:
    """The errors the Nu checker finds in ``files`` (one Java run)."""
    java = java_path()
    if java is None:
        _missing("Java is missing (apt-get install default-jre-headless); .ci/run installs it")
    if not VNU_JAR.is_file():
        _missing(f"vnu-jar is not installed ({VNU_JAR}); run `npm ci` (make test does)")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    return [message for message in report["messages"] if message.get("type") == "error"]


def rendered_pages(app, tmp_path) -> tuple[list[Path], dict[str, str]]:
    tour = build_tour()
    files: list[Path] = []
    origin: dict[str, str] = {}
    for role, paths in tour.pages.items():
        client = app.test_client()
        if role is not None:
            g.pop("_login_user", None)
            sign_in(client, tour.members[role])
        for number, path in enumerate(paths):
            # The test's app context outlives requests: forget the member the last one loaded
            g.pop("_login_user", None)
            response = client.get(path)
            assert response.status_code == 200, (role, path)
            file = tmp_path / f"{role or 'visitor'}-{number}.html"
            file.write_bytes(response.get_data())
            files.append(file)
            origin[file.name] = f"{path} ({role or 'visitor'})"
    return files, origin


def test_the_main_pages_of_every_role_are_valid_html(app, tmp_path):
    files, origin = rendered_pages(app, tmp_path)

    errors = nu_errors(files)

    found = [
        f"{origin.get(Path(error.get('url', '')).name, error.get('url'))} "
        f"line {error.get('lastLine')}: {error.get('message')} "
        f"« {(error.get('extract') or '').strip()} »"
        for error in errors
    ]
    assert not found, f"{len(found)} Nu checker errors:\n" + "\n".join(found[:60])


def visible_text(markup: str) -> str:
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_the_main_pages_have_no_doubled_punctuation(app, tmp_path):
    files, origin = rendered_pages(app, tmp_path)
    found = [
        f"{origin[file.name]}: « …{text[max(0, match.start() - 40) : match.end() + 10]}… »"
        for file in files
        for text in [visible_text(file.read_text(encoding="utf-8"))]
        for match in DOUBLED_PUNCTUATION.finditer(text)
    ]
    assert not found, "\n".join(found)


def test_the_checker_reports_an_invalid_page(tmp_path):
    page = tmp_path / "invalid.html"
    page.write_text(
        '<!doctype html><html lang="fr"><title>t</title><p id="a">x</p><p id="a">y</p>',
        encoding="utf-8",
    )
    errors = nu_errors([page])
    assert any("Duplicate ID" in error["message"] for error in errors)
