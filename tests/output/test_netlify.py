"""netlify.toml, and the generated _headers and _redirects checked against the real output files."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TODAY
from embedsite import embed_site
from netlifyfiles import headers_for, matches, parse_headers, parse_redirects
from sample_facts import read_notes

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
NOT_SERVED = {"_headers", "_redirects"}
# A content hash in a file name, as the generator writes them: site.3f2a9c1b0d.css,
# crowd-3f9c0a12be-480w.webp, search/t/0a1b2c3d4e.json. Decided here from the name alone.
HASHED = re.compile(r"(^|[.-])[0-9a-f]{10}([.-]|$)")


# --- reading the files back ----------------------------------------------------------------------

def request_paths(rel: str, base: str) -> list[str]:
    """The URL paths that serve an output file: ``notes/x/index.html`` also as ``notes/x/``."""
    paths = [base + rel]
    if rel == "index.html" or rel.endswith("/index.html"):
        paths.append(base + rel[: -len("index.html")])
    return paths


def served_files(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*")
                  if p.is_file() and p.name not in NOT_SERVED)


def site_file(output: Path, base: str, url: str) -> Path | None:
    assert url.startswith(base), url
    rel = url[len(base):]
    target = output / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
    return target if target.is_file() else None


# --- netlify.toml ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def netlify():
    return tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))


def test_netlify_toml_builds_and_publishes_output(netlify):
    build = netlify["build"]
    assert build["publish"] == "output"
    assert build["environment"]["PYTHON_VERSION"] == "3.11"
    assert "pip install" in build["command"] and " ." in build["command"]
    assert 'talknotes build --base-url "$URL"' in build["command"]


@pytest.mark.parametrize("context", ["deploy-preview", "branch-deploy"])
def test_previews_and_branch_deploys_build_with_their_own_url(netlify, context):
    command = netlify["context"][context]["command"]
    assert 'talknotes build --base-url "$DEPLOY_PRIME_URL"' in command
    assert "$URL" not in command.replace("$DEPLOY_PRIME_URL", "")
    # Everything else about the build is the same as production.
    assert command.replace("$DEPLOY_PRIME_URL", "$URL") == netlify["build"]["command"]


def test_image_cache_is_kept_between_builds(netlify):
    """A local build plugin saves and restores the cache folder with Netlify's cache utility."""
    from generator.config.settings import SCHEMA
    cache_dir = SCHEMA["cache_dir"].default
    plugins = netlify["plugins"]
    assert len(plugins) == 1
    plugin = REPO / plugins[0]["package"]
    assert plugin.is_dir() and (plugin / "manifest.yml").is_file()
    manifest = yaml.safe_load((plugin / "manifest.yml").read_text(encoding="utf-8"))
    assert manifest["name"]
    code = (plugin / "index.js").read_text(encoding="utf-8")
    assert "onPreBuild" in code and "utils.cache.restore" in code
    assert "onPostBuild" in code and "utils.cache.save" in code
    assert plugins[0]["inputs"]["paths"] == [cache_dir]
    if shutil.which("node"):
        result = subprocess.run(["node", "--check", str(plugin / "index.js")], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


# --- _headers ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["root", "subpath"])
def built(request):
    """(output folder, base path) for the sample site at / and at /talks/2026/."""
    if request.param == "root":
        return request.getfixturevalue("built_root"), "/"
    return request.getfixturevalue("built_subpath"), "/talks/2026/"


def test_every_fingerprinted_file_is_immutable_and_nothing_else(built):
    output, base = built
    rules = parse_headers((output / "_headers").read_text(encoding="utf-8"))
    files = served_files(output)
    hashed = [f for f in files if HASHED.search(f.rsplit("/", 1)[-1])]
    assert any(f.startswith("static/") for f in hashed) and any(f.startswith("img/") for f in hashed)
    assert any(f.startswith("search/t/") for f in hashed)
    for rel in files:
        expected = IMMUTABLE if rel in hashed else REVALIDATE
        for path in request_paths(rel, base):
            # Exactly one Cache-Control: Netlify would join overlapping values with commas.
            assert headers_for(rules, path).get("cache-control") == [expected], (path, expected)


def test_no_html_page_matches_an_immutable_rule(built):
    output, base = built
    rules = parse_headers((output / "_headers").read_text(encoding="utf-8"))
    immutable = [rule for rule, headers in rules if ("Cache-Control", IMMUTABLE) in headers]
    assert immutable
    pages = [f for f in served_files(output) if f.endswith(".html")]
    assert len(pages) > 50
    for rel in pages:
        for path in request_paths(rel, base):
            assert not any(matches(rule, path) for rule in immutable), path
    # Feeds, the sitemap, the search manifest and the web manifest revalidate too.
    for rel in ("feed.xml", "sitemap.xml", "search/manifest.json", "manifest.webmanifest", "build-report.json"):
        assert headers_for(rules, base + rel)["cache-control"] == [REVALIDATE], rel


def test_every_rule_matches_a_real_file_and_carries_the_base_path(built):
    output, base = built
    rules = parse_headers((output / "_headers").read_text(encoding="utf-8"))
    paths = [p for rel in served_files(output) for p in request_paths(rel, base)]
    for rule, _ in rules:
        assert rule.startswith(base), rule
        assert any(matches(rule, path) for path in paths), f"rule {rule} matches no file"


def test_security_headers_on_every_response(built):
    output, base = built
    rules = parse_headers((output / "_headers").read_text(encoding="utf-8"))
    for rel in served_files(output):
        headers = headers_for(rules, base + rel)
        for name in ("content-security-policy", "strict-transport-security", "x-content-type-options",
                     "referrer-policy", "permissions-policy"):
            assert len(headers.get(name, [])) == 1, (rel, name)
    headers = headers_for(rules, base)
    assert headers["x-content-type-options"] == ["nosniff"]
    assert headers["strict-transport-security"][0].startswith("max-age=")
    csp = dict(d.strip().split(" ", 1) for d in headers["content-security-policy"][0].split(";"))
    assert "'unsafe-inline'" not in str(csp) and "'unsafe-eval'" not in str(csp)
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    assert csp["frame-src"] == "'none'"  # the sample notes embed nothing


def test_frame_src_lists_exactly_the_embed_hosts_in_use(tmp_path_factory):
    output = embed_site(tmp_path_factory)
    rules = parse_headers((output / "_headers").read_text(encoding="utf-8"))
    csp = headers_for(rules, "/notes/serverless-django-zappa/")["content-security-policy"][0]
    frame_src = next(d for d in csp.split(";") if d.strip().startswith("frame-src")).split()[1:]
    # YouTube and Vimeo videos and a SlideShare embed; the Speaker Deck talk page stays a link.
    assert frame_src == ["https://player.vimeo.com", "https://www.slideshare.net", "https://www.youtube-nocookie.com"]
    # Every iframe the facades can create is allowed, and nothing else.
    from htmltree import parse_file
    srcs = {f.get("data-embed-src") for page in output.rglob("index.html")
            for f in parse_file(page).find_all("figure", cls="embed")}
    assert {re.match(r"https://[^/]+", s).group(0) for s in srcs} == set(frame_src)


# --- _redirects --------------------------------------------------------------------------------------

def _aliases() -> dict[str, list[str]]:
    """slug -> aliases, read from the sample notes' front matter with PyYAML."""
    found = {}
    for path in sorted((REPO / "content" / "notes").glob("*.md")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        if meta.get("aliases"):
            found[re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem)] = meta["aliases"]
    return found


def test_every_alias_redirects_to_a_page_that_exists(built):
    output, base = built
    aliases = _aliases()
    assert sum(len(v) for v in aliases.values()) >= 2  # the sample site keeps a few old URLs
    published = {n["slug"] for n in read_notes(REPO, TODAY)}
    rules = parse_redirects((output / "_redirects").read_text(encoding="utf-8"))
    sources = {source: (target, status) for source, target, status in rules}
    for slug, olds in aliases.items():
        assert slug in published
        for alias in olds:
            forms = [alias] if alias.endswith(".html") else [alias.rstrip("/") + "/", alias.rstrip("/")]
            for form in forms:
                target, status = sources[base + form.lstrip("/")]
                assert status == "301"
                assert target == f"{base}notes/{slug}/"
                assert site_file(output, base, target) is not None, target
                # The old address is not also a file, which Netlify would serve instead.
                assert site_file(output, base, base + form.lstrip("/")) is None


def test_custom_404_rule_only_below_a_sub_path(built):
    output, base = built
    rules = parse_redirects((output / "_redirects").read_text(encoding="utf-8"))
    catch_all = [r for r in rules if r[0].endswith("*")]
    if base == "/":
        assert catch_all == []  # Netlify serves /404.html by itself at the site root
    else:
        assert catch_all == [(base + "*", base + "404.html", "404")]
        assert rules[-1] == catch_all[0]  # after the aliases: the first matching rule wins
        assert (output / "404.html").is_file()


def test_frame_src_follows_a_changed_video_in_a_rebuild(tmp_path):
    """The frame origins are remembered across builds by the notes' video and slides URLs: a
    new build in a new process sees a note's video move from YouTube to Vimeo, and back."""
    from hostile import cli, make_site
    site = make_site(tmp_path / "site")
    note = site / "content" / "notes" / "2024-03-03-embedded-video.md"

    def frame_src(video: str) -> list[str]:
        note.write_text(f"---\ntitle: Embedded video\nvideo: {video}\n---\n\nThe talk.\n", encoding="utf-8")
        result = cli("build", "--source", str(site))
        assert result.code == 0, result.err
        rules = parse_headers((site / "output" / "_headers").read_text(encoding="utf-8"))
        csp = headers_for(rules, "/talks/")["content-security-policy"][0]  # the fixture's base path
        return next(d for d in csp.split(";") if d.strip().startswith("frame-src")).split()[1:]

    youtube, vimeo = "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://vimeo.com/76979871"
    assert frame_src(youtube) == ["https://www.youtube-nocookie.com"]
    assert frame_src(vimeo) == ["https://player.vimeo.com"]
    assert frame_src(youtube) == ["https://www.youtube-nocookie.com"]
