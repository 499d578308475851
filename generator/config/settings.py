"""Site configuration: ``talknotes.yaml``, its typed schema and defaults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import schema as s
from ..model.errors import Problem
from .yamlfile import load_mapping

CONFIG_FILE = "talknotes.yaml"


def _timezone(value) -> str:
    value = s.text(value)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise s.Invalid(f"unknown time zone {value!r}", "use an IANA name such as Europe/London or UTC") from None
    return value


def _base_url(value) -> str:
    value = s.url(value)
    return value if value.endswith("/") else value + "/"


def _mapping(value) -> dict:
    if not isinstance(value, dict):
        raise s.Invalid("expected a mapping of settings", "indent the settings below this key")
    return value


MARKDOWN_DEFAULTS = {"raw_html": "allow", "speedups": True}


def _markdown(value) -> dict:
    """Settings of the Markdown stage: the raw-HTML policy, and whether the speed-ups of
    generator/markdown/speedups/parser.py may run (they never change the HTML; false is for ruling them out)."""
    value = _mapping(value)
    unknown = set(value) - set(MARKDOWN_DEFAULTS)
    if unknown:
        raise s.Invalid(f"unknown setting {sorted(unknown)[0]!r}", "allowed: " + ", ".join(MARKDOWN_DEFAULTS))
    try:
        speedups = s.boolean(value.get("speedups", MARKDOWN_DEFAULTS["speedups"]))
    except s.Invalid as exc:
        raise s.Invalid(f"speedups: {exc.message}", "true (the default) or false") from None
    return {"raw_html": s.choice("allow", "escape")(value.get("raw_html", MARKDOWN_DEFAULTS["raw_html"])),
            "speedups": speedups}


CHECK_DEFAULTS = {"max_image_kb": 2048}


def _check(value) -> dict:
    """Settings of ``talknotes check`` (see docs/check.md)."""
    value = _mapping(value)
    unknown = set(value) - set(CHECK_DEFAULTS)
    if unknown:
        raise s.Invalid(f"unknown setting {sorted(unknown)[0]!r}", "allowed: " + ", ".join(CHECK_DEFAULTS))
    return {"max_image_kb": s.positive_int(value.get("max_image_kb", CHECK_DEFAULTS["max_image_kb"]))}


BUDGET_DEFAULTS = {"note_page_kb": 50, "page_kb": 100}


def _budgets(value) -> dict:
    """Page weight budgets in kB before images (see docs/carbon.md); null turns one off."""
    value = _mapping(value)
    unknown = set(value) - set(BUDGET_DEFAULTS)
    if unknown:
        raise s.Invalid(f"unknown setting {sorted(unknown)[0]!r}", "allowed: " + ", ".join(BUDGET_DEFAULTS))
    budgets = dict(BUDGET_DEFAULTS)
    for key in value:
        try:
            budgets[key] = None if value[key] is None else s.positive_int(value[key])
        except s.Invalid as exc:
            raise s.Invalid(f"{key}: {exc.message}", "a size in kB, e.g. 50, or null for no budget") from None
    return budgets


SCHEMA: dict[str, s.Field] = {
    "title": s.Field(s.text, default="Talk notes", doc="the site's name"),
    "description": s.Field(s.text, default="", doc="one sentence about the site"),
    "base_url": s.Field(_base_url, default="http://localhost:8000/", doc="where the site is published"),
    "author": s.Field(s.text, default="", doc="the author's name, used in feeds"),
    "language": s.Field(s.language_tag, default="en", doc="BCP 47 language tag, e.g. en or en-GB"),
    "timezone": s.Field(_timezone, default="UTC", doc="IANA time zone for dates in feeds"),
    "theme": s.Field(s.text, default="default", doc="a folder in themes/"),
    "per_page": s.Field(s.positive_int, default=10, doc="notes per page on the home page"),
    "list_per_page": s.Field(s.positive_int, default=50,
                             doc="notes per page on tag, event, speaker and month pages"),
    "index_per_page": s.Field(s.positive_int, default=300,
                              doc="names per page on the events, speakers and tags indexes"),
    "related_notes": s.Field(s.positive_int, default=4, doc="related notes shown under a note"),
    "cache_dir": s.Field(s.text, default=".cache", doc="build cache, outside output/"),
    "markdown": s.Field(_markdown, default=MARKDOWN_DEFAULTS, doc="raw_html: allow | escape; speedups: true | false"),
    "images": s.Field(_mapping, default={}, doc="image settings, see docs/images.md"),
    "check": s.Field(_check, default=CHECK_DEFAULTS, doc="max_image_kb: largest image file talknotes check allows"),
    "budgets": s.Field(_budgets, default=BUDGET_DEFAULTS, doc="note_page_kb, page_kb: page weight budgets"),
}


@dataclass(frozen=True)
class Config:
    """Validated site settings. ``root`` is the folder holding ``talknotes.yaml``."""

    root: Path
    title: str = "Talk notes"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    author: str = ""
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    per_page: int = 10
    list_per_page: int = 50
    index_per_page: int = 300
    related_notes: int = 4
    cache_dir: str = ".cache"
    markdown: dict = field(default_factory=lambda: dict(MARKDOWN_DEFAULTS))
    images: dict = field(default_factory=dict)
    check: dict = field(default_factory=lambda: dict(CHECK_DEFAULTS))
    budgets: dict = field(default_factory=lambda: dict(BUDGET_DEFAULTS))
    lines: dict = field(default_factory=dict, compare=False)  # key -> line in talknotes.yaml

    @property
    def page_sizes(self) -> dict[str, int]:
        """The list sizes :func:`~generator.model.routes.build_routes` takes."""
        return {"per_page": self.per_page, "list_per_page": self.list_per_page, "index_per_page": self.index_per_page}

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def with_base_url(self, value: str) -> "Config":
        """Override the base URL; a bare path like ``/talks/2026/`` keeps the configured host."""
        if value.startswith("/"):
            value = self.origin + value
        return dataclasses.replace(self, base_url=_base_url(value))

    def cache_path(self) -> Path:
        return self.root / self.cache_dir


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read ``root/talknotes.yaml`` (missing file: all defaults) and validate it."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return Config(root=root), []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return Config(root=root), [Problem(CONFIG_FILE, None, None, f"not valid UTF-8 ({exc.reason})",
                                           "save the file as UTF-8")]
    mapping = load_mapping(text, CONFIG_FILE)
    values, problems = s.validate(mapping, SCHEMA, CONFIG_FILE)
    values = {k: v for k, v in values.items() if v is not None}
    return Config(root=root, lines=dict(mapping.lines), **values), mapping.problems + problems
