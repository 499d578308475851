"""The render stages: Markdown for every document, then templates, assets and feeds."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

from .config import Config
from .content import Content, Note
from .media import attachments
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


def render_documents(site: Site, content: Content, config: Config, media=None) -> dict[str, Rendered]:
    """Markdown of every published note and every page, keyed by ``note:slug`` / ``page:slug``.

    Images are planned through ``media`` (a :class:`~generator.media.Media`) as they are met.
    """
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
            # The first image of a page loads eagerly, unless a cover image comes before it.
            hook = media.hook(record.path, not getattr(record, "image", None)) if media else None
            rendered[document_key(kind, record.slug)] = render(record.body, source, record.body_line, ctx, hook)
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
               routes: list[Route], documents: dict[str, Rendered], media) -> None:
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
            "cover": media.cover,
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

        for note in site.notes:
            for rel, path in attachments(note):
                writer.copy(urls.path("note", slug=note.slug) + rel, path, owner=note.path)

    with run.stage("search"):
        write_search_index(writer, site, urls, documents)


def write_search_index(writer: Writer, site: Site, urls: Urls, documents: dict[str, Rendered]) -> None:
    """The sharded client-side search index under ``search/`` (see docs/search.md)."""
    from .search import SearchDoc, build_index

    docs = []
    for note in site.notes:
        event = site.event_by_slug.get(note.event) if note.event else None
        docs.append(SearchDoc(url=urls.url_for("note", slug=note.slug), title=note.title,
                              date=note.date.isoformat(), event=event.name if event else note.event_text or "",
                              tags=note.tags, speakers=note.speakers, summary=note.summary,
                              body=documents[document_key("note", note.slug)].text))
    for rel, data in build_index(docs).items():
        writer.write(urls.path("generated", path=rel), data, owner="search index")


def _owner(route: Route) -> str:
    """Who to blame when two routes write the same file."""
    record = route.context.get("note") or route.context.get("page")
    return record.path if record else route.endpoint
