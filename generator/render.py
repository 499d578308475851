"""The render stages: Markdown for every document, then templates, assets and feeds."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

from .config import Config
from .content import Content, Note
from .markdown import LinkContext, Rendered, pygments_css, render
from .output import Writer
from .routes import Route, Urls
from .site import Site
from .slugs import slugify
from .theme import Theme, fingerprint, make_environment, static_files, template_problem

HIGHLIGHT_STYLES = {"css/highlight-light.css": "default", "css/highlight-dark.css": "github-dark"}
WORDS_PER_MINUTE = 220


def content_files(root: Path) -> frozenset[str]:
    """Every non-Markdown file under ``content/``, relative to it (images, attachments)."""
    content = root / "content"
    return frozenset(p.relative_to(content).as_posix() for p in content.rglob("*")
                     if p.is_file() and p.suffix != ".md" and not p.name.startswith("."))


def document_key(kind: str, slug: str) -> str:
    return f"{kind}:{slug}"


def render_documents(site: Site, content: Content, config: Config) -> dict[str, Rendered]:
    """Markdown of every published note and every page, keyed by ``note:slug`` / ``page:slug``."""
    urls = Urls(config.base_path, config.origin)
    documents = {Path(n.path).relative_to("content").as_posix(): urls.url_for("note", slug=n.slug)
                 for n in site.notes}
    documents.update({Path(p.path).relative_to("content").as_posix(): urls.url_for("page", slug=p.slug)
                      for p in site.pages})
    # Links to files that failed to load are already reported with those files.
    documents.update({path: "#" for path in content.failed})
    ctx = LinkContext(config.base_path, documents, content_files(config.root), config.markdown["raw_html"])
    rendered = {}
    for kind, records in (("note", site.notes), ("page", site.pages)):
        for record in records:
            source = Path(record.path).relative_to("content").as_posix()
            rendered[document_key(kind, record.slug)] = render(record.body, source, record.body_line, ctx)
    return rendered


def _long_date(value: dt.date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def _month_name(number: int) -> str:
    return calendar.month_name[number]


def _static_assets(theme: Theme) -> tuple[dict[str, str], dict[str, bytes]]:
    """Fingerprinted paths of every static file, and their bytes (theme files and generated CSS)."""
    data = {logical: path.read_bytes() for logical, path in static_files(theme).items()}
    for logical, style in HIGHLIGHT_STYLES.items():
        data.setdefault(logical, pygments_css(style).encode())
    return {logical: fingerprint(logical, blob) for logical, blob in sorted(data.items())}, data


def write_site(writer: Writer, run, site: Site, content: Content, config: Config, theme: Theme,
               routes: list[Route], documents: dict[str, Rendered]) -> None:
    """Render every route and write it with the static assets, media, feeds and sitemap."""
    with run.stage("render"):
        static_map, static_data = _static_assets(theme)
        urls = Urls(config.base_path, config.origin, static_map)

        def rendered(record) -> Rendered:
            kind = "note" if isinstance(record, Note) else "page"
            return documents[document_key(kind, record.slug)]

        def excerpt(note: Note, words: int = 40) -> str:
            if note.summary:
                return note.summary
            text = rendered(note).text.split()
            return " ".join(text[:words]) + (" …" if len(text) > words else "")

        env = make_environment(theme, {
            "url_for": urls.url_for,
            "config": config,
            "site": site,
            "rendered": rendered,
            "excerpt": excerpt,
            "reading_minutes": lambda note: max(1, round(rendered(note).words / WORDS_PER_MINUTE)),
            "event_of": lambda note: site.event_by_slug.get(note.event) if note.event else None,
            "tag_slug": slugify,
            "speaker_slug": slugify,
        })
        env.filters.update(longdate=_long_date, monthname=_month_name, isodate=lambda d: d.isoformat())

        for route in routes:
            context = dict(route.context, endpoint=route.endpoint, params=route.params,
                           canonical=urls.url_for(route.endpoint, _external=True, **route.params))
            try:
                html = env.get_template(route.template).render(context)
            except Exception as exc:  # a theme bug: report it with the template's file and line
                run.add([template_problem(exc, config.root, route.template)])
                if len(run.problems) > 50:
                    return
                continue
            writer.write(urls.output_file(route.endpoint, **route.params), html,
                         owner=_owner(route))

        for logical, target in static_map.items():
            writer.write(target, static_data[logical], owner="static/" + logical)

        from .feeds import write_feeds
        write_feeds(writer, env, site, config, urls, routes, run)

    with run.stage("images"):
        _write_media(writer, site, config, urls, documents)


def _owner(route: Route) -> str:
    """Who to blame when two routes write the same file."""
    record = route.context.get("note") or route.context.get("page")
    return record.path if record else route.endpoint


def _write_media(writer: Writer, site: Site, config: Config, urls: Urls, documents) -> None:
    """Copy images used by documents, and bundle attachments beside their note's page."""
    content = config.root / "content"
    used = sorted({image.source for doc in documents.values() for image in doc.images})
    for source in used:
        writer.copy(urls.path("media", path=source), content / source, owner="content/" + source)
    for note in site.notes:
        if note.path.endswith("/index.md"):
            for path in sorted(note.folder.rglob("*")):
                if path.is_file() and path.suffix != ".md" and not path.name.startswith("."):
                    rel = path.relative_to(note.folder).as_posix()
                    writer.copy(urls.path("note", slug=note.slug) + rel, path, owner=note.path)
