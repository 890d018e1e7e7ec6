"""French typography of every message marked for translation: the curly apostrophe (l’accueil,
never l'accueil) and no doubled punctuation (« ?. », « :. », « ,, », « .. »)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from sportressources.config import PROJECT_ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__"}
STRAIGHT_APOSTROPHE = re.compile(r"\w'\w")
# Two marks where French takes one: « ?. », « :. », « ., », « ,, », « .. » (an ellipsis « ... »
# is written « … »)
DOUBLED_PUNCTUATION = re.compile(r"[,;:!?]\s*[.,;:]|\.\s*[,;:!?]|(?<![.])\.\.(?![.])|,\s*,")


@pytest.fixture(scope="module")
def french_msgids() -> dict[str, str]:
    """Every French msgid (plural forms included) marked in the code and templates, with the
    first file it was found in."""
    with open(PROJECT_ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)

    def directory_filter(path: str) -> bool:
        name = Path(path).name
        return not name.startswith(".") and name not in SKIPPED_DIRECTORIES

    found: dict[str, str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=directory_filter,
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, filename)
    return found


def test_french_messages_use_the_curly_apostrophe(french_msgids):
    straight = sorted(
        f"{filename}: {msgid!r}"
        for msgid, filename in french_msgids.items()
        if STRAIGHT_APOSTROPHE.search(msgid)
    )
    assert not straight, "Write ’, not ', in:\n" + "\n".join(straight)


def test_french_messages_have_no_doubled_punctuation(french_msgids):
    doubled = sorted(
        f"{filename}: {msgid!r}"
        for msgid, filename in french_msgids.items()
        if DOUBLED_PUNCTUATION.search(msgid)
    )
    assert not doubled, "Doubled punctuation in:\n" + "\n".join(doubled)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Ce fichier n'est pas une image.", True),
        ("Ce fichier n’est pas une image.", False),
        ("Vraiment ?.", True),
        ("Au revoir..", True),
        ("Un instant…", False),
        ("Prix : 5 €, à voir.", False),
        ("Le %(date)s.", False),
    ],
)
def test_the_checks_flag_what_they_should(text, flagged):
    found = bool(STRAIGHT_APOSTROPHE.search(text) or DOUBLED_PUNCTUATION.search(text))
    assert found is flagged
