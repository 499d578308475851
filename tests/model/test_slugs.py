"""Slugs for every script: anyascii transliteration, Latin slugs as before, redirects from 0.1 slugs."""

from __future__ import annotations

import shutil
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import REPO, TODAY, build_site
from netlifyfiles import parse_redirects
from generator.model.content import load_content
from generator.model.slugs import is_slug, legacy_slug, slugify

SNAPSHOT = Path(__file__).parent.parent / "fixtures" / "sample_slugs.txt"

KOREAN_NOTES = ("pycon-apac-2016-김정주-기계학습을-소개합니다", "pycon-apac-2016-김경훈-뉴스를-분석하기")


# --- the rule ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, slug", [
    ("Привет, мир", "privet-mir"),                    # Cyrillic
    ("Мельник", "melnik"),                            # a soft sign is not a word break
    ("Ελληνικά κείμενα", "ellinika-keimena"),         # Greek
    ("파이썬", "paisseon"),                             # Hangul, whole syllables (not NFKD jamo)
    ("ひらがな", "hiragana"),                           # hiragana
    ("カタカナ", "katakana"),                           # katakana
    ("東京", "dongjing"),                              # Han
    ("العربية", "lrbyh"),                              # Arabic
    ("مَرْحَبًا", "marhab"),                            # Arabic vowel marks go with their letters
    ("हिन्दी", "hindi"),                                # Devanagari vowel signs go with their letters
    ("Søren", "soren"),                               # Latin letters NFKD does not decompose
    ("Łukasz", "lukasz"),
    ("Straße", "strasse"),
])
def test_every_script_gets_a_readable_slug(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize("text, slug", [
    ("Café-Talk", "cafe-talk"),
    ("don’t", "dont"),
    ("don't", "don-t"),
    ("🎉 party", "party"),
    ("Django: Import Time!", "django-import-time"),
    ("e\u0301te\u0363", "ete"),  # combining marks on Latin letters are stripped, as before
    ("½ price", "12-price"),
])
def test_latin_slugs_are_unchanged(text, slug):
    assert slugify(text) == legacy_slug(text) == slug


def test_every_character_the_old_rule_spelt_is_spelt_the_same():
    """Exhaustive over Unicode: no character 0.1 gave ASCII for is spelt differently now."""
    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        if unicodedata.category(char) == "Cs":
            continue  # lone surrogates are not text
        old = legacy_slug(char)
        if old and old != "u" + char.encode("utf-8").hex():  # the hex fallback: 0.1 spelt nothing
            assert slugify(char) == old, hex(cp)
    for cp in range(0x300, 0x370):  # marks on a Latin letter are stripped, even where anyascii spells them
        assert slugify("e" + chr(cp)) == "e", hex(cp)


def test_hex_fallback_only_when_nothing_transliterates():
    # Emoji and symbols are dropped by rule (anyascii would give ":tada:"), so the name keeps
    # the 0.1 hex slug, and its URL.
    for text in ("🎉", "🎉🎊", "★ ♥", "ー"):
        slug = slugify(text)
        assert slug.startswith("u") and is_slug(slug) and slug == legacy_slug(text), text
    assert slugify("🎉") != slugify("🎊")
    assert slugify("東京") == "dongjing" and legacy_slug("東京").startswith("u")
    assert slugify("") == slugify("  ") == ""


# --- the sample site ----------------------------------------------------------------------------------

def site_slugs(root: Path) -> list[str]:
    """Every ``kind slug`` of a site's URLs, sorted, drafts included."""
    from generator.model.site import build_site as arrange
    content = load_content(root)
    assert not content.problems, content.problems
    site = arrange(content, TODAY, include_drafts=True)
    found = {f"note {n.slug}" for n in site.notes} | {f"event {e.slug}" for e in site.events}
    found |= {f"page {p.slug}" for p in site.pages}
    found |= {f"speaker {g.slug}" for g in site.speakers} | {f"tag {g.slug}" for g in site.tags}
    return sorted(found)


def test_sample_site_slugs_have_not_moved(sample_source):
    assert site_slugs(sample_source) == SNAPSHOT.read_text(encoding="utf-8").splitlines()


def test_sample_site_has_no_legacy_redirects(built_subpath):
    assert "talknotes 0.1" not in (built_subpath / "_redirects").read_text(encoding="utf-8")


# --- small sites -----------------------------------------------------------------------------------

def make_site(root: Path, notes: dict[str, str], events: dict[str, str] = {}) -> Path:
    """A site with the default theme, the given notes (file stem -> front matter) and events."""
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "talknotes.yaml").write_text("title: Slugs\nbase_url: https://example.org/\n", encoding="utf-8")
    for stem, front in notes.items():
        path = root / "content" / "notes" / f"{stem}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}\n---\nBody.\n", encoding="utf-8")
    for stem, text in events.items():
        path = root / "content" / "events" / f"{stem}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_hangul_titled_notes_get_distinct_readable_slugs(tmp_path):
    site = make_site(tmp_path / "site", {name: f"title: T{i}\ndate: 2016-08-1{i}" for i, name in enumerate(KOREAN_NOTES)})
    output = tmp_path / "out"
    build_site(site, output=output)
    assert sorted(p.name for p in (output / "notes").iterdir()) == [
        "pycon-apac-2016-gimgyeonghun-nyuseuleul-bunseoghagi",
        "pycon-apac-2016-gimjeongju-gigyehagseubeul-sogaehabnida",
    ]


def test_names_that_still_fold_alike_are_an_error_naming_both_files(tmp_path):
    site = make_site(tmp_path / "site", {"Жук": "title: A\ndate: 2020-01-01", "zhuk": "title: B\ndate: 2020-01-02"})
    (problem,) = load_content(site).problems
    assert problem.is_error
    assert {problem.path, problem.message.rsplit(" ", 1)[-1]} == {"content/notes/Жук.md", "content/notes/zhuk.md"}
    assert "duplicate note slug 'zhuk'" in problem.message


def test_a_note_naming_an_event_by_its_old_slug_is_told_the_new_one(tmp_path):
    site = make_site(tmp_path / "site", {"x": f"title: X\ndate: 2020-01-01\nevent: {legacy_slug('파이콘')}"},
                     {"파이콘": "name: PyCon KR\nstart: 2020-01-01\n"})
    (problem,) = load_content(site).problems
    assert problem.hint == "did you mean 'paikon'?"


def test_old_slugs_redirect_under_the_base_path(tmp_path):
    site = make_site(tmp_path / "site", {
        "2020-01-01-东京": "title: Tokyo\nspeakers: [Søren Kierkegaard]\ntags: [Привет, python]",
        "2020-01-02-plain": "title: Plain\nspeakers: [Jane Doe]\ntags: [python]",
        "2020-01-03-Ørsted": "title: Ørsted\naliases: [/notes/rsted/]",  # an alias wins
    }, {"파이콘": "name: PyCon KR\nstart: 2020-01-01\n"})
    (site / "content/pages").mkdir()
    (site / "content/pages/Æsop.md").write_text("---\ntitle: About\n---\nHi.\n", encoding="utf-8")
    output = tmp_path / "out"
    build_site(site, base_url="https://example.org/talks/", output=output)
    rules = parse_redirects((output / "_redirects").read_text(encoding="utf-8"))
    moved = {source: target for source, target, status in rules if status == "301"}
    assert all(status == "301" for source, target, status in rules[:-1])
    tokyo, priviet, kr = legacy_slug("东京"), legacy_slug("Привет"), legacy_slug("파이콘")
    expected = {
        f"/talks/notes/{tokyo}/": "/talks/notes/dongjing/",
        f"/talks/notes/{tokyo}": "/talks/notes/dongjing/",
        "/talks/speakers/sren-kierkegaard/": "/talks/speakers/soren-kierkegaard/",
        "/talks/speakers/sren-kierkegaard": "/talks/speakers/soren-kierkegaard/",
        f"/talks/tags/{priviet}/": "/talks/tags/privet/",
        f"/talks/tags/{priviet}": "/talks/tags/privet/",
        f"/talks/tags/{priviet}/feed.xml": "/talks/tags/privet/feed.xml",
        f"/talks/events/{kr}/": "/talks/events/paikon/",
        f"/talks/events/{kr}": "/talks/events/paikon/",
        "/talks/sop/": "/talks/aesop/",
        "/talks/sop": "/talks/aesop/",
        "/talks/notes/rsted/": "/talks/notes/orsted/",  # from the alias
        "/talks/notes/rsted": "/talks/notes/orsted/",
    }
    assert moved == expected
    sources = [source for source, _, _ in rules]
    assert len(sources) == len(set(sources))  # the alias and the old slug give one rule each
    assert rules[-1] == ("/talks/*", "/talks/404.html", "404")  # still last: first match wins
    for target in set(moved.values()):
        rel = target.removeprefix("/talks/")
        assert (output / (rel + "index.html" if rel.endswith("/") else rel)).is_file(), target
    # Names whose slug did not change (plain, Jane Doe, python) get no redirect.
    assert not any("plain" in s or "jane-doe" in s or "/tags/python" in s for s in sources)
