"""Hugo: posts with YAML (``---``), TOML (``+++``) or JSON front matter, and page bundles.

The folder given is the Hugo site (``hugo.toml``/``config.toml``/... and ``content/``). Every
regular page below a section of ``content/`` is a post; ``_index.md`` (a list page) and pages at
the top of ``content/`` (an About page) are left out and listed in the summary. A leaf bundle's
resources (every other file in ``<post>/index.md``'s folder) are copied beside the note.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from pathlib import Path

from ..model.slugs import slugify
from . import frontmatter
from .blog import Links, Post, link_target, site_path, to_note
from .common import Batch, parse_date, problem, text_list

SUFFIXES = {".md", ".markdown"}
CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml",
                "config.yml", "config.json")
_REF = re.compile(r"\{\{[<%]\s*(?:rel)?ref\s+\"([^\"]+)\"\s*[>%]\}\}")
_FIGURE = re.compile(r"\{\{[<%]\s*figure\s+([^>%]*?)\s*/?[>%]\}\}")
_YOUTUBE = re.compile(r"\{\{[<%]\s*youtube\s+(?:id=)?\"?([\w-]+)\"?\s*[>%]\}\}")
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}")
_DATE_PREFIX = re.compile(r"(\d{4}-\d{2}-\d{2})-")


def config(root: Path, shown: str) -> tuple[dict, list]:
    for folder in (root, root / "config" / "_default"):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                conf, problems = frontmatter.read_config(folder / name, f"{shown.rstrip('/')}/"
                                                         f"{(folder / name).relative_to(root).as_posix()}")
                return frontmatter.lowered(conf), problems
    return {}, []


def read(root: Path, shown: str) -> Batch:
    batch = Batch("hugo")
    conf, batch.problems = config(root, shown)
    content = root / str(conf.get("contentdir") or "content")
    statics = conf.get("staticdir") or ["static"]
    statics = [root / s for s in ([statics] if isinstance(statics, str) else statics)]
    permalinks = conf.get("permalinks") if isinstance(conf.get("permalinks"), dict) else {}
    if isinstance(permalinks.get("page"), dict):
        permalinks = permalinks["page"]
    files = [p for p in sorted(content.rglob("*")) if p.suffix.lower() in SUFFIXES and p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(content).parts)]
    posts = []
    for path in files:
        rel = path.relative_to(content).as_posix()
        if path.name.startswith("_index."):
            continue
        if "/" not in rel:
            batch.skipped.append((f"{shown.rstrip('/')}/{path.relative_to(root).as_posix()}",
                                  "a page at the top of content/, not a post"))
            continue
        if path.stem != "index" and (path.parent / "index.md").is_file():
            continue  # a content resource of a bundle
        posts.append(path)
    keys = {path: f"hugo:{path.relative_to(content).as_posix()}" for path in posts}
    for path in posts:
        post = _post(path, root, content, statics, conf, permalinks, keys, shown, batch)
        if post:
            batch.notes.append(to_note(post))
    return batch


def _shortcodes(body: str, post: Post) -> str:
    def figure(m):
        attrs = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', m.group(1)))
        return f"![{attrs.get('alt') or attrs.get('caption') or attrs.get('title') or ''}]({attrs.get('src', '')})"
    body = _REF.sub(lambda m: "{ref}" + m.group(1).replace(" ", "%20"), body)
    body = _FIGURE.sub(figure, body)
    body = _YOUTUBE.sub(lambda m: f"<https://www.youtube.com/watch?v={m.group(1)}>", body)
    left = sorted(set(_SHORTCODE.findall(body)))
    if left:
        post.warnings.append("Hugo shortcodes left as written: " + ", ".join(left[:3]) + (" ..." if len(left) > 3 else ""))
    return body


def _post(path, root, content, statics, conf, permalinks, keys, shown, batch) -> Post | None:
    origin = f"{shown.rstrip('/')}/{path.relative_to(root).as_posix()}"
    raw, text, problems = frontmatter.read_text(path, origin)
    parsed = frontmatter.split(text, origin) if text is not None else None
    if text is None or parsed.problems:
        batch.problems += problems + (parsed.problems if parsed else [])
        return None
    meta = frontmatter.lowered(parsed.meta)
    title = " ".join(str(meta.get("title") or "").split())
    if not title:
        batch.problems.append(problem(origin, "the post has no title", 1, "add title to its front matter"))
        return None
    bundle = path.stem == "index"
    name = path.parent.name if bundle else path.stem
    date = next((meta[k] for k in ("date", "publishdate", "pubdate", "published", "lastmod") if meta.get(k)), None)
    if date is None and _DATE_PREFIX.match(name):
        date = _DATE_PREFIX.match(name).group(1)
    post = Post(key=keys[path], origin=origin, raw=raw, title=title, date=dt.date.min, body="")
    try:
        post.date = parse_date(date) if date is not None else None
        post.updated = parse_date(meta["lastmod"]) if meta.get("lastmod") else None
    except ValueError as exc:
        batch.problems.append(problem(origin, str(exc), _line(text, "date"), "use YYYY-MM-DD"))
        return None
    if post.date is None:
        batch.problems.append(problem(origin, "the post has no date", 1, "add date: YYYY-MM-DD to its front matter"))
        return None
    post.slug = str(meta.get("slug") or "") or _DATE_PREFIX.sub("", name, count=1)
    post.tags, post.categories = text_list(meta.get("tags")), text_list(meta.get("categories"))
    post.authors = text_list(meta.get("authors") or meta.get("author"))
    post.summary = str(meta.get("summary") or meta.get("description") or "")
    post.draft = meta.get("draft") is True
    links = Links(post, lambda target: _locate(target, path.parent, content, statics, root, keys))
    if bundle:
        for resource in sorted(path.parent.rglob("*")):
            if resource.is_file() and resource.suffix.lower() not in SUFFIXES and not resource.name.startswith("."):
                links.target(posixpath.relpath(resource.as_posix(), path.parent.as_posix()))
    post.body = links.markdown(_shortcodes(parsed.body, post))
    post.old_urls = _old_urls(post, meta, path, content, name, conf, permalinks)
    return post


def _line(text: str, key: str) -> int | None:
    found = re.search(rf"^{key}\s*[:=]", text, re.IGNORECASE | re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _old_urls(post: Post, meta: dict, path: Path, content: Path, name: str, conf: dict, permalinks: dict) -> list[str]:
    """The page's URL as Hugo made it (``url``, else the section's permalink pattern, else its
    path), and its ``aliases``."""
    sections = list(path.relative_to(content).parent.parts)
    if path.stem == "index":
        sections = sections[:-1]
    slug = str(meta.get("slug") or "")
    if meta.get("url"):
        url = str(meta["url"])
    elif sections and isinstance(permalinks.get(sections[0]), str):
        url = _permalink(permalinks[sections[0]], post, sections, name, slug)
    else:
        last = slug or name
        url = "/" + "/".join([*sections, last]) + (".html" if conf.get("uglyurls") is True else "/")
    if not conf.get("disablepathtolower"):
        url = url.lower()
    found = [site_path(url)]
    parent = posixpath.dirname(site_path(url).rstrip("/")) if site_path(url) else "/"
    for alias in text_list(meta.get("aliases")):
        found.append(site_path(alias if alias.startswith("/") else posixpath.join(parent, alias)))
    return [f for f in found if f]


def _permalink(pattern: str, post: Post, sections: list, name: str, slug: str) -> str:
    day = post.date
    title = slugify(post.title)
    values = {
        "year": f"{day.year:04d}", "month": f"{day.month:02d}", "monthname": day.strftime("%B").lower(),
        "day": f"{day.day:02d}", "weekday": str(day.isoweekday() % 7), "weekdayname": day.strftime("%A").lower(),
        "yearday": str(day.timetuple().tm_yday), "section": sections[0] if sections else "",
        "sections": "/".join(sections), "title": title, "slug": slug or title, "filename": name,
        "contentbasename": name, "slugorfilename": slug or name, "slugorcontentbasename": slug or name,
    }
    return re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)


def _locate(target: str, folder: Path, content: Path, statics: list, root: Path, keys: dict):
    if target.startswith("{ref}"):
        wanted = target[len("{ref}"):].split("#")[0].replace("%20", " ").lstrip("/")
        for path, key in keys.items():
            rel = path.relative_to(content).as_posix()
            if rel == wanted or rel.removesuffix(path.suffix) == wanted.removesuffix(".md") or \
                    path.name == wanted or (path.stem == "index" and path.parent.name == wanted.rstrip("/")):
                return "post", key
        return None
    if re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith(("#", "//")):
        return None
    return link_target(target, folder, statics, root, keys)
