"""The list of forbidden words and phrases moderators keep, which the ``forbidden_word`` flag
looks for in listings. Functions flush, never commit; every change is audited."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sportressources.accounts.models import User
from sportressources.core.audit import record_entry
from sportressources.core.db import db
from sportressources.core.errors import Forbidden, NotFound, ValidationFailed
from sportressources.core.text import clean_line, fold
from sportressources.moderation.models import ForbiddenWord
from sportressources.moderation.policies import can_moderate

FORBIDDEN_WORD_MAX = 80
# The flag compiles the whole list into one expression on every listing: keep it bounded
FORBIDDEN_WORDS_MAX = 500


def listed_words() -> list[tuple[ForbiddenWord, User | None]]:
    """The forbidden words in alphabetical order (accents aside), each with the moderator who
    added it (None once their account is gone)."""
    rows = db.session.execute(
        select(ForbiddenWord, User).outerjoin(User, User.id == ForbiddenWord.added_by_id)
    ).all()
    return sorted(((word, user) for word, user in rows), key=lambda row: fold(row[0].word))


def add_word(actor, word: str) -> ForbiddenWord:
    """Add a word or phrase to the list the ``forbidden_word`` rule looks for; audited.

    Raises Forbidden (not a moderator) and ValidationFailed on field ``word``: empty, longer
    than ``FORBIDDEN_WORD_MAX``, fewer than two letters or digits, already listed (accents and
    case aside), or the list is full (``FORBIDDEN_WORDS_MAX``).
    """
    if not can_moderate(actor):
        raise Forbidden(_l("Seule l’équipe de modération gère les mots interdits."))
    word = clean_line(word)
    letters = re.findall(r"[^\W_]", fold(word))
    if not word:
        raise ValidationFailed({"word": _l("Saisissez un mot ou une expression.")})
    if len(word) > FORBIDDEN_WORD_MAX:
        raise ValidationFailed(
            {
                "word": _l(
                    "Ce texte ne peut pas dépasser %(limit)s caractères.", limit=FORBIDDEN_WORD_MAX
                )
            }
        )
    if len(letters) < 2:
        raise ValidationFailed(
            {"word": _l("Un mot interdit doit compter au moins deux lettres ou chiffres.")}
        )
    existing = db.session.scalars(select(ForbiddenWord.word)).all()
    if any(_same_words(word, other) for other in existing):
        raise ValidationFailed({"word": _l("« %(word)s » est déjà dans la liste.", word=word)})
    if len(existing) >= FORBIDDEN_WORDS_MAX:
        raise ValidationFailed(
            {
                "word": _l(
                    "La liste compte déjà %(limit)s mots : retirez-en avant d’en ajouter.",
                    limit=FORBIDDEN_WORDS_MAX,
                )
            }
        )
    entry = ForbiddenWord(word=word, added_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as exc:  # the same word added at the same moment by someone else
        raise ValidationFailed(
            {"word": _l("« %(word)s » est déjà dans la liste.", word=word)}
        ) from exc
    record_entry(
        "forbidden_word.add", "forbidden_word", entry.id, actor=actor, details={"word": word}
    )
    return entry


def remove_word(actor, word_id: int) -> ForbiddenWord:
    """Take a word off the list; audited. Listings already flagged keep their flag.

    Raises Forbidden (not a moderator) and NotFound (no such word, or already removed).
    """
    if not can_moderate(actor):
        raise Forbidden(_l("Seule l’équipe de modération gère les mots interdits."))
    entry = db.session.get(ForbiddenWord, word_id)
    if entry is None:
        raise NotFound(_l("Ce mot n’est plus dans la liste."))
    db.session.delete(entry)
    db.session.flush()
    details = {"word": entry.word}
    record_entry("forbidden_word.remove", "forbidden_word", word_id, actor=actor, details=details)
    return entry


def _same_words(first: str, second: str) -> bool:
    def words(text: str) -> list[str]:
        return re.findall(r"[^\W_]+", fold(text))

    return words(first) == words(second)
