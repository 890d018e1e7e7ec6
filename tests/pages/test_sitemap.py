"""The site map lists every page a viewer can reach, for their role (RGAA 12.3): each page
without a parameter that answers them with HTML is linked from it, and every link it shows opens."""

import re

import pytest
from flask import g

from sportressources.accounts.models import Role
from tests.factories import make_user
from tests.fixtures.web import sign_in

# Step pages reached only in the middle of a journey, files, and the development tools
NOT_IN_THE_MAP = {
    "accounts.registered",
    "pages.healthz",
    "pages.readyz",
    "metrics.metrics",
    "static",
    "leaflet.static",
}
# Pages for signed-out visitors that still answer a member
SIGNED_OUT_ONLY = {"accounts.forgot_password", "accounts.resend_confirmation"}


def pages_without_parameters(app) -> dict[str, str]:
    return {
        rule.rule: rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.endpoint not in NOT_IN_THE_MAP
        and not rule.endpoint.startswith("dev.")
    }


def visit(client, path):
    g.pop("_login_user", None)  # the test's app context outlives requests
    return client.get(path)


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.MODERATOR, Role.ADMIN])
def test_the_site_map_links_every_page_the_viewer_can_reach(app, role):
    client = app.test_client()
    if role is not None:
        sign_in(client, make_user(email="viewer@example.org", role=role))

    site_map = visit(client, "/plan-du-site").get_data(as_text=True)
    linked = set(re.findall(r'href="([^"#?]+)"', site_map.split("<main", 1)[1]))

    missing = []
    for path, endpoint in sorted(pages_without_parameters(app).items()):
        response = visit(client, path)
        if role is not None and endpoint in SIGNED_OUT_ONLY:
            continue
        opens = response.status_code == 200 and response.mimetype == "text/html"
        if opens and path not in linked:
            missing.append(f"{path} ({endpoint})")
    assert not missing, f"not in the site map for {role or 'a visitor'}: {missing}"

    broken = [path for path in sorted(linked) if visit(client, path).status_code != 200]
    assert not broken, f"links of the site map that do not open for {role or 'a visitor'}"


def test_the_site_map_shows_no_member_page_to_a_visitor(client):
    site_map = client.get("/plan-du-site").get_data(as_text=True)
    for path in ("/mon-espace", "/prets", "/messages", "/moderation/", "/compte/"):
        assert f'href="{path}"' not in site_map
    assert 'href="/compte/connexion"' in site_map


def test_the_site_map_shows_moderation_only_to_the_team(client_for, resident, moderator, admin):
    assert 'href="/moderation/file"' not in client_for(resident).get("/plan-du-site").text
    assert 'href="/moderation/file"' in client_for(moderator).get("/plan-du-site").text
    assert 'href="/moderation/equipe"' not in client_for(moderator).get("/plan-du-site").text
    assert 'href="/moderation/equipe"' in client_for(admin).get("/plan-du-site").text
