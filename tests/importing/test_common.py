"""The small rules every importer shares: dates, names lists, slugs, old URLs, Pelican metadata."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.importing.blog import site_path
from generator.importing.common import MAX_SLUG, parse_date, short_slug, text_list
from generator.importing.pelican import _markdown_meta


@pytest.mark.parametrize("value, day", [
    ("2019-05-04", dt.date(2019, 5, 4)), ("2019-05-04T13:55:00", dt.date(2019, 5, 4)),
    ("2010-10-03 10:20", dt.date(2010, 10, 3)), ("2012/1/9", dt.date(2012, 1, 9)),
    ("2021-02-03T08:00:00+01:00", dt.date(2021, 2, 3)), (dt.datetime(2020, 1, 2, 3, 4), dt.date(2020, 1, 2)),
    (dt.date(2020, 1, 2), dt.date(2020, 1, 2)),
])
def test_dates_as_sources_write_them(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize("value", ["2011-02-30", "tomorrow", "20190504", 2019, None, "2019-05-04x"])
def test_bad_dates_are_refused(value):
    with pytest.raises(ValueError, match="invalid date"):
        parse_date(value)


def test_name_lists():
    assert text_list("a, b,, a") == ["a", "b"]
    assert text_list("a; b, c") == ["a", "b, c"]  # Pelican: semicolons win
    assert text_list("news  updates", " ") == ["news", "updates"]
    assert text_list(["python,", " x ", 3, True, None, ["nested"]]) == ["python", "x", "3"]
    assert text_list(None) == [] and text_list({"a": 1}) == []


def test_long_slugs_are_cut_at_a_hyphen():
    slug = "-".join(["word"] * 40)
    cut = short_slug(slug)
    assert len(cut) <= MAX_SLUG and not cut.endswith("-") and slug.startswith(cut)
    assert short_slug("short-slug") == "short-slug"


@pytest.mark.parametrize("url, path", [
    ("2020/03/x.html", "/2020/03/x.html"), ("/a//b/", "/a/b/"), ("https://blog.example.org/p/x/?q=1#f", "/p/x/"),
    ("//2019/09/10/x/", "/2019/09/10/x/"), ("/", None), ("", None),
])
def test_old_urls_become_site_paths(url, path):
    assert site_path(url) == path


def test_pelican_markdown_metadata():
    meta, body, line = _markdown_meta("Title: A post\nSummary: first line\n    second line\nTags: a, b\n\nBody here.\n")
    assert meta == {"title": "A post", "summary": "first line\nsecond line", "tags": "a, b"}
    assert body == "Body here.\n" and line == 6
    assert _markdown_meta("# A heading\n\nText")[0] == {}
