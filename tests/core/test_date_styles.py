"""One date style per context: long in sentences, short in tables, a moment with its time in
Paris, and ``<time datetime>`` values without microseconds."""

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale

MOMENT = datetime(2026, 12, 5, 13, 30, 12, 601931, tzinfo=UTC)  # 14:30 in Paris


@pytest.mark.parametrize(
    ("template", "french", "english"),
    [
        ("{{ day | long_date }}", "5 décembre 2026", "December 5, 2026"),
        ("{{ day | short_date }}", "05/12/2026", "12/5/26"),
        ("{{ moment | date_time }}", "5 déc. 2026 à 14 h 30", "5 Dec 2026 at 14:30"),
        ("{{ moment | long_date }}", "5 décembre 2026", "December 5, 2026"),
        ("{{ moment | iso_moment }}", "2026-12-05T13:30:12+00:00", "2026-12-05T13:30:12+00:00"),
        ("{{ day | iso_moment }}", "2026-12-05", "2026-12-05"),
        ("{{ nothing | date_time }}{{ nothing | long_date }}", "", ""),
    ],
)
def test_date_filters(app, template, french, english):
    with app.test_request_context():
        for locale, expected in (("fr", french), ("en", english)):
            with force_locale(locale):
                rendered = render_template_string(
                    template, day=date(2026, 12, 5), moment=MOMENT, nothing=None
                )
            assert rendered == expected, locale
