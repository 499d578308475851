"""Pelican: Markdown posts with ``Key: value`` metadata, and reST posts with ``:key:`` fields.

The folder given is the Pelican project (``pelicanconf.py`` and ``content/``) or its content
folder. ``pelicanconf.py`` is never run: its simple assignments (``ARTICLE_URL = '...'``,
``PAGE_PATHS = ['pages']``) are read from its syntax tree, and anything else is ignored.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

from ..model.slugs import slugify
from . import frontmatter, rst
from .blog import Links, Post, link_target, site_path, to_note
from .common import Batch, parse_date, problem, text_list

SUFFIXES = {".md", ".markdown", ".mkd", ".mdown", ".rst"}
DEFAULTS = {"PATH": "content", "ARTICLE_PATHS": [""], "PAGE_PATHS": ["pages"], "STATIC_PATHS": ["images"],
            "ARTICLE_EXCLUDES": [], "ARTICLE_URL": "{slug}.html", "ARTICLE_LANG_URL": "{slug}-{lang}.html",
            "DRAFT_URL": "drafts/{slug}.html", "DEFAULT_LANG": "en", "USE_FOLDER_AS_CATEGORY": True,
            "FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2}).*"}
_MARKERS = re.compile(r"^(?:\{(static|attach|filename|tag|category|author|index)\}|\|(static|attach|filename)\|)")
_META_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.*)$")


def settings(root: Path, shown: str) -> tuple[dict, list]:
    """The simple assignments of ``pelicanconf.py`` over Pelican's defaults."""
    values = dict(DEFAULTS)
    path = root / "pelicanconf.py"
    if not path.is_file():
        return values, []
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        return values, [problem(f"{shown}/pelicanconf.py", f"cannot read the settings: {exc}",
                                getattr(exc, "lineno", None), "its URL settings are taken as Pelican's defaults")]
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue  # computed: not ours to evaluate
    return values, []


def _markdown_meta(text: str) -> tuple[dict, str, int]:
    """Python-Markdown's meta syntax: ``Key: value`` lines (continued by indented lines) up to a
    blank line. Returns (metadata with lowercase keys, body, body's first line)."""
    lines = text.split("\n")
    meta: dict = {}
    key = None
    for index, line in enumerate(lines):
        match = _META_LINE.match(line)
        if match:
            key = match.group(1).lower()
            meta[key] = match.group(2).strip()
        elif key and line.startswith(("    ", "\t")) and line.strip():
            meta[key] += "\n" + line.strip()
        elif not line.strip() and meta:
            return meta, "\n".join(lines[index + 1:]), index + 2
        else:
            return (meta, "\n".join(lines[index:]), index + 1) if meta else ({}, text, 1)
    return meta, "", len(lines) + 1


def read(root: Path, shown: str) -> Batch:
    batch = Batch("pelican")
    conf, batch.problems = settings(root, shown)
    content = root / conf["PATH"] if (root / "pelicanconf.py").is_file() else (
        root / "content" if (root / "content").is_dir() else root)
    files = _articles(content, conf)
    keys = {path: f"pelican:{path.relative_to(content).as_posix()}" for path in files}
    for path in files:
        post = _post(path, content, root, conf, keys, shown, batch)
        if post:
            batch.notes.append(to_note(post))
    return batch


def _articles(content: Path, conf: dict) -> list[Path]:
    def under(path: Path, folders) -> bool:
        rel = path.relative_to(content).as_posix()
        return any(f and (rel == f or rel.startswith(f.rstrip("/") + "/")) for f in folders)
    found = []
    for folder in conf["ARTICLE_PATHS"] or [""]:
        base = content / folder
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.suffix.lower() in SUFFIXES and path.is_file() and not any(
                    p.startswith(".") for p in path.relative_to(content).parts):
                if not under(path, conf["PAGE_PATHS"]) and not under(path, conf["ARTICLE_EXCLUDES"]) \
                        and path not in found:
                    found.append(path)
    return found


def _post(path: Path, content: Path, root: Path, conf: dict, keys: dict, shown: str, batch: Batch) -> Post | None:
    origin = f"{shown.rstrip('/')}/{path.relative_to(root).as_posix()}"
    raw, text, problems = frontmatter.read_text(path, origin)
    if text is None:
        batch.problems += problems
        return None
    post = Post(key=keys[path], origin=origin, raw=raw, title="", date=dt.date.min, body="")
    links = Links(post, lambda target: _locate(target, path.parent, content, root, keys))
    if path.suffix.lower() == ".rst":
        document = rst.read_document(text, url=links.target)
        if document is None:
            batch.problems.append(problem(origin, "reStructuredText that docutils cannot read",
                                          None, "build it with Pelican to see docutils' message"))
            return None
        meta, body = document.fields, document.markdown
        title = document.title or meta.get("title")
    else:
        parsed = frontmatter.split(text, origin)
        if parsed.problems:
            batch.problems += parsed.problems
            return None
        if parsed.found:
            meta = frontmatter.lowered(parsed.meta)
            body = parsed.body
        else:
            meta, body, _ = _markdown_meta(text)
        body, title = links.markdown(body), meta.get("title")
    title = " ".join(str(title or "").split())
    if not title:
        batch.problems.append(problem(origin, "the post has no title", 1, "add Title: ... to its metadata"))
        return None
    post.title, post.body = title, body
    date = meta.get("date")
    if not date:
        found = re.match(conf.get("FILENAME_METADATA") or "$^", path.stem)
        date = found.groupdict().get("date") if found else None
    try:
        post.date = parse_date(date) if date else None
        post.updated = parse_date(meta["modified"]) if meta.get("modified") else None
    except ValueError as exc:
        batch.problems.append(problem(origin, f"{exc}", _line(text, "date"), "use YYYY-MM-DD"))
        return None
    if post.date is None:
        batch.problems.append(problem(origin, "the post has no date", 1, "add Date: YYYY-MM-DD to its metadata"))
        return None
    post.slug = str(meta.get("slug") or "") or slugify(title)
    post.tags = text_list(meta.get("tags"))
    category = str(meta.get("category") or "").strip()
    rel_folder = path.parent.relative_to(content).parts
    if not category and conf.get("USE_FOLDER_AS_CATEGORY") and rel_folder:
        category = rel_folder[-1]
    post.categories = [category] if category else []
    post.authors = text_list(meta.get("authors") or meta.get("author"))
    post.summary = rst.to_plain(str(meta.get("summary") or "")) if path.suffix == ".rst" else \
        " ".join(str(meta.get("summary") or "").split())
    post.draft = str(meta.get("status") or "").strip().lower() == "draft"
    post.lang = str(meta.get("lang")).strip() if meta.get("lang") else None
    post.old_urls = _old_urls(post, meta, conf, category)
    return post


def _line(text: str, key: str) -> int | None:
    found = re.search(rf"^:?{key}:", text, re.IGNORECASE | re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _old_urls(post: Post, meta: dict, conf: dict, category: str) -> list[str]:
    """Where Pelican published the post: its ``url`` metadata, else ARTICLE_URL (ARTICLE_LANG_URL
    for a post in another language, DRAFT_URL for a draft) filled in."""
    if meta.get("url"):
        return [p for p in [site_path(str(meta["url"]))] if p]
    lang = post.lang or conf.get("DEFAULT_LANG") or "en"
    pattern = conf["DRAFT_URL"] if post.draft else (
        conf["ARTICLE_LANG_URL"] if post.lang and post.lang != conf.get("DEFAULT_LANG") else conf["ARTICLE_URL"])
    values = {"slug": post.slug, "lang": lang, "date": dt.datetime.combine(post.date, dt.time()),
              "category": slugify(category or conf.get("DEFAULT_CATEGORY", "misc")),
              "author": slugify(post.authors[0]) if post.authors else "",
              "modified": dt.datetime.combine(post.updated or post.date, dt.time())}
    try:
        url = str(pattern).format(**values)
    except (KeyError, ValueError, IndexError, AttributeError) as exc:
        post.warnings.append(f"its URL setting {pattern!r} cannot be filled in ({exc}); no alias for its old URL")
        return []
    return [p for p in [site_path(url)] if p]


def _locate(target: str, folder: Path, content: Path, root: Path, keys: dict):
    """What a link in a post names: a file to copy, another post, or a page of the new site."""
    marker = _MARKERS.match(target)
    kind = (marker.group(1) or marker.group(2)) if marker else None
    rest = target[marker.end():] if marker else target
    if kind in ("tag", "category"):
        return ("site", f"/tags/{slugify(rest)}/") if rest else None
    if kind == "author":
        return ("site", f"/speakers/{slugify(rest)}/") if rest else None
    if kind == "index":
        return ("site", "/")
    if not marker and (re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith(("#", "//"))):
        return None
    return link_target(rest, folder, [content], root, keys)
