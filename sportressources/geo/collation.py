"""Sorting and matching names as French readers expect: « Béthune » beside « Beuvry »,
« Évin-Malmaison » among the E, « Nœux-les-Mines » as if spelt « Noeux »."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "OE", "Æ": "AE", "ß": "ss"})


# Hyphens, apostrophes and other punctuation separate words like a space
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’‘`´.,/()]+")


def fold_name(text: str) -> str:
    """``text`` without accents, ligatures, case or punctuation.

    « Évin-Malmaison » → « evin malmaison », « Nœux-les-Mines » → « noeux les mines ».
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", bare.casefold()).strip()


def french_key(text: str) -> tuple[str, str]:
    """A sort key for French names: letters first (accents and case ignored), then the original
    spelling to break ties the same way every time."""
    return fold_name(text), text


def french_sorted(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by ``key(item)`` as a French reader expects."""
    return sorted(items, key=lambda item: french_key(key(item)))
