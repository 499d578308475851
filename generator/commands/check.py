"""``talknotes check``: what a reviewer of a pull request checks, without writing the site.

The same stages as a build, up to the rendered Markdown (load, site model, routes, Markdown,
image headers), then the rules a build does not enforce: internal links and anchors proved
against the route table, alt text, notes dated in the future, image file sizes, aliases that
shadow pages, and the raw-HTML policy (``<script>``, ``<iframe>``, ``on*=``, ``javascript:``).
Nothing is written; every problem is returned at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..model.errors import Problem, sort_problems
from ..progress import NO_PROGRESS

IMAGE_FILES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".avif", ".svg"}
_REMOTE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_FOOTNOTE_BACKREF = re.compile(r"fnref\d*:(.+)")
_STATIC_ID = re.compile(r"""\bid=["']([^"'{}%<>\s]+)["']""")


@dataclass(frozen=True)
class CheckReport:
    """Every problem found, in file order, and how many notes were looked at."""

    problems: tuple[Problem, ...]
    notes: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check_site(root: Path, drafts: bool = False, today: dt.date | None = None,
               progress=NO_PROGRESS) -> CheckReport:
    """Run every check on the site at ``root``; ``drafts`` also renders drafts, as a build would.
    ``progress`` (a :class:`~generator.progress.Progress`) shows the stages; cleared on return."""
    try:
        return _check_site(root, drafts, today, progress)
    finally:
        progress.finish()  # the problems are printed next, on a clean line


def _check_site(root: Path, drafts: bool, today: dt.date | None, progress) -> CheckReport:
    """:func:`check_site`, without clearing the progress line: the build's own stages
    (generator/pipeline.py) with no cache and no output, then the reviewer's rules."""
    from ..pipeline import Stages, document_count, load_model, load_settings, render_markdown

    run = Stages(cache=None, progress=progress)  # no cache: check writes nothing
    settings = run.run("load", load_settings, root, today=today)
    model = run.run("load", load_model, settings, drafts)
    problems = list(settings.problems) + list(model.problems)
    problems += future_notes(model.content.notes, settings.today)
    site, config = model.site, settings.config

    # The build's own Markdown and image planning: missing, unreadable and broken images.
    markdown = run.run("markdown", render_markdown, settings, model, progress=progress, total=document_count(model))
    documents = _documents(site, markdown.documents)
    alt_problems = missing_alt(documents)
    located = {(p.path, p.line) for p in alt_problems}
    problems += [p for p in markdown.problems  # the build only warns about alt text; check errs, once
                 if not (not p.is_error and "alt text" in p.message and (p.path, p.line) in located)]
    problems += alt_problems
    progress.start("links")
    problems += links(site, config, documents, _template_ids(settings.theme))
    problems += aliases(site, config)
    problems += image_sizes(root, config.check["max_image_kb"])

    # Raw HTML is checked as the "allow" policy renders it, so escaped sites are checked too.
    if config.markdown["raw_html"] != "allow":
        allowed = dataclasses.replace(settings, config=dataclasses.replace(
            config, markdown=dict(config.markdown, raw_html="allow")))
        html_docs = _documents(site, run.run("raw html", render_markdown, allowed, model, progress=progress,
                                             total=document_count(model)).documents)
    else:
        html_docs = documents
    problems += raw_html(html_docs)
    if not any(p.is_error for p in problems):  # page weight needs a site that renders
        problems += run.run("budgets", budget_problems, run, settings, model, markdown)
    return CheckReport(tuple(sort_problems(list(dict.fromkeys(problems)))), len(model.content.notes) + sum(
        1 for path in model.content.failed if path.startswith("notes/")))


def budget_problems(run, settings, model, markdown) -> list[Problem]:
    """Pages over their budget: every page rendered into a temporary folder by the build's page
    stage, from the Markdown already rendered, then measured as the build's report measures
    them. No images are processed (budgets count the bytes before images); nothing else is
    written. A site whose pages do not render has its problems reported elsewhere: none here."""
    import tempfile

    from ..output.writer import Writer
    from ..pipeline import render_pages
    from ..output.report import build_report, over_budget
    from ..model.routes import Urls, build_routes

    config = settings.config
    if settings.theme is None:
        return []
    seen = len(run.problems)
    with tempfile.TemporaryDirectory(prefix="talknotes-check-") as folder:
        routes = build_routes(model.site, **config.page_sizes)
        render_pages(run, settings, model, markdown, Writer(Path(folder)), routes)
        if any(p.is_error for p in run.problems[seen:]):
            return []
        report = build_report(Path(folder), routes, Urls(config.base_path, config.origin), config.budgets)
    return over_budget(report)


@dataclass(frozen=True)
class _Doc:
    """A rendered note or page with what the rules need to locate problems."""

    record: object
    endpoint: str     # "note" or "page"
    rendered: object  # markdown.Rendered

    def line(self, *needles: str) -> int:
        """The line of the first needle found (case-insensitive) in the body; else the body's first."""
        body = self.record.body.lower()
        for needle in needles:
            index = body.find(needle.lower()) if needle else -1
            if index >= 0:
                return self.record.body_line + body.count("\n", 0, index)
        return self.record.body_line

    def url(self, urls) -> str:
        return urls.url_for(self.endpoint, slug=self.record.slug)


def _documents(site, rendered: dict) -> list[_Doc]:
    from ..markdown.rendered import document_key
    return ([_Doc(note, "note", rendered[document_key("note", note.slug)]) for note in site.notes]
            + [_Doc(page, "page", rendered[document_key("page", page.slug)]) for page in site.pages])


# --- rules ----------------------------------------------------------------------------------

def future_notes(notes, today: dt.date) -> list[Problem]:
    """A note dated after today is silently left out of the site, unless it is a draft."""
    return [Problem(note.path, note.lines.get("date"), "date",
                    f"dated {note.date.isoformat()}, after today ({today.isoformat()})",
                    "set draft: true or fix the date")
            for note in notes if note.date > today and not note.draft]


def missing_alt(documents: list[_Doc]) -> list[Problem]:
    """Every local image needs alt text; remote and raw-HTML images too (found in the HTML)."""
    problems = []
    for doc in documents:
        for image in doc.rendered.images:
            if not image.alt.strip():
                problems.append(_alt_problem(doc.record.path, image.line, image.source.rsplit("/", 1)[-1]))
        for name, attrs in _scan(doc.rendered.html).tags:
            if name != "img":
                continue
            src = attrs.get("src") or ""
            remote = bool(_REMOTE.match(src))
            if ("alt" not in attrs) or (remote and not (attrs.get("alt") or "").strip()):
                problems.append(_alt_problem(doc.record.path, doc.line(src) if src else doc.line("<img"), src))
    return problems


def _alt_problem(path: str, line: int, source: str) -> Problem:
    return Problem(path, line, None, f"image has no alt text: {source}",
                   "describe what the image shows: ![The speaker's architecture diagram](diagram.png)")


def links(site, config, documents: list[_Doc], template_ids: frozenset[str]) -> list[Problem]:
    """Every internal link must be a page the site makes, and every #fragment an id on it."""
    from ..images.media import attachments
    from ..model.routes import PATTERNS, Urls, build_routes
    urls = Urls(config.base_path, config.origin)
    known = {urls.url_for(r.endpoint, **r.params) for r in build_routes(site, **config.page_sizes)}
    known |= {urls.url_for(endpoint) for endpoint in ("feed", "sitemap", "robots", "search_manifest")
              if endpoint in PATTERNS}
    known |= {urls.url_for("tag_feed", slug=group.slug) for group in site.tags}
    for note in site.notes:
        known |= {urls.url_for("note", slug=note.slug) + rel for rel, _ in attachments(note)}
    ids = {doc.url(urls): {h.id for h in doc.rendered.headings} | _scan(doc.rendered.html).ids | template_ids
           for doc in documents}
    sources = {doc.url(urls): PurePosixPath(doc.record.path).name for doc in documents}  # as linked
    problems = []
    for doc in documents:
        here = doc.url(urls)
        for link in dict.fromkeys(doc.rendered.links):
            if link == "#" or link.startswith("##"):
                continue  # a link to a note that failed to load: reported with that note
            raw_path, _, fragment = link.partition("#")
            path = urlsplit(raw_path).path
            if path.endswith("/index.html"):
                path = path[: -len("index.html")]
            target = path or here
            if target not in known:
                written = _written(link, config.base_path)
                problems.append(Problem(doc.record.path, doc.line(f"]({written})", f"({written}", written), None,
                                        f"broken link '{link}': no such page on the site",
                                        _did_you_mean(target, known) or
                                        "link to a note by its file name, e.g. [text](2023-04-18-other-talk.md)"))
                continue
            fragment = unquote(fragment)
            if not fragment or target not in ids or fragment in ids[target]:
                continue
            footnote = _FOOTNOTE_BACKREF.fullmatch(fragment) if target == here else None
            if footnote:  # the renderer's own back-link: the footnote is defined but never used
                problems.append(Problem(doc.record.path, doc.line(f"[^{footnote.group(1)}]:"), None,
                                        f"footnote [^{footnote.group(1)}] is never referenced",
                                        f"refer to it in the text as [^{footnote.group(1)}], or remove it"))
                continue
            written = "#" + link.partition("#")[2]
            needles = ((f"]({written})", f"({written}") if path == "" else
                       (f"{sources.get(target)}{written}", _written(link, config.base_path)))
            where = "on this page" if target == here else f"on {target}"
            problems.append(Problem(doc.record.path, doc.line(*needles), None,
                                    f"broken anchor '#{fragment}': no heading or id with that name {where}",
                                    _did_you_mean(fragment, ids[target], prefix="#")
                                    or "link to a heading's id, shown by its # permalink"))
    return problems


def _written(link: str, base_path: str) -> str:
    """How a site-absolute link was probably written in Markdown (before the base path was added)."""
    return "/" + link[len(base_path):] if link.startswith(base_path) else link


def _did_you_mean(value: str, choices, prefix: str = "") -> str | None:
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{prefix}{close[0]}'?" if close else None


def aliases(site, config) -> list[Problem]:
    """An alias that is the URL of a page the site makes (notes are checked by check_routes)."""
    from ..model.routes import Urls, build_routes
    urls = Urls("/")
    taken = {urls.path(r.endpoint, **r.params).strip("/"): r.endpoint
             for r in build_routes(site, **config.page_sizes) if r.endpoint != "note"}
    return [Problem(note.path, note.lines.get("aliases"), "aliases",
                    f"alias {alias} is the URL of a page the site makes ({taken[alias.strip('/')]})",
                    "remove the alias")
            for note in site.notes for alias in note.aliases if alias.strip("/") in taken]


def image_sizes(root: Path, max_kb: int) -> list[Problem]:
    """Image files in content/ over ``check.max_image_kb``: they bloat the repository for ever."""
    problems = []
    content = root / "content"
    for path in sorted(content.rglob("*")) if content.is_dir() else []:
        if path.suffix.lower() not in IMAGE_FILES or path.name.startswith(".") or not path.is_file():
            continue
        size = path.stat().st_size
        if size > max_kb * 1024:
            problems.append(Problem(path.relative_to(root).as_posix(), None, None,
                                    f"image is {-(-size // 1024)} KB, over the limit of {max_kb} KB",
                                    "resize or recompress it before committing, "
                                    "or raise check.max_image_kb in talknotes.yaml"))
    return problems


def raw_html(documents: list[_Doc]) -> list[Problem]:
    """``<script>``, ``<iframe>``, ``on*=`` handlers and ``javascript:`` URLs in raw HTML."""
    problems = []
    for doc in documents:
        for name, attrs in _scan(doc.rendered.html).tags:
            if name in ("script", "iframe", "object", "embed", "base"):  # base: re-points every script src
                problems.append(Problem(doc.record.path, doc.line("<" + name), None,
                                        f"raw HTML <{name}> is not allowed in notes",
                                        "remove it; embed a link to the page or video instead"))
            for attr, value in attrs.items():
                if attr.startswith("on"):
                    problems.append(Problem(doc.record.path, doc.line(attr + "="), None,
                                            f"raw HTML event handler {attr}= is not allowed in notes",
                                            "remove the attribute; notes may not run scripts"))
                elif "javascript:" in re.sub(r"[\x00-\x20]", "", value or "").lower():
                    problems.append(Problem(doc.record.path, doc.line("javascript:", "script&", f"{attr}="), None,
                                            f"javascript: URL in raw HTML ({attr}=) is not allowed in notes",
                                            "link to an http(s) address instead"))
    return problems


# --- HTML scanning --------------------------------------------------------------------------

@dataclass
class _Scan:
    ids: set
    tags: list  # (tag, {attr: value}) in document order


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.result = _Scan(set(), [])

    def handle_starttag(self, tag, attrs):
        attributes = {name.lower(): value for name, value in attrs}
        self.result.tags.append((tag, attributes))
        if attributes.get("id"):
            self.result.ids.add(attributes["id"])

    handle_startendtag = handle_starttag


@functools.lru_cache(maxsize=1024)
def _scan(html: str) -> _Scan:
    """Ids and tags of an HTML fragment (cached: several rules read the same document)."""
    parser = _Scanner()
    parser.feed(html)
    parser.close()
    return parser.result


def _template_ids(theme) -> frozenset[str]:
    """Fixed ids the theme puts on every page (``main``, ``toc-title``…), valid link targets too."""
    found: set[str] = set()
    for folder in theme.template_dirs if theme else ():
        for path in folder.rglob("*.html"):
            found |= set(_STATIC_ID.findall(path.read_text(encoding="utf-8", errors="replace")))
    return frozenset(found)


# --- output ---------------------------------------------------------------------------------

def _message(problem: Problem) -> str:
    """A problem without its location, for annotations that carry file and line separately."""
    text = f"{problem.field}: " if problem.field else ""
    text += problem.message
    return text + (f" ({problem.hint})" if problem.hint else "")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem, root: Path, cwd: Path | None = None) -> str:
    """A GitHub Actions workflow command: ``::error file=…,line=…,title=talknotes::message``."""
    path = problem.path
    target = root / path
    if target.exists():  # annotations name files from the repository root (the job's folder)
        try:
            path = Path(os.path.relpath(target, cwd or Path.cwd())).as_posix()
        except ValueError:  # another drive on Windows
            pass
    props = [f"file={_escape_property(path)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
    props.append("title=talknotes")
    command = "error" if problem.is_error else "warning"
    return f"::{command} {','.join(props)}::{_escape_data(_message(problem))}"


def summary(report: CheckReport) -> str:
    notes = f"{report.notes} note{'s' if report.notes != 1 else ''} checked"
    errors, warnings = len(report.errors), len(report.warnings)
    if not errors and not warnings:
        return f"{notes}, no problems"
    warned = f"{warnings} warning{'s' if warnings != 1 else ''}"
    if not errors:
        return f"{notes}, no errors, {warned}"
    return f"{notes}: {errors} error{'s' if errors != 1 else ''}, {warned}"


def run(args, source: Path, progress=NO_PROGRESS) -> int:
    """The ``talknotes check`` command: print the problems, exit 1 if any is an error."""
    import sys
    if not source.is_dir():
        print(f"talknotes: no such folder: {source}", file=sys.stderr)
        return 2
    report = check_site(source, drafts=args.drafts, progress=progress)
    for problem in report.problems:
        print(github_annotation(problem, source) if args.format == "github" else problem)
    print(summary(report))
    return 1 if report.errors else 0
