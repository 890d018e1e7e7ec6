"""Text helpers shared by domains: plain text as people typed it, accent folding, URL slugs."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from sportressources.core.errors import ValidationFailed

# Control characters other than tab and newline (invisible; PostgreSQL refuses NUL in text), and
# the bidirectional overrides that could make a text display differently from what it says.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
# Ligatures that NFKD does not decompose
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case without accents: « Nœux-lès-Mines » → « noeux-les-mines »."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str, max_length: int = 100) -> str:
    """An ASCII URL slug: folded, words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "lieu"


def clean_text(value: str | None) -> str:
    """Plain text as people typed it: newlines normalised, control characters removed, trimmed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def clean_line(value: str | None) -> str:
    """One line of plain text (a title, a name): ``clean_text``, whitespace runs as one space."""
    return " ".join(clean_text(value).split())


def checked_text(value: str | None, field: str, limit: int) -> str:
    """``clean_text`` of at most ``limit`` characters; raises ValidationFailed naming ``field``."""
    text = clean_text(value)
    if len(text) > limit:
        raise ValidationFailed(
            {
                field: _l(
                    "Ce texte ne peut pas dépasser %(limit)s caractères (il en compte %(count)s).",
                    limit=limit,
                    count=len(text),
                )
            }
        )
    return text
