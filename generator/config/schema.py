"""Typed fields for front matter, event files and configuration.

A schema is a dict of field name -> :class:`Field`. :func:`validate` converts each value,
reports every wrong type and unknown name (with a "did you mean" hint), and never raises.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..model.errors import Problem
from .weburl import NotWebUrl, web_url
from .yamlfile import Mapping


class Invalid(ValueError):
    """A value of the wrong type or shape; ``hint`` says how to fix it."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Field:
    """One allowed field: how to convert it, whether it is required, its default."""

    convert: Callable[[Any], Any]
    required: bool = False
    default: Any = None
    doc: str = ""


def validate(mapping: Mapping, schema: dict[str, Field], path: str,
             first_line: int = 1) -> tuple[dict, list[Problem]]:
    """Convert ``mapping`` against ``schema``; returns the values and the problems found."""
    values: dict = {}
    problems: list[Problem] = []
    for key, raw in mapping.data.items():
        line = mapping.line(key, first_line)
        spec = schema.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(sorted(schema))
            problems.append(Problem(path, line, key, "unknown field", hint))
            continue
        if raw is None and not spec.required:
            continue
        try:
            values[key] = spec.convert(raw)
        except Invalid as exc:
            problems.append(Problem(path, line, key, exc.message, exc.hint))
    reported = {p.field for p in problems + mapping.problems}
    for key, spec in schema.items():
        if key in values:
            continue
        if not spec.required:
            values[key] = spec.default
        elif key not in reported:
            problems.append(Problem(path, first_line, key, "required field is missing", spec.doc or None))
    return values, problems


# --- converters ---------------------------------------------------------------------------

# Characters XML 1.0 forbids (so a feed would not parse) and lone surrogates (YAML's "\ud800",
# which cannot be written as UTF-8): refused in every text value and every content file.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def control_char(value: str) -> str | None:
    """``U+0001`` for the first forbidden character in ``value``, else None."""
    found = CONTROL_CHARS.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def text(value: Any) -> str:
    """A non-empty single-line or multi-line string (numbers are accepted as text)."""
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise Invalid(f"expected text, got {_kind(value)}", "write it as a plain string")
    if isinstance(value, (int, float, dt.date)):
        value = str(value)
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {_kind(value)}")
    value = value.strip()
    if not value:
        raise Invalid("must not be empty")
    if control_char(value):
        raise Invalid(f"contains the control character {control_char(value)}", "remove it; write plain text")
    return value


def text_list(value: Any) -> tuple[str, ...]:
    """A list of strings; a single string is accepted as a list of one."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise Invalid(f"expected a list, got {_kind(value)}", "write it as [first, second]")
    items = []
    for item in value:
        try:
            items.append(text(item))
        except Invalid as exc:
            raise Invalid(f"list item {item!r}: {exc.message}", "write it as [first, second]") from None
    return tuple(dict.fromkeys(items))  # drop repeats, keep order


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {_kind(value)}")
    return value


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(f"expected a whole number of at least 1, got {value!r}")
    return value


def date(value: Any) -> dt.date:
    """A calendar date: a YAML date or an ISO ``YYYY-MM-DD`` string; a datetime keeps its date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"invalid date {value!r}", "use YYYY-MM-DD, e.g. 2023-04-18")


def url(value: Any) -> str:
    """An absolute http(s) URL as :func:`.weburl.web_url` parses it (apostrophes, commas and
    ``%20`` are fine); anything else (``javascript:``, ``data:``, no host) is refused."""
    value = text(value)
    try:
        web_url(value)
    except NotWebUrl as exc:
        raise Invalid(exc.message(value), exc.hint) from None
    return value


def language_tag(value: Any) -> str:
    """A BCP 47 language tag such as ``en``, ``de`` or ``pt-BR`` (it becomes ``<html lang>``)."""
    value = text(value)
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise Invalid(f"not a language tag: {value!r}", "use a BCP 47 tag such as en, de or pt-BR")
    return value


def choice(*allowed: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        value = text(value)
        if value not in allowed:
            raise Invalid(f"expected one of {', '.join(allowed)}, got {value!r}")
        return value
    return convert


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list",
            dict: "a mapping", str: "text"}.get(type(value), type(value).__name__)
