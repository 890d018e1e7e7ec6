"""The forbidden words page (/moderation/mots-interdits): moderators add and remove words, each
change is audited; residents and visitors cannot; wrong input gets a French message."""

from sqlalchemy import select

from sportressources.core.audit import AuditEntry
from sportressources.core.db import db
from sportressources.moderation import forbidden_words
from sportressources.moderation.models import ForbiddenWord
from tests.fixtures.web import text

PAGE = "/moderation/mots-interdits"


def words() -> list[str]:
    db.session.rollback()
    return sorted(db.session.scalars(select(ForbiddenWord.word)))


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def add(client, word: str):
    return client.post(PAGE, data={"word": word})


def test_a_moderator_adds_a_word_and_the_change_is_audited(moderator_client, moderator):
    response = add(moderator_client, "  Contrefaçon  ")
    assert response.status_code == 303
    page = text(moderator_client.get(response.headers["Location"]))
    assert "« Contrefaçon » est ajouté aux mots interdits." in page
    assert '<th scope="row">Contrefaçon</th>' in page
    assert moderator.display_name in page
    assert words() == ["Contrefaçon"]
    (entry,) = audit("forbidden_word.add")
    assert entry.actor_id == moderator.id
    assert entry.details == {"word": "Contrefaçon"}


def test_a_moderator_removes_a_word_and_the_change_is_audited(app, moderator_client, moderator):
    word_id = forbidden_words.add_word(moderator, "arme blanche").id
    db.session.commit()
    response = moderator_client.post(f"{PAGE}/{word_id}/supprimer")
    assert response.status_code == 303
    page = text(moderator_client.get(PAGE))
    assert "« arme blanche » est retiré des mots interdits." in page
    assert "La liste est vide" in page
    assert words() == []
    (entry,) = audit("forbidden_word.remove")
    assert (entry.actor_id, entry.target_id, entry.details) == (
        moderator.id,
        word_id,
        {"word": "arme blanche"},
    )


def test_removing_a_word_already_gone_is_a_404(moderator_client):
    assert moderator_client.post(f"{PAGE}/999/supprimer").status_code == 404


def test_a_word_already_listed_accents_and_case_aside_is_refused(moderator_client, moderator):
    forbidden_words.add_word(moderator, "contrefacon")
    db.session.commit()
    response = add(moderator_client, "CONTREFAÇON")
    assert response.status_code == 422
    assert "« CONTREFAÇON » est déjà dans la liste." in text(response)
    assert words() == ["contrefacon"]


def test_an_empty_a_too_short_or_a_too_long_word_is_refused(moderator_client):
    for word, message in [
        ("   ", "Saisissez un mot ou une expression."),
        ("à !", "Un mot interdit doit compter au moins deux lettres ou chiffres."),
        ("x" * 81, "Ce texte ne peut pas dépasser 80 caractères."),
    ]:
        response = add(moderator_client, word)
        assert response.status_code == 422, word
        page = text(response)
        assert message in page, word
        assert 'aria-invalid="true"' in page
    assert words() == []
    assert audit("forbidden_word.add") == []


def test_a_missing_field_is_refused(moderator_client):
    response = moderator_client.post(PAGE, data={})
    assert response.status_code == 422
    assert "Saisissez un mot ou une expression." in text(response)


def test_markup_in_a_word_is_shown_as_text(moderator_client):
    response = add(moderator_client, "<script>alert(1)</script>")
    assert response.status_code == 303
    page = text(moderator_client.get(PAGE))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_the_list_has_a_limit(app, moderator_client, moderator, monkeypatch):
    monkeypatch.setattr(forbidden_words, "FORBIDDEN_WORDS_MAX", 2)
    for word in ("premier", "second"):
        forbidden_words.add_word(moderator, word)
    db.session.commit()
    response = add(moderator_client, "troisième")
    assert response.status_code == 422
    assert "La liste compte déjà 2 mots" in text(response)
    assert words() == ["premier", "second"]


def test_residents_cannot_see_or_change_the_list(app, client_for, resident, moderator):
    word = forbidden_words.add_word(moderator, "arnaque")
    db.session.commit()
    resident_client = client_for(resident)
    assert resident_client.get(PAGE).status_code == 403
    assert add(resident_client, "autre").status_code == 403
    assert resident_client.post(f"{PAGE}/{word.id}/supprimer").status_code == 403
    assert words() == ["arnaque"]


def test_visitors_are_sent_to_the_login_page(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]
    assert add(client, "autre").status_code == 302
    assert words() == []


def test_the_moderation_home_links_the_page_for_moderators_only(client_for, resident, moderator):
    assert PAGE in text(client_for(moderator).get("/moderation/"))
    assert client_for(resident).get("/moderation/").status_code == 403


def test_a_post_without_csrf_token_is_refused(app, moderator_client, moderator):
    word = forbidden_words.add_word(moderator, "arnaque")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    assert add(moderator_client, "autre").status_code == 400
    assert moderator_client.post(f"{PAGE}/{word.id}/supprimer").status_code == 400
    assert words() == ["arnaque"]


def test_the_page_reads_in_english(moderator_client, moderator):
    moderator.locale = "en"
    db.session.commit()
    page = text(moderator_client.get(PAGE, headers={"Accept-Language": "en"}))
    assert "Forbidden words" in page
