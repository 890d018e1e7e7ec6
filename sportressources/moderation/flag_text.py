"""What the automatic flags look for in a text: phone numbers, email addresses, links, other
platforms, prices and forbidden words. Pure functions, no database.

Each scanner takes the text as the member typed it and returns the passages found, as typed (so
that the moderator reads « 06.12.34.56.78 », not a normalised form). Matching itself works on a
folded copy (lower case, no accents: ``core.text.fold``), character by character so that every
folded position maps back to the original text.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sportressources.core.text import fold

# A passage shown to moderators is cut to this length
EXCERPT_MAX = 60
# Matches reported per scanner: enough to judge, short enough to read in the queue
MATCHES_MAX = 3


@dataclass(frozen=True)
class Folded:
    """A text folded character by character: ``text[i]`` comes from the original passage
    ``source[starts[i]:ends[i]]`` (one character, or a word a scanner replaced)."""

    source: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, source: str) -> Folded:
        chars: list[str] = []
        starts: list[int] = []
        for index, char in enumerate(source):
            folded = fold(char)
            chars.append(folded)
            starts.extend([index] * len(folded))
        return cls(source, "".join(chars), tuple(starts), tuple(start + 1 for start in starts))

    def excerpt(self, start: int, end: int) -> str:
        """The original passage behind ``text[start:end]``, on one line and cut if long."""
        passage = self.source[self.starts[start] : self.ends[end - 1]]
        passage = " ".join(passage.split())
        return passage if len(passage) <= EXCERPT_MAX else passage[: EXCERPT_MAX - 1] + "…"

    def replaced(self, spans: Iterable[tuple[int, int, str]]) -> Folded:
        """A copy where each ``(start, end, replacement)`` span (ordered, not overlapping) reads
        ``replacement``, every character of which stands for the span's whole passage."""
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for start, end, replacement in spans:
            chars.append(self.text[position:start])
            starts.extend(self.starts[position:start])
            ends.extend(self.ends[position:start])
            chars.append(replacement)
            starts.extend([self.starts[start]] * len(replacement))
            ends.extend([self.ends[end - 1]] * len(replacement))
            position = end
        chars.append(self.text[position:])
        starts.extend(self.starts[position:])
        ends.extend(self.ends[position:])
        return Folded(self.source, "".join(chars), tuple(starts), tuple(ends))


def _excerpts(folded: Folded, spans: Iterable[tuple[int, int]]) -> list[str]:
    found: list[str] = []
    for start, end in spans:
        passage = folded.excerpt(start, end)
        if passage not in found:
            found.append(passage)
        if len(found) == MATCHES_MAX:
            break
    return found


def _words_pattern(phrase: str) -> str:
    """A folded phrase as a regex: whole words, any run of spaces or punctuation between them."""
    words = re.findall(r"[^\W_]+", fold(phrase))
    return r"(?<![^\W_])" + r"[\W_]*".join(map(re.escape, words)) + r"(?![^\W_])"


# --- phone numbers -------------------------------------------------------------------------------

_DIGIT_WORDS = {
    "zero": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
}
_TENS = {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}


@functools.cache
def _number_words() -> dict[str, str]:
    """Every French spelling of 0 to 99, as hyphen-free word sequences → two-digit strings
    (« quatre vingt dix sept » → « 97 », « zero » → « 0 »)."""
    names = {word: value for word, value in _DIGIT_WORDS.items()}
    names |= {"dix sept": 17, "dix huit": 18, "dix neuf": 19}
    units = {
        1: "un",
        2: "deux",
        3: "trois",
        4: "quatre",
        5: "cinq",
        6: "six",
        7: "sept",
        8: "huit",
        9: "neuf",
    }
    for tens_word, tens in [*_TENS.items(), ("quatre vingt", 80), ("quatre vingts", 80)]:
        names[tens_word] = tens
        for unit, unit_word in units.items():
            names[f"{tens_word} {unit_word}"] = tens + unit
            if unit == 1 and tens < 80:
                names[f"{tens_word} et un"] = tens + 1
    for teen in range(10, 20):
        teen_word = next(word for word, value in names.items() if value == teen)
        names[f"soixante {teen_word}"] = 60 + teen
        names[f"quatre vingt {teen_word}"] = 80 + teen
        if teen == 11:
            names["soixante et onze"] = 71
    return {words: str(value) for words, value in names.items()}


_NUMBER_WORD = re.compile(
    r"(?<![^\W_])(?:zero|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize"
    r"|quatorze|quinze|seize|vingts?|trente|quarante|cinquante|soixante|et)(?![^\W_])"
)


def _spelled_numbers(folded: Folded) -> Folded:
    """Numbers written in words turned into digits (« zéro six douze » → « 0612 »), so that a
    phone number spelled out to slip past the filter is read like one typed in digits."""
    words = [(m.start(), m.end(), m.group()) for m in _NUMBER_WORD.finditer(folded.text)]
    names = _number_words()
    spans: list[tuple[int, int, str]] = []
    index = 0
    while index < len(words):
        # The longest run of adjacent number words (joined by spaces or hyphens) that names one
        # number: « quatre vingt dix sept » is 97, not 4, 20, 10, 7.
        for length in range(min(5, len(words) - index), 0, -1):
            run = words[index : index + length]
            adjacent = all(
                re.fullmatch(r"[\s-]*", folded.text[left[1] : right[0]])
                for left, right in itertools.pairwise(run)
            )
            value = names.get(" ".join(word for _, _, word in run))
            if adjacent and value is not None:
                spans.append((run[0][0], run[-1][1], value))
                index += length
                break
        else:
            index += 1
    return folded.replaced(spans) if spans else folded


# Digits, and the separators people put between them: spaces, dots, dashes, slashes, brackets
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s./\-_()]{0,3}\d)*")
_DIGIT_GROUP = re.compile(r"\+?\d+")
# A French number: 0 and nine digits, or +33 / 0033 and nine digits (« (0) » after 33 allowed)
_FRENCH_PHONE = re.compile(r"(?:0|(?:\+|00)330?)[1-9]\d{8}")
_PHONE_MAX_DIGITS = 14


def phone_numbers(text: str) -> list[str]:
    """French phone numbers in ``text``: « 06 12 34 56 78 », « 06.12.34.56.78 », « 0612345678 »,
    « +33 6 12 34 56 78 », « 0033 (0)6… », and spelled out (« zéro six douze trente-quatre… »).

    Digits count from the start of a group to the end of another (« taille 38 06 12 34 56 78 »
    holds one), and only as a whole number of the right length, so that a longer reference, a
    date or a size is not mistaken for one."""
    folded = _spelled_numbers(Folded.of(text))
    spans = []
    for run in _DIGIT_RUN.finditer(folded.text):
        groups = list(_DIGIT_GROUP.finditer(folded.text, run.start(), run.end()))
        first = 0
        while first < len(groups):
            digits = ""
            for last in range(first, len(groups)):
                digits += groups[last].group()
                if len(digits) > _PHONE_MAX_DIGITS:
                    break
                if _FRENCH_PHONE.fullmatch(digits):
                    spans.append((groups[first].start(), groups[last].end()))
                    first = last
                    break
            first += 1
    return _excerpts(folded, spans)


# --- email addresses -----------------------------------------------------------------------------

# « @ », or « at » / « arobase » alone or in brackets, as people write it to dodge filters
_AT = (
    r"(?:\s*@\s*|\s*[\(\[\{<]\s*(?:at|arobase|arobas|@)\s*[\)\]\}>]\s*|\s+(?:at|arobase|arobas)\s+)"
)
_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<]\s*(?:dot|point|\.)\s*[\)\]\}>]\s*|\s+(?:dot|point)\s+)"
_MAIL_TLDS = r"(?:com|fr|net|org|eu|be|ch|info|io|me|biz|de|uk|lu)"
_PLAIN_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}")
# An address written around the filter must end with a known top-level domain
_DISGUISED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}{_MAIL_TLDS}(?![^\W_])"
)


def email_addresses(text: str) -> list[str]:
    """Email addresses in ``text``, plain (« nom@gmail.com ») or disguised (« nom at gmail point
    com », « nom [arobase] orange (point) fr »)."""
    folded = Folded.of(text)
    return _excerpts(folded, _email_spans(folded))


def _email_spans(folded: Folded) -> list[tuple[int, int]]:
    spans = [match.span() for match in _PLAIN_EMAIL.finditer(folded.text)]
    spans += [
        match.span()
        for match in _DISGUISED_EMAIL.finditer(folded.text)
        if not any(start <= match.start() < end for start, end in spans)
    ]
    return sorted(spans)


# --- links ---------------------------------------------------------------------------------------

_TLDS = "fr|com|net|org|eu|be|ch|info|io|me|co|ly|gl|gg|app|shop|store|site|online|xyz|biz|tv|link"
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})(?![\w-])(?:/[^\s<>\"']*)?"
)


def links(text: str, ignore_hosts: Iterable[str] = ()) -> list[str]:
    """Links in ``text``: « https://… », « www.… » and bare domains (« monsite.fr »), but not
    the domains of email addresses (``email_addresses`` reports those) nor ``ignore_hosts``
    (the site's own)."""
    folded = Folded.of(text)
    emails = _email_spans(folded)
    ignored = {host.lower().removeprefix("www.") for host in ignore_hosts if host}
    spans = []
    for match in _LINK.finditer(folded.text):
        if any(start <= match.start() < end for start, end in emails):
            continue
        if _host(match.group()) in ignored:
            continue
        spans.append(match.span())
    return _excerpts(folded, spans)


def _host(link: str) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", link)
    return re.split(r"[/?#:]", host, maxsplit=1)[0].rstrip(".,;)")


# --- other platforms -----------------------------------------------------------------------------

# Marketplaces and messaging apps that take an exchange off the site (separators and spaces
# between the words are optional: « le bon coin » also finds « leboncoin » and « le-bon-coin »)
OTHER_PLATFORMS = (
    "le bon coin",
    "lbc",
    "vinted",
    "facebook",
    "marketplace",
    "ebay",
    "rakuten",
    "price minister",
    "geev",
    "paru vendu",
    "wallapop",
    "trocathlon",
    "selency",
    "back market",
    "label emmaus",
    "vide dressing",
    "whats app",
    "telegram",
    "snapchat",
    "messenger",
    "instagram",
    "discord",
    "viber",
)


_PLATFORM = re.compile("|".join(_words_pattern(name) for name in OTHER_PLATFORMS))


def other_platforms(text: str) -> list[str]:
    """Names of other marketplaces or messaging apps in ``text`` (« leboncoin », « Vinted »,
    « WhatsApp »…), whole words, accents and case aside."""
    folded = Folded.of(text)
    return _excerpts(folded, (match.span() for match in _PLATFORM.finditer(folded.text)))


# --- prices --------------------------------------------------------------------------------------

_AMOUNT = r"\d+(?:[.,]\d{1,2})?"
# « 10 € », « 10€ », « € 10 », « 15 euros », « 20 eur », « 20e », « prix : 5 », « participation
# de 5 », « 5 balles » is left out: « 20 balles de tennis » is gear, not a price
_PRICE = re.compile(
    rf"(?<![\w.,])(?P<a>{_AMOUNT})\s*(?:€|euros?(?![^\W_])|eur(?![^\W_])|e(?![^\W_]))"
    rf"|€\s*(?P<b>{_AMOUNT})(?!\d)"
    rf"|(?<![^\W_])(?:prix|tarif|participation)\s*(?:de\s+|:\s*)?(?P<c>{_AMOUNT})(?![\d.,])"
    r"(?!\s*(?:%|ans?|mois|jours?|semaines?|heures?|h|cm|mm|m|kg|g|ml|l|pieces?|personnes?"
    r"|enfants?|joueurs?|places?)(?![^\W_]))"
)
# « 2e main », « 3e place »: ordinals, not prices
_ORDINAL_FOLLOWS = re.compile(
    r"\s*(?:main|etage|place|age|division|saison|edition|siecle|anniversaire|fois|tour|jour"
    r"|mois|annee|categorie|serie|taille|rang|ligne|manche|set)(?![^\W_])"
)
# An amount after these words (within 25 characters of the same sentence) is what the gear cost
# new, not what is asked for it
_NEW_VALUE_BEFORE = re.compile(
    r"(?<![^\W_])(?:neuf|neuve|neufs|neuves|valeur|achete|achetee|achetes|achetees|paye|payee"
    r"|payes|payees|cote|magasin)(?![^\W_])[^.!?\n]{0,25}$"
)


def prices(text: str) -> list[str]:
    """Amounts of money asked for in ``text``: « 10 € », « 15 euros », « 20e », « € 5 »,
    « prix : 5 », « participation de 5 ». Not an amount of zero, nor one that says what the gear
    cost new (« acheté 80 € », « valeur neuve 120 € »), nor ordinals (« 2e main »)."""
    folded = Folded.of(text)
    spans = []
    for match in _PRICE.finditer(folded.text):
        amount = float((match.group("a") or match.group("b") or match.group("c")).replace(",", "."))
        if amount == 0:
            continue
        # « 20e » is a price, « 2e main » and « 3e place » are not
        ordinal = amount < 5 or _ORDINAL_FOLLOWS.match(folded.text, match.end())
        if match.group("a") and match.group().endswith("e") and ordinal:
            continue
        if _NEW_VALUE_BEFORE.search(folded.text, max(0, match.start() - 40), match.start()):
            continue
        spans.append(match.span())
    return _excerpts(folded, spans)


# --- forbidden words -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _forbidden_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    patterns = [_words_pattern(word) for word in words if re.search(r"[^\W_]", fold(word))]
    return re.compile("|".join(patterns)) if patterns else None


def forbidden_words(text: str, words: Iterable[str]) -> list[str]:
    """The ``words`` (or phrases) found in ``text`` as whole words, accents, case and the
    punctuation between words aside, each named once as the list gives it."""
    words = tuple(sorted(set(words)))
    pattern = _forbidden_pattern(words)
    if pattern is None:
        return []
    by_fold = {" ".join(re.findall(r"[^\W_]+", fold(word))): word for word in words}
    found: list[str] = []
    for match in pattern.finditer(fold(text)):
        word = by_fold.get(" ".join(re.findall(r"[^\W_]+", match.group())))
        if word is not None and word not in found:
            found.append(word)
    return found
