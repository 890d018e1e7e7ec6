"""Translations: the English catalogue is complete, and the language a visitor picks is the one
they get, on every page and in their emails. French stays the default whatever the browser says."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlalchemy import select

from sportressources.accounts.models import User
from sportressources.config import PROJECT_ROOT
from sportressources.core.db import db
from tests.factories import make_user
from tests.fixtures.web import sign_in

ENGLISH_PO_NAME = "sportressources/translations/en/LC_MESSAGES/messages.po"
ENGLISH_PO = PROJECT_ROOT / ENGLISH_PO_NAME
# The keywords of `make extract-messages`: Babel's defaults (_, gettext, ngettext...) plus these.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__"}
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")

# Words that are everyday French and never English, matched whole and case-insensitively.
FRENCH_WORDS = re.compile(
    r"(?<!\w)(?:"
    + "|".join(
        re.escape(word)
        for word in (
            "mot de passe",
            "vous",
            "votre",
            "vos",
            "nous",
            "notre",
            "les",
            "des",
            "du",
            "de",
            "la",
            "le",
            "et",
            "est",
            "sont",
            "un",
            "une",
            "au",
            "aux",
            "ce",
            "se",
            "ne",
            "ou",
            "mon",
            "mes",
            "avec",
            "pour",
            "dans",
            "sur",
            "pas",
            "cette",
            "à",
        )
    )
    + r")(?!\w)",
    re.IGNORECASE,
)
# French elisions (l’accueil, d’envoi, n’a, qu’une) and accented words (Créer, données, Accès).
FRENCH_ELISION = re.compile(r"(?<!\w)(?:qu|[cdjlmnst])[’'](?=\w)", re.IGNORECASE)
FRENCH_ACCENTED_WORD = re.compile(r"\w*[àâçéèêëîïôûùüÿœ]\w*", re.IGNORECASE)
# Allowed in English: place and body names, language names (written in their own language), the
# name deleted accounts carry (stored, shown as is) and the ``resident`` fixture's name. Passages
# marked lang="fr" are skipped, so need no entry here.
PROPER_NOUNS = (
    "Pôle métropolitain de l’Artois",
    "Pôle métropolitain de l'Artois",
    "Aréna de Liévin",
    "Lens-Liévin",
    "Hénin-Carvin",
    "Béthune-Bruay",
    "Français",
    "Membre supprimé",
    "Camille Résidente",
)


# --- the catalogue --------------------------------------------------------------------------------


def _source_msgids() -> dict[str, str]:
    """Every msgid marked in the code and templates, with the first file it was found in."""
    with open(PROJECT_ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)

    # Unlike Babel's default, keep directories starting with "_": templates/_macros holds strings.
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
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, filename)
    return found


def _english_catalog():
    with open(ENGLISH_PO, "rb") as po:
        return read_po(po, locale="en")


def test_english_catalogue_translates_every_marked_string():
    catalog = _english_catalog()
    missing = []
    for msgid, filename in sorted(_source_msgids().items()):
        message = catalog.get(msgid)
        if message is None:
            state = "absent"
        elif message.fuzzy:
            state = "fuzzy"
        elif not all(message.string if isinstance(message.string, tuple) else [message.string]):
            state = "untranslated"
        else:
            continue
        missing.append(f"  - {msgid!r} ({state}, from {filename})")
    assert not missing, (
        f"{len(missing)} marked string(s) have no English translation in {ENGLISH_PO_NAME}:\n"
        + "\n".join(missing)
        + "\nRun `make extract-messages`, then translate them (and remove any fuzzy flag)."
    )


def test_extraction_finds_strings_in_code_templates_and_macros():
    # Guards the test above against passing because extraction silently found nothing.
    found = _source_msgids()
    assert "Adresse e-mail ou mot de passe incorrect." in found  # a Python service
    assert "Mot de passe oublié ?" in found  # a page template
    assert "Pour choisir un nouveau mot de passe, ouvrez ce lien :" in found  # an email
    assert "(obligatoire)" in found  # templates/_macros/forms.html


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = []
    for message in _english_catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set().union(*(PLACEHOLDER.findall(text) for text in ids)))
        for text in strings:
            if not text:
                continue
            kept = sorted(PLACEHOLDER.findall(text))
            if Counter(kept) != Counter(expected):
                wrong.append(f"  - {ids[0]!r} -> {text!r}: expected {expected}, found {kept}")
            elif expected and "%" in PLACEHOLDER.sub("", text).replace("%%", ""):
                wrong.append(f"  - {ids[0]!r} -> {text!r}: a lone % breaks formatting, write %%")
    assert not wrong, "Translations whose placeholders differ from the msgid:\n" + "\n".join(wrong)


# --- choosing the language ------------------------------------------------------------------------


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_site_is_french_by_default_even_for_an_english_browser(client):
    response = client.get("/compte/connexion", headers={"Accept-Language": "en-US,en;q=0.9"})
    page = _html(response)
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert "Se connecter" in page
    assert "Sign in" not in page


def test_language_switch_shows_english_and_persists(client):
    response = client.post("/langue", data={"locale": "en", "next": "/compte/connexion"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/compte/connexion"

    page = _html(client.get("/compte/connexion"))
    assert '<html lang="en">' in page
    assert "Sign in" in page, "English page without 'Sign in': is messages.mo compiled?"
    assert "Se connecter" not in page
    assert '<html lang="en">' in _html(client.get("/"))
    assert '<html lang="en">' in _html(client.get("/plan-du-site"))


def test_language_switch_back_to_french(client):
    client.post("/langue", data={"locale": "en"})
    client.post("/langue", data={"locale": "fr"})
    page = _html(client.get("/compte/connexion"))
    assert '<html lang="fr">' in page
    assert "Se connecter" in page


@pytest.mark.parametrize("locale", ["de", "EN", "en-US", "../en", ""])
def test_language_switch_ignores_unknown_locales(client, locale):
    response = client.post("/langue", data={"locale": locale, "next": "/compte/connexion"})
    assert response.status_code == 302
    assert '<html lang="fr">' in _html(client.get("/compte/connexion"))

    client.post("/langue", data={"locale": "en"})
    client.post("/langue", data={"locale": locale})
    assert '<html lang="en">' in _html(client.get("/compte/connexion"))


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/langue", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert '<html lang="en">' in _html(client.get("/"))


def test_signed_in_choice_is_saved_on_the_account_and_used_for_emails(
    app, resident_client, resident, outbox
):
    email, user_id = resident.email, resident.id
    assert resident.locale == "fr"

    resident_client.post("/langue", data={"locale": "en", "next": "/compte/"})
    assert db.session.scalar(select(User.locale).where(User.id == user_id)) == "en"

    # Another browser, with no language in its session: the email follows the account.
    stranger = app.test_client()
    response = stranger.post("/compte/mot-de-passe-oublie", data={"email": email})
    assert response.status_code == 302
    mail = outbox.last(email)
    assert mail.subject == "Reset your password"
    assert mail.text.startswith("Hello Camille Résidente,")
    assert "Pour choisir" not in mail.text


def test_account_language_applies_when_signing_in_on_a_new_device(client):
    user = make_user(email="anglophone@example.org", locale="en")
    sign_in(client, user)
    page = _html(client.get("/compte/"))
    assert '<html lang="en">' in page
    assert "My account" in page


# --- no French left on English pages --------------------------------------------------------------


class _EnglishText(HTMLParser):
    """The text a visitor sees or hears (text, labelling attributes, meta description), leaving
    out scripts and passages marked as written in another language, like ``<span lang="fr">``."""

    LABELS = ("aria-label", "title", "alt", "placeholder")
    HIDDEN = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipped: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self._skipped:
            self._depth += tag == self._skipped
            return
        if tag in self.HIDDEN or not (values.get("lang") or "en").lower().startswith("en"):
            if tag not in self.VOID:
                self._skipped, self._depth = tag, 1
            return
        self.parts.extend(values[name] for name in self.LABELS if values.get(name))
        if tag == "meta" and values.get("name") == "description":
            self.parts.append(values.get("content") or "")

    def handle_endtag(self, tag):
        if tag == self._skipped:
            self._depth -= 1
            if not self._depth:
                self._skipped = None

    def handle_data(self, data):
        if not self._skipped:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _EnglishText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def french_left_in(html: str) -> list[str]:
    """The French words of the page, each shown in its context."""
    text = visible_text(html)
    for noun in PROPER_NOUNS:
        text = text.replace(noun, "")
    found = [
        *FRENCH_WORDS.finditer(text),
        *FRENCH_ELISION.finditer(text),
        *FRENCH_ACCENTED_WORD.finditer(text),
    ]
    return [f"{m.group(0)!r} in …{text[max(0, m.start() - 40) : m.end() + 40]}…" for m in found]


def assert_english_only(response) -> None:
    html = _html(response)
    assert '<html lang="en">' in html
    french = french_left_in(html)
    assert not french, "French left on an English page:\n" + "\n".join(french)


def test_french_word_check_catches_french_and_spares_english():
    assert french_left_in("<p>Votre mot de passe</p>")
    assert french_left_in('<nav aria-label="Menu principal de la page"></nav>')
    assert french_left_in("<p>Revenir à l’accueil</p>")
    assert french_left_in("<button>Créer un compte</button>")
    assert french_left_in("<h1>Mentions légales</h1>")
    assert french_left_in("<p>Data: <span>Données du territoire</span></p>")
    assert not french_left_in(
        "<p>Sport ressources 62 is run by the Pôle métropolitain de l’Artois, from Lens-Liévin "
        "to Béthune-Bruay.</p><button lang='fr'>Français</button>"
        "<p>Data: <span lang='fr'>Données <span>du</span> territoire</span>, as published.</p>"
        "<script>var la = 'vous';</script><p>Password, don’t, Camille’s, e-mail</p>"
    )


@pytest.fixture
def english_client(client):
    client.post("/langue", data={"locale": "en"})
    return client


@pytest.fixture
def english_resident_client(client, resident):
    # Switch before signing in, so that the sign-in message is English too.
    client.post("/langue", data={"locale": "en"})
    return sign_in(client, resident)


PUBLIC_PAGES = [
    ("/", 200),
    ("/compte/connexion", 200),
    ("/compte/inscription", 200),
    ("/compte/inscription/merci", 200),
    ("/compte/mot-de-passe-oublie", 200),
    ("/compte/renvoyer-confirmation", 200),
    ("/plan-du-site", 200),
    ("/page-qui-n-existe-pas", 404),
    ("/langue", 405),
    ("/compte/confirmer/lien-invalide", 400),
    ("/compte/reinitialiser/lien-invalide", 400),
    # Written separately in each language, outside the catalogue
    ("/mentions-legales", 200),
    ("/confidentialite", 200),
    ("/conditions-utilisation", 200),
    ("/accessibilite", 200),
]


@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES)
def test_english_public_pages_have_no_french_left(english_client, path, status):
    response = english_client.get(path)
    assert response.status_code == status
    assert_english_only(response)


FORMS_WITH_ERRORS = [
    ("/compte/connexion", {}),
    ("/compte/connexion", {"email": "nobody@example.org", "password": "not the password"}),
    ("/compte/inscription", {"email": "pas-une-adresse", "password": "court"}),
    ("/compte/mot-de-passe-oublie", {"email": ""}),
    ("/compte/renvoyer-confirmation", {"email": ""}),
]


@pytest.mark.parametrize(("path", "data"), FORMS_WITH_ERRORS)
def test_english_form_errors_have_no_french_left(english_client, path, data):
    response = english_client.post(path, data=data)
    assert response.status_code == 422
    assert_english_only(response)


SIGNED_IN_PAGES = [
    "/",
    "/compte/",
    "/compte/email",
    "/compte/mot-de-passe",
    "/compte/donnees",
    "/plan-du-site",
    "/membres/{public_id}",
]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_english_signed_in_pages_have_no_french_left(english_resident_client, resident, path):
    response = english_resident_client.get(path.format(public_id=resident.public_id))
    assert response.status_code == 200
    assert_english_only(response)


def test_english_signed_in_form_errors_have_no_french_left(english_resident_client):
    response = english_resident_client.post(
        "/compte/mot-de-passe",
        data={"current_password": "wrong", "new_password": "x", "new_password_confirm": "y"},
    )
    assert response.status_code == 422
    assert_english_only(response)
