"""The stages of a build, each a function of the earlier stages' typed results.

``talknotes build`` (generator/build.py) runs them all, in order, and publishes; ``talknotes
check`` (generator/commands/check.py) runs the same ones without a cache and into a temporary folder, so
a check renders each note's Markdown once and measures the same pages a build would write.

    load_settings -> Settings      talknotes.yaml, the theme chain, today
    load_model    -> Model         content records, the Site, route problems
    render_markdown -> Markdown    every published document's HTML, image plans
    process_images                 WebP variants into the staging folder
    build_routes  -> routes        the table of every page (generator/model/routes.py)
    render_pages  -> pages         every page, static file and feed
    search, report, publish        (generator/build.py: they only make sense for a build)

:class:`Stages` times every stage in one place and gathers every problem, so a build reports
all of them at once.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from .config.settings import Config, load_config
from .model.content import Content, load_content
from .model.errors import BuildError, Problem
from .progress import NO_PROGRESS
from .model.routes import check_routes
from .model.site import Site, build_site


class Stages:
    """Runs stages: times each (``timings``, by name; a name may recur and adds up), shows it in
    ``progress``, and gathers the problems they report. ``cache`` is the build's store, or None
    when nothing may be written (``talknotes check``)."""

    def __init__(self, cache=None, progress=NO_PROGRESS):
        self.cache, self.progress = cache, progress
        self.timings: dict[str, float] = {}
        self.problems: list[Problem] = []

    def run(self, name: str, stage, *args, total: int | None = None, **kwargs):
        """``stage(*args, **kwargs)``, timed as ``name``; ``total`` items, if it counts them."""
        self.progress.start(name, total)
        with self.stage(name):
            return stage(*args, **kwargs)

    def stage(self, name: str):
        """A context manager timing a block as stage ``name``, for code that is not one call."""
        return _Timed(self.timings, name)

    def add(self, problems) -> None:
        self.problems.extend(problems)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    def stop_on_errors(self) -> None:
        """Raise :class:`BuildError` with every error so far, before anything is published."""
        if self.has_errors:
            raise BuildError([p for p in self.problems if p.is_error])

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


class _Timed:
    def __init__(self, timings: dict, name: str):
        self.timings, self.name = timings, name

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.timings[self.name] = self.timings.get(self.name, 0.0) + time.perf_counter() - self.start


# --- load ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What the build reads before any note: the site's settings, its theme chain, the date."""

    config: Config
    theme: object  # generator.render.theme.Theme, or None when it cannot be resolved (a problem says why)
    today: dt.date
    problems: tuple[Problem, ...] = ()


def today_in(config: Config) -> dt.date:
    """Today's date in the site's time zone: what decides whether a dated note is published."""
    from zoneinfo import ZoneInfo
    return dt.datetime.now(ZoneInfo(config.timezone)).date()


def load_settings(source: Path, base_url: str | None = None, today: dt.date | None = None) -> Settings:
    """``talknotes.yaml`` (with ``--base-url`` applied) and the theme chain it names."""
    from .render.theme import load_theme
    config, problems = load_site_config(source, base_url)
    theme, theme_problems = load_theme(config.root, config.theme, config.lines.get("theme"))
    return Settings(config, theme, today or today_in(config), tuple(problems + theme_problems))


def load_site_config(source: Path, base_url: str | None = None) -> tuple[Config, list[Problem]]:
    """The site's settings, with a ``--base-url`` override applied (or a problem saying why not)."""
    config, problems = load_config(source)
    if base_url:
        try:
            config = config.with_base_url(base_url)
        except ValueError as exc:
            problems.append(Problem("--base-url", None, None, str(exc),
                                    "give a URL like https://example.org/talks/ or a path like /talks/"))
    return config, problems


@dataclass(frozen=True)
class Model:
    """The content records and the site built from them (pure data)."""

    content: Content
    site: Site
    problems: tuple[Problem, ...] = ()


def load_model(settings: Settings, drafts: bool = False, cache=None) -> Model:
    """Every note, event and page, validated, and the :class:`Site` of what is published.
    ``cache`` (the build's store) skips parsing unchanged notes and recomputing related ones."""
    config = settings.config
    if cache is None:
        content, memo = load_content(config.root), None
    else:
        content = load_content(config.root, cache.notes, cache.files.digest)
        memo = lambda key, compute: cache.memo("related", key, compute)  # noqa: E731
    site = build_site(content, settings.today, drafts, config.related_notes, memo=memo)
    return Model(content, site, tuple(content.problems) + tuple(check_routes(site)))


# --- Markdown -----------------------------------------------------------------------------------

@dataclass
class Markdown:
    """Every published document's rendering (``note:slug`` / ``page:slug``) and the image plans
    their references made (generator/images/media.py)."""

    documents: dict
    media: object
    problems: list[Problem] = field(default_factory=list)


def render_markdown(settings: Settings, model: Model, cache=None, pool=None, meanwhile=None,
                    progress=NO_PROGRESS) -> Markdown:
    """Render every published note and page (over worker processes when there are many; ``pool``
    is one started earlier) and plan their images and covers. ``meanwhile()`` runs in this
    process while workers render."""
    from .markdown.stage import render_documents
    from .images.media import Media
    media = Media.for_config(settings.config)
    documents = render_documents(model.site, model.content, settings.config, media, cache, pool=pool,
                                 meanwhile=meanwhile, progress=progress)
    problems = [p for rendered in documents.values() for p in rendered.problems]
    for note in model.site.notes:
        media.cover(note)
    return Markdown(documents, media, problems + list(media.problems))


def document_count(model: Model) -> int:
    """How many documents :func:`render_markdown` renders, for its progress."""
    return len(model.site.notes) + len(model.site.pages)


# --- images and pages ---------------------------------------------------------------------------

def process_images(markdown: Markdown, writer, staging: Path, progress=NO_PROGRESS) -> list[Problem]:
    """Write every image variant the documents need into ``staging``; decoding is what finds a
    truncated or hostile file, so this runs even when other problems are known."""
    # An update stages only what changed: variants already in the published site stay there.
    problems = markdown.media.process(staging, progress, writer.previous if writer.update else None)
    for rel in markdown.media.outputs():
        writer.adopt(rel)
    return problems


def render_pages(run: Stages, settings: Settings, model: Model, markdown: Markdown, writer, routes,
                 weights=None, static=None, progress=NO_PROGRESS, changed_notes=None):
    """Render every route, the static files and the feeds through ``writer``; the page problems
    (template errors, collisions) go to ``run``. ``changed_notes``: the paths of the only notes
    whose text changed since the last build, when nothing else did (incremental/arrangement.py).
    Returns the :class:`~generator.render.pages.PageRenderer`."""
    from .render.pages import write_site
    pages = write_site(writer, run, model.site, model.content, settings.config, settings.theme, routes,
                       markdown.documents, markdown.media, weights, static=static, progress=progress,
                       changed_notes=changed_notes)
    run.add(writer.problems)
    return pages
