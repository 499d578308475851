"""Themes: the template and static-file chain, the Jinja environment, fingerprinted assets.

Lookup order, first match wins: the site's ``templates/`` (or ``static/``), the chosen theme,
the themes it ``extends`` (``theme.yaml``), then the generator's built-in templates (feeds,
sitemap, robots.txt), which any theme may override by name.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from pathlib import Path

from ..bundled import bundled
from ..model.errors import Problem, relative
from ..config.yamlfile import load_mapping

BUILTIN = Path(__file__).parent.parent / "builtin"  # generator/builtin
BUNDLED_THEMES = bundled("themes", "themes")  # the themes that come with talknotes


@dataclass(frozen=True)
class Theme:
    """A resolved theme chain, most specific first."""

    root: Path
    folders: tuple[Path, ...]

    @property
    def template_dirs(self) -> list[Path]:
        dirs = [self.root / "templates"] + [f / "templates" for f in self.folders] + [BUILTIN / "templates"]
        return [d for d in dirs if d.is_dir()]

    @property
    def static_dirs(self) -> list[Path]:
        """Most general first, so later folders override earlier ones file by file."""
        dirs = [f / "static" for f in reversed(self.folders)] + [self.root / "static"]
        return [d for d in dirs if d.is_dir()]


def _find_theme(root: Path, name: str) -> Path | None:
    for base in (root / "themes", BUNDLED_THEMES):
        if (base / name).is_dir():
            return base / name
    return None


def load_theme(root: Path, name: str, config_line: int | None = None) -> tuple[Theme | None, list[Problem]]:
    """Resolve ``name`` and its ``extends`` chain; unknown names and cycles are problems."""
    folders: list[Path] = []
    current, referrer, line = name, "talknotes.yaml", config_line
    while current:
        folder = _find_theme(root, current)
        if folder is None:
            available = sorted({p.name for base in (root / "themes", BUNDLED_THEMES) if base.is_dir()
                               for p in base.iterdir() if p.is_dir()})
            return None, [Problem(referrer, line, "theme" if referrer.endswith("talknotes.yaml") else "extends",
                                  f"unknown theme '{current}'", "available: " + (", ".join(available) or "none"))]
        if folder in folders:
            return None, [Problem(referrer, line, "extends", f"themes extend each other in a loop ('{current}')")]
        folders.append(folder)
        manifest = folder / "theme.yaml"
        current = None
        if manifest.is_file():
            referrer = relative(manifest, root)
            mapping = load_mapping(manifest.read_text(encoding="utf-8-sig"), referrer)
            if mapping.problems:
                return None, mapping.problems
            current, line = mapping.data.get("extends"), mapping.line("extends")
            if current is not None and not isinstance(current, str):
                return None, [Problem(referrer, line, "extends", "expected a theme name")]
    return Theme(root, tuple(folders)), []


def static_files(theme: Theme) -> dict[str, Path]:
    """Logical asset path (``css/site.css``) -> the file that wins the override chain."""
    files: dict[str, Path] = {}
    for folder in theme.static_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files[path.relative_to(folder).as_posix()] = path
    return files


def fingerprint(logical: str, data: bytes) -> str:
    """``css/site.css`` -> ``static/css/site.3f2a9c1b0d.css``: safe to cache forever."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, suffix = logical.rpartition(".")
    name = f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{logical}.{digest}"
    return "static/" + name


def make_environment(theme: Theme, globals_: dict, bytecode_dir: Path | None = None):
    """The Jinja environment: autoescaped, strict about undefined names, deterministic.

    Compiled templates are cached on disk in ``bytecode_dir`` (in the cache folder, beside the
    store), so a rebuild loads them instead of compiling again. (A fresh environment per build:
    imported macros capture the globals of the build that first imported them, so environments
    are never shared between builds.)
    """
    import jinja2

    from ..incremental.store import store_version

    bytecode = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            # Jinja checks a template's source, not which Jinja compiled it: the store's version
            # (schema and toolchain) is in every file name, and a new one discards the folder.
            tag = hashlib.blake2b(store_version().encode(), digest_size=6).hexdigest()
            bytecode = jinja2.FileSystemBytecodeCache(str(bytecode_dir), pattern=f"{tag}-%s.cache")
        except OSError:
            bytecode = None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode,
        auto_reload=False,  # one build, one set of templates: no stat of a template per page
    )
    env.globals.update(globals_)
    return env


def template_problem(exc: Exception, root: Path, template: str) -> Problem:
    """Turn a Jinja error into a message naming the template file and line."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = relative(Path(exc.filename), root) if exc.filename else template
        return Problem(where, exc.lineno, None, f"template syntax error: {exc.message}",
                       "fix the template; see the Jinja documentation")
    # Find the innermost template frame in the traceback for the line.
    where, line = template, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")) and Path(frame.filename).exists():
            where, line = relative(Path(frame.filename), root), frame.lineno
    kind = "undefined variable" if isinstance(exc, jinja2.UndefinedError) else "template error"
    return Problem(where, line, None, f"{kind}: {exc}", "fix the template or the data it reads")
