"""A venue's sources as a resident reads them: each link with what it was used for, in the
reader's language and without raw coordinates.

The data file notes each source in short English (« https://… (coords 50°25′58″N 2°48′54″E,
address) »), for the people who maintain it; pages translate those notes at display time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _

_URL = re.compile(r"https?://\S+")
_BOX = re.compile(r"^(?P<name>.+) box$")
# « coords 50°25′58″N 2°48′54″E » or « coords 50.411658, 2.764918 »: one note, whatever it holds
_COORDS = re.compile(r"coords [^,)]*(?:,\s*-?\d+(?:\.\d+)?)?")
_NUMBERS_ONLY = re.compile(r"[-\d.,°′″'\"NSEW ]+")


@dataclass(frozen=True)
class SourceNote:
    url: str  # "" when the source is not a link (a book, a phone call)
    site: str  # the link's host, shown instead of a long address
    notes: tuple[str, ...]  # what the source gave, translated
    quoted: tuple[str, ...] = ()  # notes written in French in the data, shown as they are


_KNOWN = ("address", "coords", "translated mirror of fr.wikipedia")


def _is_known(part: str) -> bool:
    return part.startswith(_KNOWN) or bool(_BOX.match(part))


def _note(part: str) -> str | None:
    """One English note in the reader's language; coordinates become « position »."""
    if part == "address":
        return _("adresse")
    if part.startswith("coords"):
        return _("position")
    if part == "translated mirror of fr.wikipedia":
        return _("copie traduite de Wikipédia en français")
    box = _BOX.match(part)
    return _("encadré « %(name)s »", name=box.group("name")) if box else None


def source_notes(source: str) -> list[SourceNote]:
    """Split a venue's ``source`` (« url (notes); url (notes) ») into links and notes."""
    notes = []
    for entry in (source or "").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        match = _URL.search(entry)
        url = match.group(0) if match else ""
        rest = (entry.replace(url, "", 1) if url else entry).strip()
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1]
        rest = _COORDS.sub("coords", rest)
        parts = [part.strip() for part in rest.split(",")] if rest else []
        # never raw coordinates, whatever the note
        parts = [part for part in parts if part and not _NUMBERS_ONLY.fullmatch(part)]
        site = urlsplit(url).netloc.removeprefix("www.") if url else ""
        notes.append(
            SourceNote(
                url,
                site,
                tuple(note for part in parts if _is_known(part) and (note := _note(part))),
                tuple(part for part in parts if not _is_known(part)),
            )
        )
    return notes
