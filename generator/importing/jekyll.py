"""Jekyll: ``_posts/YYYY-MM-DD-title.md`` (also ``<category>/_posts/``) and ``_drafts/title.md``.

The folder given is the Jekyll site (``_config.yml``, ``_posts/``). Old URLs follow the post's
``permalink``, else ``_config.yml``'s (a built-in style such as ``pretty`` or a pattern), else
Jekyll's default ``/:categories/:year/:month/:day/:title:output_ext``. Liquid is not run: the
few tags a post needs to read well (``highlight``, ``raw``, ``post_url``, ``link``,
``site.baseurl`` and the ``relative_url`` filter) are translated, the rest left with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..model.slugs import slugify
from . import frontmatter
from .blog import Links, Post, link_target, site_path, to_note
from .common import Batch, parse_date, problem, text_list

SUFFIXES = {".md", ".markdown", ".mkd", ".mkdn", ".mdown"}
STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
          "pretty": "/:categories/:year/:month/:day/:title/",
          "ordinal": "/:categories/:year/:y_day/:title:output_ext",
          "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
          "none": "/:categories/:title:output_ext"}
_POST_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)")
_HIGHLIGHT = re.compile(r"\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}\n?(.*?)\{%-?\s*endhighlight\s*-?%\}", re.DOTALL)
_RAW = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
_POST_URL = re.compile(r"\{%-?\s*post_url\s+([^\s%]+)\s*-?%\}")
_LINK = re.compile(r"\{%-?\s*link\s+([^\s%]+)\s*-?%\}")
_URL_FILTER = re.compile(r"\{\{-?\s*[\"']([^\"']*)[\"']\s*\|\s*(?:relative_url|absolute_url)\s*-?\}\}")
_BASEURL = re.compile(r"\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}")
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")


def read(root: Path, shown: str) -> Batch:
    batch = Batch("jekyll")
    conf, batch.problems = ({}, []) if not (root / "_config.yml").is_file() else \
        frontmatter.read_config(root / "_config.yml", f"{shown.rstrip('/')}/_config.yml")
    found = []
    excluded = set(text_list(conf.get("exclude"))) | {"vendor", "node_modules"}  # bundled gems have test posts
    for folder in sorted(root.rglob("_posts")) + sorted(root.rglob("_drafts")):
        if any(p.startswith((".", "_")) or p in excluded for p in folder.relative_to(root).parts[:-1]):
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in SUFFIXES and path.is_file():
                found.append((path, folder.name == "_drafts", folder))
    keys = {path: f"jekyll:{path.relative_to(root).as_posix()}" for path, _, _ in found}
    for path, draft, folder in found:
        origin = f"{shown.rstrip('/')}/{path.relative_to(root).as_posix()}"
        if not draft and not _POST_NAME.fullmatch(path.stem):
            batch.skipped.append((origin, "not named YYYY-MM-DD-title, so Jekyll does not publish it"))
            continue
        post = _post(path, draft, folder, root, conf, keys, origin, batch)
        if post:
            batch.notes.append(to_note(post))
    return batch


def _liquid(body: str, post: Post) -> str:
    body = _HIGHLIGHT.sub(lambda m: f"```{m.group(1)}\n{m.group(2).rstrip()}\n```", body)
    body = _RAW.sub("", body)
    body = _POST_URL.sub(lambda m: "{post_url}" + m.group(1), body)
    body = _LINK.sub(lambda m: "{link}" + m.group(1), body)
    body = _URL_FILTER.sub(lambda m: m.group(1), body)
    body = _BASEURL.sub("", body)
    left = sorted(set(_LIQUID.findall(body)))
    if left:
        post.warnings.append("Liquid left as written: " + ", ".join(left[:3]) + (" ..." if len(left) > 3 else ""))
    return body


def _post(path: Path, draft: bool, folder: Path, root: Path, conf: dict, keys: dict, origin: str,
          batch: Batch) -> Post | None:
    raw, text, problems = frontmatter.read_text(path, origin)
    parsed = frontmatter.split(text, origin) if text is not None else None
    if text is None or parsed.problems:
        batch.problems += problems + (parsed.problems if parsed else [])
        return None
    meta = parsed.meta
    named = _POST_NAME.fullmatch(path.stem)
    file_slug = named.group(2) if named else path.stem
    title = " ".join(str(meta.get("title") or "").split()) or " ".join(w.capitalize() for w in re.split(r"[-_\s]+", file_slug))
    post = Post(key=keys[path], origin=origin, raw=raw, title=title, date=dt.date.min, body="")
    date = meta.get("date") or (named.group(1) if named else None)
    try:
        post.date = parse_date(date) if date else dt.datetime.fromtimestamp(path.stat().st_mtime).date()
        modified = meta.get("last_modified_at") or meta.get("modified")
        post.updated = parse_date(modified) if modified else None
    except ValueError as exc:
        line = next((i + 2 for i, l in enumerate(text.split("\n")[1:]) if re.match(r"date\s*:", l)), None)
        batch.problems.append(problem(origin, str(exc), line, "use YYYY-MM-DD, optionally with a time"))
        return None
    folder_categories = [p for p in folder.parent.relative_to(root).parts if p]
    categories = folder_categories + [c for c in text_list(meta.get("categories") or meta.get("category"), " "
                                                          if isinstance(meta.get("categories") or meta.get("category"), str)
                                                          else ",") if c not in folder_categories]
    post.categories = categories
    tags = meta.get("tags") or meta.get("tag")
    post.tags = text_list(tags, " " if isinstance(tags, str) else ",")
    post.authors = text_list(meta.get("authors") or meta.get("author"))
    post.summary = re.sub(r"<[^>]+>", "", str(meta.get("excerpt") or meta.get("description") or ""))
    post.draft = draft or meta.get("published") is False
    post.lang = str(meta["lang"]).strip() if isinstance(meta.get("lang"), str) else None
    post.slug = str(meta.get("slug") or "") or file_slug
    links = Links(post, lambda target: _locate(target, path.parent, root, keys))
    post.body = links.markdown(_liquid(parsed.body, post))
    post.old_urls = _old_urls(post, meta, conf, file_slug, date)
    return post


def _old_urls(post: Post, meta: dict, conf: dict, file_slug: str, date) -> list[str]:
    pattern = str(meta.get("permalink") or conf.get("permalink") or "date")
    pattern = STYLES.get(pattern, pattern)
    when = date if isinstance(date, dt.datetime) else dt.datetime.combine(post.date, dt.time())
    day = post.date
    title = str(meta.get("slug") or file_slug)
    values = {
        "year": f"{day.year:04d}", "month": f"{day.month:02d}", "i_month": str(day.month), "day": f"{day.day:02d}",
        "i_day": str(day.day), "short_year": f"{day.year % 100:02d}", "y_day": f"{day.timetuple().tm_yday:03d}",
        "hour": f"{when.hour:02d}", "minute": f"{when.minute:02d}", "second": f"{when.second:02d}",
        "week": f"{day.isocalendar()[1]:02d}", "short_day": day.strftime("%a"), "long_day": day.strftime("%A"),
        "title": title, "slug": slugify(title), "categories": "/".join(slugify(c) for c in post.categories),
        "output_ext": ".html", "name": file_slug,
    }
    url = re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    path = site_path(url)
    return [path] if path else []


def _locate(target: str, folder: Path, root: Path, keys: dict):
    for marker in ("{post_url}", "{link}"):
        if target.startswith(marker):
            wanted = target[len(marker):].split("#")[0]
            for path, key in keys.items():
                rel = path.relative_to(root).as_posix()
                if rel == wanted or path.stem == wanted or rel.endswith("/" + wanted):
                    return "post", key
            return None
    if re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith(("#", "//")):
        return None
    return link_target(target, folder, [root], root, keys)
