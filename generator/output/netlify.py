"""What the CDN needs to know, written beside the site: Netlify's ``_headers`` and ``_redirects``.

The build knows which files have a content hash in their name (cache them for a year), which
files keep their name across builds (revalidate every time), which embed hosts the notes use
(the only ``frame-src`` entries), and which old URLs must redirect. Every path carries the base
path, so the files are right for a sub-path deploy too (see docs/deploy.md).

Netlify applies every ``_headers`` rule that matches a request and joins repeated header names
with commas, so ``Cache-Control`` rules never overlap: immutable rules cover only the
fingerprinted folders, and revalidate rules cover everything else by folder or by file.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from ..model.errors import Problem

HEADERS_FILE = "_headers"
REDIRECTS_FILE = "_redirects"

#: Folders whose every file name carries a content hash (theme assets, image variants, search
#: shards). ``search/manifest.json`` keeps its name and is revalidated.
IMMUTABLE_DIRS = ("static/", "img/", "search/t/", "search/d/", "search/f/")
#: A 10-hex-digit content hash as the fingerprinting code writes it: ``site.3f2a9c1b0d.css``,
#: ``crowd-3f9c0a12be-480w.webp``, ``t/0a1b2c3d4e.json``.
HASHED_NAME = re.compile(r"(?:^|[.-])[0-9a-f]{10}(?:[.-]|$)")

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
NOT_SERVED = {HEADERS_FILE, REDIRECTS_FILE}  # Netlify reads these; it never serves them

#: Features no page uses; the embeds' iframes ask only for autoplay, fullscreen,
#: encrypted-media and picture-in-picture, which stay at their defaults.
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=()")


def content_security_policy(frame_origins: list[str]) -> str:
    """A CSP without ``'unsafe-inline'``: the theme has no inline script or style, and JSON-LD
    blocks are data, not script. ``frame-src`` lists only the players the notes embed."""
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "frame-src " + (" ".join(sorted(set(frame_origins))) or "'none'"),
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def security_headers(frame_origins: list[str]) -> list[tuple[str, str]]:
    return [
        ("Content-Security-Policy", content_security_policy(frame_origins)),
        ("Strict-Transport-Security", "max-age=31536000"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    ]


def is_fingerprinted(rel: str) -> bool:
    """True for a file under a fingerprinted folder: its URL changes whenever its bytes do."""
    return rel.startswith(IMMUTABLE_DIRS)


def unhashed_immutable(files) -> list[str]:
    """Files under a fingerprinted folder whose name has no content hash (a bug to report)."""
    return sorted(f for f in files if is_fingerprinted(f) and not HASHED_NAME.search(f.rsplit("/", 1)[-1]))


def _url(base_path: str, rel: str) -> str:
    return quote(base_path + rel, safe="/%-._~!$&'()*+,;=:@")


def cache_rules(files, base_path: str) -> tuple[list[str], list[str]]:
    """(immutable path rules, revalidate path rules) covering every served file, never both.

    A folder holding no fingerprinted file gets one ``folder/*`` rule; in a folder holding both
    kinds (the root, ``search/``) each file gets its own rule, and ``index.html`` also its
    folder's URL.
    """
    served = sorted(f for f in files if f not in NOT_SERVED)
    immutable_dirs = sorted({d for d in IMMUTABLE_DIRS if any(f.startswith(d) for f in served)})
    immutable = [_url(base_path, d) + "*" for d in immutable_dirs]
    revalidate: list[str] = []

    def mixed(prefix: str) -> bool:
        return any(d.startswith(prefix) for d in IMMUTABLE_DIRS)

    def visit(prefix: str, names: list[str]) -> None:
        if prefix in IMMUTABLE_DIRS:
            return
        if prefix and not mixed(prefix):
            revalidate.append(_url(base_path, prefix) + "*")
            return
        folders: dict[str, list[str]] = {}
        for name in names:
            rest = name[len(prefix):]
            if "/" in rest:
                folders.setdefault(prefix + rest.split("/", 1)[0] + "/", []).append(name)
            else:
                if rest == "index.html":
                    revalidate.append(_url(base_path, prefix))
                revalidate.append(_url(base_path, name))
        for folder, inside in sorted(folders.items()):
            visit(folder, inside)

    visit("", served)
    return immutable, revalidate


def headers_text(files, base_path: str, frame_origins: list[str]) -> str:
    """The ``_headers`` file for the given output files (paths relative to ``output/``)."""
    immutable, revalidate = cache_rules(files, base_path)
    lines = ["# Written by talknotes build: do not edit (see docs/deploy.md).", "",
             "# Every response: security headers.", base_path + "*"]
    lines += [f"  {name}: {value}" for name, value in security_headers(frame_origins)]
    lines += ["", "# Fingerprinted files: the name changes whenever the content does."]
    for rule in immutable:
        lines += [rule, f"  Cache-Control: {IMMUTABLE}"]
    lines += ["", "# Pages, feeds, the sitemap and the search manifest keep their URLs: revalidate."]
    for rule in revalidate:
        lines += [rule, f"  Cache-Control: {REVALIDATE}"]
    return "\n".join(lines) + "\n"


def alias_sources(alias: str) -> list[str]:
    """The request paths an alias answers: ``/old/`` and ``/old`` (a file-like ``/old.html`` as is)."""
    last = alias.rstrip("/").rsplit("/", 1)[-1]
    if "." in last and not alias.endswith("/"):
        return [alias]
    bare = alias.rstrip("/")
    return [bare + "/", bare] if bare else ["/"]


#: A tag's slug also names its feed; a slug of any other kind names one page.
_SLUG_ENDPOINTS = {"tag": ("tag", "tag_feed")}


def moved_rules(site, urls, claimed) -> list[tuple[str, str]]:
    """(old URL, new URL) for every page talknotes 0.1 published under a slug that is now
    different (``site.moved``); sources in ``claimed`` (aliases) and repeats are left out."""
    rules = []
    for endpoint, old, new in site.moved:
        for end in _SLUG_ENDPOINTS.get(endpoint, (endpoint,)):
            target = urls.url_for(end, slug=new)
            for source in alias_sources(urls.url_for(end, slug=old)):
                if source not in claimed:
                    claimed.add(source)
                    rules.append((source, target))
    return rules


def _rule_lines(comment: str, rules) -> list[str]:
    width = max(len(source) for source, _ in rules)
    return ["", comment] + [f"{source.ljust(width)}  {target}  301" for source, target in rules]


def redirects_text(site, urls) -> str:
    """The ``_redirects`` file: a 301 for every note alias and for every URL an old slug rule
    published, and the 404 page under a sub-path."""
    base = urls.base_path
    lines = ["# Written by talknotes build: do not edit (see docs/deploy.md)."]
    rules = []
    for note in site.notes:
        target = urls.url_for("note", slug=note.slug)
        for alias in note.aliases:
            for source in alias_sources(alias):
                rules.append((_url(base, source.lstrip("/")), target))
    if rules:
        lines += _rule_lines("# Old addresses of renamed notes (aliases in their front matter).", rules)
    moved = moved_rules(site, urls, {source for source, _ in rules})
    if moved:
        lines += _rule_lines("# Addresses from talknotes 0.1's slug rule (see docs/content.md#slugs).", moved)
    if base != "/":
        # Netlify serves /404.html for unknown paths at the site root by itself; below a
        # sub-path the site's own 404 page needs a rule. Non-forced: existing files still win.
        lines += ["", "# Unknown addresses under the base path get the site's 404 page.",
                  f"{base}*  {urls.url_for('not_found')}  404"]
    return "\n".join(lines) + "\n"


def write_deploy_files(writer, staging: Path, site, urls, memo=None) -> list[Problem]:
    """Write ``_headers`` and ``_redirects`` for the files written so far; returns problems found.
    ``memo`` remembers the frame origins across builds (see :func:`~generator.render.embeds.frame_origins`)."""
    from ..render.embeds import frame_origins

    # The writer's list, not a walk of ``staging``: a staging folder being updated from an older
    # site still holds that site's stale files until the build finishes.
    files = sorted(writer.manifest) + [f for f in NOT_SERVED]
    problems = [Problem(rel, None, None, "is in a folder cached for a year but its name has no content hash",
                        "write it through url_for('static', ...) or give it a hashed name")
                for rel in unhashed_immutable(files)]
    writer.write(HEADERS_FILE, headers_text(files, urls.base_path, frame_origins(site.notes, memo)), owner="netlify")
    writer.write(REDIRECTS_FILE, redirects_text(site, urls), owner="netlify")
    return problems
