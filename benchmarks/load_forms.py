"""The forms of a page as a browser would send them (benchmarks/load_locust.py): action, hidden
fields such as the CSRF token, checked boxes, text areas and the submit button's value."""

from __future__ import annotations

from html.parser import HTMLParser


class FormParser(HTMLParser):
    """Every form of a page: its action and the fields a browser would send as they stand."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attributes.get("action") or "", "fields": {}})
        elif not self.forms:
            return
        elif tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            if kind not in {"submit", "button", "file"}:
                self.forms[-1]["fields"][attributes["name"]] = attributes.get("value") or ""
            elif kind == "submit" and attributes.get("value"):
                self.forms[-1].setdefault("submit", (attributes["name"], attributes["value"]))
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = attributes["name"]
            self.forms[-1]["fields"][self._textarea] = ""
        elif tag == "button" and attributes.get("name") and attributes.get("value"):
            self.forms[-1].setdefault("submit", (attributes["name"], attributes["value"]))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def find_form(html: str, action_part: str) -> dict | None:
    """The first form whose action contains ``action_part``, fields filled as on the page."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if action_part in form["action"]:
            fields = dict(form["fields"])
            if "submit" in form:
                fields.setdefault(*form["submit"])
            return {"action": form["action"], "fields": fields}
    return None
