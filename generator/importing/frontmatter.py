"""Reading posts' front matter: YAML between ``---`` lines, TOML between ``+++`` lines, or a
JSON object; and config files (YAML, TOML, JSON). Every failure is a Problem with its line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .common import problem


@dataclass
class Parsed:
    """A post's metadata, its body and the line the body starts on; problems if unreadable."""

    meta: dict = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    problems: list = field(default_factory=list)
    found: bool = False  # whether the file had front matter at all


def read_text(path: Path, shown: str) -> tuple[bytes, str | None, list]:
    """(bytes, text with LF line ends, problems): UTF-8, BOM tolerated."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return b"", None, [problem(shown, f"cannot read the file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return raw, None, [problem(shown, f"not valid UTF-8 (byte {raw[exc.start]:#04x})",
                                   raw.count(b"\n", 0, exc.start) + 1, "save the file as UTF-8")]
    return raw, text.replace("\r\n", "\n").replace("\r", "\n"), []


def _toml_problem(shown: str, exc, first_line: int):
    found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    line = int(found.group(1)) + first_line - 1 if found else None
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    return problem(shown, f"bad TOML front matter: {message}", line, "check the TOML syntax")


def parse_yaml(text: str, shown: str, first_line: int) -> tuple[dict, list]:
    from ..config.yamlfile import load_mapping
    mapping = load_mapping(text, shown, first_line=first_line)
    problems = [p for p in mapping.problems if p.is_error]
    return (mapping.data if not problems else {}), problems


def parse_toml(text: str, shown: str, first_line: int) -> tuple[dict, list]:
    import tomllib
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return {}, [_toml_problem(shown, exc, first_line)]


def split(text: str, shown: str) -> Parsed:
    """Front matter of any of the three kinds, if the text starts with one."""
    lines = text.split("\n")
    fence = lines[0].rstrip() if lines else ""
    if fence in ("---", "+++"):
        closers = ("---", "...") if fence == "---" else ("+++",)
        for index in range(1, len(lines)):
            if lines[index].rstrip() in closers:
                meta_text = "\n".join(lines[1:index])
                parse = parse_yaml if fence == "---" else parse_toml
                meta, problems = parse(meta_text, shown, 2)
                return Parsed(meta, "\n".join(lines[index + 1:]), index + 2, problems, True)
        return Parsed(problems=[problem(shown, "front matter is never closed", 1, f"add a line '{fence}' after it")])
    if text.startswith("{"):
        try:
            meta, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as exc:
            return Parsed(problems=[problem(shown, f"bad JSON front matter: {exc.msg}", exc.lineno)])
        if isinstance(meta, dict):
            return Parsed(meta, text[end:].lstrip("\n"), text.count("\n", 0, end) + 2, [], True)
    return Parsed(body=text)


def read_config(path: Path, shown: str) -> tuple[dict, list]:
    """A configuration file by its suffix (.toml, .yaml/.yml, .json)."""
    _, text, problems = read_text(path, shown)
    if text is None:
        return {}, problems
    if path.suffix == ".toml":
        return parse_toml(text, shown, 1)
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return {}, [problem(shown, f"not valid JSON: {exc.msg}", exc.lineno)]
        return (data if isinstance(data, dict) else {}), []
    return parse_yaml(text, shown, 1)


def lowered(meta: dict) -> dict:
    """Keys in lower case (Hugo's and Pelican's keys are case-insensitive)."""
    return {str(k).lower(): v for k, v in meta.items()}
