"""The README's links resolve in a fresh clone: files it links to are committed, the local site
addresses it gives answer, and the site paths it names exist."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
LOCAL_SITE = "http://127.0.0.1:5000"

MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
BARE_URL = re.compile(r"(?<![<(])https?://[^\s)>`|]+")
SITE_PATH = re.compile(r"`(/[a-z0-9/-]*)`")  # `/collectes`: a page of the site, named in prose


def links() -> list[str]:
    found = MARKDOWN_LINK.findall(README) + AUTOLINK.findall(README)
    found += [url.rstrip(".,;:") for url in BARE_URL.findall(README)]
    return sorted(set(found))


def committed_files() -> set[str]:
    """What a fresh clone holds: the files git tracks (not the build or runtime leftovers)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    )
    return {name for name in listing.stdout.split("\0") if name}


def relative_links() -> list[str]:
    return [link for link in links() if not urlsplit(link).scheme and not link.startswith("#")]


def local_urls() -> list[str]:
    return [link for link in links() if link.startswith(LOCAL_SITE)]


def site_paths() -> list[str]:
    # Paths of the server's file system (the deployment guide's) are not pages of the site
    system = ("/usr/", "/etc/", "/var/", "/run/", "/srv/", "/tmp/")
    return sorted({path for path in SITE_PATH.findall(README) if not path.startswith(system)})


def test_the_readme_has_links_of_each_kind():
    assert len(relative_links()) >= 5
    assert f"{LOCAL_SITE}/dev/outbox" in local_urls()
    assert "/collectes" in site_paths()


@pytest.mark.parametrize("link", relative_links())
def test_relative_links_point_to_committed_files(link):
    target = link.split("#", 1)[0].rstrip("/")
    files = committed_files()
    assert target in files or any(name.startswith(f"{target}/") for name in files), link


def github_anchor(heading: str) -> str:
    anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return anchor.replace(" ", "-")


def test_anchors_name_headings():
    anchors = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", README, re.M)}
    for link in links():
        if link.startswith("#"):
            assert link[1:] in anchors, link


@pytest.mark.parametrize("url", local_urls())
def test_local_addresses_answer(client, url):
    path = urlsplit(url).path or "/"
    response = client.get(path)
    assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("path", site_paths())
def test_site_paths_named_in_the_readme_exist(admin_client, path):
    # Signed in as an admin, every page the README names opens
    response = admin_client.get(path)
    assert response.status_code == 200, (path, response.status_code)
