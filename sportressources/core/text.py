"""Text helpers shared by domains: accent folding and URL slugs."""

from __future__ import annotations

import re
import unicodedata

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
