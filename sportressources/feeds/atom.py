"""Building an Atom document (RFC 4287) with feedgen: the feed's head, text made safe for XML,
absolute links from ``SITE_URL`` and timestamps in UTC.

Never hand-written XML: feedgen (through lxml) escapes every text, so a title holding
``<script>`` or ``]]>`` stays text; the characters XML 1.0 cannot carry at all (most control
characters) are removed first, since lxml refuses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import current_app
from markupsafe import Markup

from sportressources.core.mail import external_url

# Characters outside XML 1.0's Char production: C0 controls but tab, newline and carriage
# return, lone surrogates and the two non-characters U+FFFE and U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Feed readers keep what they have read; an entry's summary is a foretaste, the page is the whole
SUMMARY_MAX_LENGTH = 600

# When a feed has no entry, its ``updated`` must still be a fixed moment, or its ETag would
# change on every request: the day the site opened its feeds
EMPTY_FEED_UPDATED = datetime(2026, 12, 1, tzinfo=UTC)


def xml_text(value: object, max_length: int | None = None) -> str:
    """``value`` as text XML can carry: forbidden characters removed, cut at ``max_length``
    (on a word, with « … »)."""
    text = _NOT_XML.sub("", str(value or ""))
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rsplit(" ", 1)[0].rstrip(" ,.;:") + " …"
    return text


def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (a naive one is taken as UTC already, as the database stores it)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass
class Entry:
    """One entry, as a feed reader shows it: everything already in words and absolute URLs."""

    url: str  # the page, also the entry's id (stable as long as SITE_URL is)
    title: str
    updated: datetime
    published: datetime | None = None
    summary: str = ""
    author: str = ""
    categories: list[str] = field(default_factory=list)
    image_url: str | None = None  # a photo, shown in the entry's HTML content


@dataclass
class Feed:
    """A whole feed: its own URL (also its id), the page it follows, its title and entries."""

    self_url: str
    page_url: str
    title: str
    subtitle: str
    entries: list[Entry]

    @property
    def updated(self) -> datetime:
        """The latest ``updated`` of its entries: the same document for the same entries."""
        return max((entry.updated for entry in self.entries), default=EMPTY_FEED_UPDATED)


def absolute(endpoint: str, **values) -> str:
    """An absolute URL from ``SITE_URL`` (never the request's Host header, as in emails)."""
    return external_url(endpoint, **values)


def _html_content(entry: Entry) -> str:
    """The photo, then the summary's paragraphs, as HTML (escaped: feed readers render it)."""
    paragraphs = [
        Markup("<p>{}</p>").format(part)
        for part in xml_text(entry.summary, SUMMARY_MAX_LENGTH).split("\n\n")
        if part.strip()
    ]
    photo = Markup('<p><img src="{}" alt="{}"></p>').format(entry.image_url, xml_text(entry.title))
    return str(photo + Markup("").join(paragraphs))


def render(feed: Feed) -> bytes:
    """The Atom document of ``feed``, in UTF-8."""
    generator = FeedGenerator()
    generator.id(feed.self_url)
    generator.title(xml_text(feed.title))
    generator.subtitle(xml_text(feed.subtitle))
    generator.updated(as_utc(feed.updated))
    generator.link(href=feed.self_url, rel="self", type="application/atom+xml")
    generator.link(href=feed.page_url, rel="alternate", type="text/html")
    generator.author({"name": xml_text(current_app.config["SITE_NAME"])})
    generator.language("fr")
    generator.generator("Sport ressources 62")
    for entry in feed.entries:
        item = generator.add_entry(order="append")
        item.id(entry.url)
        item.title(xml_text(entry.title))
        item.updated(as_utc(entry.updated))
        if entry.published is not None:
            item.published(as_utc(entry.published))
        # feedgen 1.0 drops the rel and type of an entry's links (its atom_entry rebinds the
        # loop variable), so an entry has one link, its page, and a photo goes in the content
        item.link(href=entry.url)
        if entry.summary:
            item.summary(xml_text(entry.summary, SUMMARY_MAX_LENGTH))
        if entry.image_url:
            item.content(_html_content(entry), type="html")
        if entry.author:
            item.author({"name": xml_text(entry.author)})
        for term in entry.categories:
            item.category(term=xml_text(term))
    return generator.atom_str(pretty=False, encoding="UTF-8")
