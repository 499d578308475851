"""Themes: extends chains, site overrides file by file, fingerprinted assets, template errors."""

from __future__ import annotations

import pytest

from conftest import build_site, copy_sample_site
from generator.model.errors import BuildError
from htmltree import parse_file


@pytest.fixture()
def site(tmp_path):
    return copy_sample_site(tmp_path / "site")


def set_theme(site, name):
    config = site / "talknotes.yaml"
    config.write_text(config.read_text().replace("theme: default", f"theme: {name}"))


def test_child_theme_and_site_overrides(site, tmp_path):
    child = site / "themes" / "child"
    (child / "templates").mkdir(parents=True)
    (child / "static" / "css").mkdir(parents=True)
    (child / "theme.yaml").write_text("extends: default\n")
    (child / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost at the conference</h1>{% endblock %}\n')
    (child / "static" / "css" / "print.css").write_text("body { color: #000; }\n")
    (site / "templates").mkdir()
    (site / "templates" / "about-extra.html").write_text("unused\n")
    (site / "static" / "css").mkdir(parents=True)
    (site / "static" / "css" / "site.css").write_text("body { margin: 0; }\n")
    set_theme(site, "child")
    output = tmp_path / "out"
    build_site(site, output=output)
    assert parse_file(output / "404.html").find("h1").text == "Lost at the conference"
    doc = parse_file(output / "index.html")
    hrefs = {l.get("href") for l in doc.find_all("link", rel="stylesheet")}
    site_css = next(h for h in hrefs if "/site." in h)
    print_css = next(h for h in hrefs if "/print." in h)
    assert (output / site_css.lstrip("/")).read_text() == "body { margin: 0; }\n"
    assert (output / print_css.lstrip("/")).read_text() == "body { color: #000; }\n"
    assert doc.find("h1").text == "Latest notes"  # other templates come from the parent theme


def test_unknown_theme_is_reported(site):
    set_theme(site, "nosuch")
    with pytest.raises(BuildError) as error:
        build_site(site)
    (problem,) = error.value.problems
    assert str(problem).startswith("talknotes.yaml:8: theme: unknown theme 'nosuch' (available: default")


def test_template_syntax_error_names_file_and_line(site):
    (site / "templates").mkdir()
    (site / "templates" / "tags.html").write_text('{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n')
    with pytest.raises(BuildError) as error:
        build_site(site)
    assert any(str(p).startswith("templates/tags.html:3: template syntax error") for p in error.value.problems)


def test_undefined_variable_names_file_and_line(site):
    (site / "templates").mkdir()
    (site / "templates" / "tags.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<p>{{ no_such_thing.title }}</p>\n{% endblock %}\n')
    with pytest.raises(BuildError) as error:
        build_site(site)
    messages = [str(p) for p in error.value.problems]
    assert any(m.startswith("templates/tags.html:3: undefined variable") and "no_such_thing" in m for m in messages)


def test_assets_are_fingerprinted_and_referenced_through_url_for(built_root):
    for css in (built_root / "static" / "css").iterdir():
        stem, digest, suffix = css.name.rsplit(".", 2)
        assert len(digest) == 10 and suffix == "css"
    assert not (built_root / "static" / "css" / "site.css").exists()
