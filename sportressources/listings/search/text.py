"""The words of a search: required, excluded and alternative terms, stemmed like the index."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    and_,
    func,
    literal,
    not_,
    or_,
)

from sportressources.listings.search.words import index_words, stem


@dataclass(frozen=True)
class TextQuery:
    """What the words of ``q`` ask for: every clause must match, no excluded group may.

    A clause is a list of alternatives (« vélo ou trottinette »), an alternative a list of
    words that must all be present (« protège-tibias » gives two words).
    """

    clauses: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...] = ()

    def postgresql(self) -> str:
        """A to_tsquery('french', …) expression; words are letters and digits only."""

        def group(words: tuple[str, ...]) -> str:
            return "(" + " & ".join(words) + ")"

        parts = ["(" + " | ".join(group(alt) for alt in clause) + ")" for clause in self.clauses]
        parts += ["!" + group(words) for words in self.excluded]
        return " & ".join(parts)

    def fts5(self) -> str:
        """An FTS5 MATCH expression over the stems."""

        def group(words: tuple[str, ...]) -> str:
            return "(" + " AND ".join(f'"{stem(word)}"' for word in words) + ")"

        expression = " AND ".join(
            "(" + " OR ".join(group(alt) for alt in clause) + ")" for clause in self.clauses
        )
        for words in self.excluded:
            expression = f"({expression}) NOT {group(words)}"
        return expression

    def in_stems(self, stems: ColumnElement[str]) -> ColumnElement[bool]:
        """The test of ``fts5()`` on one row's stems, one space apart (SQLite's document)."""
        padded = literal(" ") + stems + literal(" ")

        def group(words: tuple[str, ...]) -> ColumnElement[bool]:
            return and_(*(func.instr(padded, f" {stem(word)} ") > 0 for word in words))

        condition = and_(*(or_(*(group(alt) for alt in clause)) for clause in self.clauses))
        return and_(condition, *(not_(group(words)) for words in self.excluded))


def parse_text(q: str) -> TextQuery | None:
    """The text query of ``q``: words (all required), « ou » between alternatives, ``-mot`` to
    exclude. None when no usable word is left (only very common words, or only exclusions)."""
    clauses: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    pending_or = False
    for chunk in q.split():
        if chunk.lower() in {"ou", "or", "|"}:
            pending_or = bool(clauses)
            continue
        negative = chunk.startswith("-") and len(chunk) > 1
        words = tuple(index_words(chunk[1:] if negative else chunk))
        if not words:
            continue
        if negative:
            excluded.append(words)
        elif pending_or:
            clauses[-1].append(words)
        else:
            clauses.append([words])
        pending_or = False
    if not clauses:
        return None
    return TextQuery(tuple(tuple(clause) for clause in clauses), tuple(excluded))
