"""Helpers for the hostile-input tests: the fixture site, the CLI, snapshots and safety checks.

See ``docs/security.md`` for what each test proves.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from htmltree import parse

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
BROKEN = FIXTURES / "broken"
REPO = Path(__file__).resolve().parent.parent


def draw_png(path: Path, colour=(200, 30, 30), size=(64, 48)) -> Path:
    """A small real PNG, drawn rather than committed."""
    from PIL import Image
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def make_site(target: Path) -> Path:
    """A copy of ``fixtures/hostile/site`` with its images drawn."""
    shutil.copytree(FIXTURES / "site", target)
    draw_png(target / "content" / "images" / "red.png")
    draw_png(target / "content" / "notes" / "bundle-note" / "cover.png", (30, 30, 200), (120, 80))
    return target


@dataclass
class Run:
    code: int
    out: str
    err: str


def cli(*args: str) -> Run:
    """``talknotes ARGS`` in this process (the same ``main`` as ``python -m generator``).

    An exception escaping ``main`` (a traceback for the user) fails the calling test.
    """
    from generator.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Run(code, out.getvalue(), err.getvalue())


def cli_subprocess(*args: str, cwd: Path | None = None, timeout: float = 120) -> Run:
    """``python -m generator ARGS`` in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd or REPO, capture_output=True,
                          text=True, timeout=timeout)
    return Run(done.returncode, done.stdout, done.stderr)


def snapshot(folder: Path) -> dict:
    """Every file and folder under ``folder`` with its bytes' hash and mtime."""
    result = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            result[rel] = ("link", str(path.readlink()))
        elif path.is_dir():
            result[rel] = ("dir",)
        else:
            result[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return result


def contents(folder: Path) -> dict:
    """Every file under ``folder`` by its bytes' hash (mtimes ignored), folders included."""
    return {k: v[0] for k, v in snapshot(folder).items()}


# --- what "executable" means in a built page ---------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "background", "cite",
                  "longdesc", "manifest", "xlink:href", "data-embed-src", "codebase", "ping"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_C0 = "".join(map(chr, range(0x21)))
# Elements the default theme never writes and a payload would (forms are the theme's search boxes,
# whose action is checked as a URL).
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "svg", "math",
                      "style", "template", "noscript", "video", "audio", "marquee", "isindex"}


def browser_url(value: str) -> str:
    """A URL attribute as a browser uses it (the parser already decoded character references)."""
    return re.sub(r"[\t\n\r]", "", value).strip(_C0)


def url_problem(value: str) -> str | None:
    """Why a URL attribute value could run script, or None."""
    scheme = _SCHEME.match(browser_url(value))
    if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
        return f"scheme {scheme.group(1)!r}"
    return None


def unsafe_markup(html: str, static_prefix: str, where: str) -> list[str]:
    """Everything in ``html`` that a browser could execute, other than the theme's own scripts.

    Allowed scripts: ``<script type="module" src="{static_prefix}...">`` and JSON-LD data blocks.
    """
    found = []
    doc = parse(html)
    for element in doc.iter():
        tag = element.tag
        if tag == "#document":
            continue
        if tag == "script":
            kind = element.get("type")
            src = element.get("src")
            if kind == "application/ld+json" and src is None:
                pass
            elif kind == "module" and src and src.startswith(static_prefix) and not element.text:
                pass
            else:
                found.append(f"{where}: <script {element.attrs}>")
        elif tag in FORBIDDEN_ELEMENTS:
            found.append(f"{where}: <{tag}>")
        elif tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append(f"{where}: <meta http-equiv=refresh>")
        elif tag == "link" and (element.get("rel") or "").lower() == "import":
            found.append(f"{where}: <link rel=import>")
        for name, value in element.attrs.items():
            if name.startswith("on"):
                found.append(f"{where}: <{tag} {name}=...>")
            elif name in URL_ATTRIBUTES and url_problem(value or ""):
                found.append(f"{where}: <{tag} {name}={value!r}> ({url_problem(value)})")
            elif name in ("srcset", "imagesrcset"):
                for candidate in (value or "").split(","):
                    url = candidate.strip().split(" ")[0] if candidate.strip() else ""
                    if url_problem(url):
                        found.append(f"{where}: <{tag} srcset {url!r}>")
            elif name == "style" and "javascript:" in (value or "").lower():
                found.append(f"{where}: <{tag} style=javascript:>")
    return found


def json_ld_blocks(html: str) -> list[str]:
    """The raw text of every ``<script type="application/ld+json">`` element, as the browser cuts it."""
    blocks = []
    for match in re.finditer(r"<script\b([^>]*)>", html, re.IGNORECASE):
        if "application/ld+json" in match.group(1):
            end = re.compile(r"</script", re.IGNORECASE).search(html, match.end())
            blocks.append(html[match.end():end.start() if end else len(html)])
    return blocks


def served_path(url_path: str, base_path: str) -> str:
    """The file a static server would send for a URL path below ``base_path``."""
    assert url_path.startswith(base_path), url_path
    rel = unquote(url_path[len(base_path):])
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
