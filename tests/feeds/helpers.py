"""Reading an Atom feed as a feed reader does."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class ReadEntry:
    id: str
    title: str
    updated: str
    link: str
    summary: str
    author: str
    content: str
    images: list[str]


@dataclass
class ReadFeed:
    root: ET.Element

    @property
    def title(self) -> str:
        return self.root.findtext(f"{ATOM}title")

    @property
    def id(self) -> str:
        return self.root.findtext(f"{ATOM}id")

    def link(self, rel: str) -> str | None:
        for link in self.root.findall(f"{ATOM}link"):
            if link.get("rel", "alternate") == rel:
                return link.get("href")
        return None

    @property
    def entries(self) -> list[ReadEntry]:
        read = []
        for entry in self.root.findall(f"{ATOM}entry"):
            links = entry.findall(f"{ATOM}link")
            read.append(
                ReadEntry(
                    id=entry.findtext(f"{ATOM}id"),
                    title=entry.findtext(f"{ATOM}title"),
                    updated=entry.findtext(f"{ATOM}updated"),
                    link=next(
                        (x.get("href") for x in links if x.get("rel", "alternate") == "alternate"),
                        "",
                    ),
                    summary=entry.findtext(f"{ATOM}summary") or "",
                    author=entry.findtext(f"{ATOM}author/{ATOM}name") or "",
                    content=entry.findtext(f"{ATOM}content") or "",
                    images=re.findall(
                        r'<img src="([^"]+)"', entry.findtext(f"{ATOM}content") or ""
                    ),
                )
            )
        return read

    @property
    def titles(self) -> list[str]:
        return [entry.title for entry in self.entries]


def read_feed(response) -> ReadFeed:
    """The feed of a response, checked as RFC 4287 asks: a feed id, title and updated (with an
    author for entries that have none), each entry with id, title, updated and a link; every
    timestamp in UTC."""
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    feed = ReadFeed(root)
    assert feed.id and feed.id.startswith("http://localhost/flux/")
    assert feed.title
    assert _utc(root.findtext(f"{ATOM}updated"))
    assert feed.link("self") == feed.id
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in feed.entries:
        assert entry.id and entry.id == entry.link
        assert entry.link.startswith("http://localhost/")
        assert entry.title
        assert _utc(entry.updated)
    for entry in root.findall(f"{ATOM}entry"):
        # RFC 4287 4.1.1: at most one alternate link of a given type and language
        alternates = [
            (x.get("type"), x.get("hreflang"))
            for x in entry.findall(f"{ATOM}link")
            if x.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == len(set(alternates)) == 1
    return feed


def _utc(text: str | None) -> bool:
    moment = datetime.fromisoformat(text or "")
    return moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
