"""The terms of use are a page of numbered rules, in French and in English: every rule of
``grounds.TERMS_RULES`` is there under its number, at its anchor (« regle-3-4 ») with its title,
and the pages number no rule that the grounds do not know."""

import re

import pytest
from flask_babel import force_locale

from sportressources.moderation import grounds
from tests.fixtures.web import text

RULE = re.compile(
    r'<p id="(?P<anchor>regle-[^"]*)"><strong><span class="rule-number">(?P<number>[^<]*)</span>'
    r" (?P<title>[^<]*)\.</strong>"
)


def rules_on(html: str) -> dict[str, tuple[str, str]]:
    return {m["anchor"]: (m["number"], m["title"]) for m in RULE.finditer(html)}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_rule_is_on_the_terms_page_under_its_number(client, locale):
    client.post("/langue", data={"locale": locale})
    html = text(client.get("/conditions-utilisation"))
    shown = rules_on(html)
    with force_locale(locale):
        expected = {rule.anchor: (rule.rule, str(rule.label)) for rule in grounds.TERMS_RULES}
    assert shown == expected
    # Nothing else on the page looks like a rule: no anchor, no number the grounds do not know
    assert set(re.findall(r'id="(regle-[^"]*)"', html)) == set(expected)
    assert set(re.findall(r'class="rule-number">([^<]*)<', html)) == {
        rule.rule for rule in grounds.TERMS_RULES
    }


def test_rule_anchors_follow_their_numbers():
    assert grounds.rule("3.4").anchor == "regle-3-4"
    assert [ground.anchor for ground in grounds.ILLEGAL_KINDS] == [None] * len(
        grounds.ILLEGAL_KINDS
    )
    numbers = [rule.rule for rule in grounds.TERMS_RULES]
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"\d+\.\d+", number) for number in numbers)
