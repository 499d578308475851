"""``talknotes init [DIR]``: start a new site that builds, checks and serves cleanly at once.

The starter files live in ``generator/commands/starter/`` as ``string.Template`` texts. Values that land
in YAML are written as quoted scalars, so any title or name reads back exactly as typed. The
folder is written whole or not at all: files go to a temporary folder beside it first, and
nothing that exists is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from string import Template

from .. import __version__
from ..bundled import PACKAGE, bundled
from ..model.errors import CommandError

STARTER = PACKAGE / "commands" / "starter"
EVENT_SLUG = "example-meetup"
#: What a folder may already hold and still count as empty: a fresh ``git init``.
IGNORED_ENTRIES = {".git"}


class InitError(CommandError):
    """The site cannot be created; ``hint`` says what to do instead. Nothing was written."""


@dataclass(frozen=True)
class SiteSettings:
    """The answers ``init`` writes into ``talknotes.yaml`` and the example content."""

    title: str = "Talk notes"
    base_url: str = "https://example.org/"
    author: str = ""
    language: str = "en"
    timezone: str = "UTC"


def _files(settings: SiteSettings, today: dt.date) -> dict[str, str]:
    """Path in the new site -> its text."""
    def quoted(value: str) -> str:  # a YAML 1.1 double-quoted scalar (JSON's string syntax)
        return json.dumps(value, ensure_ascii=False)

    values = {
        "title": settings.title, "who": settings.author or "its editors", "version": __version__,
        "today": today.isoformat(), "event_slug": EVENT_SLUG,
        "speaker_yaml": quoted(settings.author or "A. Speaker"),
        "title_yaml": quoted(settings.title),
        "description_yaml": quoted(f"Notes from conference talks and meetups, by {settings.author or 'its editors'}."),
        "base_url_yaml": quoted(settings.base_url),
        "author_line": f"author: {quoted(settings.author)}" if settings.author else "# author: Your Name",
        "language_yaml": quoted(settings.language), "timezone_yaml": quoted(settings.timezone),
    }
    layout = {
        "talknotes.yaml": "talknotes.yaml",
        "requirements.txt": "requirements.txt",
        "netlify.toml": "netlify.toml",
        ".gitignore": "gitignore",
        "README.md": "README.md",
        ".github/workflows/pull-request.yml": "pull-request.yml",
        f"content/events/{EVENT_SLUG}.yaml": "event.yaml",
        f"content/notes/{today.isoformat()}-welcome-to-talknotes.md": "note.md",
        "content/pages/about.md": "about.md",
    }
    files = {dest: Template((STARTER / name).read_text(encoding="utf-8")).substitute(values)
             for dest, name in layout.items()}
    plugin = bundled("commands/starter/keep-cache", "netlify/plugins/keep-cache")
    for path in sorted(plugin.iterdir()):
        files[f"netlify/plugins/keep-cache/{path.name}"] = path.read_text(encoding="utf-8")
    return files


def validate(settings: SiteSettings, today: dt.date) -> None:
    """Refuse settings the build would refuse, before anything is written."""
    from ..config.settings import SCHEMA
    from ..config.schema import validate as validate_fields
    from ..config.yamlfile import load_mapping
    text = _files(settings, today)["talknotes.yaml"]
    mapping = load_mapping(text, "talknotes.yaml")
    _, problems = validate_fields(mapping, SCHEMA, "talknotes.yaml")
    problems = [p for p in mapping.problems + problems if p.is_error]
    if problems:
        flag = {"base_url": "--base-url"}.get(problems[0].field or "", f"--{problems[0].field}")
        raise InitError(f"{flag}: {problems[0].message}", problems[0].hint)


def create_site(target: Path, settings: SiteSettings, today: dt.date | None = None) -> list[str]:
    """Write a new site into ``target`` (new, or empty but for ``.git``); return the paths written.

    Raises :class:`InitError`, having changed nothing, when ``target`` holds anything else.
    """
    from zoneinfo import ZoneInfo
    _refuse_if_used(target)
    validate(settings, today or dt.date.today())  # the time zone is known good after this
    today = today or dt.datetime.now(ZoneInfo(settings.timezone)).date()
    files = _files(settings, today)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target, then moved in: an interrupted init leaves no half-made site.
    staging = Path(tempfile.mkdtemp(prefix=".talknotes-init-", dir=target.parent))
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        if not target.exists():
            staging.rename(target)
        else:
            _refuse_if_used(target)  # checked again: something may have appeared meanwhile
            for entry in sorted(staging.iterdir()):
                entry.rename(target / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(files)


def _refuse_if_used(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InitError(f"{target} is a file, not a folder", "give the name of a new folder")
    used = sorted(e.name for e in target.iterdir() if e.name not in IGNORED_ENTRIES) if target.is_dir() else []
    if used:
        shown = ", ".join(used[:3]) + (", …" if len(used) > 3 else "")
        raise InitError(f"{target} is not empty (it holds {shown}); nothing was changed",
                        "init writes only into a new or empty folder: give a new folder's name, "
                        "e.g. talknotes init my-talks")


def default_settings() -> SiteSettings:
    """Defaults read off this machine: the git user's name, the locale's language, the time zone."""
    return SiteSettings(author=_git_user(), language=_locale_language(), timezone=_local_timezone())


def _git_user() -> str:
    try:
        found = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""


def _locale_language() -> str:
    """``en_GB.UTF-8`` -> ``en-GB``; ``C``, ``POSIX`` or nothing -> ``en``."""
    import re
    value = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    match = re.fullmatch(r"([a-z]{2,3})(?:_([A-Z]{2}))?(?:[.@].*)?", value)
    if not match:
        return "en"
    return match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")


def _local_timezone() -> str:
    """The IANA name of this machine's zone (``$TZ`` or ``/etc/localtime``), else UTC."""
    from zoneinfo import ZoneInfo
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(os.path.realpath("/etc/localtime").split("/zoneinfo/", 1)[1])
    except IndexError:
        pass
    for name in candidates:
        try:
            if name and ZoneInfo(name):
                return name
        except (ValueError, OSError, LookupError):
            continue
    return "UTC"


def _ask(question: str, default: str) -> str:
    answer = input(f"{question} [{default}]: ").strip() if default else input(f"{question}: ").strip()
    return answer or default


def run(args) -> int:
    """The ``talknotes init`` command. Asks for what the flags leave open only on a terminal."""
    defaults = default_settings()
    chosen = {"title": args.title, "base_url": args.base_url, "author": args.author,
              "language": args.language, "timezone": args.timezone}
    interactive = not args.no_input and sys.stdin.isatty() and sys.stdout.isatty()
    questions = {"title": "Site title", "base_url": "Where it will be published", "author": "Your name"}
    try:
        for key, question in questions.items():
            if chosen[key] is None and interactive:
                chosen[key] = _ask(question, getattr(defaults, key))
    except EOFError:
        print("\ntalknotes init: no answer; nothing was written", file=sys.stderr)
        return 1
    settings = SiteSettings(**{k: (v if v is not None else getattr(defaults, k)) for k, v in chosen.items()})
    if not settings.base_url.endswith("/"):
        settings = SiteSettings(**{**settings.__dict__, "base_url": settings.base_url + "/"})
    target = (args.dir or Path(".")).resolve()
    try:
        written = create_site(target, settings)
    except InitError as exc:
        print(f"talknotes init: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"talknotes init: cannot write {target}: {exc.strerror or exc}; nothing was changed", file=sys.stderr)
        return 1
    shown = _shown(target)
    print(f"Created a talknotes site in {shown} ({len(written)} files).")
    print("Next:")
    if shown != ".":
        print(f"  cd {shown}")
    print("  talknotes serve            # preview at http://127.0.0.1:8000/, reloading as you save")
    print('  talknotes new "Talk title"  # start a note')
    return 0


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)
