"""Who may open the moderation home, the dashboard, the audit log, its export and the team page;
the transparency page is public and linked from every page's footer."""

import pytest

from sportressources.core.db import db
from tests.fixtures.web import text

TEAM_PAGES = ["/moderation/", "/moderation/tableau-de-bord"]
ADMIN_PAGES = ["/moderation/journal", "/moderation/journal.csv", "/moderation/equipe"]
ADMIN_POSTS = ["/moderation/equipe/{id}/nommer", "/moderation/equipe/{id}/retirer"]


@pytest.mark.parametrize("url", TEAM_PAGES + ADMIN_PAGES)
def test_a_visitor_is_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]


@pytest.mark.parametrize("url", TEAM_PAGES + ADMIN_PAGES)
def test_a_resident_is_refused(resident_client, url):
    assert resident_client.get(url).status_code == 403


@pytest.mark.parametrize("url", TEAM_PAGES)
def test_a_moderator_opens_the_home_and_the_dashboard(moderator_client, url):
    assert moderator_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_moderator_is_refused_the_journal_its_export_and_the_team(moderator_client, url):
    assert moderator_client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_POSTS)
def test_a_moderator_cannot_change_roles(moderator_client, resident, url):
    response = moderator_client.post(url.format(id=resident.id), data={"reason": "Renfort"})
    assert response.status_code == 403


@pytest.mark.parametrize("url", TEAM_PAGES + ADMIN_PAGES)
def test_an_admin_opens_every_page(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_the_home_links_every_tool_and_the_admin_pages_to_admins_only(
    moderator_client, client_for, admin
):
    html = text(moderator_client.get("/moderation/"))
    for path in (
        "/moderation/file",
        "/moderation/signalements",
        "/moderation/contestations",
        "/moderation/membres",
        "/moderation/mots-interdits",
        "/moderation/tableau-de-bord",
        "/transparence",
    ):
        assert f'href="{path}"' in html, path
    assert "/moderation/journal" not in html and "/moderation/equipe" not in html

    html = text(client_for(admin).get("/moderation/"))
    assert 'href="/moderation/journal"' in html and 'href="/moderation/equipe"' in html


def test_the_home_counts_what_waits(moderator_client):
    from tests.moderation.admin_data import make_case, make_report, paris

    make_case(opened_at=paris(2026, 1, 5, 10))
    make_report(reason="rule:3.4", created_at=paris(2026, 1, 5, 11))
    html = text(moderator_client.get("/moderation/"))
    assert "1</span> élément à examiner" in html
    assert "1</span> signalement ouvert" in html
    assert "0</span> contestations en attente" in html


@pytest.mark.parametrize("who", ["visitor", "resident"])
def test_the_transparency_page_is_public_and_in_every_footer(client, client_for, resident, who):
    browser = client if who == "visitor" else client_for(resident)
    assert browser.get("/transparence").status_code == 200
    for url in ("/", "/plan-du-site"):
        assert 'href="/transparence"' in text(browser.get(url))


def test_no_route_changes_the_journal(admin_client):
    for method in ("post", "put", "delete", "patch"):
        assert getattr(admin_client, method)("/moderation/journal").status_code == 405
        assert getattr(admin_client, method)("/moderation/journal.csv").status_code == 405


def test_a_role_change_without_its_csrf_token_is_refused(app, admin_client, resident):
    app.config["WTF_CSRF_ENABLED"] = True
    for action in ("nommer", "retirer"):
        response = admin_client.post(
            f"/moderation/equipe/{resident.id}/{action}", data={"reason": "Renfort"}
        )
        assert response.status_code == 400
        assert "Formulaire expiré" in text(response)
    db.session.refresh(resident)
    assert resident.role == "resident"
