"""The browser harness itself: it must fail on an inaccessible page or a CSP violation."""

import pytest
from flask import Blueprint

from tests.fixtures.browser import AuditedPage

pytestmark = pytest.mark.e2e


@pytest.fixture
def bad_pages(app):
    bp = Blueprint("bad", __name__)

    @bp.route("/test/image-sans-alt")
    def image_without_alt():
        return '<!doctype html><html lang="fr"><title>t</title><main><img src="/x.png"></main>'

    @bp.route("/test/script-en-ligne")
    def inline_script():
        return (
            '<!doctype html><html lang="fr"><title>t</title><main><h1>t</h1>'
            "<script>document.title = 'x'</script></main>"
        )

    app.register_blueprint(bp)
    return app


@pytest.fixture
def raw_context(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    yield context
    context.close()


def test_a_serious_axe_violation_fails_the_test(bad_pages, raw_context, axe_source):
    page = AuditedPage(raw_context.new_page(), axe_source)
    page.goto("/test/image-sans-alt")
    with pytest.raises(AssertionError, match="image-alt"):
        page.audit()


def test_an_inline_script_is_blocked_and_reported(bad_pages, raw_context, axe_source):
    page = AuditedPage(raw_context.new_page(), axe_source)
    page.goto("/test/script-en-ligne")
    page.audit()
    assert page.title() == "t"  # the inline script never ran
    assert any("Content Security Policy" in problem for problem in page.problems)
