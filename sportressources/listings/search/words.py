"""The words of a text as the index keeps them: folded (no accents, no ligatures), singular,
stemmed, without French stopwords. Shared by the index and the query."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# PostgreSQL's french.stop (Snowball's list), so that both backends drop the same words
_STOPWORDS_TEXT = """
au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes
moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi
ton tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants
étantes suis es est sommes êtes sont serai seras sera serons serez seront serais serait
serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois
soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes
ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais
aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie
aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent
"""


_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ß": "ss", "ł": "l", "đ": "d"})


_WORD = re.compile(r"[^\W_]+")


# Snowball's French stemmer keeps the s of « vélos », « skis », « kimonos » and the x of « jeux »:
# regular plurals become singular first, on both backends alike.
_PLURAL_S = re.compile(r"^([a-z]{2,}[a-rt-z])s$")


_PLURAL_X = re.compile(r"^([a-z]*(?:eau|eu|ou))x$")


_stemmer = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    """Lower case without accents or ligatures: « Cœur Vélo » → « coeur velo »."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


FRENCH_STOPWORDS = frozenset(fold(word) for word in _STOPWORDS)


def _singular(word: str) -> str:
    return _PLURAL_X.sub(r"\1", _PLURAL_S.sub(r"\1", word))


def index_words(text: str) -> list[str]:
    """The words full-text search keeps: folded, without stopwords, plurals made singular."""
    return [word for chunk in text.split() for word in _chunk_words(chunk)]


@lru_cache(maxsize=200_000)
def _chunk_words(chunk: str) -> tuple[str, ...]:
    # Each space-separated chunk gives the same words alone as in its text: cache them.
    words = []
    for word in _WORD.findall(fold(chunk)):
        if word in FRENCH_STOPWORDS:
            continue
        word = _singular(word)
        if word not in FRENCH_STOPWORDS:
            words.append(word)
    return tuple(words)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball French stem of an already folded word (SQLite's side of the index)."""
    return _stemmer.stemWord(word)
