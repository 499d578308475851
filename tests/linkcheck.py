"""Resolve every link in a built site against the output folder mounted at its base path."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from htmltree import parse_file


def site_files(output: Path, suffix: str = ".html") -> list[Path]:
    return sorted(p for p in output.rglob(f"*{suffix}") if p.is_file())


def page_url(output: Path, file: Path, base: str) -> str:
    rel = file.relative_to(output).as_posix()
    return base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def resolve(output: Path, base: str, url: str) -> Path | None:
    """The file a site-local URL serves, or None when it ignores the base path or is missing."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(base):
        return None
    target = output / path[len(base):]
    if path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def references(element) -> list[str]:
    refs = []
    for attr in ("href", "src"):
        if element.get(attr):
            refs.append(element.get(attr))
    if element.get("srcset"):
        refs += [candidate.strip().split()[0] for candidate in element.get("srcset").split(",") if candidate.strip()]
    return refs


def broken_links(output: Path, base: str, origin: str) -> list[str]:
    """Every internal href/src/srcset in every HTML page that does not resolve to a file."""
    broken = []
    for file in site_files(output):
        doc = parse_file(file)
        here = origin + page_url(output, file, base)
        ids = {e.get("id") for e in doc.iter() if e.get("id")}
        for element in doc.iter():
            for ref in references(element):
                absolute = urljoin(here, ref)
                parts = urlsplit(absolute)
                if f"{parts.scheme}://{parts.netloc}" != origin:
                    continue  # external
                if absolute.split("#")[0] == here.split("#")[0] and parts.fragment:
                    if parts.fragment not in ids:
                        broken.append(f"{file.relative_to(output)}: #{parts.fragment}")
                    continue
                if resolve(output, base, parts.path) is None:
                    broken.append(f"{file.relative_to(output)}: {ref}")
    return broken
